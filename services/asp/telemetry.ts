/**
 * The ASP's metrics, registered once per metrics registry, and its alerts:
 * an alert is a log line at error level, a counter, and a row in
 * `control.alerts`, so it is seen by whoever watches any of the three.
 *
 * @module
 */
import type { Db } from "../../lib/db/database.ts";
import type { Logger } from "../../lib/service/logger.ts";
import type {
  Counter,
  Gauge,
  Histogram,
  MetricsRegistry,
} from "../../lib/service/metrics.ts";
import { alerts } from "../../db/asp/schema.ts";

/** Metric handles of the ASP. */
export interface AspMetrics {
  /** Events applied, by tenant. */
  applied: Counter;
  /** Registry commit (recordedAt) → visible in the replica, seconds, by tenant. */
  lag: Histogram;
  /** 1 running, 0 stopped, by tenant. */
  syncRunning: Gauge;
  /** Events behind the registry head, by tenant. */
  behind: Gauge;
  /** Feed requests that failed, by tenant. */
  feedErrors: Counter;
  /** Alerts raised, by tenant and kind. */
  alerts: Counter;
  /** Certificate builds, by tenant and outcome (ok or refusal code). */
  certificates: Counter;
  /** Removed residents purged, by tenant. */
  purged: Counter;
  /** Work data expired undelivered, by tenant. */
  workExpired: Counter;
  /** The tenant's retention period, years. */
  periodYears: Gauge;
  /** Days since the removal of the oldest 除票 kept, by tenant. */
  oldestRemovedDays: Gauge;
  /** Age of the oldest work data kept, seconds, by tenant. */
  oldestWorkSeconds: Gauge;
  /** Unix time of the last retention pass, by tenant. */
  lastRun: Gauge;
}

const cache = new WeakMap<MetricsRegistry, AspMetrics>();

/** The ASP's metric handles on a registry (created on first use). */
export function aspMetrics(m: MetricsRegistry): AspMetrics {
  let h = cache.get(m);
  if (!h) {
    h = {
      applied: m.counter(
        "asp_sync_applied_total",
        "Registry events applied to the replica",
      ),
      lag: m.histogram(
        "asp_sync_lag_seconds",
        "Registry commit to visible in the replica",
        [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      ),
      syncRunning: m.gauge(
        "asp_sync_running",
        "1 when the tenant's sync runs, 0 when stopped",
      ),
      behind: m.gauge(
        "asp_sync_behind_events",
        "Events between the applied sequence and the registry head",
      ),
      feedErrors: m.counter(
        "asp_sync_feed_errors_total",
        "Feed requests that failed",
      ),
      alerts: m.counter("asp_alerts_total", "Alerts raised"),
      certificates: m.counter(
        "asp_certificates_total",
        "Certificate builds by outcome",
      ),
      purged: m.counter(
        "asp_retention_purged_total",
        "Removed residents purged by retention",
      ),
      workExpired: m.counter(
        "asp_retention_work_expired_total",
        "Issuance work data expired undelivered by retention",
      ),
      periodYears: m.gauge(
        "asp_retention_period_years",
        "The tenant's retention period of removed residents, years",
      ),
      oldestRemovedDays: m.gauge(
        "asp_retention_oldest_removed_days",
        "Days since the removal of the oldest removed resident kept (0: none)",
      ),
      oldestWorkSeconds: m.gauge(
        "asp_retention_oldest_work_seconds",
        "Age of the oldest issuance work data kept, seconds (0: none)",
      ),
      lastRun: m.gauge(
        "asp_retention_last_run_timestamp_seconds",
        "Unix time of the last retention pass",
      ),
    };
    cache.set(m, h);
  }
  return h;
}

/** Telemetry a job needs. */
export interface Telemetry {
  logger: Logger;
  metrics: MetricsRegistry;
}

/**
 * Raises an alert: error log, counter, and a row in `control.alerts`.
 *
 * @example
 * ```ts ignore
 * await raiseAlert(db, tel, { tenantCode: "401005", kind: "SYNC_GAP", message: "gap after 40" });
 * ```
 */
export async function raiseAlert(
  db: Db,
  tel: Telemetry,
  alert: {
    tenantCode: string | null;
    kind: string;
    message: string;
    details?: unknown;
    at?: Date;
  },
): Promise<void> {
  tel.logger.error(alert.message, {
    alert: alert.kind,
    tenant: alert.tenantCode,
    details: alert.details,
  });
  aspMetrics(tel.metrics).alerts.inc({
    tenant: alert.tenantCode ?? "-",
    kind: alert.kind,
  });
  await db.insert(alerts).values({
    at: (alert.at ?? new Date()).toISOString(),
    tenantCode: alert.tenantCode,
    kind: alert.kind,
    message: alert.message,
    details: alert.details ?? null,
  });
}
