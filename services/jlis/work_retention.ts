/**
 * The center's work data on time: kiosk sessions (single-use nonces, valid
 * a minute, read by an issuance within its few-minute window) are removed a
 * day after they expired (`JLIS_SESSION_RETENTION_HOURS`, default 24) —
 * what a session led to stays in the message log, the issuance requests
 * and the ledger, which are records, not work data, and are never purged.
 * The purge runs at start and at least hourly (`JLIS_RETENTION_INTERVAL_MINUTES`,
 * default and most 60), in batches, and puts its figures in `/metrics`:
 * `jlis_retention_purged_total{kind}` (rows removed),
 * `jlis_retention_oldest_kept_seconds{kind}` (age of the oldest row kept)
 * and `jlis_retention_last_run_timestamp_seconds`.
 *
 * @module
 */
import { inArray, lt, min, sql } from "drizzle-orm";
import type { Db } from "../../lib/db/database.ts";
import { type Env, envInt } from "../../lib/service/env.ts";
import { type Logger, safeError } from "../../lib/service/logger.ts";
import type { MetricsRegistry } from "../../lib/service/metrics.ts";
import type { Clock } from "../../lib/time/clock.ts";
import {
  type PeriodicJob,
  periodicJob,
  type Timers,
} from "../../lib/time/timers.ts";
import { kioskSessions } from "../../db/jlis/schema.ts";

/** Most minutes between two passes: the purge runs at least hourly. */
export const CENTER_RETENTION_MAX_INTERVAL_MINUTES = 60;

/** What a pass did. */
export interface CenterPurgeResult {
  /** Kiosk sessions removed. */
  kioskSessions: number;
  /** Creation of the oldest session kept (ISO), or null. */
  oldestSessionKept: string | null;
}

/**
 * Removes kiosk sessions that expired more than `keepHours` ago, in
 * batches of `batchSize` (one statement each).
 *
 * @example
 * ```ts ignore
 * const r = await purgeCenterWorkData(db, { now: clock.now() });
 * ```
 */
export async function purgeCenterWorkData(
  db: Db,
  opts: { now: Date; keepHours?: number; batchSize?: number },
): Promise<CenterPurgeResult> {
  const before = new Date(
    opts.now.getTime() - (opts.keepHours ?? 24) * 3600_000,
  );
  const batch = opts.batchSize ?? 5000;
  let removed = 0;
  for (;;) {
    const rows = await db.delete(kioskSessions).where(inArray(
      kioskSessions.id,
      db.select({ id: kioskSessions.id }).from(kioskSessions)
        .where(lt(kioskSessions.expiresAt, before)).limit(batch),
    )).returning({ id: kioskSessions.id });
    removed += rows.length;
    if (rows.length < batch) break;
  }
  const [oldest] = await db.select({ at: min(kioskSessions.createdAt) }).from(
    kioskSessions,
  );
  return {
    kioskSessions: removed,
    oldestSessionKept: oldest?.at ? new Date(oldest.at).toISOString() : null,
  };
}

/**
 * The retention settings from the environment: `JLIS_RETENTION_INTERVAL_MINUTES`
 * (1–60, default 60) and `JLIS_SESSION_RETENTION_HOURS` (1–720, default 24).
 *
 * @example
 * ```ts
 * centerRetentionConfig(new Map()); // { intervalMs: 3600000, keepHours: 24 }
 * ```
 */
export function centerRetentionConfig(
  env: Env,
): { intervalMs: number; keepHours: number } {
  return {
    intervalMs: envInt(
      env,
      "JLIS_RETENTION_INTERVAL_MINUTES",
      CENTER_RETENTION_MAX_INTERVAL_MINUTES,
      1,
      CENTER_RETENTION_MAX_INTERVAL_MINUTES,
    ) * 60_000,
    keepHours: envInt(env, "JLIS_SESSION_RETENTION_HOURS", 24, 1, 720),
  };
}

/**
 * The center's retention job: a pass at start, then every `intervalMs`
 * (default and most one hour); figures in `metrics`.
 *
 * @example
 * ```ts ignore
 * const job = createCenterRetentionJob({ db, clock, logger, metrics });
 * job.start();
 * ```
 */
export function createCenterRetentionJob(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  metrics: MetricsRegistry;
  intervalMs?: number;
  keepHours?: number;
  timers?: Timers;
}): PeriodicJob<CenterPurgeResult> {
  const intervalMs = deps.intervalMs ??
    CENTER_RETENTION_MAX_INTERVAL_MINUTES * 60_000;
  if (
    !(intervalMs > 0) ||
    intervalMs > CENTER_RETENTION_MAX_INTERVAL_MINUTES * 60_000
  ) {
    throw new RangeError(
      `The retention purge must run at least hourly (interval ${intervalMs} ms)`,
    );
  }
  const purged = deps.metrics.counter(
    "jlis_retention_purged_total",
    "Work data rows removed by retention, by kind",
  );
  const oldestKept = deps.metrics.gauge(
    "jlis_retention_oldest_kept_seconds",
    "Age of the oldest work data row kept, seconds (0: none), by kind",
  );
  const lastRun = deps.metrics.gauge(
    "jlis_retention_last_run_timestamp_seconds",
    "Unix time of the last retention pass",
  );
  const pass = async () => {
    const now = deps.clock.now();
    const r = await purgeCenterWorkData(deps.db, {
      now,
      keepHours: deps.keepHours,
    });
    const kind = { kind: "kiosk_sessions" };
    purged.inc(kind, r.kioskSessions);
    oldestKept.set(
      r.oldestSessionKept
        ? Math.max(
          0,
          Math.floor((now.getTime() - Date.parse(r.oldestSessionKept)) / 1000),
        )
        : 0,
      kind,
    );
    lastRun.set(Math.floor(now.getTime() / 1000));
    if (r.kioskSessions) {
      deps.logger.info("retention purge", { kioskSessions: r.kioskSessions });
    }
    return r;
  };
  return periodicJob(pass, {
    intervalMs,
    timers: deps.timers,
    onError: (err) =>
      deps.logger.error("retention purge failed", { error: safeError(err) }),
  });
}

/** Rows of kiosk sessions (tests). */
export async function kioskSessionCount(db: Db): Promise<number> {
  const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(
    kioskSessions,
  );
  return Number(r.n);
}
