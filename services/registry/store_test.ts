import assert from "node:assert/strict";
import { asc, eq, getTableColumns, getTableName, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import {
  auditLog,
  cardLinks,
  households,
  issuanceBlocks,
  outbox,
  residentHistory,
  residents,
  sealRegistrations,
} from "../../db/registry/schema.ts";
import { type Db, rowsOf } from "../../lib/db/database.ts";
import { createServiceApp } from "../../lib/service/app.ts";
import { DomainError } from "../../lib/service/errors.ts";
import { silentLogger } from "../../lib/service/logger.ts";
import { createMetrics } from "../../lib/service/metrics.ts";
import { registryStatusOf } from "./errors.ts";
import { applyEvent } from "./events.ts";
import {
  commitChange,
  readHousehold,
  readMembers,
  readResident,
} from "./store.ts";
import {
  makePerson,
  openTestRegistry,
  type TestRegistry,
} from "../../tests/support/registry_world.ts";

const M = "401005";
const WHO = { client: "city-window" };

async function moveIn(reg: TestRegistry): Promise<string> {
  const c = await applyEvent(reg.database.db, M, {
    type: "tennyu",
    date: "2026-11-20",
    // deno-lint-ignore no-explicit-any
    person: makePerson() as any,
    previousAddress: "東京都千代田区千代田１番１号",
    address: "福岡県北九州市小倉北区城内１番１号",
  }, WHO);
  return c.residentIds[0];
}

function correct(db: Db, id: string, changes: Record<string, string>) {
  return applyEvent(db, M, {
    type: "shokken_shusei",
    date: "2026-11-26",
    residentId: id,
    changes,
    reason: "test",
  }, WHO);
}

async function count(db: Db, table: PgTable): Promise<number> {
  return (await db.select({ n: sql<number>`count(*)::int` }).from(table))[0].n;
}

Deno.test("commitChange() plans again when a concurrent event changed what it read: no lost update", async () => {
  const reg = await openTestRegistry();
  try {
    const db = reg.database.db;
    const id = await moveIn(reg);
    let attempts = 0;
    const c = await commitChange(
      db,
      { municipalityCode: M, type: "shokken_shusei", client: "test" },
      async (p, cs) => {
        attempts++;
        const r = await readResident(p, M, id);
        // Another event commits on the same resident between this plan's
        // read and its commit (first attempt only).
        if (attempts === 1) await correct(db, id, { alias: "並行" });
        cs.resident(r, { ...r, katagaki: "計画" });
      },
    );
    assert.equal(attempts, 2);
    const [row] = await db.select().from(residents).where(
      eq(residents.id, id),
    );
    assert.equal(row.katagaki, "計画");
    assert.equal(row.alias, "並行", "the concurrent change is kept");
    assert.equal(row.historyNo, 3);
    assert.equal(Number(row.updatedSeq), c.seq);
    const hist = await db.select().from(residentHistory).where(
      eq(residentHistory.residentId, id),
    ).orderBy(asc(residentHistory.historyNo));
    assert.deepEqual(hist.map((h) => h.historyNo), [1, 2, 3]);
    const last = hist[2].snapshot as Record<string, unknown>;
    assert.equal(last.alias, "並行");
    assert.equal(last.katagaki, "計画");
    const seqs = (await db.select({ s: outbox.seq }).from(outbox).orderBy(
      asc(outbox.seq),
    )).map((r) => Number(r.s));
    assert.deepEqual(
      seqs,
      [1, 2, 3],
      "gapless: the failed attempt left no seq",
    );
  } finally {
    await reg.close();
  }
});

Deno.test("commitChange() re-checks household membership: a member added meanwhile moves too (転居 vs 出生)", async () => {
  const reg = await openTestRegistry();
  try {
    const db = reg.database.db;
    const head = await moveIn(reg);
    const [h] = await db.select().from(residents).where(
      eq(residents.id, head),
    );
    let attempts = 0;
    let child = "";
    await commitChange(
      db,
      { municipalityCode: M, type: "tenkyo", client: "test" },
      async (p, cs) => {
        attempts++;
        const hh = await readHousehold(p, M, h.householdId);
        const members = await readMembers(p, hh.id);
        if (attempts === 1) {
          // 出生 into the household after the members were read
          child = (await applyEvent(db, M, {
            type: "shussei",
            date: "2026-11-21",
            // deno-lint-ignore no-explicit-any
            person: makePerson({ birthDate: "2026-11-21" }) as any,
            householdId: hh.id,
            relationship: "子",
          }, WHO)).residentIds[0];
        }
        const address = "福岡県北九州市戸畑区中本町１番１号";
        cs.household(hh, { ...hh, address });
        for (const m of members) {
          cs.resident(m, { ...m, previousAddress: m.address, address });
        }
      },
    );
    assert.equal(attempts, 2);
    const rows = await db.select().from(residents).where(
      eq(residents.householdId, h.householdId),
    );
    assert.equal(rows.length, 2);
    for (const r of rows) {
      assert.equal(r.address, "福岡県北九州市戸畑区中本町１番１号", r.id);
    }
    assert.ok(rows.some((r) => r.id === child));
  } finally {
    await reg.close();
  }
});

Deno.test("events: two concurrent events on one resident both commit, or one is refused by a rule; never a lost update", async () => {
  const reg = await openTestRegistry();
  try {
    const db = reg.database.db;
    for (let round = 0; round < 5; round++) {
      const id = await moveIn(reg);
      // Different fields: both commit, both changes survive.
      const [a, b] = await Promise.all([
        correct(db, id, { katagaki: `A${round}` }),
        correct(db, id, { alias: `B${round}` }),
      ]);
      assert.notEqual(a.seq, b.seq);
      const [row] = await db.select().from(residents).where(
        eq(residents.id, id),
      );
      assert.equal(row.katagaki, `A${round}`);
      assert.equal(row.alias, `B${round}`);
      assert.equal(row.historyNo, 3);
      // The same rule twice (旧氏 記載): one commits, the other is refused.
      const both = await Promise.allSettled(
        ["旧氏甲", "旧氏乙"].map((s) =>
          applyEvent(db, M, {
            type: "kyuuji_kisai",
            date: "2026-11-26",
            residentId: id,
            formerSurname: s,
            formerSurnameKana: "キュウウジ",
          }, WHO)
        ),
      );
      const done = both.filter((x) => x.status === "fulfilled");
      const refused = both.filter((x) => x.status === "rejected");
      assert.equal(done.length, 1);
      assert.equal(refused.length, 1);
      assert.equal(
        ((refused[0] as PromiseRejectedResult).reason as DomainError).code,
        "FORMER_SURNAME_EXISTS",
      );
      const [after] = await db.select().from(residents).where(
        eq(residents.id, id),
      );
      assert.equal(after.historyNo, 4);
    }
    const seqs = (await db.select({ s: outbox.seq }).from(outbox)).map((r) =>
      Number(r.s)
    ).sort((x, y) => x - y);
    seqs.forEach((s, i) => assert.equal(s, i + 1));
  } finally {
    await reg.close();
  }
});

Deno.test("commitChange() gives up after its attempts with a 409 CONFLICT, having changed nothing", async () => {
  const reg = await openTestRegistry();
  try {
    const db = reg.database.db;
    const id = await moveIn(reg);
    let attempts = 0;
    // Every attempt meets a concurrent change of what it read.
    const sabotaged = () =>
      commitChange(
        db,
        { municipalityCode: M, type: "shokken_shusei", client: "test" },
        async (p, cs) => {
          attempts++;
          const r = await readResident(p, M, id);
          await correct(db, id, { alias: `並行${attempts}` });
          cs.resident(r, { ...r, katagaki: "負け" });
        },
        { maxAttempts: 3 },
      );
    const before = {
      outbox: await count(db, outbox),
      audit: await count(db, auditLog),
    };
    await assert.rejects(sabotaged(), (err: unknown) => {
      assert.ok(err instanceof DomainError);
      assert.equal(err.code, "CONFLICT");
      assert.deepEqual(err.details, {
        reason: "CONCURRENT_UPDATE",
        attempts: 3,
      });
      return true;
    });
    assert.equal(attempts, 3);
    // Only the three concurrent corrections were written.
    assert.equal(await count(db, outbox), before.outbox + 3);
    assert.equal(await count(db, auditLog), before.audit + 3);
    const [row] = await db.select().from(residents).where(
      eq(residents.id, id),
    );
    assert.notEqual(row.katagaki, "負け");

    // Through HTTP, the service's error mapping answers 409 with the code.
    const app = createServiceApp({
      service: "registry",
      logger: silentLogger(),
      metrics: createMetrics(),
      statusOf: registryStatusOf,
    });
    app.post("/conflict", async (c) => c.json(await sabotaged(), 201));
    const res = await app.request("/conflict", { method: "POST" });
    assert.equal(res.status, 409);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await res.json();
    assert.equal(body.code, "CONFLICT");
    assert.ok(body.message_ja.length > 0 && body.message_en.length > 0);
  } finally {
    await reg.close();
  }
});

Deno.test("registry_commit_event writes every column of the tables it upserts", async () => {
  const reg = await openTestRegistry();
  try {
    const result = await reg.database.db.execute(
      sql`select prosrc from pg_proc where proname = 'registry_commit_event'`,
    );
    const rows = rowsOf<{ prosrc: string }>(result);
    const src = rows[0].prosrc;
    const tables: PgTable[] = [
      residents,
      households,
      sealRegistrations,
      issuanceBlocks,
      cardLinks,
    ];
    for (const t of tables) {
      const name = getTableName(t);
      const start = src.indexOf(`INSERT INTO ${name} (`);
      assert.ok(start >= 0, `registry_commit_event does not write ${name}`);
      const upsert = src.slice(start, src.indexOf("ON CONFLICT", start));
      for (const col of Object.values(getTableColumns(t))) {
        if (col.name === "updated_seq") continue; // set from the seq
        assert.match(
          upsert,
          new RegExp(`\\bx\\.${col.name}\\b`),
          `registry_commit_event does not write ${name}.${col.name}: replace it in a migration`,
        );
      }
    }
  } finally {
    await reg.close();
  }
});

Deno.test("commitChange() notices a changed kiosk policy and plans again with it (個人番号 in the feed)", async () => {
  const reg = await openTestRegistry();
  try {
    const db = reg.database.db;
    const id = (await applyEvent(db, M, {
      type: "tennyu",
      date: "2026-11-20",
      // deno-lint-ignore no-explicit-any
      person: makePerson({ myNumber: "123456789018" }) as any,
      previousAddress: "東京都千代田区千代田１番１号",
      address: "福岡県北九州市小倉北区城内１番１号",
    }, WHO)).residentIds[0];
    const put = await reg.call("PUT", `/municipalities/${M}`, {
      token: "admin-token",
      body: { name: "北九州市", mayor: "市長", printMyNumberAtKiosk: true },
    });
    await put.body?.cancel();
    assert.equal(put.status, 200);
    const c = await correct(db, id, { katagaki: "方書" });
    const [ev] = await db.select().from(outbox).where(eq(outbox.seq, c.seq));
    const payload = ev.payload as { residents: Record<string, unknown>[] };
    assert.equal(payload.residents[0].myNumber, "123456789018");
    const first = (await db.select().from(outbox).where(eq(outbox.seq, 1)))[0];
    assert.equal(
      "myNumber" in (first.payload as typeof payload).residents[0],
      false,
    );
  } finally {
    await reg.close();
  }
});
