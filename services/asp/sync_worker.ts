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
 * The worker takes a `fetch`, so mutual TLS is plugged in from outside
 * (`mtlsFetch` from lib/tls).
 *
 * @module
 */
import { and, eq } from "drizzle-orm";
import type { Tx } from "../../lib/db/database.ts";
import type { Clock } from "../../lib/time/clock.ts";
import { tenants } from "../../db/asp/schema.ts";
import { appliedEvents } from "../../db/asp/tenant_schema.ts";
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
import { aspMetrics, raiseAlert, type Telemetry } from "./telemetry.ts";
import { type Tenancy, type TenantScope, writeAudit } from "./tenancy.ts";

/** One event as the registry's feed serves it. */
export interface FeedEvent {
  seq: number;
  eventId: string;
  type: string;
  effectiveDate: string | null;
  recordedAt: string;
  payload: FeedPayload;
}

/** What an event carries: the state after it of everything it touched. */
export interface FeedPayload {
  residents: Record<string, unknown>[];
  deletedResidents: string[];
  households: Record<string, unknown>[];
  deletedHouseholds: string[];
  seals: Record<string, unknown>[];
  deletedSeals: string[];
  blocks: Record<string, unknown>[];
  cardLinks: Record<string, unknown>[];
  cancelsSeq?: number;
}

/** A feed response. */
export interface FeedResponse {
  municipalityCode: string;
  head: number;
  events: FeedEvent[];
}

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

const PAYLOAD_ARRAYS = [
  "residents",
  "deletedResidents",
  "households",
  "deletedHouseholds",
  "seals",
  "deletedSeals",
  "blocks",
  "cardLinks",
] as const;

function checkEvent(ev: FeedEvent): void {
  if (!Number.isSafeInteger(ev?.seq) || ev.seq < 1) {
    throw new ReplicaDataError(`event without a valid seq`);
  }
  if (typeof ev.eventId !== "string" || !ev.eventId) {
    throw new ReplicaDataError(`event ${ev.seq}: no eventId`);
  }
  const p = ev.payload as unknown as Record<string, unknown>;
  if (!p || typeof p !== "object") {
    throw new ReplicaDataError(`event ${ev.seq}: no payload`);
  }
  for (const k of Object.keys(p)) {
    if (
      !(PAYLOAD_ARRAYS as readonly string[]).includes(k) && k !== "cancelsSeq"
    ) {
      throw new ReplicaDataError(`event ${ev.seq}: unknown payload key '${k}'`);
    }
  }
  for (const k of PAYLOAD_ARRAYS) {
    if (p[k] !== undefined && !Array.isArray(p[k])) {
      throw new ReplicaDataError(`event ${ev.seq}: '${k}' is not a list`);
    }
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

/** Projects one event (throws ReplicaDataError, changing nothing, when it cannot be accepted). */
function projectEvent(ev: FeedEvent, policy: ProjectionPolicy): NetChanges {
  checkEvent(ev);
  const p = ev.payload;
  const out = emptyChanges();
  const ids = (k: "deletedResidents" | "deletedHouseholds" | "deletedSeals") =>
    (p[k] ?? []).map((id) => {
      if (typeof id !== "string" || !id.startsWith(`${policy.code}-`)) {
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
  for (const r of p.residents ?? []) {
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
  for (const h of p.households ?? []) {
    const row = projectHousehold(h, policy);
    out.households.set(row.id, row);
  }
  for (const s of p.seals ?? []) {
    const row = projectSeal(s, policy);
    out.seals.set(row.id, row);
  }
  for (const b of p.blocks ?? []) {
    const row = projectBlock(b, policy);
    out.blocks.set(row.id, row);
  }
  for (const c of p.cardLinks ?? []) {
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
  events: FeedEvent[],
  opts: { now: Date; hooks?: SyncHooks },
): Promise<BatchOutcome> {
  return await tenancy.withTenant(code, async (tx, t) => {
    const st = await t.state({ lock: "update" });
    const before = Number(st.appliedSeq);
    const out: BatchOutcome = { applied: [], skipped: 0, appliedSeq: before };
    if (st.syncState !== "running") {
      out.end = { kind: "stopped", reason: st.stopReason };
      return out;
    }
    const policy = { code, printMyNumber: st.printMyNumber };
    const net = emptyChanges();
    let next = before + 1;
    for (const ev of events) {
      if (Number.isSafeInteger(ev?.seq) && ev.seq < next) {
        out.skipped++;
        continue;
      }
      if (Number.isSafeInteger(ev?.seq) && ev.seq !== next) {
        out.end = { kind: "gap", seq: ev.seq, expected: next };
        break;
      }
      try {
        mergeChanges(net, projectEvent(ev, policy));
      } catch (err) {
        if (!(err instanceof ReplicaDataError)) throw err;
        out.end = { kind: "invalid", seq: ev?.seq, message: err.message };
        break;
      }
      out.applied.push(ev);
      next++;
    }
    if (!out.applied.length) return out;
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
  ev: FeedEvent,
  opts: { now: Date; hooks?: SyncHooks },
): Promise<ApplyOutcome> {
  const out = await applyFeedEvents(tenancy, code, [ev], opts);
  if (out.applied.length) return { kind: "applied", seq: ev.seq };
  if (out.skipped) {
    return { kind: "skipped", seq: ev.seq, appliedSeq: out.appliedSeq };
  }
  switch (out.end?.kind) {
    case "gap":
      return { kind: "gap", seq: ev.seq, expected: out.end.expected };
    case "stopped":
      return { kind: "stopped", seq: ev.seq, reason: out.end.reason };
    case "invalid":
      throw new ReplicaDataError(out.end.message);
  }
  throw new ReplicaDataError(`event ${ev?.seq}: not applied`);
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
  /** Bearer token of the ASP's feed client. */
  token: string;
  /** The fetch to use (default: global fetch; pass `mtlsFetch(...)` for LGWAN). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  clock: Clock;
  /** Long-poll wait per feed request in the loop (s, default 20). */
  waitSeconds?: number;
  /** Events per feed request (default 500). */
  limit?: number;
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
  const doFetch = deps.fetch ??
    ((input: string, init?: RequestInit) => fetch(input, init));
  const m = aspMetrics(deps.metrics);
  const limit = deps.limit ?? 500;
  const log = deps.logger;
  const ac = new AbortController();
  const loops: Promise<void>[] = [];

  async function fetchFeed(
    code: string,
    after: number,
    wait: number,
    signal?: AbortSignal,
  ): Promise<FeedResponse> {
    const url =
      `${
        deps.registryUrl.replace(/\/$/, "")
      }/municipalities/${code}/feed?after=${after}&limit=${limit}` +
      `&wait=${wait}`;
    const res = await doFetch(url, {
      headers: { Authorization: `Bearer ${deps.token}` },
      signal,
    });
    if (!res.ok) {
      const text = await res.text().catch(() => "");
      throw new Error(
        `Feed of ${code} answered ${res.status}: ${text.slice(0, 200)}`,
      );
    }
    return await res.json() as FeedResponse;
  }

  async function stop(
    code: string,
    kind: string,
    message: string,
    details?: unknown,
  ) {
    await stopSync(deps.tenancy, deps, code, kind, message, {
      details,
      at: deps.clock.now(),
    });
  }

  async function syncOnce(
    code: string,
    opts: { wait?: number; signal?: AbortSignal } = {},
  ): Promise<SyncRound> {
    const before = await deps.tenancy.get(code);
    let appliedSeq = Number(before.appliedSeq);
    const round: SyncRound = {
      applied: 0,
      skipped: 0,
      head: Number(before.headSeq),
      appliedSeq,
      state: "running",
    };
    if (before.syncState !== "running") return { ...round, state: "stopped" };
    m.syncRunning.set(1, { tenant: code });
    const feed = await fetchFeed(code, appliedSeq, opts.wait ?? 0, opts.signal);
    if (
      feed.municipalityCode !== code || !Number.isSafeInteger(feed.head) ||
      !Array.isArray(feed.events)
    ) {
      await stop(
        code,
        "SYNC_INTEGRITY",
        `Feed answer for ${code} is not this tenant's feed`,
        {
          municipalityCode: feed.municipalityCode,
        },
      );
      return { ...round, state: "stopped" };
    }
    if (feed.head < appliedSeq) {
      await stop(
        code,
        "REGISTRY_REGRESSED",
        `Registry head ${feed.head} is behind the applied sequence ${appliedSeq}`,
      );
      return { ...round, head: feed.head, state: "stopped" };
    }
    round.head = feed.head;
    await deps.tenancy.withTenant(code, async (tx) => {
      await tx.update(tenants).set({
        headSeq: feed.head,
        headSeenAt: deps.clock.now().toISOString(),
      })
        .where(eq(tenants.code, code));
    });
    const out = await applyFeedEvents(deps.tenancy, code, feed.events, {
      now: deps.clock.now(),
      hooks: deps.hooks,
    });
    appliedSeq = out.appliedSeq;
    round.skipped += out.skipped;
    round.applied += out.applied.length;
    const now = Date.now();
    for (const ev of out.applied) {
      m.applied.inc({ tenant: code });
      log.debug("event applied", { tenant: code, seq: ev.seq, type: ev.type });
      const recorded = Date.parse(normalizeInstant(ev.recordedAt) ?? "");
      if (!Number.isNaN(recorded)) {
        m.lag.observe(Math.max(0, now - recorded) / 1000, { tenant: code });
      }
    }
    if (out.end?.kind === "gap") {
      await stop(
        code,
        "SYNC_GAP",
        `Cannot apply event ${out.end.seq}: sequence gap after ${
          out.end.expected - 1
        }`,
        { seq: out.end.seq, expected: out.end.expected },
      );
      return { ...round, appliedSeq, state: "stopped" };
    }
    if (out.end?.kind === "invalid") {
      await stop(
        code,
        "SYNC_INTEGRITY",
        `Cannot apply event ${out.end.seq}: ${out.end.message}`,
        { seq: out.end.seq },
      );
      return { ...round, appliedSeq, state: "stopped" };
    }
    if (out.end?.kind === "stopped") {
      return { ...round, appliedSeq, state: "stopped" };
    }
    m.behind.set(Math.max(0, feed.head - appliedSeq), { tenant: code });
    round.appliedSeq = appliedSeq;
    return round;
  }

  async function catchUp(code: string): Promise<SyncRound> {
    let total: SyncRound | undefined;
    for (;;) {
      const r = await syncOnce(code);
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

  async function loop(code: string): Promise<void> {
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
        await syncOnce(code, {
          wait: deps.waitSeconds ?? 20,
          signal: ac.signal,
        });
        backoff = min;
      } catch (err) {
        if (ac.signal.aborted) break;
        m.feedErrors.inc({ tenant: code });
        log.warn("sync round failed; retrying", {
          tenant: code,
          error: String(err),
          retryMs: backoff,
        });
        await sleep(backoff, ac.signal);
        backoff = Math.min(backoff * 2, max);
      }
    }
  }

  return {
    syncOnce,
    catchUp,
    async start(codes) {
      const list = codes ?? (await deps.tenancy.list()).map((t) => t.code);
      for (const code of list) {
        log.info("sync started", { tenant: code });
        loops.push(loop(code));
      }
    },
    async stop() {
      ac.abort();
      await Promise.allSettled(loops);
    },
  };
}
