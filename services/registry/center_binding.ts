/**
 * The municipality keeps the center's card ↔ holder binding current: after
 * an event commits that changes the name, birth date or sex of a resident
 * with an active card link (職権修正, 誤記修正 — a marriage's 氏の変更 is
 * recorded as one — or the 取消 of such an event), the registry tells the
 * center the new binding digest, from the old one (`PUT
 * /cards/{serial}/binding`, compare-and-set), with the municipality's center
 * credential. A re-link of a card to another person changes no identity and
 * sends nothing: the center's binding keeps naming the card's real holder.
 * A resident's death (死亡) revokes each of their actively linked cards at
 * the center the same day (`POST /cards/{serial}/revoke`, the municipal
 * API, reason `shibou seq N`; a card already revoked counts as done).
 *
 * The calls are durable (`center_push_queue.ts`): after the commit they are
 * derived from the outbox up to a per-municipality cursor and queued in one
 * transaction (`center_pushes`), then sent in the event's request flow (the
 * fast path; the event stands whatever the center answers). A call stays
 * pending until the center answers definitively — applied (or already
 * applied): `done`; refused with a 4xx: `refused`, its status and code kept
 * and logged, never retried — so a crash, a deploy or a center outage loses
 * none: a few quick retries with backoff follow a transient failure
 * (network, timeout, 5xx, 408, 429), and a background job
 * ({@linkcode DurableCenterPusher.start}) derives and sends what is pending
 * at start and on an interval. One card's calls go in event order: a call
 * waits while an earlier one of the same serial is pending. Logged by ids
 * and codes only.
 *
 * @module
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../lib/db/database.ts";
import {
  bindingDigest,
  type BindingKeys,
  type HolderIdentity,
} from "../../lib/card/identity_binding.ts";
import { type Logger, safeError } from "../../lib/service/logger.ts";
import type { MetricsRegistry } from "../../lib/service/metrics.ts";
import { periodicJob, type Timers } from "../../lib/time/timers.ts";
import { cardLinks } from "../../db/registry/schema.ts";
import {
  type CommittedEvent,
  DERIVE_BATCH,
  type DerivedPush,
  deriveRange,
  eventsToDerive,
  pendingFigures,
  pendingPushes,
  pushesOfEvent,
  type PushKind,
  pushMunicipalities,
  type PushOutcome,
  queueDerived,
  type QueuedPush,
  recordOutcome,
} from "./center_push_queue.ts";

/** What the pusher needs. */
export interface CenterBindingDeps {
  db: Db;
  /** The center's base URL. */
  centerUrl: string;
  /**
   * The municipality's bearer token at the center (scope municipal), where
   * one is kept besides its certificate; null for none.
   */
  tokenFor?: (municipalityCode: string) => string | null;
  /**
   * The municipality's transport to the center: mutual TLS with its own
   * certificate (`city-<code>`), which identifies it; null when the
   * municipality has no credential at the center (nothing is sent: its
   * calls stay pending).
   */
  fetchFor?: (municipalityCode: string) => typeof fetch | null;
  /** The municipalities' binding keys (shared with the center). */
  keys: BindingKeys;
  logger: Logger;
  fetch?: typeof fetch;
  /**
   * Quick attempts after an event (default 5), backoff doubling from
   * `retryMs` (default 500); then the background job's.
   */
  attempts?: number;
  retryMs?: number;
  /** Each call's time limit, ms (default 10 000): then it is retried. */
  timeoutMs?: number;
  /** The background job's interval, ms (default {@linkcode CENTER_PUSH_INTERVAL_MS}). */
  intervalMs?: number;
  /** The background job's timers (tests: fakeTimers). */
  timers?: Timers;
  /** Where the pending figures go (`/metrics`). */
  metrics?: MetricsRegistry;
}

/** The background job's default interval, ms. */
export const CENTER_PUSH_INTERVAL_MS = 10_000;

/** One binding update to send. */
export interface BindingPush {
  serial: string;
  previousDigest: string;
  digest: string;
  reason: string;
}

/** One move-out to report (a card link a 転出確定 ended). */
export interface MoveOutReport {
  serial: string;
  reason: string;
}

/** The holder died: the card is revoked at the center. */
export interface CardRevocation {
  serial: string;
  reason: string;
}

/** How each kind of call is sent. */
const CALLS: Record<PushKind, {
  method: "PUT" | "POST";
  /** The path under `/cards/{serial}`. */
  action: string;
  /** What the log lines say. */
  what: string;
  /** Refusal codes that mean the call's effect is already there. */
  doneCodes?: string[];
}> = {
  binding: { method: "PUT", action: "binding", what: "card binding" },
  move_out: { method: "POST", action: "moved-out", what: "card move-out" },
  // A revocation repeated after a lost answer: already done.
  revoke: {
    method: "POST",
    action: "revoke",
    what: "card revocation",
    doneCodes: ["CARD_REVOKED"],
  },
};

/** HTTP statuses after which a call is tried again (else a 4xx stands). */
const TRANSIENT = (status: number) =>
  status >= 500 || status === 408 || status === 429;

/** Transient failures in a row that end a round (the center is struggling). */
const ROUND_FAILURES = 8;

/** Sends binding updates, move-outs and revocations after events. */
export interface CenterBindingPusher {
  /**
   * Queues the calls of the events committed up to this one (binding
   * updates, then the move-outs of its ended card links, then
   * revocations) and sends what is pending; resolves once each was
   * answered or left for the retries; returns this event's binding
   * updates. Never throws.
   */
  afterEvent(municipalityCode: string, seq: number): Promise<BindingPush[]>;
  /** Waits for the sends and quick retries under way (tests, shutdown). */
  idle(): Promise<void>;
}

/** The pusher with its background job. */
export interface DurableCenterPusher extends CenterBindingPusher {
  /** One pass over every municipality now: queue, send, refresh the figures. */
  pass(): Promise<void>;
  /** Runs a pass now and then every interval. */
  start(): void;
  /** Stops the job and the quick retries, and waits for a pass under way. */
  stop(): Promise<void>;
  /** Resolves after the job's next scheduled pass (tests). */
  nextPass(): Promise<void>;
}

type Person = Partial<HolderIdentity> & { id?: string };

function identityOf(r: Person | null | undefined): HolderIdentity | null {
  if (!r?.name || !r.birthDate || !r.sex) return null;
  return { name: r.name, birthDate: r.birthDate, sex: r.sex };
}

const sameIdentity = (a: HolderIdentity, b: HolderIdentity) =>
  a.name.normalize("NFC") === b.name.normalize("NFC") &&
  a.birthDate === b.birthDate && a.sex === b.sex;

/**
 * The binding updates of one committed event: for each resident whose basic
 * identity changed and who holds an active card link. Exported for tests.
 *
 * @example
 * ```ts ignore
 * const pushes = await bindingUpdatesOf(db, keys, "401005", ev);
 * ```
 */
export async function bindingUpdatesOf(
  db: Db,
  keys: BindingKeys,
  municipalityCode: string,
  ev: CommittedEvent,
): Promise<BindingPush[]> {
  const key = keys(municipalityCode);
  if (!key) return [];
  const seq = ev.seq;
  const after = (ev.payload as { residents?: Person[] })?.residents ?? [];
  const before =
    (ev.undo as { residents?: Record<string, Person | null> })?.residents ??
      {};
  const out: BindingPush[] = [];
  for (const r of after) {
    const now = identityOf(r);
    const was = identityOf(r.id ? before[r.id] : null);
    if (!now || !was || sameIdentity(now, was)) continue;
    for (const serial of await activeSerials(db, municipalityCode, r.id!)) {
      out.push({
        serial,
        previousDigest: bindingDigest(key, was),
        digest: bindingDigest(key, now),
        reason: `${ev.type} seq ${seq}`,
      });
    }
  }
  return out;
}

/** The serials of a resident's active card links. */
async function activeSerials(
  db: Db,
  municipalityCode: string,
  residentId: string,
): Promise<string[]> {
  const links = await db.select({ serial: cardLinks.serial }).from(cardLinks)
    .where(and(
      eq(cardLinks.residentId, residentId),
      eq(cardLinks.municipalityCode, municipalityCode),
      isNull(cardLinks.unlinkedAt),
    ));
  return links.map((l) => l.serial);
}

/**
 * The move-outs of one committed event: the card links a 転出確定 ended.
 * Exported for tests.
 *
 * @example
 * ```ts ignore
 * const reports = moveOutsOf(ev);
 * ```
 */
export function moveOutsOf(ev: CommittedEvent): MoveOutReport[] {
  if (ev.type !== "tenshutsu_kakutei") return [];
  const seq = ev.seq;
  const links = (ev.payload as {
    cardLinks?: { serial: string; unlinkedAt: string | null }[];
  })?.cardLinks ?? [];
  return links.filter((l) => l.unlinkedAt).map((l) => ({
    serial: l.serial,
    reason: `${ev.type} seq ${seq}`,
  }));
}

/**
 * The revocations of one committed event: each active card link of a
 * resident a 死亡 removed. Exported for tests.
 *
 * @example
 * ```ts ignore
 * const revocations = await revocationsOf(db, "401005", ev);
 * ```
 */
export async function revocationsOf(
  db: Db,
  municipalityCode: string,
  ev: CommittedEvent,
): Promise<CardRevocation[]> {
  if (ev.type !== "shibou") return [];
  const seq = ev.seq;
  const out: CardRevocation[] = [];
  const after = (ev.payload as { residents?: Person[] })?.residents ?? [];
  for (const r of after) {
    const dead = r as Person & { status?: string; removalReason?: string };
    if (dead.status !== "removed" || dead.removalReason !== "死亡") continue;
    for (const serial of await activeSerials(db, municipalityCode, r.id!)) {
      out.push({ serial, reason: `${ev.type} seq ${seq}` });
    }
  }
  return out;
}

/** Every call one committed event makes, in order: bindings, move-outs, revocations. */
async function callsOf(
  db: Db,
  keys: BindingKeys,
  code: string,
  ev: CommittedEvent,
): Promise<DerivedPush[]> {
  const byKind: [PushKind, { serial: string }[]][] = [
    ["binding", await bindingUpdatesOf(db, keys, code, ev)],
    ["move_out", moveOutsOf(ev)],
    ["revoke", await revocationsOf(db, code, ev)],
  ];
  return byKind.flatMap(([kind, calls]) =>
    calls.map(({ serial, ...body }) => ({ seq: ev.seq, kind, serial, body }))
  );
}

/**
 * Queues the calls of the municipality's events committed since its cursor
 * (batch by batch, each batch with its cursor move).
 */
async function deriveAll(db: Db, keys: BindingKeys, code: string) {
  let { from, head } = await deriveRange(db, code);
  while (from < head) {
    const upTo = Math.min(head, from + DERIVE_BATCH);
    const pushes: DerivedPush[] = [];
    for (const ev of await eventsToDerive(db, code, from, upTo)) {
      pushes.push(...await callsOf(db, keys, code, ev));
    }
    await queueDerived(db, code, upTo, pushes);
    from = upTo;
  }
}

/**
 * Builds the pusher (its background job not started).
 *
 * @example
 * ```ts ignore
 * const pusher = createCenterBindingPusher({ db, centerUrl, tokenFor, keys, logger, metrics });
 * pusher.start(); // what a restart left pending is sent
 * await pusher.afterEvent("401005", committed.seq);
 * ```
 */
export function createCenterBindingPusher(
  deps: CenterBindingDeps,
): DurableCenterPusher {
  const attempts = deps.attempts ?? 5;
  const retryMs = deps.retryMs ?? 500;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const log = deps.logger;
  const underWay = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    underWay.add(p);
    p.finally(() => underWay.delete(p));
  };
  let stopped = false;

  /** One call; its outcome (pending: try again later). */
  const send = async (
    code: string,
    p: QueuedPush,
    f: typeof fetch,
    token: string | null,
  ): Promise<PushOutcome & { unreachable?: boolean }> => {
    const call = CALLS[p.kind];
    const ids = { municipalityCode: code, serial: p.serial, seq: p.seq };
    const limit = new AbortController();
    const timer = setTimeout(
      () => limit.abort(new DOMException("time limit", "TimeoutError")),
      timeoutMs,
    );
    try {
      const res = await f(
        `${deps.centerUrl}/cards/${
          encodeURIComponent(p.serial)
        }/${call.action}`,
        {
          method: call.method,
          headers: {
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
            "Content-Type": "application/json",
          },
          body: JSON.stringify(p.body),
          signal: limit.signal,
        },
      );
      const body = await res.json().catch(() => ({}));
      const refusal = typeof body.code === "string" ? body.code : undefined;
      if (
        res.status === 200 || (refusal && call.doneCodes?.includes(refusal))
      ) {
        log.info(`${call.what} recorded at the center`, {
          ...ids,
          changed: body.changed,
        });
        return {
          status: "done",
          httpStatus: res.status,
          code: res.status === 200 ? undefined : refusal,
        };
      }
      const again = TRANSIENT(res.status);
      log[again ? "warn" : "error"](`${call.what} refused by the center`, {
        ...ids,
        status: res.status,
        code: refusal,
        retried: again,
      });
      return {
        status: again ? "pending" : "refused",
        httpStatus: res.status,
        code: refusal,
      };
    } catch (err) {
      const error = (err as Error).name;
      log.warn(`${call.what}: center unreachable`, { ...ids, error });
      return { status: "pending", code: error, unreachable: true };
    } finally {
      clearTimeout(timer);
    }
  };

  /**
   * One round for a municipality: queue, then send the pending calls in
   * order; true when a quick retry may help (some are still pending after
   * a transient failure).
   */
  const round = async (code: string): Promise<boolean> => {
    try {
      await deriveAll(deps.db, deps.keys, code);
      const pending = await pendingPushes(deps.db, code);
      if (!pending.length) return false;
      const token = deps.tokenFor?.(code) ?? null;
      const f = deps.fetchFor ? deps.fetchFor(code) : (deps.fetch ?? fetch);
      if (!f || (!token && !deps.fetchFor)) {
        // Pending until one is configured; no quick retry can help.
        log.error("center calls not sent: no center credential", {
          municipalityCode: code,
          pending: pending.length,
        });
        return false;
      }
      // A card's calls go in order: one pending holds back its later ones.
      const held = new Set<string>();
      let failures = 0;
      for (const p of pending) {
        if (held.has(p.serial)) continue;
        const outcome = await send(code, p, f, token);
        await recordOutcome(deps.db, p, outcome);
        if (outcome.status !== "pending") {
          failures = 0;
          continue;
        }
        held.add(p.serial);
        // Unreachable, or failing call after call: the center is, for
        // every card; the next round.
        if (outcome.unreachable || ++failures >= ROUND_FAILURES) return true;
      }
      return held.size > 0;
    } catch (err) {
      log.error("center calls: round failed", {
        municipalityCode: code,
        error: safeError(err),
      });
      return true;
    }
  };

  // One round at a time per municipality; a request during a round joins
  // the next one (which sees its event).
  const tails = new Map<string, Promise<unknown>>();
  const queued = new Map<string, Promise<boolean>>();
  const drain = (code: string): Promise<boolean> => {
    const waiting = queued.get(code);
    if (waiting) return waiting;
    const run = (tails.get(code) ?? Promise.resolve()).then(() => {
      queued.delete(code);
      return round(code);
    });
    queued.set(code, run);
    const tail = run.catch(() => true);
    tails.set(code, tail);
    track(tail.finally(() => {
      if (tails.get(code) === tail) tails.delete(code);
    }));
    return run;
  };

  // Quick retries after an event's failed call, with backoff, in memory:
  // the background job takes over after them (the queue is durable).
  const retries = new Map<
    string,
    { handle: ReturnType<typeof setTimeout>; done: () => void }
  >();
  const retryLater = (code: string, attempt: number) => {
    if (stopped || retries.has(code)) return;
    if (attempt >= attempts) {
      log.warn("center calls pending: left to the background job", {
        municipalityCode: code,
        attempts,
      });
      return;
    }
    let done = () => {};
    track(
      new Promise<void>((r) => {
        done = r;
      }),
    );
    const handle = setTimeout(async () => {
      retries.delete(code);
      try {
        if (await drain(code)) retryLater(code, attempt + 1);
      } finally {
        done();
      }
    }, retryMs * 2 ** (attempt - 1));
    retries.set(code, { handle, done });
  };

  const figures = deps.metrics && {
    pending: deps.metrics.gauge(
      "registry_center_push_pending",
      "Calls to the center (card binding, move-out, revocation) not yet answered definitively, per municipality",
    ),
    oldest: deps.metrics.gauge(
      "registry_center_push_oldest_pending_seconds",
      "Age of the oldest pending call to the center, seconds, per municipality (0: none)",
    ),
  };

  const pass = async () => {
    const codes = await pushMunicipalities(deps.db);
    for (const code of codes) await drain(code);
    if (!figures) return;
    const now = await pendingFigures(deps.db);
    for (const code of new Set([...codes, ...now.keys()])) {
      const f = now.get(code);
      figures.pending.set(f?.count ?? 0, { municipality: code });
      figures.oldest.set(f?.oldestSeconds ?? 0, { municipality: code });
    }
  };
  const job = periodicJob(pass, {
    intervalMs: deps.intervalMs ?? CENTER_PUSH_INTERVAL_MS,
    timers: deps.timers,
    onError: (err) =>
      log.error("center calls: pass failed", { error: safeError(err) }),
  });

  const idle = async () => {
    while (underWay.size) await Promise.all([...underWay]);
  };

  return {
    async afterEvent(code, seq) {
      if (await drain(code)) retryLater(code, 1);
      try {
        return (await pushesOfEvent(deps.db, code, seq))
          .filter((p) => p.kind === "binding")
          .map((p) => ({ serial: p.serial, ...p.body }) as BindingPush);
      } catch (err) {
        log.error("card binding: cannot read the event's calls", {
          municipalityCode: code,
          seq,
          error: safeError(err),
        });
        return [];
      }
    },
    idle,
    pass: () => job.runOnce(),
    nextPass: () => job.nextPass(),
    start() {
      stopped = false;
      job.start();
    },
    async stop() {
      stopped = true;
      await job.stop();
      for (const r of retries.values()) {
        clearTimeout(r.handle);
        r.done();
      }
      retries.clear();
      await idle();
    },
  };
}
