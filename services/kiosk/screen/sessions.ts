/**
 * The kiosk screen's sessions: what one applicant chose so far, kept in
 * memory between the screen's steps under an opaque random id, and dropped
 * after a while without activity (a real kiosk returns to its first screen
 * too). The PIN is never kept here: it lives only in the request that
 * authenticates the card; after it the session holds the center's session
 * id, and the household's names (for the members step) until it prints or
 * ends.
 *
 * @module
 */
import type {
  CertificateType,
  JuminhyoOptions,
} from "../../../lib/certificate/model.ts";
import type { HouseholdFormat } from "../../../lib/contracts/form_profile.ts";
import type { KioskRefusal, KioskSessionRef, ReceiptCopy } from "../kiosk.ts";

/** Default lifetime of a session without activity: 5 minutes. */
export const DEFAULT_SESSION_TTL_MS = 5 * 60_000;

/** What the print came to, as the result screens show it. */
export type ScreenResult =
  | {
    ok: true;
    issueNumber: string;
    pages: number;
    delivered: number[];
    voided: number[];
    fee: number;
    refund: number;
    /** Each copy (部数): its 発行番号, delivered or voided, its pages, fee, refund. */
    copies: ReceiptCopy[];
    /** The person on each sheet (in print order over all copies), by name. */
    names: string[];
    /** The printed PDF (none when every sheet jammed). */
    pdfPath?: string;
    /** What the kiosk showed on its screen (a jam's or a print failure's notice). */
    screens: string[];
    /** The voided sheets were not printed by the kiosk's fault (not a jam). */
    printFailed?: boolean;
    /** Leave-behind alarms not yet acknowledged, in order. */
    alarms: { what: "card" | "paper"; message_ja: string }[];
  }
  | { ok: false; refusal: KioskRefusal };

/** One applicant's session. */
export interface ScreenSession {
  readonly id: string;
  /** The card's file name in the cards folder. */
  card: string;
  /** The center's authenticated session (set by the PIN step, used up by the print). */
  center?: KioskSessionRef;
  /** The household's names as the center listed them, the applicant first. */
  household?: { residentId: string; name: string; relationship: string }[];
  /**
   * How the municipality prints a 住民票 of several members, as the center
   * stated it with the household (absent: unknown), for the fee quote.
   */
  householdFormat?: HouseholdFormat;
  type?: CertificateType;
  /** The applicant, the whole household, or the ticked members (resident ids). */
  members: "self" | "all" | string[];
  options: JuminhyoOptions;
  /** 部数 (1–10). */
  copies: number;
  /** The municipality's fee per copy today by type (the center's answer to the PIN step). */
  fees?: Partial<Record<CertificateType, number>>;
  /** Simulated mishaps (the kiosk's `jamPage`, `leaveCard`, `leavePaper`). */
  simulate: { jam: boolean; leaveCard: boolean; leavePaper: boolean };
  /** Set while the kiosk runs, so a second submit does not print twice. */
  busy: boolean;
  result?: ScreenResult;
  expiresAt: number;
}

/** The sessions of one screen app. */
export interface SessionStore {
  /** Starts a session for a card. */
  create(card: string): ScreenSession;
  /** The live session with this id (its lifetime renewed), or undefined. */
  get(id: string): ScreenSession | undefined;
  /** Ends a session now. */
  end(id: string): void;
  /** Live sessions. */
  readonly size: number;
}

/** Options of {@linkcode createSessionStore}. */
export interface SessionStoreOptions {
  /** Lifetime without activity, ms (default {@linkcode DEFAULT_SESSION_TTL_MS}). */
  ttlMs?: number;
  /** Clock, ms since the epoch (default `Date.now`). */
  now?: () => number;
  /** Called for every session that ends (expired or ended): remove its files. */
  onEnd?: (s: ScreenSession) => void;
}

/**
 * Creates an in-memory session store. Expired sessions are swept on every
 * call; ids are 128 random bits.
 *
 * @example
 * ```ts
 * const store = createSessionStore({ ttlMs: 60_000 });
 * const s = store.create("401005-000001.card.json");
 * store.get(s.id)?.card; // "401005-000001.card.json"
 * ```
 */
export function createSessionStore(
  opts: SessionStoreOptions = {},
): SessionStore {
  const ttlMs = opts.ttlMs ?? DEFAULT_SESSION_TTL_MS;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`Session lifetime must be positive, got ${ttlMs}`);
  }
  const now = opts.now ?? Date.now;
  const sessions = new Map<string, ScreenSession>();
  const end = (s: ScreenSession) => {
    sessions.delete(s.id);
    opts.onEnd?.(s);
  };
  const sweep = () => {
    const t = now();
    for (const s of sessions.values()) {
      if (s.expiresAt <= t && !s.busy) end(s);
    }
  };
  return {
    create(card) {
      sweep();
      const s: ScreenSession = {
        id: crypto.getRandomValues(new Uint8Array(16)).toBase64({
          alphabet: "base64url",
          omitPadding: true,
        }),
        card,
        members: "self",
        options: { honseki: false, zokugara: false, myNumber: false },
        copies: 1,
        simulate: { jam: false, leaveCard: false, leavePaper: false },
        busy: false,
        expiresAt: now() + ttlMs,
      };
      sessions.set(s.id, s);
      return s;
    },
    get(id) {
      sweep();
      const s = sessions.get(id);
      if (s) s.expiresAt = now() + ttlMs;
      return s;
    },
    end(id) {
      const s = sessions.get(id);
      if (s) end(s);
    },
    get size() {
      sweep();
      return sessions.size;
    },
  };
}
