/**
 * The center's work data on time: kiosk sessions (single-use nonces, valid
 * a minute, read by an issuance within its few-minute window) are removed a
 * day after they expired (`JLIS_SESSION_RETENTION_HOURS`, default 24), and
 * so are the failures counted toward an incident (`tenant_failures`, read
 * only within the failure policy's window of minutes) — what a session or
 * a failure led to stays in the message log, the issuance requests, the
 * incidents and the ledger, which are records, not work data, and are never
 * purged.
 * The purge runs at start and at least hourly (`JLIS_RETENTION_INTERVAL_MINUTES`,
 * default and most 60), in batches, and puts its figures in `/metrics`:
 * `jlis_retention_purged_total{kind}` (rows removed),
 * `jlis_retention_oldest_kept_seconds{kind}` (age of the oldest row kept)
 * and `jlis_retention_last_run_timestamp_seconds`.
 *
 * @module
 */
import { inArray, lt, min, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
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
import { kioskSessions, tenantFailures } from "../../db/jlis/schema.ts";

/** Most minutes between two passes: the purge runs at least hourly. */
export const CENTER_RETENTION_MAX_INTERVAL_MINUTES = 60;

/** The center's work data: each kind's table, key and the time it ends. */
const WORK = {
  kiosk_sessions: {
    table: kioskSessions,
    id: kioskSessions.id,
    ended: kioskSessions.expiresAt,
    created: kioskSessions.createdAt,
  },
  tenant_failures: {
    table: tenantFailures,
    id: tenantFailures.id,
    ended: tenantFailures.at,
    created: tenantFailures.at,
  },
} as const satisfies Record<
  string,
  { table: PgTable; id: PgColumn; ended: PgColumn; created: PgColumn }
>;

/** A kind of the center's work data. */
export type WorkKind = keyof typeof WORK;

/** What a pass did: rows removed and the oldest kept (ISO or null), by kind. */
export type CenterPurgeResult = Record<
  WorkKind,
  { removed: number; oldestKept: string | null }
>;

/**
 * Removes the center's work data that ended more than `keepHours` ago —
 * kiosk sessions after their expiry, counted failures after they happened
 * (never while still inside the incident window, `failureWindowMs`) — in
 * batches of `batchSize` (one statement each).
 *
 * @example
 * ```ts ignore
 * const r = await purgeCenterWorkData(db, { now: clock.now() });
 * ```
 */
export async function purgeCenterWorkData(
  db: Db,
  opts: {
    now: Date;
    keepHours?: number;
    failureWindowMs?: number;
    batchSize?: number;
  },
): Promise<CenterPurgeResult> {
  const keepMs = (opts.keepHours ?? 24) * 3600_000;
  const kept: Record<WorkKind, number> = {
    kiosk_sessions: keepMs,
    tenant_failures: Math.max(keepMs, opts.failureWindowMs ?? 0),
  };
  const byKind = {} as CenterPurgeResult;
  for (const kind of Object.keys(WORK) as WorkKind[]) {
    const before = new Date(opts.now.getTime() - kept[kind]);
    byKind[kind] = await purgeKind(db, WORK[kind], before, opts.batchSize);
  }
  return byKind;
}

/** One kind's rows ended before `before`, removed in batches. */
async function purgeKind(
  db: Db,
  w: (typeof WORK)[WorkKind],
  before: Date,
  batch = 5000,
): Promise<{ removed: number; oldestKept: string | null }> {
  let removed = 0;
  for (;;) {
    const rows = await db.delete(w.table).where(inArray(
      w.id,
      db.select({ id: w.id }).from(w.table).where(lt(w.ended, before))
        .limit(batch),
    )).returning({ id: w.id });
    removed += rows.length;
    if (rows.length < batch) break;
  }
  const [oldest] = await db.select({ at: min(w.created) }).from(w.table);
  return {
    removed,
    oldestKept: oldest?.at ? new Date(oldest.at as Date).toISOString() : null,
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
  /** The incident window: failures inside it are kept whatever keepHours. */
  failureWindowMs?: number;
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
      failureWindowMs: deps.failureWindowMs,
    });
    for (const [kind, k] of Object.entries(r)) {
      purged.inc({ kind }, k.removed);
      oldestKept.set(
        k.oldestKept
          ? Math.max(
            0,
            Math.floor((now.getTime() - Date.parse(k.oldestKept)) / 1000),
          )
          : 0,
        { kind },
      );
    }
    lastRun.set(Math.floor(now.getTime() / 1000));
    const [sessions, failures] = [
      r.kiosk_sessions.removed,
      r.tenant_failures.removed,
    ];
    if (sessions || failures) {
      deps.logger.info("retention purge", {
        kioskSessions: sessions,
        tenantFailures: failures,
      });
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
  return await workRowCount(db, "kiosk_sessions");
}

/** Rows of one kind of work data (tests). */
export async function workRowCount(db: Db, kind: WorkKind): Promise<number> {
  const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(
    WORK[kind].table,
  );
  return Number(r.n);
}
