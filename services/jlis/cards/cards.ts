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
import type { Db } from "../../../lib/db/database.ts";
import {
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

/**
 * Records a newly issued certificate as a valid card, bound to its holder
 * by `holderBinding` (the municipality's keyed digest of the holder's basic
 * identity, lib/card/identity_binding.ts), in one transaction.
 *
 * @example
 * ```ts ignore
 * await registerCard(db, issued, "401005", digest, actor, clock.now());
 * ```
 */
export async function registerCard(
  db: Db,
  issued: IssuedCertificate,
  municipalityCode: string,
  holderBinding: string,
  actor: Actor,
  at: Date,
): Promise<CardRecord> {
  return await db.transaction(async (tx) => {
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
    }).returning();
    await tx.insert(cardStatusChanges).values({
      serial: issued.serial,
      fromStatus: null,
      toStatus: "valid",
      at,
      actor: actor.client,
      requestId: actor.requestId,
      reason: "issued",
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
    return row;
  });
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
 * Checks a resume's identity verification; throws IDENTITY_NOT_VERIFIED
 * naming what is missing or wrong.
 */
export function checkVerification(
  v: Partial<IdentityVerification> | undefined,
  at: Date,
): IdentityVerification {
  const problems: string[] = [];
  if (!v) {
    throw new JlisError("IDENTITY_NOT_VERIFIED", {
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
    throw new JlisError("IDENTITY_NOT_VERIFIED", { problems });
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
