/**
 * The delta sync worker: follows the registry's feed for each tenant from
 * its applied sequence and applies every event in ONE transaction together
 * with the tenant's applied sequence — strictly in order, exactly once. An
 * event at or below the applied sequence is skipped (a restart or a second
 * worker), the next one is applied, anything else is a gap: that tenant's
 * sync stops with a reason and an alert, and nothing is ever skipped.
 * Data the replica cannot classify (wrong municipality, unknown field) stops
 * the tenant the same way. A restart resumes where the database says.
 *
 * The feed's answer is parsed with its contract (lib/contracts/registry_feed.ts):
 * the envelope first, then each event as it is applied, so the good events
 * before a bad one still go in.
 *
 * The worker takes a `fetch`, so mutual TLS is plugged in from outside
 * (`mtlsFetch` from lib/tls).
 *
 * Freshness (bounded): the registry answers an idle long poll within a
 * second with its head (the heartbeat, see lib/contracts/registry_feed.ts),
 * and every answer — events or none — is recorded as the head heard and the
 * time it was heard, read from the ASP's own clock when the answer arrived
 * (never the registry's timestamp), in the same transaction as the events
 * it carries. Issuance refuses (`REPLICA_STALE`, services/asp/issuance.ts)
 * when that time is older than the tenant's bound (default 5 s) or the
 * applied sequence is behind the head heard. A feed request that gets no
 * answer within its wait plus `requestTimeoutMs` is aborted and retried, so
 * a link that stalls without closing recovers as soon as it carries bytes
 * again; meanwhile nothing is issued.
 *
 * Logs: one line per round, `sync round` at info when it applied or skipped
 * events and at debug when idle (a long poll that ended empty: the
 * heartbeat, every second per tenant), each with a `correlationId` that is sent to the registry as
 * `X-Correlation-Id`, so the registry's line for that poll carries it too.
 *
 * @module
 */
import { safeError } from "../../lib/service/logger.ts";
import { and, eq } from "drizzle-orm";
import type { Tx } from "../../lib/db/database.ts";
import type { Clock } from "../../lib/time/clock.ts";
import { tenants } from "../../db/asp/schema.ts";
import { appliedEvents, gaiji } from "../../db/asp/tenant_schema.ts";
import {
  type FeedEnvelope,
  type FeedEvent,
  type FeedGaijiSet,
  type MunicipalityFeedPolicy,
  parseFeedEnvelope,
  parseFeedEvent,
} from "../../lib/contracts/registry_feed.ts";
import { ContractError } from "../../lib/contracts/wire.ts";
import {
  CORRELATION_HEADER,
  newCorrelationId,
} from "../../lib/contracts/correlation.ts";
import { AspError } from "./errors.ts";
import {
  deleteRows,
  normalizeInstant,
  projectBlock,
  projectCard,
  projectHousehold,
  type ProjectionPolicy,
  projectResident,
  projectSeal,
  type ReplicaBlock,
  type ReplicaCard,
  ReplicaDataError,
  type ReplicaHousehold,
  type ReplicaResident,
  type ReplicaSeal,
  upsertBlocks,
  upsertCards,
  upsertHouseholds,
  upsertResidents,
  upsertSeals,
} from "./replica.ts";
import {
  type AspMetrics,
  aspMetrics,
  raiseAlert,
  type Telemetry,
} from "./telemetry.ts";
import {
  scrubMyNumbers,
  type Tenancy,
  tenantPolicyColumns,
  type TenantScope,
  writeAudit,
} from "./tenancy.ts";

/** What happened to one event. */
export type ApplyOutcome =
  | { kind: "applied"; seq: number }
  | { kind: "skipped"; seq: number; appliedSeq: number }
  | { kind: "gap"; seq: number; expected: number }
  | { kind: "stopped"; seq: number; reason: string | null };

/** Test hooks (crash tests): called inside a batch's transaction. */
export interface SyncHooks {
  /** After the writes of events `from`…`to`, before their commit. */
  beforeCommit?(code: string, from: number, to: number): Promise<void> | void;
}

/** The seq an event claims, if it is a safe integer (before it is parsed). */
function seqOf(ev: unknown): number | undefined {
  const seq = (ev as { seq?: unknown } | null)?.seq;
  return typeof seq === "number" && Number.isSafeInteger(seq) ? seq : undefined;
}

/** Parses one event with the feed's contract (a ReplicaDataError if it does not match). */
function checkEvent(ev: unknown): FeedEvent {
  try {
    return parseFeedEvent(ev);
  } catch (err) {
    if (!(err instanceof ContractError)) throw err;
    const seq = seqOf(ev);
    throw new ReplicaDataError(
      `event ${seq ?? "?"}: ${err.issues.join("; ")}`,
    );
  }
}

/**
 * The net effect of consecutive events on the replica's rows: each event
 * carries the state after it of everything it touched, so per key the last
 * event wins (a row or its deletion).
 */
interface NetChanges {
  residents: Map<string, ReplicaResident | null>;
  households: Map<string, ReplicaHousehold | null>;
  seals: Map<string, ReplicaSeal | null>;
  blocks: Map<string, ReplicaBlock>;
  cards: Map<string, ReplicaCard>;
}

function emptyChanges(): NetChanges {
  return {
    residents: new Map(),
    households: new Map(),
    seals: new Map(),
    blocks: new Map(),
    cards: new Map(),
  };
}

/** Projects one parsed event (throws ReplicaDataError, changing nothing, when it cannot be accepted). */
function projectEvent(ev: FeedEvent, policy: ProjectionPolicy): NetChanges {
  const p = ev.payload;
  const out = emptyChanges();
  const ids = (k: "deletedResidents" | "deletedHouseholds" | "deletedSeals") =>
    p[k].map((id) => {
      if (!id.startsWith(`${policy.code}-`)) {
        throw new ReplicaDataError(
          `event ${ev.seq}: ${k} entry '${
            String(id)
          }' is not of tenant ${policy.code}`,
        );
      }
      return id;
    });
  // Deletions first: a row the same event also carries is kept.
  for (const id of ids("deletedResidents")) out.residents.set(id, null);
  for (const id of ids("deletedHouseholds")) out.households.set(id, null);
  for (const id of ids("deletedSeals")) out.seals.set(id, null);
  // Every resident an event carries was last changed by that event.
  for (const r of p.residents) {
    if (r?.updatedSeq !== undefined && Number(r.updatedSeq) !== ev.seq) {
      throw new ReplicaDataError(
        `event ${ev.seq}: resident ${String(r.id)} carries updatedSeq ${
          String(r.updatedSeq)
        }`,
      );
    }
    const row = projectResident({ ...r, updatedSeq: ev.seq }, policy);
    out.residents.set(row.id, row);
  }
  for (const h of p.households) {
    const row = projectHousehold(h, policy);
    out.households.set(row.id, row);
  }
  for (const s of p.seals) {
    const row = projectSeal(s, policy);
    out.seals.set(row.id, row);
  }
  for (const b of p.blocks) {
    const row = projectBlock(b, policy);
    out.blocks.set(row.id, row);
  }
  for (const c of p.cardLinks) {
    const row = projectCard(c, policy);
    out.cards.set(row.serial, row);
  }
  return out;
}

function mergeChanges(into: NetChanges, next: NetChanges): void {
  for (const k of Object.keys(into) as (keyof NetChanges)[]) {
    const target = into[k] as Map<string, unknown>;
    for (const [id, row] of next[k] as Map<string, unknown>) {
      target.set(id, row);
    }
  }
}

function split<T>(m: Map<string, T | null>): { gone: string[]; rows: T[] } {
  const gone: string[] = [];
  const rows: T[] = [];
  for (const [id, row] of m) row === null ? gone.push(id) : rows.push(row);
  return { gone, rows };
}

async function writeChanges(
  tx: Tx,
  t: TenantScope,
  net: NetChanges,
): Promise<void> {
  const r = split(net.residents);
  const h = split(net.households);
  const s = split(net.seals);
  await deleteRows(tx, {
    residents: r.gone,
    households: h.gone,
    seals: s.gone,
  });
  await upsertHouseholds(tx, h.rows);
  await upsertResidents(tx, t.cipher, r.rows);
  await upsertSeals(tx, t.cipher, s.rows);
  await upsertBlocks(tx, t.cipher, [...net.blocks.values()]);
  await upsertCards(tx, [...net.cards.values()]);
}

/** The head a feed answer stated, and when the ASP received it (its own clock). */
export interface HeadHeard {
  seq: number;
  at: Date;
  /** The municipality's policy the answer carried (the registry's record). */
  policy?: MunicipalityFeedPolicy;
  /** The municipality's 外字 the answer carried (the whole set when it changed). */
  gaiji?: FeedGaijiSet;
}

/**
 * Stores a municipality's 外字 set in its tenant (one transaction), as a
 * feed answer carrying the whole set does; for a replica loaded from media
 * and for tests.
 *
 * @example
 * ```ts ignore
 * await storeGaijiSet(tenancy, "401005", { version: 3, glyphs });
 * ```
 */
export async function storeGaijiSet(
  tenancy: Tenancy,
  code: string,
  set: FeedGaijiSet,
): Promise<void> {
  await tenancy.withTenant(code, async (tx, t) => {
    const st = await t.state({ lock: "update" });
    const cols = await replaceGaiji(tx, st.gaijiVersion, set);
    if (cols.gaijiVersion !== undefined) {
      await tx.update(tenants).set(cols).where(eq(tenants.code, code));
    }
  });
}

/**
 * Replaces the tenant's 外字 with the set a feed answer carried, when it
 * carried the whole set of another version; the directory's
 * `gaijiVersion` column to set with it (nothing otherwise).
 */
async function replaceGaiji(
  tx: Tx,
  held: number,
  set: FeedGaijiSet | undefined,
): Promise<{ gaijiVersion?: number }> {
  if (!set?.glyphs || set.version === held) return {};
  await tx.delete(gaiji);
  if (set.glyphs.length) {
    await tx.insert(gaiji).values(
      set.glyphs.map((g) => ({ codePoint: g.codePoint, path: g.path })),
    );
  }
  return { gaijiVersion: set.version };
}

/** What happened to a run of events applied together. */
export interface BatchOutcome {
  /** The events applied (in order), committed with the applied sequence. */
  applied: FeedEvent[];
  /** Events at or below the applied sequence (already there). */
  skipped: number;
  /** The tenant's applied sequence after the batch. */
  appliedSeq: number;
  /** Why the batch ended before its last event, if it did. */
  end?:
    | { kind: "gap"; seq: number; expected: number }
    | { kind: "stopped"; reason: string | null }
    | { kind: "invalid"; seq: number; message: string };
}

/**
 * Applies consecutive feed events to a tenant in ONE transaction with the
 * applied sequence: the directory row is locked and re-checked, events at
 * or below the applied sequence are skipped, the next ones are applied in
 * order until a gap or an event the replica cannot accept (both reported
 * in `end`; nothing after them is written). The rows are written as the
 * net effect of the run (the last event per key wins — each event carries
 * the state after it), one multi-row statement per table, and one
 * `applied_events` row per event: exactly once, in order, and a crash
 * loses the whole run or nothing. A run of one event is the classic
 * one-event transaction; the sync worker passes what one feed answer
 * holds, so a backlog is caught up in a few commits instead of one per
 * event.
 *
 * @example
 * ```ts ignore
 * const out = await applyFeedEvents(tenancy, "401005", feed.events, { now: clock.now() });
 * if (out.end?.kind === "gap") await stopSync(tenancy, tel, "401005", "SYNC_GAP", "…");
 * ```
 */
export async function applyFeedEvents(
  tenancy: Tenancy,
  code: string,
  events: readonly unknown[],
  opts: {
    now: Date;
    hooks?: SyncHooks;
    /** The head the answer carrying these events stated, and when the ASP received it. */
    head?: HeadHeard;
  },
): Promise<BatchOutcome> {
  return await tenancy.withTenant(code, async (tx, t) => {
    const st = await t.state({ lock: "update" });
    const before = Number(st.appliedSeq);
    const out: BatchOutcome = { applied: [], skipped: 0, appliedSeq: before };
    if (st.syncState !== "running") {
      out.end = { kind: "stopped", reason: st.stopReason };
      return out;
    }
    // 個人番号 as the registry's record prints it now (the feed's policy);
    // stored numbers go when it stops printing them.
    const printMyNumber = opts.head?.policy?.printMyNumberAtKiosk ??
      st.printMyNumber;
    if (st.printMyNumber && !printMyNumber) await scrubMyNumbers(tx, t.cipher);
    const policy = { code, printMyNumber };
    const net = emptyChanges();
    let next = before + 1;
    for (const raw of events) {
      const seq = seqOf(raw);
      if (seq !== undefined && seq < next) {
        out.skipped++;
        continue;
      }
      if (seq !== undefined && seq !== next) {
        out.end = { kind: "gap", seq, expected: next };
        break;
      }
      let ev: FeedEvent;
      try {
        ev = checkEvent(raw);
        mergeChanges(net, projectEvent(ev, policy));
      } catch (err) {
        if (!(err instanceof ReplicaDataError)) throw err;
        out.end = { kind: "invalid", seq: seq ?? NaN, message: err.message };
        break;
      }
      out.applied.push(ev);
      next++;
    }
    const heard = opts.head
      ? {
        headSeq: opts.head.seq,
        headSeenAt: opts.head.at.toISOString(),
        // The registry's record is the one source of these rules.
        ...tenantPolicyColumns(opts.head.policy),
        // And of the 外字 (written with the run, in its transaction).
        ...await replaceGaiji(tx, st.gaijiVersion, opts.head.gaiji),
      }
      : {};
    if (!out.applied.length) {
      if (opts.head) {
        await tx.update(tenants).set(heard).where(eq(tenants.code, code));
      }
      return out;
    }
    await writeChanges(tx, t, net);
    await tx.insert(appliedEvents).values(out.applied.map((ev) => ({
      seq: ev.seq,
      eventId: ev.eventId,
      type: ev.type,
      recordedAt: normalizeInstant(ev.recordedAt) ?? opts.now.toISOString(),
      appliedAt: opts.now.toISOString(),
    })));
    out.appliedSeq = next - 1;
    await opts.hooks?.beforeCommit?.(code, before + 1, out.appliedSeq);
    await tx.update(tenants).set({
      appliedSeq: out.appliedSeq,
      appliedAt: opts.now.toISOString(),
      ...heard,
    })
      .where(eq(tenants.code, code));
    return out;
  });
}

/**
 * Applies one feed event to a tenant in one transaction with its applied
 * sequence (exactly once: the directory row is locked and re-checked).
 * Throws ReplicaDataError (and writes nothing) when the data cannot be accepted.
 *
 * @example
 * ```ts ignore
 * const out = await applyFeedEvent(tenancy, "401005", ev, { now: clock.now() });
 * if (out.kind === "gap") await stopSync(tenancy, tel, "401005", "SYNC_GAP", "…");
 * ```
 */
export async function applyFeedEvent(
  tenancy: Tenancy,
  code: string,
  ev: unknown,
  opts: { now: Date; hooks?: SyncHooks },
): Promise<ApplyOutcome> {
  const out = await applyFeedEvents(tenancy, code, [ev], opts);
  const seq = seqOf(ev) ?? NaN;
  if (out.applied.length) return { kind: "applied", seq };
  if (out.skipped) {
    return { kind: "skipped", seq, appliedSeq: out.appliedSeq };
  }
  switch (out.end?.kind) {
    case "gap":
      return { kind: "gap", seq, expected: out.end.expected };
    case "stopped":
      return { kind: "stopped", seq, reason: out.end.reason };
    case "invalid":
      throw new ReplicaDataError(out.end.message);
  }
  throw new ReplicaDataError(`event ${seqOf(ev)}: not applied`);
}

/**
 * Stops a tenant's sync (if running) with a reason, and raises an alert.
 *
 * @example
 * ```ts ignore
 * await stopSync(tenancy, tel, "401005", "SYNC_GAP", "Cannot apply event 42: gap after 40");
 * ```
 */
export async function stopSync(
  tenancy: Tenancy,
  tel: Telemetry,
  code: string,
  kind: string,
  message: string,
  opts: { details?: unknown; at?: Date } = {},
): Promise<void> {
  const at = opts.at ?? new Date();
  await tenancy.db.update(tenants)
    .set({
      syncState: "stopped",
      stopReason: `${kind}: ${message}`,
      stoppedAt: at.toISOString(),
    })
    .where(and(eq(tenants.code, code), eq(tenants.syncState, "running")));
  aspMetrics(tel.metrics).syncRunning.set(0, { tenant: code });
  await raiseAlert(tenancy.db, tel, {
    tenantCode: code,
    kind,
    message,
    details: opts.details,
    at,
  });
}

/**
 * Resumes a stopped tenant's sync (an operator's decision, audited).
 *
 * @example
 * ```ts ignore
 * await resumeSync(tenancy, "401005", { actor: "ops" });
 * ```
 */
export async function resumeSync(
  tenancy: Tenancy,
  code: string,
  opts: { actor: string; at?: Date },
): Promise<void> {
  const t = await tenancy.get(code);
  if (t.syncState !== "stopped") {
    throw new AspError("SYNC_NOT_STOPPED", { tenant: code });
  }
  await tenancy.db.transaction(async (tx) => {
    await tx.update(tenants).set({
      syncState: "running",
      stopReason: null,
      stoppedAt: null,
    })
      .where(eq(tenants.code, code));
    await writeAudit(tx, {
      tenantCode: code,
      actor: opts.actor,
      action: "sync.resume",
      details: {
        previousReason: t.stopReason,
        appliedSeq: Number(t.appliedSeq),
      },
      at: opts.at,
    });
  });
}

/** Options of {@linkcode createSyncWorker}. */
export interface SyncWorkerDeps extends Telemetry {
  tenancy: Tenancy;
  /** Base URL of the registry, e.g. `https://registry.lgwan:8101`. */
  registryUrl: string;
  /**
   * Bearer token of the ASP's feed client; omitted when its mutual-TLS
   * certificate identifies it to the registry.
   */
  token?: string;
  /** The fetch to use (default: global fetch; pass `mtlsFetch(...)` for LGWAN). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  clock: Clock;
  /** Long-poll wait per feed request in the loop (s, default 20). */
  waitSeconds?: number;
  /** Events per feed request (default 500). */
  limit?: number;
  /**
   * A feed request not answered within its wait plus this is aborted and
   * retried (ms, default 5000): a link that stalls without closing.
   */
  requestTimeoutMs?: number;
  /** Back-off after a failed request (ms, default 500 … 30000). */
  retryMinMs?: number;
  retryMaxMs?: number;
  hooks?: SyncHooks;
}

/** The result of one feed round. */
export interface SyncRound {
  applied: number;
  skipped: number;
  head: number;
  appliedSeq: number;
  state: "running" | "stopped";
}

/** A running or runnable sync worker. */
export interface SyncWorker {
  /** One feed request for a tenant, and its events applied. */
  syncOnce(
    code: string,
    opts?: { wait?: number; signal?: AbortSignal },
  ): Promise<SyncRound>;
  /** Rounds until the tenant reaches the head seen (or stops). */
  catchUp(code: string): Promise<SyncRound>;
  /** Follows the feed of the given tenants (default: all) until {@linkcode SyncWorker.stop}. */
  start(codes?: string[]): Promise<void>;
  /** Stops the loops (aborting long polls) and waits for them. */
  stop(): Promise<void>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** A worker's dependencies, its metrics and its running loops. */
interface WorkerState {
  readonly deps: SyncWorkerDeps;
  readonly doFetch: NonNullable<SyncWorkerDeps["fetch"]>;
  readonly m: AspMetrics;
  readonly limit: number;
  /** Aborted by `stop()`: ends the loops and their long polls. */
  readonly ac: AbortController;
  readonly loops: Promise<void>[];
}

/** Why a tenant's sync stops, as its alert says. */
interface StopAlert {
  kind: string;
  message: string;
  details?: unknown;
}

/** One feed request (long-polling `wait` seconds); throws on a non-2xx answer. */
async function fetchFeed(
  st: WorkerState,
  code: string,
  after: number,
  wait: number,
  correlationId: string,
  signal?: AbortSignal,
  /** The 外字 set's version the tenant holds: the registry sends the set when its own differs. */
  gaijiVersion = 0,
): Promise<unknown> {
  const url =
    `${
      st.deps.registryUrl.replace(/\/$/, "")
    }/municipalities/${code}/feed?after=${after}&limit=${st.limit}` +
    `&wait=${wait}&gaijiVersion=${gaijiVersion}`;
  const timeout = AbortSignal.timeout(
    wait * 1000 + (st.deps.requestTimeoutMs ?? 5_000),
  );
  const res = await st.doFetch(url, {
    headers: {
      ...(st.deps.token ? { Authorization: `Bearer ${st.deps.token}` } : {}),
      [CORRELATION_HEADER]: correlationId,
    },
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  if (!res.ok) {
    const text = await res.text().catch(() => "");
    throw new Error(
      `Feed of ${code} answered ${res.status}: ${text.slice(0, 200)}`,
    );
  }
  return await res.json();
}

async function stopTenant(
  st: WorkerState,
  code: string,
  alert: StopAlert,
): Promise<void> {
  const { deps } = st;
  await stopSync(deps.tenancy, deps, code, alert.kind, alert.message, {
    details: alert.details,
    at: deps.clock.now(),
  });
}

/**
 * The feed answer parsed with its contract (lib/contracts/registry_feed.ts),
 * or why it cannot be followed at all (not a feed, not this tenant's, or
 * behind the replica).
 */
function feedProblem(
  code: string,
  answer: unknown,
  appliedSeq: number,
): { feed: FeedEnvelope; problem: null } | {
  feed: FeedEnvelope | null;
  problem: StopAlert;
} {
  let feed: FeedEnvelope;
  try {
    feed = parseFeedEnvelope(answer);
  } catch (err) {
    if (!(err instanceof ContractError)) throw err;
    return {
      feed: null,
      problem: {
        kind: "SYNC_INTEGRITY",
        message:
          `Feed answer for ${code} is not this tenant's feed: ${err.message}`,
      },
    };
  }
  if (feed.municipalityCode !== code) {
    return {
      feed: null,
      problem: {
        kind: "SYNC_INTEGRITY",
        message: `Feed answer for ${code} is not this tenant's feed`,
        details: { municipalityCode: feed.municipalityCode },
      },
    };
  }
  if (feed.head < appliedSeq) {
    return {
      feed,
      problem: {
        kind: "REGISTRY_REGRESSED",
        message:
          `Registry head ${feed.head} is behind the applied sequence ${appliedSeq}`,
      },
    };
  }
  return { feed, problem: null };
}

/** Why a batch that ended early stops the tenant's sync (null: it was stopped already). */
function endAlert(end: NonNullable<BatchOutcome["end"]>): StopAlert | null {
  switch (end.kind) {
    case "gap":
      return {
        kind: "SYNC_GAP",
        message: `Cannot apply event ${end.seq}: sequence gap after ${
          end.expected - 1
        }`,
        details: { seq: end.seq, expected: end.expected },
      };
    case "invalid":
      return {
        kind: "SYNC_INTEGRITY",
        message: `Cannot apply event ${end.seq}: ${end.message}`,
        details: { seq: end.seq },
      };
    case "stopped":
      return null;
    default: {
      const _: never = end;
      return _;
    }
  }
}

/** Counts and logs applied events, and observes their lag behind the registry. */
function observeApplied(
  st: WorkerState,
  code: string,
  applied: FeedEvent[],
): void {
  const now = Date.now();
  for (const ev of applied) {
    st.m.applied.inc({ tenant: code });
    st.deps.logger.debug("event applied", {
      tenant: code,
      seq: ev.seq,
      type: ev.type,
    });
    const recorded = Date.parse(normalizeInstant(ev.recordedAt) ?? "");
    if (!Number.isNaN(recorded)) {
      st.m.lag.observe(Math.max(0, now - recorded) / 1000, { tenant: code });
    }
  }
}

/** One feed request for a tenant, and its events applied. */
async function syncOnce(
  st: WorkerState,
  code: string,
  opts: { wait?: number; signal?: AbortSignal } = {},
): Promise<SyncRound> {
  const before = await st.deps.tenancy.get(code);
  const round: SyncRound = {
    applied: 0,
    skipped: 0,
    head: Number(before.headSeq),
    appliedSeq: Number(before.appliedSeq),
    state: "running",
  };
  if (before.syncState !== "running") return { ...round, state: "stopped" };
  st.m.syncRunning.set(1, { tenant: code });
  const correlationId = newCorrelationId("sync");
  const answer = await fetchFeed(
    st,
    code,
    round.appliedSeq,
    opts.wait ?? 0,
    correlationId,
    opts.signal,
    before.gaijiVersion,
  );
  // Heard now, by the ASP's own clock (the registry's heartbeatAt is not trusted for age).
  const heardAt = st.deps.clock.now();
  const { feed, problem } = feedProblem(code, answer, round.appliedSeq);
  if (problem) {
    await stopTenant(st, code, problem);
    // A regressed head is still the feed's; a foreign answer's head is not.
    return { ...round, head: feed?.head ?? round.head, state: "stopped" };
  }
  const out = await applyRound(st, code, feed, { ...round, head: feed.head }, {
    seq: feed.head,
    at: heardAt,
    policy: feed.policy,
    gaiji: feed.gaiji,
  });
  const idle = out.applied + out.skipped === 0 && out.state === "running";
  st.deps.logger[idle ? "debug" : "info"]("sync round", {
    tenant: code,
    correlationId,
    applied: out.applied,
    skipped: out.skipped,
    appliedSeq: out.appliedSeq,
    head: out.head,
    state: out.state,
  });
  return out;
}

/**
 * Applies a feed answer's events with the head it stated (one transaction)
 * and ends the round (stopping the tenant's sync on a gap or bad data).
 */
async function applyRound(
  st: WorkerState,
  code: string,
  feed: FeedEnvelope,
  round: SyncRound,
  head: HeadHeard,
): Promise<SyncRound> {
  const out = await applyFeedEvents(st.deps.tenancy, code, feed.events, {
    now: st.deps.clock.now(),
    hooks: st.deps.hooks,
    head,
  });
  const after: SyncRound = {
    ...round,
    applied: round.applied + out.applied.length,
    skipped: round.skipped + out.skipped,
    appliedSeq: out.appliedSeq,
  };
  observeApplied(st, code, out.applied);
  if (out.end) {
    const alert = endAlert(out.end);
    if (alert) await stopTenant(st, code, alert);
    return { ...after, state: "stopped" };
  }
  st.m.behind.set(Math.max(0, feed.head - out.appliedSeq), { tenant: code });
  return after;
}

/** Rounds until the tenant reaches the head seen (or stops). */
async function catchUp(st: WorkerState, code: string): Promise<SyncRound> {
  let total: SyncRound | undefined;
  for (;;) {
    const r = await syncOnce(st, code);
    total = total
      ? {
        ...r,
        applied: total.applied + r.applied,
        skipped: total.skipped + r.skipped,
      }
      : r;
    if (
      r.state !== "running" || r.appliedSeq >= r.head ||
      r.applied + r.skipped === 0
    ) return total;
  }
}

/** Follows one tenant's feed until the worker stops, backing off after failures. */
async function loop(st: WorkerState, code: string): Promise<void> {
  const { deps, m, ac } = st;
  const min = deps.retryMinMs ?? 500;
  const max = deps.retryMaxMs ?? 30_000;
  let backoff = min;
  while (!ac.signal.aborted) {
    try {
      const t = await deps.tenancy.get(code);
      if (t.syncState !== "running") {
        m.syncRunning.set(0, { tenant: code });
        await sleep(5_000, ac.signal);
        continue;
      }
      await syncOnce(st, code, {
        wait: deps.waitSeconds ?? 20,
        signal: ac.signal,
      });
      backoff = min;
    } catch (err) {
      if (ac.signal.aborted) break;
      m.feedErrors.inc({ tenant: code });
      deps.logger.warn("sync round failed; retrying", {
        tenant: code,
        error: safeError(err),
        retryMs: backoff,
      });
      await sleep(backoff, ac.signal);
      backoff = Math.min(backoff * 2, max);
    }
  }
}

/** Starts a loop per tenant (default: every tenant in the directory). */
async function startLoops(st: WorkerState, codes?: string[]): Promise<void> {
  const list = codes ?? (await st.deps.tenancy.list()).map((t) => t.code);
  for (const code of list) {
    st.deps.logger.info("sync started", { tenant: code });
    st.loops.push(loop(st, code));
  }
}

async function stopLoops(st: WorkerState): Promise<void> {
  st.ac.abort();
  await Promise.allSettled(st.loops);
}

/**
 * Creates the sync worker.
 *
 * @example
 * ```ts ignore
 * const worker = createSyncWorker({ tenancy, registryUrl, token, clock: systemClock, logger, metrics });
 * await worker.start();
 * // …
 * await worker.stop();
 * ```
 */
export function createSyncWorker(deps: SyncWorkerDeps): SyncWorker {
  const st: WorkerState = {
    deps,
    doFetch: deps.fetch ??
      ((input: string, init?: RequestInit) => fetch(input, init)),
    m: aspMetrics(deps.metrics),
    limit: deps.limit ?? 500,
    ac: new AbortController(),
    loops: [],
  };
  return {
    syncOnce: (code, opts) => syncOnce(st, code, opts),
    catchUp: (code) => catchUp(st, code),
    start: (codes) => startLoops(st, codes),
    stop: () => stopLoops(st),
  };
}
