/**
 * Retention: removed residents (除票) leave the replica once the tenant's
 * retention period has passed since their removal date, with their seals,
 * blocks and card links, and households left without members; issuance work
 * data that was never confirmed delivered expires after a short time. Each
 * batch is one transaction with its audit record.
 *
 * @module
 */
import { safeError } from "../../lib/service/logger.ts";
import { and, eq, inArray, lt, lte, notExists, sql } from "drizzle-orm";
import type { Clock } from "../../lib/time/clock.ts";
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
}

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
  if (purgedResidents || expiredWork) {
    opts.telemetry?.logger.info("retention purge", {
      tenant: code,
      purgedResidents,
      batches,
      expiredWork,
      cutoff,
    });
  }
  return { purgedResidents, batches, expiredWork, cutoff };
}

/** A scheduled retention job over all tenants. */
export interface RetentionJob {
  /** One pass over every tenant. */
  runOnce(): Promise<Record<string, PurgeResult>>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Creates the retention job (every `intervalMs`, default 6 h; the clock
 * decides what is due, so a fake clock drives it in tests).
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
  },
): RetentionJob {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
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
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().finally(schedule);
    }, deps.intervalMs ?? 6 * 3600_000);
  };
  return {
    runOnce,
    start() {
      stopped = false;
      running = runOnce().finally(schedule);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => {});
    },
  };
}
