import assert from "node:assert/strict";
import { createMetrics } from "../../lib/service/metrics.ts";
import { silentLogger } from "../../lib/service/logger.ts";
import { fakeTimers } from "../../lib/time/timers.ts";
import { openTestJlis } from "../../tests/support/jlis_world.ts";
import {
  centerRetentionConfig,
  createCenterRetentionJob,
  kioskSessionCount,
} from "./work_retention.ts";

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
  const metric = (name: string) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, "m").exec(
      metrics.render(),
    );
    return m ? Number(m[1]) : null;
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
    assert.equal((await first).kioskSessions, 0, "expired two hours ago only");
    assert.deepEqual(timers.pending(), [3600_000]);
    assert.equal(metric("jlis_retention_oldest_kept_seconds"), 7200);

    jlis.clock.advance(23 * 3600_000);
    const second = job.nextPass();
    timers.fire();
    assert.equal((await second).kioskSessions, 2);
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
