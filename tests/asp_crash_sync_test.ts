/**
 * Crash test of the delta sync: the ASP's worker runs in a child process
 * (`deno run services/asp/main.ts`, ASP_MODE=worker) against a registry
 * served over HTTP, and is killed with SIGKILL at several points — inside a
 * batch's transaction (writes done, not committed), between batches while
 * applying, right after start, and after catching up — with events arriving
 * while it is down. After the last restart the replica must equal the
 * registry (canonical checksum), and every sequence must have been applied
 * exactly once (one applied_events row per seq, with the registry's event id).
 *
 * Runs on PGlite (a data directory shared by the successive processes) and
 * on PostgreSQL when TEST_DATABASE_URL is set.
 */
import assert from "node:assert/strict";
import { asc, eq } from "drizzle-orm";
import { appliedEvents } from "../db/asp/tenant_schema.ts";
import { outbox } from "../db/registry/schema.ts";
import { recordsChecksum, replicaChecksum } from "../services/asp/checksum.ts";
import { createKeyring, parseMasterKey } from "../services/asp/keys.ts";
import { CONTROL_MIGRATIONS, createTenancy } from "../services/asp/tenancy.ts";
import {
  registryEvent,
  registryRecords,
  TEST_MASTER_KEY,
} from "./support/asp_world.ts";
import {
  makePerson,
  openTestRegistry,
  type TestRegistry,
} from "./support/registry_world.ts";

import { aspDatabaseTarget } from "./support/asp_crash_target.ts";
const CODE = "401005";
const ROOT = new URL("..", import.meta.url).pathname;
const TENANTS = JSON.stringify([{
  code: CODE,
  name: "北九州市",
  mayor: "北九州市長　武内　和久",
}]);

/** A worker child process whose JSON log lines can be awaited. */
class Worker {
  readonly child: Deno.ChildProcess;
  readonly lines: Record<string, unknown>[] = [];
  private waiters: (() => void)[] = [];
  readonly done: Promise<void>;

  constructor(env: Record<string, string>) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", "services/asp/main.ts"],
      cwd: ROOT,
      env: { ...env, LOG_LEVEL: "debug", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.done = this.read();
    this.child.stderr.pipeTo(
      new WritableStream({
        write: (c) =>
          void this.lines.push({ stderr: new TextDecoder().decode(c) }),
      }),
    );
  }

  private async read() {
    let buf = "";
    for await (
      const chunk of this.child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      buf += chunk;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          this.lines.push(JSON.parse(line));
        } catch {
          this.lines.push({ text: line });
        }
        for (const w of this.waiters.splice(0)) w();
      }
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits for a log line matching `pred` (or fails after `ms`, showing the log). */
  async waitFor(
    pred: (l: Record<string, unknown>) => boolean,
    ms = 60_000,
  ): Promise<Record<string, unknown>> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit) return hit;
      if (Date.now() > end) {
        throw new Error(
          `worker log line not seen; log:\n${
            this.lines.map((l) => JSON.stringify(l)).join("\n")
          }`,
        );
      }
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill9(): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch { /* already exited */ }
    await this.child.status;
    await this.done.catch(() => {});
  }
}

const applied = (seq: number) => (l: Record<string, unknown>) =>
  l.msg === "event applied" && l.seq === seq;

async function moreEvents(
  reg: TestRegistry,
  n: number,
  householdIds: string[],
) {
  for (let i = 0; i < n; i++) {
    if (i % 3 === 2 && householdIds.length) {
      await registryEvent(reg, CODE, {
        type: "tenkyo",
        date: "2026-11-21",
        householdId: householdIds[i % householdIds.length],
        address: `福岡県北九州市小倉北区城内${i + 2}番`,
      });
    } else {
      const r = await registryEvent(reg, CODE, {
        type: "tennyu",
        date: "2026-11-20",
        person: makePerson({
          formerSurname: i % 2 ? "旧姓" : undefined,
          formerSurnameKana: i % 2 ? "キュウセイ" : undefined,
        }),
        previousAddress: "東京都千代田区千代田１番",
        address: `福岡県北九州市八幡東区${i + 1}番`,
        katagaki: i % 2 ? `ハイツ${i}号` : undefined,
      });
      const recs = await registryRecords(reg.database.db, CODE);
      const hid = recs.find((x) =>
        x.kind === "resident" && x.data.id === r.residentIds[0]
      )?.data.householdId;
      if (hid) householdIds.push(String(hid));
    }
  }
}

Deno.test({
  name:
    "[asp] crash: kill -9 the sync worker at several points; after restart the replica equals the registry, each event applied once",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const reg = await openTestRegistry([CODE]);
    const ac = new AbortController();
    const server = Deno.serve({
      port: 0,
      hostname: "127.0.0.1",
      signal: ac.signal,
      onListen: () => {},
    }, reg.app.fetch);
    const target = await aspDatabaseTarget(CODE, "asp-crash-");
    const env = {
      ...target.env,
      ASP_MODE: "worker",
      ASP_REGISTRY_URL: `http://127.0.0.1:${server.addr.port}`,
      ASP_REGISTRY_TOKEN: "asp-token",
      // The crash points, not the transport: plain HTTP to the test registry.
      KONBINI_TRANSPORT: "plaintext",
      ASP_MASTER_KEY: TEST_MASTER_KEY,
      ASP_MASTER_KEY_ID: "test",
      ASP_TENANTS: TENANTS,
      ASP_SYNC_WAIT_SECONDS: "1",
    };
    const households: string[] = [];
    try {
      await moreEvents(reg, 12, households);

      // 1. Inside the transaction of the batch holding event 5 (batches of
      //    3: 1–3, 4–6): its writes are done, its commit is not.
      let w = new Worker({
        ...env,
        ASP_SYNC_BATCH: "3",
        ASP_TEST_PAUSE_BEFORE_COMMIT: "5",
      });
      await w.waitFor((l) =>
        l.msg === "test hook: paused before commit" && l.from === 4 &&
        l.to === 6
      );
      assert.ok(w.lines.some(applied(3)) && !w.lines.some(applied(4)));
      await w.kill9();

      // Events keep arriving while the worker is down.
      await moreEvents(reg, 6, households);

      // 2. Between and inside events while applying (slowed so the kill lands mid-stream).
      w = new Worker({
        ...env,
        ASP_SYNC_BATCH: "2",
        ASP_TEST_APPLY_DELAY_MS: "40",
      });
      await w.waitFor(applied(9));
      await w.kill9();
      assert.ok(
        !w.lines.some(applied(3)),
        "an applied event was applied again after the restart",
      );

      // 3. Right after start, before or while it reads its state.
      w = new Worker(env);
      await w.waitFor(
        (l) => l.msg === "started" || l.msg === "sync started",
        60_000,
      );
      await w.kill9();

      await moreEvents(reg, 6, households);
      const head = 24;

      // 4. A clean run to the head, then killed after its last commit.
      w = new Worker(env);
      await w.waitFor(applied(head));
      await w.kill9();
      const seen = w.lines.filter((l) => l.msg === "event applied").map((l) =>
        l.seq as number
      );
      assert.equal(new Set(seen).size, seen.length);
    } finally {
      ac.abort();
      await server.finished;
    }

    // The replica equals the registry; every seq applied exactly once, in order, with its event id.
    const database = await target.open();
    try {
      await database.migrate(CONTROL_MIGRATIONS);
      const tenancy = createTenancy({
        database,
        keyring: createKeyring([parseMasterKey("test", TEST_MASTER_KEY)]),
      });
      const t = await tenancy.get(CODE);
      const outboxRows = await reg.database.db.select().from(outbox).where(
        eq(outbox.municipalityCode, CODE),
      ).orderBy(asc(outbox.seq));
      assert.equal(Number(t.appliedSeq), outboxRows.length);
      assert.equal(t.syncState, "running");
      const expected = await recordsChecksum(
        await registryRecords(reg.database.db, CODE),
        { code: CODE, printMyNumber: false },
      );
      assert.deepEqual(await replicaChecksum(tenancy, CODE), expected);
      const rows = await tenancy.withTenant(
        CODE,
        (tx) => tx.select().from(appliedEvents).orderBy(asc(appliedEvents.seq)),
      );
      assert.deepEqual(
        rows.map((r) => r.seq),
        outboxRows.map((o) => Number(o.seq)),
      );
      assert.deepEqual(
        rows.map((r) => r.eventId),
        outboxRows.map((o) => o.eventId),
      );
    } finally {
      await database.close();
      await reg.close();
      await target.cleanup();
    }
  },
});
