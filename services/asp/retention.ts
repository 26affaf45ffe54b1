/**
 * Retention: removed residents (除票) leave the replica once the tenant's
 * retention period has passed since their removal date, with their seals,
 * blocks and card links, and households left without members; issuance work
 * data that was never confirmed delivered expires after a short time. Each
 * batch is one transaction with its audit record.
 *
 * The job runs at start and then at least hourly (`ASP_RETENTION_INTERVAL_MINUTES`,
 * default and most 60), and puts its figures in `/metrics`: rows purged
 * (`asp_retention_purged_total`, `asp_retention_work_expired_total`), what
 * is kept the longest (`asp_retention_oldest_removed_days`: days since the
 * removal of the oldest 除票 still held; `asp_retention_oldest_work_seconds`),
 * the tenant's period (`asp_retention_period_years`) and the last pass
 * (`asp_retention_last_run_timestamp_seconds`).
 *
 * Basis of the period: the registry itself keeps 除票 150 years (住民基本台帳法
 * 施行令 as amended in 2019, before that 5 years); the replica holds them only
 * so that a kiosk can issue 除票の写し for recent removals, so its period is
 * the municipality's setting (`retentionYears` of the tenant, default 5 —
 * the period before 2019, which most municipalities keep offering at kiosks);
 * older 除票 are issued at the counter from the registry.
 *
 * @module
 */
import { safeError } from "../../lib/service/logger.ts";
import { and, eq, inArray, lt, lte, min, notExists, sql } from "drizzle-orm";
import type { Clock } from "../../lib/time/clock.ts";
import { periodicJob, type Timers } from "../../lib/time/timers.ts";
import { jstDate } from "../../lib/time/clock.ts";
import {
  blocks,
  cardLinks,
  households,
  issuanceWork,
  residents,
  seals,
} from "../../db/asp/tenant_schema.ts";
import { aspMetrics, type Telemetry } from "./telemetry.ts";
import { type Tenancy, writeAudit } from "./tenancy.ts";

/** The last removal date (inclusive) whose records are due on `today`. */
export function retentionCutoff(today: string, years: number): string {
  const [y, m, d] = today.split("-").map(Number);
  const year = y - years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === 2 && d === 29 && !leap ? 28 : d;
  return `${String(year).padStart(4, "0")}-${String(m).padStart(2, "0")}-${
    String(day).padStart(2, "0")
  }`;
}

/** Options of {@linkcode purgeExpired}. */
export interface PurgeOptions {
  now: Date;
  actor?: string;
  /** Residents per batch (default 500). */
  batchSize?: number;
  /** Minutes undelivered issuance work data is kept (default 60). */
  workTtlMinutes?: number;
  telemetry?: Telemetry;
}

/** What a purge did. */
export interface PurgeResult {
  purgedResidents: number;
  batches: number;
  expiredWork: number;
  cutoff: string;
  /** Removal date of the oldest 除票 still held, or null. */
  oldestRemovalKept: string | null;
  /** Creation of the oldest work data still held (ISO), or null. */
  oldestWorkKept: string | null;
}

/** Most minutes between two passes: the purge runs at least hourly. */
export const RETENTION_MAX_INTERVAL_MINUTES = 60;

/**
 * Purges one tenant's expired removed residents and stale work data.
 *
 * @example
 * ```ts ignore
 * await purgeExpired(tenancy, "401005", { now: clock.now() });
 * ```
 */
export async function purgeExpired(
  tenancy: Tenancy,
  code: string,
  opts: PurgeOptions,
): Promise<PurgeResult> {
  const batchSize = opts.batchSize ?? 500;
  const actor = opts.actor ?? "retention-job";
  const tenant = await tenancy.get(code);
  const cutoff = retentionCutoff(jstDate(opts.now), tenant.retentionYears);
  let purgedResidents = 0;
  let batches = 0;
  for (;;) {
    const n = await tenancy.withTenant(code, async (tx) => {
      const due = await tx.select({
        id: residents.id,
        householdId: residents.householdId,
      }).from(residents)
        .where(
          and(
            eq(residents.status, "removed"),
            lte(residents.removalDate, cutoff),
          ),
        )
        .orderBy(residents.id)
        .limit(batchSize);
      if (!due.length) return 0;
      const ids = due.map((r) => r.id);
      const hh = [...new Set(due.map((r) => r.householdId))];
      await tx.delete(seals).where(inArray(seals.residentId, ids));
      await tx.delete(blocks).where(inArray(blocks.residentId, ids));
      await tx.delete(cardLinks).where(inArray(cardLinks.residentId, ids));
      await tx.delete(residents).where(inArray(residents.id, ids));
      const emptied = await tx.delete(households).where(and(
        inArray(households.id, hh),
        notExists(
          tx.select({ one: sql`1` }).from(residents).where(
            eq(residents.householdId, households.id),
          ),
        ),
      )).returning({ id: households.id });
      await writeAudit(tx, {
        tenantCode: code,
        actor,
        action: "retention.purge",
        at: opts.now,
        details: {
          cutoff,
          retentionYears: tenant.retentionYears,
          residents: ids.length,
          households: emptied.length,
          residentIds: ids,
        },
      });
      return ids.length;
    });
    if (!n) break;
    purgedResidents += n;
    batches++;
    if (opts.telemetry) {
      aspMetrics(opts.telemetry.metrics).purged.inc({ tenant: code }, n);
    }
    if (n < batchSize) break;
  }
  const expiredBefore = new Date(
    opts.now.getTime() - (opts.workTtlMinutes ?? 60) * 60_000,
  ).toISOString();
  const expiredWork = await tenancy.withTenant(code, async (tx) => {
    const rows = await tx.delete(issuanceWork).where(
      lt(issuanceWork.createdAt, expiredBefore),
    )
      .returning({ requestId: issuanceWork.requestId });
    if (rows.length) {
      await writeAudit(tx, {
        tenantCode: code,
        actor,
        action: "retention.work_expired",
        at: opts.now,
        details: { requestIds: rows.map((r) => r.requestId) },
      });
    }
    return rows.length;
  });
  const oldest = await tenancy.withTenant(code, async (tx) => {
    const [r] = await tx.select({ d: min(residents.removalDate) }).from(
      residents,
    ).where(eq(residents.status, "removed"));
    const [w] = await tx.select({ t: min(issuanceWork.createdAt) }).from(
      issuanceWork,
    );
    return { removal: r?.d ?? null, work: w?.t ?? null };
  });
  const oldestWorkKept = oldest.work
    ? new Date(oldest.work).toISOString()
    : null;
  if (opts.telemetry) {
    const m = aspMetrics(opts.telemetry.metrics);
    const tenantLabel = { tenant: code };
    m.workExpired.inc(tenantLabel, expiredWork);
    m.periodYears.set(tenant.retentionYears, tenantLabel);
    m.oldestRemovedDays.set(
      oldest.removal
        ? Math.floor(
          (Date.parse(jstDate(opts.now)) - Date.parse(oldest.removal)) /
            86_400_000,
        )
        : 0,
      tenantLabel,
    );
    m.oldestWorkSeconds.set(
      oldestWorkKept
        ? Math.max(
          0,
          Math.floor((opts.now.getTime() - Date.parse(oldestWorkKept)) / 1000),
        )
        : 0,
      tenantLabel,
    );
    m.lastRun.set(Math.floor(opts.now.getTime() / 1000), tenantLabel);
  }
  if (purgedResidents || expiredWork) {
    opts.telemetry?.logger.info("retention purge", {
      tenant: code,
      purgedResidents,
      batches,
      expiredWork,
      cutoff,
    });
  }
  return {
    purgedResidents,
    batches,
    expiredWork,
    cutoff,
    oldestRemovalKept: oldest.removal,
    oldestWorkKept,
  };
}

/** A scheduled retention job over all tenants. */
export interface RetentionJob {
  /** One pass over every tenant. */
  runOnce(): Promise<Record<string, PurgeResult>>;
  start(): void;
  stop(): Promise<void>;
  /** Resolves after the next scheduled pass (tests). */
  nextPass(): Promise<Record<string, PurgeResult>>;
}

/**
 * Creates the retention job: a pass at start, then every `intervalMs`
 * (default and most one hour — a longer interval is refused); the clock
 * decides what is due and `timers` when the next pass runs, so a fake
 * clock and fake timers drive it in tests.
 *
 * @example
 * ```ts ignore
 * const job = createRetentionJob({ tenancy, clock: systemClock, logger, metrics });
 * job.start();
 * ```
 */
export function createRetentionJob(
  deps: Telemetry & {
    tenancy: Tenancy;
    clock: Clock;
    intervalMs?: number;
    workTtlMinutes?: number;
    timers?: Timers;
  },
): RetentionJob {
  const intervalMs = deps.intervalMs ?? RETENTION_MAX_INTERVAL_MINUTES * 60_000;
  if (
    !(intervalMs > 0) || intervalMs > RETENTION_MAX_INTERVAL_MINUTES * 60_000
  ) {
    throw new RangeError(
      `The retention purge must run at least hourly (interval ${intervalMs} ms)`,
    );
  }
  async function runOnce(): Promise<Record<string, PurgeResult>> {
    const out: Record<string, PurgeResult> = {};
    for (const t of await deps.tenancy.list()) {
      try {
        out[t.code] = await purgeExpired(deps.tenancy, t.code, {
          now: deps.clock.now(),
          workTtlMinutes: deps.workTtlMinutes,
          telemetry: deps,
        });
      } catch (err) {
        deps.logger.error("retention purge failed", {
          tenant: t.code,
          error: safeError(err),
        });
      }
    }
    return out;
  }
  return periodicJob(runOnce, { intervalMs, timers: deps.timers });
}
