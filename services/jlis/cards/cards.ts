/**
 * Card status at the center: valid, suspended, revoked. Each change is one
 * transaction (row lock, new status, history row). The status is read from
 * the database on every authentication, so a stop made through any center
 * instance is seen by all the others at once (no cache to expire).
 *
 * Transitions: the emergency line only stops (valid → suspended; repeating a
 * stop is harmless); resuming (suspended → valid) needs the municipality and
 * a record of the holder's identity verification at its window; revoking is
 * final.
 *
 * @module
 */
import { eq } from "drizzle-orm";
import type { Db, Tx } from "../../../lib/db/database.ts";
import {
  cardBindings,
  type CardRecord,
  cards,
  cardStatusChanges,
} from "../../../db/jlis/schema.ts";
import { JlisError } from "../errors.ts";
import type { IssuedCertificate } from "./card_authority.ts";
import { insertBinding } from "./binding.ts";

/** A card's status. */
export type CardStatus = "valid" | "suspended" | "revoked";

/** Identity documents accepted at the window for resuming a card (one photo ID). */
export const IDENTITY_DOCUMENTS = [
  "運転免許証",
  "運転経歴証明書",
  "旅券",
  "在留カード",
  "特別永住者証明書",
  "身体障害者手帳",
  "写真付き住民基本台帳カード",
] as const;

/** One of {@linkcode IDENTITY_DOCUMENTS}. */
export type IdentityDocument = typeof IDENTITY_DOCUMENTS[number];

/** The record of an identity verification done at the municipal window. */
export interface IdentityVerification {
  /** Staff id of the officer who inspected the document. */
  verifiedBy: string;
  /** The document shown. */
  method: IdentityDocument;
  /** When it was inspected (ISO 8601). */
  verifiedAt: string;
  /** Staff id of the officer responsible for the window procedure. */
  windowOfficer: string;
}

/** How old a verification may be when the resume reaches the center. */
export const VERIFICATION_MAX_AGE_MS = 24 * 3600_000;

/** Who asks for a change. */
export interface Actor {
  /** Client id. */
  client: string;
  requestId: string;
  /** Municipal clients: the municipalities they act for (absent: any, e.g. the emergency line). */
  municipalities?: string[];
}

/** What the window says about a new card besides its certificate. */
export interface NewCard {
  municipalityCode: string;
  /** The municipality's keyed digest of the holder (lib/card/identity_binding.ts). */
  holderBinding: string;
  /** A face-authentication-only card (顔認証マイナンバーカード): no PIN, never usable at a kiosk. */
  pinless?: boolean;
  /**
   * A re-issue (再交付): the holder's previous cards, revoked in the same
   * transaction (reason `reissued`). Each must be the same municipality's
   * and bound to the same holder digest.
   */
  replaces?: string[];
}

/** Result of {@linkcode registerCard}. */
export interface RegisteredCard {
  card: CardRecord;
  /** Serials revoked by this re-issue (already revoked ones are left out). */
  revoked: string[];
}

/**
 * Records a newly issued certificate as a valid card, bound to its holder
 * by `holderBinding` (the municipality's keyed digest of the holder's basic
 * identity, lib/card/identity_binding.ts), and revokes the cards it
 * replaces, in one transaction. A card with a PIN gets a fresh unblock
 * seed (services/jlis/cards/pin_reset.ts). Throws CARD_NOT_FOUND,
 * WRONG_MUNICIPALITY, REISSUE_HOLDER_MISMATCH for a replaced serial.
 *
 * @example
 * ```ts ignore
 * await registerCard(db, issued, { municipalityCode: "401005", holderBinding }, actor, clock.now());
 * ```
 */
export async function registerCard(
  db: Db,
  issued: IssuedCertificate,
  n: NewCard,
  actor: Actor,
  at: Date,
): Promise<RegisteredCard> {
  const { municipalityCode, holderBinding } = n;
  return await db.transaction(async (tx) => {
    const revoked = await revokeReplaced(tx, n, actor, at);
    const [row] = await tx.insert(cards).values({
      serial: issued.serial,
      municipalityCode,
      certificateSha256: issued.sha256,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      status: "valid",
      statusChangedAt: at,
      issuedAt: at,
      issuedBy: actor.client,
      pinless: n.pinless ?? false,
      unblockSeed: n.pinless ? null : newUnblockSeed(),
    }).returning();
    await tx.insert(cardStatusChanges).values({
      serial: issued.serial,
      fromStatus: null,
      toStatus: "valid",
      at,
      actor: actor.client,
      requestId: actor.requestId,
      reason: n.replaces?.length ? "reissue" : "issued",
    });
    await insertBinding(
      tx,
      {
        serial: issued.serial,
        municipalityCode,
        digest: holderBinding,
      },
      actor,
      at,
    );
    return { card: row, revoked };
  });
}

/** A fresh seed of a card's PIN-unblock keys (see pin_reset.ts). */
function newUnblockSeed(): string {
  return crypto.getRandomValues(new Uint8Array(32)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
}

/** Revokes the cards a re-issue replaces (in the new card's transaction). */
async function revokeReplaced(
  tx: Tx,
  n: NewCard,
  actor: Actor,
  at: Date,
): Promise<string[]> {
  const revoked: string[] = [];
  for (const s of new Set((n.replaces ?? []).map((x) => x.toLowerCase()))) {
    const [old] = await tx.select().from(cards).where(eq(cards.serial, s))
      .for("update");
    // A link the registry holds to a serial this center never issued (a
    // link recorded before the center's records, a mistyped serial) has
    // no certificate to revoke here: nothing to do for it.
    if (!old) continue;
    if (old.municipalityCode !== n.municipalityCode) {
      throw new JlisError("WRONG_MUNICIPALITY", { serial: s });
    }
    const [binding] = await tx.select({ digest: cardBindings.digest }).from(
      cardBindings,
    ).where(eq(cardBindings.serial, s));
    if (binding?.digest !== n.holderBinding) {
      throw new JlisError("REISSUE_HOLDER_MISMATCH", { serial: s });
    }
    if (old.status === "revoked") continue;
    await tx.update(cards).set({ status: "revoked", statusChangedAt: at })
      .where(eq(cards.serial, s));
    await tx.insert(cardStatusChanges).values({
      serial: s,
      fromStatus: old.status,
      toStatus: "revoked",
      at,
      actor: actor.client,
      requestId: actor.requestId,
      reason: "reissued",
    });
    revoked.push(s);
  }
  return revoked;
}

/**
 * A card by serial, or null.
 *
 * @example
 * ```ts ignore
 * const card = await findCard(db, serial);
 * ```
 */
export async function findCard(
  db: Db,
  serial: string,
): Promise<CardRecord | null> {
  const rows = await db.select().from(cards).where(
    eq(cards.serial, serial.toLowerCase()),
  );
  return rows[0] ?? null;
}

/** What a status change asks for. */
export type StatusChange =
  | { action: "suspend"; reason: string }
  | {
    action: "resume";
    reason?: string;
    verification?: Partial<IdentityVerification>;
  }
  | { action: "revoke"; reason: string };

/** Result of {@linkcode changeCardStatus}. */
export interface StatusChangeResult {
  card: CardRecord;
  /** False when the card already had the requested status (a repeated stop). */
  changed: boolean;
}

/**
 * Checks a window's identity verification (resume, PIN reset); throws
 * `code` (IDENTITY_NOT_VERIFIED by default) naming what is missing or wrong.
 */
export function checkVerification(
  v: Partial<IdentityVerification> | undefined,
  at: Date,
  code: "IDENTITY_NOT_VERIFIED" | "PIN_RESET_NOT_VERIFIED" =
    "IDENTITY_NOT_VERIFIED",
): IdentityVerification {
  const problems: string[] = [];
  if (!v) {
    throw new JlisError(code, {
      problems: ["verification missing"],
    });
  }
  if (typeof v.verifiedBy !== "string" || !v.verifiedBy.trim()) {
    problems.push("verifiedBy missing");
  }
  if (typeof v.windowOfficer !== "string" || !v.windowOfficer.trim()) {
    problems.push("windowOfficer missing");
  }
  if (!IDENTITY_DOCUMENTS.includes(v.method as IdentityDocument)) {
    problems.push(`method must be one of ${IDENTITY_DOCUMENTS.join(", ")}`);
  }
  const t = typeof v.verifiedAt === "string" ? Date.parse(v.verifiedAt) : NaN;
  if (Number.isNaN(t)) problems.push("verifiedAt missing or not a date");
  else if (t > at.getTime() + 60_000) {
    problems.push("verifiedAt is in the future");
  } else if (t < at.getTime() - VERIFICATION_MAX_AGE_MS) {
    problems.push("verifiedAt is older than 24 hours");
  }
  if (problems.length) {
    throw new JlisError(code, { problems });
  }
  return {
    verifiedBy: v.verifiedBy!,
    method: v.method!,
    verifiedAt: new Date(t).toISOString(),
    windowOfficer: v.windowOfficer!,
  };
}

/**
 * Suspends, resumes or revokes a card in one transaction, with its history
 * row. Throws CARD_NOT_FOUND, WRONG_MUNICIPALITY, CARD_REVOKED (revoked is
 * final), STATUS_UNCHANGED, IDENTITY_NOT_VERIFIED.
 *
 * @example
 * ```ts ignore
 * await changeCardStatus(db, serial, { action: "suspend", reason: "紛失" }, actor, clock.now());
 * ```
 */
export async function changeCardStatus(
  db: Db,
  serial: string,
  change: StatusChange,
  actor: Actor,
  at: Date,
): Promise<StatusChangeResult> {
  const verification = change.action === "resume"
    ? checkVerification(change.verification, at)
    : null;
  return await db.transaction(async (tx) => {
    const [card] = await tx.select().from(cards).where(
      eq(cards.serial, serial.toLowerCase()),
    )
      .for("update");
    if (!card) throw new JlisError("CARD_NOT_FOUND", { serial });
    if (
      actor.municipalities &&
      !actor.municipalities.includes(card.municipalityCode)
    ) {
      throw new JlisError("WRONG_MUNICIPALITY", { serial });
    }
    const from = card.status as CardStatus;
    if (from === "revoked") throw new JlisError("CARD_REVOKED", { serial });
    const to: CardStatus = change.action === "suspend"
      ? "suspended"
      : change.action === "resume"
      ? "valid"
      : "revoked";
    if (from === to) {
      if (change.action === "suspend") return { card, changed: false };
      throw new JlisError("STATUS_UNCHANGED", { serial, status: from });
    }
    const [updated] = await tx.update(cards).set({
      status: to,
      statusChangedAt: at,
    })
      .where(eq(cards.serial, card.serial)).returning();
    await tx.insert(cardStatusChanges).values({
      serial: card.serial,
      fromStatus: from,
      toStatus: to,
      at,
      actor: actor.client,
      requestId: actor.requestId,
      reason: change.reason ?? null,
      verification,
    });
    return { card: updated, changed: true };
  });
}
