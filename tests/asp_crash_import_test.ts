/**
 * Crash test of the initial load: `deno task media:import` runs in a child
 * process and is killed with SIGKILL at each stage of an import — the file
 * half verified with staging begun, staging complete before the switch,
 * inside the switch transaction, right after the switch, and after the
 * load's audit record before the file is destroyed. The child stops at a
 * stage because `TEST_PAUSE_AT` names it (lib/crash_point.ts): the kill
 * lands there, not at some moment.
 *
 * After each kill the tenant is exactly as before (empty or the previous
 * snapshot, by canonical checksum) or exactly the new snapshot — never a
 * mix — and the next run completes: a stale staging schema of the killed
 * run is cleared, and a file whose snapshot is already live is destroyed
 * without loading it again. At the end the replica equals the registry,
 * each snapshot was switched in once and each file destroyed once.
 *
 * Runs on PGlite (a data directory used in turn by the children and this
 * process) and on PostgreSQL when TEST_DATABASE_URL is set.
 */
import assert from "node:assert/strict";
import { asc, like, or, sql } from "drizzle-orm";
import { auditLog } from "../db/asp/schema.ts";
import { appliedEvents } from "../db/asp/tenant_schema.ts";
import type { CrashPointName } from "../lib/crash_point.ts";
import { MediaError } from "../lib/media/format.ts";
import { importMedia } from "../lib/media/import.ts";
import {
  aspMediaKeys,
  readMediaKeyFiles,
  registryMediaKeys,
} from "../lib/media/keys.ts";
import { ensureCerts } from "../scripts/certs.ts";
import { recordsChecksum, replicaChecksum } from "../services/asp/checksum.ts";
import { createKeyring, parseMasterKey } from "../services/asp/keys.ts";
import { aspMediaTarget } from "../services/asp/media_target.ts";
import {
  CONTROL_MIGRATIONS,
  createTenancy,
  rowsOf,
  type Tenancy,
} from "../services/asp/tenancy.ts";
import {
  registryFamily,
  registryRecords,
  TEST_MASTER_KEY,
} from "./support/asp_world.ts";
import { exportMedia } from "../services/registry/media_export.ts";
import { seedRegistry } from "../services/registry/seed/seed_registry.ts";
import { openTestRegistry } from "./support/registry_world.ts";

import { aspDatabaseTarget } from "./support/asp_crash_target.ts";
const CODE = "401005";
const ROOT = new URL("..", import.meta.url).pathname;
const POLICY = { code: CODE, printMyNumber: false };
const PAUSED = (at: CrashPointName) =>
  JSON.stringify({ msg: "test hook: paused", at });

/** One `media:import` child process; its output is collected as it comes. */
class ImportChild {
  readonly child: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  private ended = false;
  private changed = Promise.withResolvers<void>();
  private readonly read: Promise<void>;

  constructor(file: string, certs: string, env: Record<string, string>) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--no-check",
        "scripts/media_import.ts",
        file,
        "--certs",
        certs,
      ],
      cwd: ROOT,
      env: { ...env, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.read = Promise.all([
      this.collect(this.child.stdout, (t) => this.stdout += t).finally(() => {
        this.ended = true;
        this.changed.resolve();
      }),
      this.collect(this.child.stderr, (t) => this.stderr += t),
    ]).then(() => {});
  }

  private async collect(
    stream: ReadableStream<Uint8Array<ArrayBuffer>>,
    add: (text: string) => void,
  ): Promise<void> {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      add(text);
      const c = this.changed;
      this.changed = Promise.withResolvers();
      c.resolve();
    }
  }

  private log(): string {
    return `stdout:\n${this.stdout}\nstderr:\n${this.stderr}`;
  }

  /** Waits until the child announces that it paused at `point` (it fails if the child ends first). */
  async pausedAt(point: CrashPointName): Promise<void> {
    // A safety net against a hang, not a timing assertion.
    const guard = setTimeout(() => this.kill(), 120_000);
    try {
      while (!this.stdout.split("\n").includes(PAUSED(point))) {
        if (this.ended) {
          throw new Error(
            `media:import did not pause at ${point}\n${this.log()}`,
          );
        }
        await this.changed.promise;
      }
    } finally {
      clearTimeout(guard);
    }
  }

  private kill(): void {
    try {
      this.child.kill("SIGKILL");
    } catch { /* already exited */ }
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill9(): Promise<void> {
    this.kill();
    const status = await this.child.status;
    await this.read;
    assert.equal(status.signal, "SIGKILL", this.log());
  }

  /** Waits for the child to exit by itself. */
  async exit(): Promise<{ code: number; stdout: string; stderr: string }> {
    const status = await this.child.status;
    await this.read;
    return { code: status.code, stdout: this.stdout, stderr: this.stderr };
  }
}

/** A media file of the registry at its current head, and what the replica must hold after it. */
interface Snapshot {
  file: string;
  bytes: Uint8Array;
  snapshotSeq: number;
  manifestSha256: string;
  digest: string;
}

/** What the ASP holds for the tenant. */
interface TenantState {
  snapshotSeq: number | null;
  appliedSeq: number;
  digest: string;
}

function stagingSchemas(tenancy: Tenancy) {
  return tenancy.db.execute(
    sql`select nspname from pg_namespace where nspname like ${`s\\_${CODE}\\_%`} or nspname like ${`o\\_${CODE}\\_%`} order by nspname`,
  ).then((r) => rowsOf<{ nspname: string }>(r).map((x) => x.nspname));
}

async function tenantState(tenancy: Tenancy): Promise<TenantState> {
  const t = await tenancy.get(CODE);
  return {
    snapshotSeq: t.snapshotSeq === null ? null : Number(t.snapshotSeq),
    appliedSeq: Number(t.appliedSeq),
    digest: (await replicaChecksum(tenancy, CODE)).digest,
  };
}

const live = (s: Snapshot): TenantState => ({
  snapshotSeq: s.snapshotSeq,
  appliedSeq: s.snapshotSeq,
  digest: s.digest,
});

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

Deno.test({
  name:
    "[asp] crash: kill -9 media:import at each stage; the tenant is never a mix, the next run completes, each snapshot switched and each file destroyed once",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const reg = await openTestRegistry([CODE]);
    const target = await aspDatabaseTarget(CODE, "asp-crash-import-");
    const dir = await Deno.makeTempDir({ prefix: "asp-crash-import-media-" });
    const certs = `${dir}/certs`;
    try {
      await ensureCerts(certs);
      const { signer, aspPublicKey } = await registryMediaKeys(
        await readMediaKeyFiles(certs),
      );
      await seedRegistry(reg.database, {
        municipalityCode: CODE,
        residents: 40,
        seed: 21,
      });

      /** A few more registry events, then an export at the new head. */
      const exportAtHead = async (name: string): Promise<Snapshot> => {
        await registryFamily(reg, CODE);
        const file = `${dir}/${name}.media`;
        const summary = await exportMedia(reg.database.db, {
          municipalityCode: CODE,
          out: file,
          signer,
          recipientPublicKey: aspPublicKey,
          chunkRecords: 16, // several chunks: a kill can land between them
        });
        const expected = await recordsChecksum(
          await registryRecords(reg.database.db, CODE),
          POLICY,
        );
        return {
          file,
          bytes: await Deno.readFile(file),
          snapshotSeq: summary.snapshotSeq,
          manifestSha256: summary.manifestSha256,
          digest: expected.digest,
        };
      };
      const a = await exportAtHead("a");
      const b = await exportAtHead("b");
      const c = await exportAtHead("c");
      assert.ok(a.snapshotSeq < b.snapshotSeq && b.snapshotSeq < c.snapshotSeq);
      assert.ok(a.digest !== b.digest && b.digest !== c.digest);

      /** Runs `fn` on the ASP database while no child has it open. */
      const withAsp = async <T>(
        fn: (tenancy: Tenancy) => Promise<T>,
      ): Promise<T> => {
        const database = await target.open();
        try {
          await database.migrate(CONTROL_MIGRATIONS);
          const tenancy = createTenancy({
            database,
            keyring: createKeyring([parseMasterKey("test", TEST_MASTER_KEY)]),
          });
          return await fn(tenancy);
        } finally {
          await database.close();
        }
      };
      const inspect = () =>
        withAsp(async (tenancy) => ({
          state: await tenantState(tenancy),
          staging: await stagingSchemas(tenancy),
        }));

      const empty = await withAsp(async (tenancy) => {
        await tenancy.provision({
          code: CODE,
          name: "北九州市",
          mayor: "北九州市長　武内　和久",
        });
        return await tenantState(tenancy);
      });
      assert.equal(empty.snapshotSeq, null);
      assert.equal(empty.digest, (await recordsChecksum([], POLICY)).digest);

      const env = {
        ...target.env,
        ASP_MASTER_KEY: TEST_MASTER_KEY,
        ASP_MASTER_KEY_ID: "test",
      };
      const start = (s: Snapshot, pauseAt?: CrashPointName) =>
        new ImportChild(
          s.file,
          certs,
          pauseAt ? { ...env, TEST_PAUSE_AT: pauseAt } : env,
        );
      /** Kills the import of `s` at `point`; returns what it left. */
      const killAt = async (s: Snapshot, point: CrashPointName) => {
        const child = start(s, point);
        await child.pausedAt(point);
        await child.kill9();
        assert.ok(await exists(s.file), `${point}: the file is kept`);
        assert.deepEqual(
          await Deno.readFile(s.file),
          s.bytes,
          `${point}: the file is untouched`,
        );
        return await inspect();
      };
      /** Runs the import of `s` to its end; it must succeed and destroy the file. */
      const complete = async (s: Snapshot) => {
        const out = await start(s).exit();
        assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}`);
        assert.ok(!(await exists(s.file)), "the file is destroyed");
        const after = await inspect();
        assert.deepEqual(after.state, live(s));
        assert.deepEqual(after.staging, [], "no staging schema is left");
        return out.stdout;
      };

      // (a) The file half verified, staging begun: the empty tenant stays empty.
      let left = await killAt(a, "media.verifying");
      assert.deepEqual(left.state, empty);
      assert.equal(left.staging.length, 1, "the killed run's staging schema");
      // The next run clears the stale staging schema and loads.
      assert.match(await complete(a), /switched to snapshot/);

      // (a) Staging complete, keys built, switch not begun: still snapshot a.
      left = await killAt(b, "snapshot.staged");
      assert.deepEqual(left.state, live(a));
      assert.equal(left.staging.length, 1);
      const stale = left.staging;

      // (b) Inside the switch transaction, before its commit: still snapshot a.
      left = await killAt(b, "snapshot.switching");
      assert.deepEqual(left.state, live(a));
      assert.equal(left.staging.length, 1, "one staging schema, not two");
      assert.notDeepEqual(left.staging, stale, "the stale one was cleared");

      // (b) Right after the switch committed: snapshot b, whole; the file is still there.
      left = await killAt(b, "snapshot.switched");
      assert.deepEqual(left.state, live(b));
      assert.deepEqual(left.staging, []);
      // The re-run recognises its snapshot as live: loads nothing, destroys the file.
      assert.match(await complete(b), /already on snapshot .* nothing loaded/);

      // (c) The load audited, the file not destroyed yet: snapshot c.
      left = await killAt(c, "media.loaded");
      assert.deepEqual(left.state, live(c));
      assert.match(await complete(c), /already on snapshot .* nothing loaded/);

      await withAsp(async (tenancy) => {
        // The replica equals the registry at the last snapshot; nothing came from the feed.
        assert.deepEqual(await tenantState(tenancy), live(c));
        assert.deepEqual(
          (await replicaChecksum(tenancy, CODE)).digest,
          (await recordsChecksum(
            await registryRecords(reg.database.db, CODE),
            POLICY,
          )).digest,
        );
        assert.deepEqual(
          await tenancy.withTenant(
            CODE,
            (tx) => tx.select().from(appliedEvents),
          ),
          [],
        );

        // Each snapshot switched in once; each file loaded or resumed, then destroyed once.
        const audit = await tenancy.db.select().from(auditLog).where(or(
          like(auditLog.action, "snapshot.%"),
          like(auditLog.action, "media.%"),
        )).orderBy(asc(auditLog.id));
        const log = audit.map((r) => {
          const sha = (r.details as { manifestSha256?: string }).manifestSha256;
          const i = [a, b, c].findIndex((s) => s.manifestSha256 === sha);
          return `${r.action}:${r.outcome}:${"abc"[i] ?? "?"}`;
        });
        assert.deepEqual(log, [
          "snapshot.switch:ok:a",
          "media.import.loaded:ok:a",
          "media.destroyed:ok:a",
          "snapshot.switch:ok:b",
          "media.import.resumed:ok:b",
          "media.destroyed:ok:b",
          "snapshot.switch:ok:c",
          "media.import.loaded:ok:c",
          "media.import.resumed:ok:c",
          "media.destroyed:ok:c",
        ]);
        assert.deepEqual(
          audit.filter((r) => r.action === "snapshot.switch").map((r) =>
            (r.details as { snapshotSeq: number }).snapshotSeq
          ),
          [a.snapshotSeq, b.snapshotSeq, c.snapshotSeq],
        );

        // Once destroyed, the same file again is a replay: refused, kept, tenant unchanged.
        await Deno.writeFile(c.file, c.bytes);
        const { loader, audit: writeAudit } = aspMediaTarget(tenancy, {
          actor: "media-import",
        });
        const keys = await aspMediaKeys(await readMediaKeyFiles(certs));
        await assert.rejects(
          () =>
            importMedia(c.file, {
              ...keys,
              loader,
              audit: writeAudit,
            }),
          (e: unknown) =>
            e instanceof MediaError && e.code === "MEDIA_REPLAYED",
        );
        assert.ok(await exists(c.file));
        assert.deepEqual(await tenantState(tenancy), live(c));
      });
    } finally {
      await reg.close();
      await target.cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
