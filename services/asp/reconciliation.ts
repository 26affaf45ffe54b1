/**
 * Live reconciliation: per tenant, on a schedule (default every 10 minutes)
 * and on an operator's demand, the replica is compared with the registry at
 * the same sequence, field by field, over the wire contract of
 * lib/contracts/reconciliation.ts.
 *
 * - The ASP reads its replica once at its applied sequence S (one tenant
 *   transaction holding the tenant row `FOR SHARE`, so no event is applied
 *   meanwhile; the sync resumes as soon as the read is done).
 * - It asks the registry — over its feed link (mutual TLS, scope `feed`) —
 *   for digests as of S by ranges of subject ids (a person with their
 *   seals, blocks and card links, or a household): the whole tenant first,
 *   then each range that differs split in `fanout` parts at its own ids,
 *   until a range holds at most `leafSize` of its subjects; for those it
 *   asks per-field digests, and names each differing record and field.
 * - What is compared is every field the replica keeps, from its own
 *   allowlists (services/asp/replica.ts), so a field classified there joins
 *   without code here; only fields stored in another form than the feed's
 *   say so in {@linkcode STORED_FORMS}.
 * - A difference halts the tenant at the ASP (`control.tenants.halted_at`,
 *   every issuance refused `REPLICA_MISMATCH`, whose signed refusal makes
 *   the center record an incident and halt the municipality there too),
 *   records the run and raises a `RECONCILE_MISMATCH` alert — naming the
 *   fields and the person ids, never a value. Only an operator lifts the
 *   halt (audited, with a reason), after the replica was repaired.
 *
 * Figures of the last run per tenant are in /metrics
 * (`asp_reconcile_last_*`).
 *
 * @module
 */
import { and, desc, eq, isNull } from "drizzle-orm";
import { safeError } from "../../lib/service/logger.ts";
import type {
  Counter,
  Gauge,
  MetricsRegistry,
} from "../../lib/service/metrics.ts";
import type { Clock } from "../../lib/time/clock.ts";
import { jstDate } from "../../lib/time/clock.ts";
import {
  compareRecordDigests,
  type Difference,
  type FieldPlan,
  type FieldRule,
  type FieldSpec,
  MAX_RANGES,
  parseReconcileResponse,
  rangeDigests,
  type ReconcileKind,
  type ReconcileRecord,
  type ReconcileRequest,
  type ReconcileResponse,
  recordDigests,
  splitRange,
  type SubjectRange,
  withoutRetired,
} from "../../lib/contracts/reconciliation.ts";
import {
  CORRELATION_HEADER,
  newCorrelationId,
} from "../../lib/contracts/correlation.ts";
import { reconciliations, tenants } from "../../db/asp/schema.ts";
import { AspError } from "./errors.ts";
import {
  BLOCK_FIELDS,
  CARD_FIELDS,
  HOUSEHOLD_FIELDS,
  openAllRows,
  readAllRows,
  RESIDENT_CLEAR,
  RESIDENT_ENCRYPTED,
  SEAL_FIELDS,
} from "./replica.ts";
import { retentionCutoff } from "./retention.ts";
import { raiseAlert, type Telemetry } from "./telemetry.ts";
import { type Tenancy, writeAudit } from "./tenancy.ts";

/** Default interval between scheduled runs of a tenant (ms): 10 minutes. */
export const DEFAULT_RECONCILE_INTERVAL_MS = 10 * 60_000;

/**
 * Feed fields the replica stores in another form: its own field name and
 * the rule that turns the feed's value into it. Every other kept field is
 * stored as the feed carries it.
 */
export const STORED_FORMS: Partial<
  Record<ReconcileKind, Record<string, { field?: string; rule: FieldRule }>>
> = {
  resident: { isForeign: { rule: "boolean" } },
  block: { liftedAt: { rule: "instant" } },
  card: { unlinkedAt: { field: "active", rule: "absent" } },
};

/** The replica's kept feed fields per kind (its allowlists). */
const KEPT: Record<ReconcileKind, readonly string[]> = {
  resident: [...RESIDENT_CLEAR, ...RESIDENT_ENCRYPTED],
  household: HOUSEHOLD_FIELDS,
  // The submitted image is not kept (the print and compact versions are).
  seal: SEAL_FIELDS.filter((f) => f !== "impressionPng"),
  block: BLOCK_FIELDS,
  card: CARD_FIELDS,
};

/**
 * What is compared: every field the replica keeps (個人番号 only when the
 * tenant's policy keeps it).
 *
 * @example
 * ```ts ignore
 * const plan = fieldPlan({ printMyNumber: false });
 * ```
 */
export function fieldPlan(policy: { printMyNumber: boolean }): FieldPlan {
  const plan = {} as FieldPlan;
  for (const kind of Object.keys(KEPT) as ReconcileKind[]) {
    plan[kind] = KEPT[kind]
      .filter((f) => policy.printMyNumber || f !== "myNumber")
      .map((f): FieldSpec => {
        const s = STORED_FORMS[kind]?.[f];
        if (!s) return { field: f };
        return s.field
          ? { field: s.field, from: f, rule: s.rule }
          : { field: f, rule: s.rule };
      });
  }
  return plan;
}

/** The outcome of one run. */
export interface ReconcileRun {
  tenant: string;
  seq: number;
  outcome: "clean" | "mismatch" | "skipped";
  /** Records compared on the replica's side. */
  records: number;
  /** Requests to the registry. */
  requests: number;
  durationMs: number;
  differences: Difference[];
  /** Why the run was skipped. */
  reason?: string;
}

/** Options of {@linkcode createReconciler}. */
export interface ReconcilerDeps extends Telemetry {
  tenancy: Tenancy;
  /** Base URL of the registry (the feed's). */
  registryUrl: string;
  /** Bearer token of the feed client; omitted when mutual TLS identifies it. */
  token?: string;
  /** The fetch to use (pass `mtlsFetch(...)` for LGWAN). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  clock: Clock;
  /** Between scheduled runs of a tenant (ms, default 10 minutes). */
  intervalMs?: number;
  /** Parts a differing range is split into (default 16). */
  fanout?: number;
  /** A range with at most this many of the replica's subjects is compared record by record (default 8). */
  leafSize?: number;
  /** Per request (ms, default 60 s). */
  requestTimeoutMs?: number;
}

/** A reconciler. */
export interface Reconciler {
  /** Runs one tenant's reconciliation now (`trigger`: "schedule" or the operator's id). */
  run(code: string, trigger?: string): Promise<ReconcileRun>;
  /** Runs every tenant (default: all) every interval until {@linkcode Reconciler.stop}. */
  start(codes?: string[]): Promise<void>;
  /** Stops the schedule and waits for a run in progress. */
  stop(): Promise<void>;
}

interface ReconcileMetrics {
  runs: Counter;
  lastRun: Gauge;
  lastSeq: Gauge;
  lastRecords: Gauge;
  lastDifferences: Gauge;
  lastRequests: Gauge;
  lastDuration: Gauge;
  lastClean: Gauge;
  halted: Gauge;
}

/** The reconciliation's metrics on a registry (registered once per name). */
export function reconcileMetrics(m: MetricsRegistry): ReconcileMetrics {
  return {
    runs: m.counter(
      "asp_reconcile_runs_total",
      "Reconciliation runs by tenant and outcome",
    ),
    lastRun: m.gauge(
      "asp_reconcile_last_run_timestamp_seconds",
      "When the tenant's last reconciliation ran (Unix time)",
    ),
    lastSeq: m.gauge(
      "asp_reconcile_last_seq",
      "Sequence the tenant's last reconciliation compared at",
    ),
    lastRecords: m.gauge(
      "asp_reconcile_last_records",
      "Records the tenant's last reconciliation compared",
    ),
    lastDifferences: m.gauge(
      "asp_reconcile_last_differences",
      "Differing fields the tenant's last reconciliation found",
    ),
    lastRequests: m.gauge(
      "asp_reconcile_last_requests",
      "Registry requests of the tenant's last reconciliation",
    ),
    lastDuration: m.gauge(
      "asp_reconcile_last_duration_seconds",
      "Duration of the tenant's last reconciliation",
    ),
    lastClean: m.gauge(
      "asp_reconcile_last_clean",
      "1 when the tenant's last reconciliation found no difference, 0 otherwise",
    ),
    halted: m.gauge(
      "asp_tenant_halted",
      "1 when the tenant is halted by a reconciliation mismatch",
    ),
  };
}

/**
 * The replica as records at its applied sequence: the rows read in one
 * tenant transaction holding the directory row FOR SHARE (no event is
 * applied meanwhile — the read is short), opened after it.
 */
async function replicaRecords(tenancy: Tenancy, code: string) {
  const { tenant, rows, cipher } = await tenancy.withTenant(
    code,
    async (tx, t) => ({
      tenant: await t.state({ lock: "share" }),
      rows: await readAllRows(tx),
      cipher: t.cipher,
    }),
  );
  const all = openAllRows(rows, cipher);
  const records: ReconcileRecord[] = [];
  const add = (
    kind: ReconcileKind,
    key: string,
    subject: string,
    data: object,
  ) => records.push({ kind, key, subject, data: { ...data } });
  for (const r of all.residents) add("resident", r.id, r.id, r);
  for (const h of all.households) add("household", h.id, h.id, h);
  for (const s of all.seals) add("seal", s.id, s.residentId, s);
  for (const b of all.blocks) add("block", b.id, b.residentId, b);
  for (const c of all.cards) add("card", c.serial, c.residentId, c);
  return { tenant, records };
}

interface RunState {
  deps: ReconcilerDeps;
  code: string;
  correlationId: string;
  requests: number;
  base: Omit<ReconcileRequest, "ranges" | "detail">;
}

async function ask(
  rs: RunState,
  ranges: SubjectRange[],
  detail: boolean,
): Promise<ReconcileResponse> {
  const { deps, code } = rs;
  const url = `${
    deps.registryUrl.replace(/\/$/, "")
  }/municipalities/${code}/reconciliation`;
  const doFetch = deps.fetch ??
    ((i: string, init?: RequestInit) => fetch(i, init));
  rs.requests++;
  const res = await doFetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(deps.token ? { Authorization: `Bearer ${deps.token}` } : {}),
      [CORRELATION_HEADER]: rs.correlationId,
    },
    body: JSON.stringify({ ...rs.base, ranges, detail }),
    signal: AbortSignal.timeout(deps.requestTimeoutMs ?? 60_000),
  }).catch((err) => {
    throw new AspError("RECONCILIATION_UNAVAILABLE", {
      error: safeError(err),
    });
  });
  const body = await res.json().catch(() => null) as
    | Record<string, unknown>
    | null;
  if (!res.ok) {
    const refused = String(body?.code ?? "");
    if (SKIP_CODES.has(refused)) throw new RunSkipped(res.status, refused);
    throw new AspError("RECONCILIATION_UNAVAILABLE", {
      status: res.status,
      code: refused.slice(0, 64),
    });
  }
  let answer: ReconcileResponse;
  try {
    answer = parseReconcileResponse(body);
  } catch {
    throw new AspError("RECONCILIATION_UNAVAILABLE", { reason: "malformed" });
  }
  if (
    answer.municipalityCode !== code || answer.seq !== rs.base.seq ||
    answer.ranges.length !== ranges.length
  ) {
    throw new AspError("RECONCILIATION_UNAVAILABLE", {
      reason: "not this run's answer",
    });
  }
  return answer;
}

/**
 * The registry's refusals that skip a run (not a difference): it cannot
 * reproduce its state at the replica's sequence, or the replica claims more
 * than it wrote (the sync worker alerts REGISTRY_REGRESSED for that).
 */
const SKIP_CODES = new Set([
  "RECONCILE_SEQ_UNAVAILABLE",
  "RECONCILE_SEQ_AHEAD",
]);

/** Why a run compares nothing: the registry refused (its code, e.g. RECONCILE_SEQ_UNAVAILABLE) or the replica was never loaded. */
class RunSkipped extends Error {
  constructor(readonly status: number, readonly code: string) {
    super(`Reconciliation skipped: ${code} (${status})`);
    this.name = "RunSkipped";
  }
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Narrows differing ranges down to records and fields. */
async function narrow(
  rs: RunState,
  records: ReconcileRecord[],
  plan: FieldPlan,
): Promise<Difference[]> {
  const fanout = Math.max(2, rs.deps.fanout ?? 16);
  const leafSize = Math.max(1, rs.deps.leafSize ?? 8);
  const subjects = [...new Set(records.map((r) => r.subject))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0
  );
  const mineIn = (r: SubjectRange) =>
    subjects.filter((s) =>
      (r.from === null || s >= r.from) && (r.to === null || s < r.to)
    ).length;
  const differences: Difference[] = [];
  let pending: SubjectRange[] = [{ from: null, to: null }];
  while (pending.length) {
    const next: SubjectRange[] = [];
    const leaves: SubjectRange[] = [];
    for (const batch of chunks(pending, MAX_RANGES)) {
      const theirs = await ask(rs, batch, false);
      const mine = await rangeDigests(
        records,
        batch,
        plan,
        rs.base.nonce,
        "replica",
      );
      batch.forEach((r, i) => {
        const a = theirs.ranges[i];
        if (a.count === mine[i].count && a.digest === mine[i].digest) return;
        const parts = mineIn(r) > leafSize
          ? splitRange(r, subjects, fanout)
          : [r];
        if (parts.length > 1) next.push(...parts);
        else leaves.push(r);
      });
    }
    for (const batch of chunks(leaves, MAX_RANGES)) {
      const theirs = await ask(rs, batch, true);
      const mine = await recordDigests(
        records,
        batch,
        plan,
        rs.base.nonce,
        "replica",
        Infinity,
      );
      let source = theirs.records ?? [];
      let own = mine.records;
      if (theirs.truncated && source.length) {
        // The registry has many more records here than the replica: compare
        // the subjects it listed in full, and say the list goes on.
        const last = source[source.length - 1].subject;
        source = source.filter((r) => r.subject < last);
        own = own.filter((r) => r.subject < last);
        differences.push({
          subject: `${last}..`,
          kind: source[0]?.kind ?? "resident",
          key: "",
          field: "(more)",
        });
      }
      const found = compareRecordDigests(source, own);
      differences.push(...found);
      if (!found.length && !theirs.truncated) {
        // The digests differ but no record does (should not happen): name the ranges.
        for (const r of batch) {
          differences.push({
            subject: `${r.from ?? ""}..${r.to ?? ""}`,
            kind: "resident",
            key: "",
            field: "(range)",
          });
        }
      }
    }
    pending = next;
  }
  return differences;
}

/** The alert and halt text: fields and person ids, never a value. */
export function describeDifferences(seq: number, diffs: Difference[]): string {
  const shown = diffs.slice(0, 20).map((d) =>
    `${d.kind}.${d.field} of ${d.subject}`
  );
  const more = diffs.length > shown.length
    ? ` (+${diffs.length - shown.length} more)`
    : "";
  return `Replica differs from the registry at seq ${seq}: ${
    shown.join("; ")
  }${more}`;
}

async function record(
  deps: ReconcilerDeps,
  run: ReconcileRun,
  trigger: string,
  at: Date,
): Promise<void> {
  const m = reconcileMetrics(deps.metrics);
  const labels = { tenant: run.tenant };
  m.runs.inc({ ...labels, outcome: run.outcome });
  m.lastRun.set(at.getTime() / 1000, labels);
  m.lastSeq.set(run.seq, labels);
  m.lastRecords.set(run.records, labels);
  m.lastDifferences.set(run.differences.length, labels);
  m.lastRequests.set(run.requests, labels);
  m.lastDuration.set(run.durationMs / 1000, labels);
  m.lastClean.set(run.outcome === "clean" ? 1 : 0, labels);
  const row = {
    tenantCode: run.tenant,
    at: at.toISOString(),
    seq: run.seq,
    outcome: run.outcome,
    trigger,
    records: run.records,
    requests: run.requests,
    durationMs: Math.round(run.durationMs),
    details: run.outcome === "mismatch"
      ? run.differences.slice(0, 1000)
      : run.reason
      ? { reason: run.reason }
      : null,
  };
  if (run.outcome !== "mismatch") {
    await deps.tenancy.db.insert(reconciliations).values(row);
    return;
  }
  const message = describeDifferences(run.seq, run.differences);
  const details = {
    seq: run.seq,
    differences: run.differences.slice(0, 50).map((d) => ({
      subject: d.subject,
      kind: d.kind,
      key: d.key,
      field: d.field,
    })),
  };
  await deps.tenancy.db.transaction(async (tx) => {
    await tx.insert(reconciliations).values(row);
    await tx.update(tenants).set({
      haltedAt: at.toISOString(),
      haltReason: `RECONCILE_MISMATCH: ${message}`,
      haltDetails: details,
    }).where(and(eq(tenants.code, run.tenant), isNull(tenants.haltedAt)));
  });
  m.halted.set(1, labels);
  await raiseAlert(deps.tenancy.db, deps, {
    tenantCode: run.tenant,
    kind: "RECONCILE_MISMATCH",
    message,
    details,
    at,
  });
}

async function runOnce(
  deps: ReconcilerDeps,
  code: string,
  trigger: string,
): Promise<ReconcileRun> {
  const started = performance.now();
  const at = deps.clock.now();
  const { tenant, records: all } = await replicaRecords(deps.tenancy, code);
  const seq = Number(tenant.appliedSeq);
  const cutoff = retentionCutoff(jstDate(at), tenant.retentionYears);
  const records = withoutRetired(all, cutoff);
  const plan = fieldPlan(tenant);
  const rs: RunState = {
    deps,
    code,
    correlationId: newCorrelationId("reconcile"),
    requests: 0,
    base: {
      seq,
      nonce: crypto.getRandomValues(new Uint8Array(16)).toHex(),
      retentionCutoff: cutoff,
      fields: plan,
    },
  };
  const run: ReconcileRun = {
    tenant: code,
    seq,
    outcome: "clean",
    records: records.length,
    requests: 0,
    durationMs: 0,
    differences: [],
  };
  try {
    if (tenant.snapshotSeq === null && seq === 0) {
      // Never loaded (no snapshot, no event): nothing to compare yet, and
      // the freshness check refuses its issuance.
      throw new RunSkipped(0, "REPLICA_NOT_LOADED");
    }
    run.differences = await narrow(rs, records, plan);
    if (run.differences.length) run.outcome = "mismatch";
  } catch (err) {
    if (!(err instanceof RunSkipped)) {
      reconcileMetrics(deps.metrics).runs.inc({
        tenant: code,
        outcome: "failed",
      });
      throw err;
    }
    // The registry cannot answer at this sequence (too far behind), or the
    // replica was never loaded: not a difference; the freshness check
    // already refuses a lagging or empty replica.
    run.outcome = "skipped";
    run.reason = err.code || `HTTP ${err.status}`;
  }
  run.requests = rs.requests;
  run.durationMs = performance.now() - started;
  await record(deps, run, trigger, at);
  deps.logger[run.outcome === "clean" ? "info" : "warn"]("reconciliation", {
    tenant: code,
    correlationId: rs.correlationId,
    seq,
    outcome: run.outcome,
    records: run.records,
    requests: run.requests,
    differences: run.differences.length,
    ...(run.reason ? { reason: run.reason } : {}),
  });
  return run;
}

/**
 * Creates the reconciler.
 *
 * @example
 * ```ts ignore
 * const reconciler = createReconciler({ tenancy, registryUrl, fetch: feedFetch, clock, logger, metrics });
 * await reconciler.start();        // every 10 minutes per tenant
 * await reconciler.run("401005", "ops-1"); // now
 * ```
 */
export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const ac = new AbortController();
  const loops: Promise<void>[] = [];
  const running = new Map<string, Promise<ReconcileRun>>();
  const run = (code: string, trigger = "schedule") => {
    // One run per tenant at a time: a second ask joins the first.
    let p = running.get(code);
    if (!p) {
      p = runOnce(deps, code, trigger).finally(() => running.delete(code));
      running.set(code, p);
    }
    return p;
  };
  const loop = async (code: string) => {
    const every = deps.intervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS;
    while (!ac.signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, every);
        function done() {
          clearTimeout(timer);
          ac.signal.removeEventListener("abort", done);
          resolve();
        }
        ac.signal.addEventListener("abort", done);
      });
      if (ac.signal.aborted) break;
      try {
        await run(code);
      } catch (err) {
        deps.logger.warn("reconciliation failed; next at the next interval", {
          tenant: code,
          error: safeError(err),
        });
      }
    }
  };
  return {
    run,
    async start(codes) {
      const list = codes ?? (await deps.tenancy.list()).map((t) => t.code);
      for (const code of list) loops.push(loop(code));
    },
    async stop() {
      ac.abort();
      await Promise.allSettled([...loops, ...running.values()]);
    },
  };
}

/**
 * Lifts a tenant's reconciliation halt (an operator's decision after the
 * replica was repaired, audited with the reason). Throws TENANT_NOT_HALTED.
 *
 * @example
 * ```ts ignore
 * await liftHalt(tenancy, "401005", { actor: "ops-1", reason: "replica reloaded from snapshot", at });
 * ```
 */
export async function liftHalt(
  tenancy: Tenancy,
  metrics: MetricsRegistry,
  code: string,
  opts: { actor: string; reason: string; at: Date },
): Promise<void> {
  const t = await tenancy.get(code);
  if (!t.haltedAt) throw new AspError("TENANT_NOT_HALTED", { tenant: code });
  await tenancy.db.transaction(async (tx) => {
    await tx.update(tenants).set({
      haltedAt: null,
      haltReason: null,
      haltDetails: null,
    }).where(eq(tenants.code, code));
    await writeAudit(tx, {
      tenantCode: code,
      actor: opts.actor,
      action: "halt.lift",
      details: {
        reason: opts.reason,
        haltedAt: t.haltedAt,
        haltReason: t.haltReason,
      },
      at: opts.at,
    });
  });
  reconcileMetrics(metrics).halted.set(0, { tenant: code });
}

/**
 * The tenant's recent runs, newest first.
 *
 * @example
 * ```ts ignore
 * const runs = await recentRuns(tenancy, "401005", 10);
 * ```
 */
export async function recentRuns(tenancy: Tenancy, code: string, limit = 20) {
  return await tenancy.db.select().from(reconciliations)
    .where(eq(reconciliations.tenantCode, code))
    .orderBy(desc(reconciliations.id)).limit(limit);
}
