import assert from "node:assert/strict";
import { createMetrics } from "../../lib/service/metrics.ts";
import { silentLogger } from "../../lib/service/logger.ts";
import { fakeTimers } from "../../lib/time/timers.ts";
import { openTestJlis } from "../../tests/support/jlis_world.ts";
import {
  centerRetentionConfig,
  createCenterRetentionJob,
  kioskSessionCount,
  purgeCenterWorkData,
  workRowCount,
} from "./work_retention.ts";
import { tenantFailures } from "../../db/jlis/schema.ts";

Deno.test("center retention: expired kiosk sessions leave a day after expiry, on an hourly schedule, with figures in the metrics", async () => {
  const jlis = await openTestJlis();
  const timers = fakeTimers();
  const metrics = createMetrics();
  const db = jlis.databases[0].db;
  const job = createCenterRetentionJob({
    db,
    clock: jlis.clock,
    logger: silentLogger(),
    metrics,
    timers,
  });
  const open = async () => {
    const res = await jlis.call("POST", "/kiosk/sessions", { body: {} });
    assert.equal(res.status, 201);
    await res.body?.cancel();
  };
  const metric = (name: string, kind = "kiosk_sessions") => {
    const m = new RegExp(
      `^${name}(?:\\{[^}]*\\})? (\\d+)$`,
      "gm",
    );
    for (const x of metrics.render().matchAll(m)) {
      if (!x[0].includes("{") || x[0].includes(`kind="${kind}"`)) {
        return Number(x[1]);
      }
    }
    return null;
  };
  try {
    assert.throws(
      () =>
        createCenterRetentionJob({
          db,
          clock: jlis.clock,
          logger: silentLogger(),
          metrics,
          intervalMs: 61 * 60_000,
        }),
      /at least hourly/,
    );
    assert.deepEqual(centerRetentionConfig(new Map()), {
      intervalMs: 3600_000,
      keepHours: 24,
    });
    assert.throws(() =>
      centerRetentionConfig(
        new Map([["JLIS_RETENTION_INTERVAL_MINUTES", "360"]]),
      )
    );
    await open();
    await open();
    jlis.clock.advance(2 * 3600_000);
    await open();

    const first = job.nextPass();
    job.start();
    assert.equal(
      (await first).kiosk_sessions.removed,
      0,
      "expired two hours ago only",
    );
    assert.deepEqual(timers.pending(), [3600_000]);
    assert.equal(metric("jlis_retention_oldest_kept_seconds"), 7200);

    jlis.clock.advance(23 * 3600_000);
    const second = job.nextPass();
    timers.fire();
    assert.equal((await second).kiosk_sessions.removed, 2);
    assert.equal(await kioskSessionCount(db), 1);
    assert.equal(metric("jlis_retention_purged_total"), 2);
    assert.equal(metric("jlis_retention_oldest_kept_seconds"), 23 * 3600);
    assert.equal(
      metric("jlis_retention_last_run_timestamp_seconds"),
      Math.floor(jlis.clock.now().getTime() / 1000),
    );
  } finally {
    await job.stop();
    await jlis.close();
  }
});

Deno.test("center retention: counted failures leave after the retention, never while inside the incident window", async () => {
  const jlis = await openTestJlis();
  const db = jlis.databases[0].db;
  const now = jlis.clock.now();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const failure = (at: Date, n: number) => ({
    at,
    municipalityCode: "401005",
    kind: "ASP_TIMEOUT",
    requestId: `r-${n}`,
    kioskId: "kiosk-0001",
    aspNode: "asp-1",
  });
  try {
    await db.insert(tenantFailures).values([
      failure(ago(30 * 3600_000), 1),
      failure(ago(2 * 3600_000), 2),
      failure(ago(5 * 60_000), 3),
    ]);
    // Kept an hour, but the incident window is three: only the 30-hour one.
    const first = await purgeCenterWorkData(db, {
      now,
      keepHours: 1,
      failureWindowMs: 3 * 3600_000,
    });
    assert.equal(first.tenant_failures.removed, 1);
    assert.equal(await workRowCount(db, "tenant_failures"), 2);
    assert.equal(
      first.tenant_failures.oldestKept,
      ago(2 * 3600_000).toISOString(),
    );
    // With a ten-minute window the hour's retention decides.
    const second = await purgeCenterWorkData(db, {
      now,
      keepHours: 1,
      failureWindowMs: 10 * 60_000,
    });
    assert.equal(second.tenant_failures.removed, 1);
    assert.equal(await workRowCount(db, "tenant_failures"), 1);
    assert.equal(second.kiosk_sessions.removed, 0);
  } finally {
    await jlis.close();
  }
});
