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
 * The push runs in the event's request flow, after the commit (the event
 * stands whatever the center answers); a failed call is retried a few times
 * with backoff in the background and logged by ids and codes only.
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
import type { Logger } from "../../lib/service/logger.ts";
import { cardLinks, outbox } from "../../db/registry/schema.ts";

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
   * municipality has no credential at the center (nothing is sent).
   */
  fetchFor?: (municipalityCode: string) => typeof fetch | null;
  /** The municipalities' binding keys (shared with the center). */
  keys: BindingKeys;
  logger: Logger;
  fetch?: typeof fetch;
  /** Attempts per update (default 5), backoff doubling from `retryMs` (default 500). */
  attempts?: number;
  retryMs?: number;
}

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

/** One call to the center. */
interface CenterCall {
  serial: string;
  method: "PUT" | "POST";
  path: string;
  body: Record<string, unknown>;
  /** What the log lines say. */
  what: "card binding" | "card move-out" | "card revocation";
  /** Refusal codes that mean the call's effect is already there. */
  doneCodes?: string[];
}

const bindingCall = (p: BindingPush): CenterCall => ({
  serial: p.serial,
  method: "PUT",
  path: `/cards/${encodeURIComponent(p.serial)}/binding`,
  body: {
    previousDigest: p.previousDigest,
    digest: p.digest,
    reason: p.reason,
  },
  what: "card binding",
});

const moveOutCall = (m: MoveOutReport): CenterCall => ({
  serial: m.serial,
  method: "POST",
  path: `/cards/${encodeURIComponent(m.serial)}/moved-out`,
  body: { reason: m.reason },
  what: "card move-out",
});

/** The holder died: the card is revoked at the center. */
export interface CardRevocation {
  serial: string;
  reason: string;
}

const revokeCall = (r: CardRevocation): CenterCall => ({
  serial: r.serial,
  method: "POST",
  path: `/cards/${encodeURIComponent(r.serial)}/revoke`,
  body: { reason: r.reason },
  what: "card revocation",
  // A revocation repeated after a lost answer: already done.
  doneCodes: ["CARD_REVOKED"],
});

/** Sends binding updates, move-outs and revocations after events. */
export interface CenterBindingPusher {
  /**
   * Sends the updates an event calls for (binding updates, then the
   * move-outs of its ended card links); resolves once each was answered or
   * handed to the background retries; returns the binding updates. Never
   * throws.
   */
  afterEvent(municipalityCode: string, seq: number): Promise<BindingPush[]>;
  /** Waits for background retries (tests, shutdown). */
  idle(): Promise<void>;
}

type Person = Partial<HolderIdentity> & { id?: string };

function identityOf(r: Person | null | undefined): HolderIdentity | null {
  if (!r?.name || !r.birthDate || !r.sex) return null;
  return { name: r.name, birthDate: r.birthDate, sex: r.sex };
}

const sameIdentity = (a: HolderIdentity, b: HolderIdentity) =>
  a.name.normalize("NFC") === b.name.normalize("NFC") &&
  a.birthDate === b.birthDate && a.sex === b.sex;

/** A committed event as the outbox keeps it (what the center calls follow from). */
export interface CommittedEvent {
  seq: number;
  type: string;
  payload: unknown;
  undo: unknown;
}

/** Reads one committed event of a municipality (null when absent). */
async function committedEvent(
  db: Db,
  municipalityCode: string,
  seq: number,
): Promise<CommittedEvent | null> {
  const [ev] = await db.select({
    type: outbox.type,
    payload: outbox.payload,
    undo: outbox.undo,
  }).from(outbox).where(
    and(eq(outbox.municipalityCode, municipalityCode), eq(outbox.seq, seq)),
  );
  return ev ? { seq, ...ev } : null;
}

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

/**
 * Builds the pusher.
 *
 * @example
 * ```ts ignore
 * const pusher = createCenterBindingPusher({ db, centerUrl, tokenFor, keys, logger });
 * await pusher.afterEvent("401005", committed.seq);
 * ```
 */
export function createCenterBindingPusher(
  deps: CenterBindingDeps,
): CenterBindingPusher {
  const attempts = deps.attempts ?? 5;
  const retryMs = deps.retryMs ?? 500;
  const pending = new Set<Promise<void>>();

  /** One call; true when done (applied, already applied, or refused for good). */
  const send = async (code: string, p: CenterCall): Promise<boolean> => {
    const token = deps.tokenFor?.(code) ?? null;
    const f = deps.fetchFor ? deps.fetchFor(code) : (deps.fetch ?? fetch);
    if (!f || (!token && !deps.fetchFor)) {
      deps.logger.error(`${p.what} not sent: no center credential`, {
        municipalityCode: code,
        serial: p.serial,
      });
      return true;
    }
    try {
      const res = await f(`${deps.centerUrl}${p.path}`, {
        method: p.method,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          "Content-Type": "application/json",
        },
        body: JSON.stringify(p.body),
      });
      const body = await res.json().catch(() => ({}));
      if (res.status === 200 || p.doneCodes?.includes(body.code)) {
        deps.logger.info(`${p.what} recorded at the center`, {
          municipalityCode: code,
          serial: p.serial,
          changed: body.changed,
        });
        return true;
      }
      const level = res.status >= 500 || res.status === 429 ? "warn" : "error";
      deps.logger[level](`${p.what} refused by the center`, {
        municipalityCode: code,
        serial: p.serial,
        status: res.status,
        code: body.code,
      });
      return level === "error";
    } catch (err) {
      deps.logger.warn(`${p.what}: center unreachable`, {
        municipalityCode: code,
        serial: p.serial,
        error: (err as Error).name,
      });
      return false;
    }
  };

  const retry = (code: string, p: CenterCall) => {
    const run = (async () => {
      for (let i = 1; i < attempts; i++) {
        await new Promise((r) => setTimeout(r, retryMs * 2 ** (i - 1)));
        if (await send(code, p)) return;
      }
      deps.logger.error(`${p.what} given up`, {
        municipalityCode: code,
        serial: p.serial,
        attempts,
      });
    })();
    pending.add(run);
    run.finally(() => pending.delete(run));
  };

  return {
    async afterEvent(code, seq) {
      let pushes: BindingPush[] = [];
      let moveOuts: MoveOutReport[] = [];
      let revocations: CardRevocation[] = [];
      try {
        // One read of the committed event for the three kinds of call.
        const ev = await committedEvent(deps.db, code, seq);
        if (ev) {
          pushes = await bindingUpdatesOf(deps.db, deps.keys, code, ev);
          moveOuts = moveOutsOf(ev);
          revocations = await revocationsOf(deps.db, code, ev);
        }
      } catch (err) {
        deps.logger.error("card binding: cannot read the event", {
          municipalityCode: code,
          seq,
          error: (err as Error).name,
        });
        return [];
      }
      for (
        const call of [
          ...pushes.map(bindingCall),
          ...moveOuts.map(moveOutCall),
          ...revocations.map(revokeCall),
        ]
      ) {
        if (!(await send(code, call))) retry(code, call);
      }
      return pushes;
    },
    async idle() {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}
