/**
 * Live reconciliation (issue 15, item 4): the replica and the registry are
 * compared field by field at the replica's applied sequence, by ranges of
 * person ids. A field dropped in the replica with direct SQL halts the
 * tenant within one cycle (on demand, and on the schedule), with an alert
 * naming the field and the person id and no personal data; a consistent
 * replica — also one behind a registry that moved on — reconciles clean;
 * the narrowing finds the one person among many.
 */
import assert from "node:assert/strict";
import { desc, eq, sql } from "drizzle-orm";
import { alerts, auditLog, tenants } from "../db/asp/schema.ts";
import { residents } from "../db/asp/tenant_schema.ts";
import {
  issuanceBlocks,
  residents as registryResidents,
} from "../db/registry/schema.ts";
import { readResident } from "../services/asp/replica.ts";
import type { ReconcileRun } from "../services/asp/reconciliation.ts";
import {
  ASP_TOKENS,
  openTestAsp,
  registryCall,
  registryEvent,
  requestOwnJuminhyo,
  type TestAsp,
  testWorker,
} from "./support/asp_world.ts";
import {
  makePerson,
  openTestRegistry,
  type TestRegistry,
} from "./support/registry_world.ts";
import {
  sealImpressionPng,
  seedRegistry,
} from "../services/registry/seed/mod.ts";
import { applySnapshot } from "../services/asp/snapshot.ts";
import { registryRecords } from "./support/asp_world.ts";

const CODE = "401005";
const NAME = "照合　透子";
const ADDRESS = "福岡県北九州市小倉北区照合町９番９号";

async function moveIn(
  reg: TestRegistry,
  i: number,
  over: Record<string, unknown> = {},
): Promise<string> {
  const out = await registryEvent(reg, CODE, {
    type: "tennyu",
    date: "2026-11-20",
    person: makePerson({ name: `山田　太郎${i}`, ...over }),
    previousAddress: "東京都千代田区千代田１番",
    address: `福岡県北九州市小倉北区城内${i}番`,
  });
  return out.residentIds[0];
}

async function registryRow(reg: TestRegistry, id: string) {
  const [r] = await reg.database.db.select().from(registryResidents).where(
    eq(registryResidents.id, id),
  );
  return r;
}

async function world(people: number) {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({
    clock: reg.clock,
    registry: reg,
    reconcile: { fanout: 4, leafSize: 2 },
  });
  const ids: string[] = [];
  for (let i = 0; i < people; i++) ids.push(await moveIn(reg, i + 1));
  return { reg, asp, ids };
}

async function runNow(asp: TestAsp): Promise<ReconcileRun> {
  const res = await asp.call("POST", `/tenants/${CODE}/reconciliation`, {
    token: ASP_TOKENS.admin,
    signer: null,
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

Deno.test("reconciliation: a consistent replica reconciles clean, also behind a registry that moved on; figures in /metrics", async () => {
  const { reg, asp, ids } = await world(6);
  try {
    await registryCall(
      reg,
      "POST",
      `/municipalities/${CODE}/residents/${ids[0]}/seals`,
      { impressionPng: sealImpressionPng("山").toBase64(), date: "2026-11-11" },
    );
    await registryCall(
      reg,
      "POST",
      `/municipalities/${CODE}/residents/${ids[1]}/blocks`,
      { reason: "opt_out", startDate: "2026-11-13" },
    );
    await registryEvent(reg, CODE, {
      type: "shibou",
      date: "2026-11-22",
      residentId: ids[2],
    });
    await testWorker(asp, reg).catchUp(CODE);
    const clean = await runNow(asp);
    assert.equal(clean.outcome, "clean", JSON.stringify(clean));
    assert.deepEqual(clean.differences, []);
    assert.equal(clean.requests, 1, "equal digests: one request");
    assert.ok(clean.records >= 6 * 2 + 2);

    // The registry moves on (a change, a removal, a new person) and the
    // replica has not heard yet: compared as of the replica's sequence.
    const seqBefore = clean.seq;
    await registryEvent(reg, CODE, {
      type: "tenkyo",
      date: "2026-11-23",
      householdId: (await registryRow(reg, ids[3])).householdId,
      address: "福岡県北九州市八幡東区１番",
    });
    await registryEvent(reg, CODE, {
      type: "shibou",
      date: "2026-11-23",
      residentId: ids[4],
    });
    await moveIn(reg, 99);
    const behind = await runNow(asp);
    assert.equal(behind.seq, seqBefore);
    assert.equal(behind.outcome, "clean", JSON.stringify(behind));

    await testWorker(asp, reg).catchUp(CODE);
    const after = await runNow(asp);
    assert.ok(after.seq > seqBefore);
    assert.equal(after.outcome, "clean", JSON.stringify(after));
    const [t] = await asp.database.db.select().from(tenants).where(
      eq(tenants.code, CODE),
    );
    assert.equal(t.haltedAt, null);

    const metrics = asp.metrics.render();
    assert.match(
      metrics,
      new RegExp(`asp_reconcile_last_seq\\{tenant="${CODE}"\\} ${after.seq}`),
    );
    assert.match(
      metrics,
      new RegExp(`asp_reconcile_last_differences\\{tenant="${CODE}"\\} 0`),
    );
    assert.match(
      metrics,
      new RegExp(`asp_reconcile_last_clean\\{tenant="${CODE}"\\} 1`),
    );
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("reconciliation: a field dropped in the replica with direct SQL halts the tenant; the incident names the field and the person, without personal data; narrowing finds the one among many", async () => {
  const { reg, asp, ids } = await world(40);
  try {
    const victim = ids[27];
    await registryEvent(reg, CODE, {
      type: "shibou",
      date: "2026-11-22",
      residentId: victim,
    });
    const marked = await moveIn(reg, 500, { name: NAME });
    await testWorker(asp, reg).catchUp(CODE);
    assert.equal((await runNow(asp)).outcome, "clean");

    // The replica silently loses the removal date of one person (a clear
    // column) — direct SQL in the tenant's schema.
    await asp.tenancy.withTenant(CODE, async (tx) => {
      await tx.execute(
        sql`update residents set removal_date = null where id = ${victim}`,
      );
    });
    const run = await runNow(asp);
    assert.equal(run.outcome, "mismatch");
    assert.deepEqual(
      run.differences.map((d) => [d.subject, d.kind, d.field]),
      [[victim, "resident", "removalDate"]],
    );
    const subjects = ids.length * 2 + 2;
    assert.ok(
      run.requests < subjects / 2,
      `narrowed by ranges (${run.requests} requests for ${subjects} subjects)`,
    );

    // Halted: every issuance refused, for everyone.
    const [t] = await asp.database.db.select().from(tenants).where(
      eq(tenants.code, CODE),
    );
    assert.ok(t.haltedAt);
    assert.match(t.haltReason!, /removalDate/);
    assert.ok(t.haltReason!.includes(victim));
    const refused = await requestOwnJuminhyo(asp, CODE, ids[0]);
    assert.equal(refused.status, 503);
    assert.equal(refused.body.code, "REPLICA_MISMATCH");
    assert.deepEqual(
      refused.body.details.differences.map((d: { field: string }) => d.field),
      ["removalDate"],
    );

    // The alert names the field and the person id, and nothing personal.
    const [alert] = await asp.database.db.select().from(alerts).where(
      eq(alerts.kind, "RECONCILE_MISMATCH"),
    );
    assert.ok(alert.message.includes(victim));
    assert.match(alert.message, /resident\.removalDate/);
    const everything = [
      alert.message,
      JSON.stringify(alert.details),
      t.haltReason,
      JSON.stringify(t.haltDetails),
      JSON.stringify(refused.body),
      ...asp.logs,
    ].join("\n");
    for (const secret of [NAME, "山田", "2026-11-22", "城内", "1980-04-01"]) {
      assert.ok(
        !everything.includes(secret),
        `no '${secret}' in incident or logs`,
      );
    }

    // The replica repaired (the field restored), the halt lifted by an
    // operator with a reason; then an encrypted field dropped (the sealed
    // record rewritten without it) is found the same way.
    const restoreDate = await registryRow(reg, victim);
    await asp.tenancy.withTenant(CODE, async (tx) => {
      await tx.execute(
        sql`update residents set removal_date = ${restoreDate.removalDate} where id = ${victim}`,
      );
    });
    const lift = await asp.call("POST", `/tenants/${CODE}/halt/lift`, {
      token: ASP_TOKENS.admin,
      signer: null,
      body: { reason: "replica repaired" },
    });
    assert.equal(lift.status, 200);
    await lift.body?.cancel();
    const [audit] = await asp.database.db.select().from(auditLog).where(
      eq(auditLog.action, "halt.lift"),
    ).orderBy(desc(auditLog.id));
    assert.equal(audit.actor, "ops");
    assert.equal((await runNow(asp)).outcome, "clean");

    await asp.tenancy.withTenant(CODE, async (tx, t) => {
      const r = await readResident(tx, t.cipher, marked);
      const {
        id: _i,
        householdId: _h,
        status: _s,
        removalDate: _r,
        updatedSeq: _u,
        address: _dropped,
        ...rest
      } = r!;
      const data = t.cipher.sealJson("residents", marked, rest);
      await tx.update(residents).set({ data }).where(eq(residents.id, marked));
    });
    const again = await runNow(asp);
    assert.deepEqual(
      again.differences.map((d) => [d.subject, d.field]),
      [[marked, "address"]],
    );
    const runs = await asp.call("GET", `/tenants/${CODE}/reconciliation`, {
      token: ASP_TOKENS.admin,
      signer: null,
    });
    const seen = await runs.json();
    assert.equal(runs.status, 200);
    assert.ok(seen.halt.haltedAt);
    assert.equal(seen.runs[0].outcome, "mismatch");
    assert.ok(!JSON.stringify(seen).includes(ADDRESS));
    assert.ok(!JSON.stringify(seen).includes(NAME));
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("reconciliation: the scheduled cycle halts a tenant whose replica lost a record", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({
    clock: reg.clock,
    registry: reg,
    reconcile: { intervalMs: 20 },
  });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await moveIn(reg, i + 1));
    await testWorker(asp, reg).catchUp(CODE);
    await asp.tenancy.withTenant(CODE, async (tx) => {
      await tx.execute(sql`delete from residents where id = ${ids[3]}`);
    });
    await asp.reconciler!.start([CODE]);
    // One cycle: wait for the first scheduled run's record (no timing asserted).
    let halted = null;
    for (let i = 0; i < 500 && !halted; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const [t] = await asp.database.db.select().from(tenants).where(
        eq(tenants.code, CODE),
      );
      halted = t.haltedAt ? t : null;
    }
    assert.ok(halted, "halted by the scheduled run");
    const details = halted.haltDetails as {
      differences: { subject: string; field: string }[];
    };
    assert.deepEqual(
      details.differences.map((d) => [d.subject, d.field]),
      [[ids[3], "(record)"]],
    );
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("reconciliation: a generated population loaded by snapshot, then block lifts and card links and unlinks, reconciles clean; a replica that lost everything is named record by record, the capped list marked", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock, registry: reg });
  try {
    // 旧氏, 通称, foreign residents, 方書, seals, blocks, cards.
    await seedRegistry(reg.database, {
      municipalityCode: CODE,
      residents: 150,
      seed: 7,
    });
    await applySnapshot(
      asp.tenancy,
      CODE,
      await registryRecords(reg.database.db, CODE),
      0,
      { actor: "test" },
    );
    const loaded = await runNow(asp);
    assert.equal(loaded.outcome, "clean", JSON.stringify(loaded));
    assert.ok(loaded.records > 60);

    const a = await moveIn(reg, 1);
    await registryCall(
      reg,
      "POST",
      `/municipalities/${CODE}/residents/${a}/blocks`,
      { reason: "opt_out", startDate: "2026-11-13" },
    );
    const [block] = await reg.database.db.select().from(issuanceBlocks).where(
      eq(issuanceBlocks.residentId, a),
    );
    await registryCall(
      reg,
      "POST",
      `/municipalities/${CODE}/blocks/${block.id}/lift`,
      { reason: "本人申出" },
    );
    await registryCall(reg, "POST", `/municipalities/${CODE}/card-links`, {
      serial: "00AABBCC",
      residentId: a,
    });
    await registryCall(
      reg,
      "DELETE",
      `/municipalities/${CODE}/card-links/00aabbcc`,
    );
    await testWorker(asp, reg).catchUp(CODE);
    const after = await runNow(asp);
    assert.equal(after.outcome, "clean", JSON.stringify(after));

    // A replica that lost everything: the registry's
    // detail answers are capped, and the halt says the list goes on.
    await asp.tenancy.withTenant(CODE, async (tx) => {
      await tx.execute(sql`delete from residents`);
      await tx.execute(sql`delete from households`);
      await tx.execute(sql`delete from seals`);
      await tx.execute(sql`delete from blocks`);
      await tx.execute(sql`delete from card_links`);
    });
    const lost = await runNow(asp);
    assert.equal(lost.outcome, "mismatch");
    assert.ok(lost.differences.some((d) => d.field === "(more)"));
    assert.ok(
      lost.differences.every((d) =>
        d.field === "(more)" || d.field === "(record)"
      ),
      JSON.stringify(lost.differences.filter((d) => d.field !== "(record)")),
    );
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("reconciliation: a registry that cannot answer at the sequence skips the run (no halt); one unreachable answers 503 RECONCILIATION_UNAVAILABLE", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock, registry: reg });
  const down = await openTestAsp({
    clock: reg.clock,
    registry: reg,
    reconcile: { fetch: () => Promise.reject(new Error("link down")) },
  });
  try {
    await moveIn(reg, 1);
    await testWorker(asp, reg).catchUp(CODE);
    await asp.database.db.update(tenants).set({ appliedSeq: 99 }).where(
      eq(tenants.code, CODE),
    );
    const skipped = await runNow(asp);
    assert.equal(skipped.outcome, "skipped");
    assert.equal(skipped.reason, "RECONCILE_SEQ_AHEAD");
    const [t] = await asp.database.db.select().from(tenants).where(
      eq(tenants.code, CODE),
    );
    assert.equal(t.haltedAt, null);

    await testWorker(down, reg).catchUp(CODE);
    const res = await down.call("POST", `/tenants/${CODE}/reconciliation`, {
      token: ASP_TOKENS.admin,
      signer: null,
    });
    const body = await res.json();
    assert.equal(res.status, 503);
    assert.equal(body.code, "RECONCILIATION_UNAVAILABLE");
    assert.match(
      down.metrics.render(),
      new RegExp(
        `asp_reconcile_runs_total\\{outcome="failed",tenant="${CODE}"\\} 1`,
      ),
    );
  } finally {
    await down.close();
    await asp.close();
    await reg.close();
  }
});
