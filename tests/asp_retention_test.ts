import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { auditLog } from "../db/asp/schema.ts";
import {
  households,
  issuanceWork,
  residents,
  seals,
} from "../db/asp/tenant_schema.ts";
import { sealImpressionPng } from "../services/registry/seed/mod.ts";
import {
  openTestRegistry,
  type TestRegistry,
} from "./support/registry_world.ts";
import {
  createRetentionJob,
  purgeExpired,
  retentionCutoff,
} from "../services/asp/retention.ts";
import { fakeTimers } from "../lib/time/timers.ts";
import {
  openTestAsp,
  registryCall,
  registryEvent,
  registryFamily,
  testWorker,
} from "./support/asp_world.ts";

Deno.test("retentionCutoff(): whole years back, 29 February falls on the 28th", () => {
  assert.equal(retentionCutoff("2031-11-26", 5), "2026-11-26");
  assert.equal(retentionCutoff("2028-02-29", 5), "2023-02-28");
});

async function removeFamily(reg: TestRegistry, code: string, address: string) {
  const fam = await registryFamily(reg, code, { address });
  await registryCall(
    reg,
    "POST",
    `/municipalities/${code}/residents/${fam.householder}/seals`,
    {
      impressionPng: sealImpressionPng("山田").toBase64(),
      date: "2026-11-21",
    },
  );
  await registryEvent(reg, code, {
    type: "shibou",
    date: "2026-11-20",
    residentId: fam.child,
  });
  for (const id of [fam.householder, fam.spouse]) {
    await registryEvent(reg, code, {
      type: "tenshutsu_yotei",
      date: "2026-11-22",
      residentId: id,
      plannedDate: "2026-11-30",
      destinationAddress: "東京都港区１番",
    });
    await registryEvent(reg, code, {
      type: "tenshutsu_kakutei",
      date: "2026-11-26",
      residentId: id,
    });
  }
  return fam;
}

Deno.test("retention: removed residents leave the replica after the tenant's period, in audited batches, with their seals and emptied households", async () => {
  const reg = await openTestRegistry(["401005", "401307"]);
  const asp = await openTestAsp({
    clock: reg.clock,
    tenants: [
      { code: "401005", name: "北九州市", mayor: "市長", retentionYears: 5 },
      { code: "401307", name: "福岡市", mayor: "市長", retentionYears: 10 },
    ],
  });
  try {
    const gone = await removeFamily(
      reg,
      "401005",
      "福岡県北九州市小倉北区１番",
    );
    const stays = await registryFamily(reg, "401005", {
      address: "福岡県北九州市小倉南区１番",
    });
    await removeFamily(reg, "401307", "福岡県福岡市中央区１番");
    for (const code of ["401005", "401307"]) {
      await testWorker(asp, reg).catchUp(code);
    }
    const count = (code: string) =>
      asp.tenancy.withTenant(
        code,
        async (tx) => (await tx.select().from(residents)).length,
      );
    assert.equal(await count("401005"), 6);

    // Nothing is due within the period.
    assert.equal(
      (await purgeExpired(asp.tenancy, "401005", { now: asp.clock.now() }))
        .purgedResidents,
      0,
    );
    // Five years after the death (2026-11-20) but not yet after the move-out (2026-11-30).
    asp.clock.set("2031-11-25T12:00:00+09:00");
    const first = await purgeExpired(asp.tenancy, "401005", {
      now: asp.clock.now(),
    });
    assert.deepEqual([first.purgedResidents, first.cutoff], [1, "2026-11-25"]);
    const ids = async () =>
      (await asp.tenancy.withTenant(
        "401005",
        (tx) => tx.select({ id: residents.id }).from(residents),
      )).map((r) => r.id).sort();
    assert.ok(!(await ids()).includes(gone.child));

    asp.clock.set("2031-11-30T12:00:00+09:00");
    const job = createRetentionJob({
      tenancy: asp.tenancy,
      clock: asp.clock,
      logger: asp.logger,
      metrics: asp.metrics,
    });
    const second = await purgeExpired(asp.tenancy, "401005", {
      now: asp.clock.now(),
      batchSize: 1,
    });
    assert.deepEqual([second.purgedResidents, second.batches], [2, 2]);
    assert.deepEqual(
      await ids(),
      [stays.householder, stays.spouse, stays.child].sort(),
    );
    const left = await asp.tenancy.withTenant("401005", async (tx) => ({
      seals: await tx.select().from(seals).where(
        eq(seals.residentId, gone.householder),
      ),
      household: await tx.select().from(households).where(
        eq(households.id, gone.householdId),
      ),
    }));
    assert.deepEqual([left.seals.length, left.household.length], [0, 0]);

    // One audit record per batch, naming what was purged.
    const audits = await asp.tenancy.db.select().from(auditLog).where(
      eq(auditLog.action, "retention.purge"),
    );
    assert.equal(audits.length, 3);
    assert.ok(audits.every((a) => a.tenantCode === "401005"));
    assert.deepEqual(
      audits.flatMap((a) =>
        (a.details as { residentIds: string[] }).residentIds
      ).sort(),
      [gone.child, gone.householder, gone.spouse].sort(),
    );

    // The scheduled job runs every tenant by its own policy: 福岡市 keeps ten years.
    const run = await job.runOnce();
    assert.equal(run["401307"].purgedResidents, 0);
    assert.equal(await count("401307"), 3);
    asp.clock.set("2036-12-01T12:00:00+09:00");
    assert.equal((await job.runOnce())["401307"].purgedResidents, 3);
    assert.equal(await count("401307"), 0);
    assert.match(
      asp.metrics.render(),
      /asp_retention_purged_total\{tenant="401307"\} 3/,
    );
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("retention: issuance work data never confirmed delivered expires (audited)", async () => {
  const reg = await openTestRegistry(["401005"]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    const fam = await registryFamily(reg, "401005");
    await testWorker(asp, reg).catchUp("401005");
    const res = await asp.call("POST", "/tenants/401005/certificates", {
      body: {
        requestId: "req-never-delivered",
        applicantResidentId: fam.householder,
        type: "juminhyo",
        issueNumber: "401005-20261126-000001",
        issuedAt: "2026-11-26T10:00:00+09:00",
        includePdf: false,
      },
    });
    assert.equal(res.status, 201);
    await res.body?.cancel();
    const work = () =>
      asp.tenancy.withTenant("401005", (tx) => tx.select().from(issuanceWork));
    assert.equal(
      (await purgeExpired(asp.tenancy, "401005", { now: asp.clock.now() }))
        .expiredWork,
      0,
    );
    asp.clock.advance(61 * 60_000);
    assert.equal(
      (await purgeExpired(asp.tenancy, "401005", { now: asp.clock.now() }))
        .expiredWork,
      1,
    );
    assert.equal((await work()).length, 0);
    const audits = await asp.tenancy.db.select().from(auditLog).where(
      eq(auditLog.action, "retention.work_expired"),
    );
    assert.deepEqual(audits[0].details, {
      requestIds: ["req-never-delivered"],
    });
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("retention: the purge runs on its schedule, at least hourly, and /metrics shows rows purged and the oldest kept", async () => {
  const reg = await openTestRegistry(["401005"]);
  const asp = await openTestAsp({
    clock: reg.clock,
    tenants: [
      { code: "401005", name: "北九州市", mayor: "市長", retentionYears: 5 },
    ],
  });
  const timers = fakeTimers();
  const job = createRetentionJob({
    tenancy: asp.tenancy,
    clock: asp.clock,
    logger: asp.logger,
    metrics: asp.metrics,
    timers,
  });
  try {
    assert.throws(
      () =>
        createRetentionJob({
          tenancy: asp.tenancy,
          clock: asp.clock,
          logger: asp.logger,
          metrics: asp.metrics,
          intervalMs: 2 * 3600_000,
        }),
      /at least hourly/,
    );
    await removeFamily(reg, "401005", "福岡県北九州市小倉北区１番");
    await testWorker(asp, reg).catchUp("401005");
    const metric = async (name: string) => {
      const res = await asp.app.request("/metrics");
      const text = await res.text();
      const m = new RegExp(`^${name}\\{tenant="401005"\\} (\\d+)$`, "m")
        .exec(text);
      return m ? Number(m[1]) : null;
    };

    // The first pass runs at start: nothing due yet; the oldest 除票 kept
    // was removed on 2026-11-20, six days before the clock's day.
    const first = job.nextPass();
    job.start();
    assert.equal((await first)["401005"].purgedResidents, 0);
    assert.deepEqual(timers.pending(), [3600_000], "next pass in an hour");
    assert.equal(await metric("asp_retention_oldest_removed_days"), 6);
    assert.equal(await metric("asp_retention_period_years"), 5);
    assert.equal(
      await metric("asp_retention_last_run_timestamp_seconds"),
      Math.floor(asp.clock.now().getTime() / 1000),
    );

    // Five years on, the next scheduled pass purges them all.
    asp.clock.set("2031-12-01T12:00:00+09:00");
    const second = job.nextPass();
    timers.fire();
    const r = (await second)["401005"];
    assert.equal(r.purgedResidents, 3);
    assert.equal(r.oldestRemovalKept, null);
    assert.deepEqual(timers.pending(), [3600_000]);
    assert.equal(await metric("asp_retention_purged_total"), 3);
    assert.equal(await metric("asp_retention_oldest_removed_days"), 0);
    assert.equal(await metric("asp_retention_work_expired_total"), 0);
  } finally {
    await job.stop();
    await asp.close();
    await reg.close();
  }
});
