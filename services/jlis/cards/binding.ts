/**
 * The center's own binding of a card to its holder (card_bindings): the
 * keyed digest of the holder's basic identity that the issuing municipality
 * gives at card issuance ({@linkcode insertBinding}, in the card's own
 * transaction) and keeps current when an event changes the holder's name,
 * birth date or sex ({@linkcode updateBinding}: compare-and-set from the
 * current digest, idempotent for a retried update). At every issuance the
 * applicant of the ASP's answer is checked against it
 * ({@linkcode bindingProblem}); the center never holds the identity itself.
 *
 * @module
 */
import { eq } from "drizzle-orm";
import type { Db, Tx } from "../../../lib/db/database.ts";
import {
  type BindingKeys,
  type HolderIdentity,
  matchesBinding,
} from "../../../lib/card/identity_binding.ts";
import {
  cardBindingChanges,
  cardBindings,
  cards,
} from "../../../db/jlis/schema.ts";
import { JlisError } from "../errors.ts";
import type { Actor } from "./cards.ts";

/**
 * Records a new card's binding (inside the card's issuing transaction).
 *
 * @example
 * ```ts ignore
 * await insertBinding(tx, { serial, municipalityCode, digest }, actor, at);
 * ```
 */
export async function insertBinding(
  tx: Tx,
  b: { serial: string; municipalityCode: string; digest: string },
  actor: Actor,
  at: Date,
): Promise<void> {
  await tx.insert(cardBindings).values({
    serial: b.serial,
    municipalityCode: b.municipalityCode,
    digest: b.digest,
    updatedAt: at,
    updatedBy: actor.client,
  });
  await tx.insert(cardBindingChanges).values({
    serial: b.serial,
    previousDigest: null,
    digest: b.digest,
    at,
    actor: actor.client,
    requestId: actor.requestId,
    reason: "issued",
  });
}

/** What {@linkcode updateBinding} was asked. */
export interface BindingUpdate {
  /** The digest the municipality believes current (the identity before the event). */
  previousDigest: string;
  /** The digest of the identity after the event. */
  digest: string;
  /** Why, e.g. `shokken_shusei seq 1042`. */
  reason: string;
}

/**
 * Changes a card's binding from `previousDigest` to `digest` (one
 * transaction, with its history row). Repeating an update that was already
 * applied is harmless (`changed: false`). Throws CARD_NOT_FOUND,
 * WRONG_MUNICIPALITY, CARD_NOT_BOUND, BINDING_CONFLICT.
 *
 * @example
 * ```ts ignore
 * await updateBinding(db, serial, { previousDigest, digest, reason }, actor, clock.now());
 * ```
 */
export async function updateBinding(
  db: Db,
  serial: string,
  u: BindingUpdate,
  actor: Actor,
  at: Date,
): Promise<{ changed: boolean }> {
  const s = serial.toLowerCase();
  return await db.transaction(async (tx) => {
    const [card] = await tx.select({ code: cards.municipalityCode }).from(
      cards,
    ).where(eq(cards.serial, s));
    if (!card) throw new JlisError("CARD_NOT_FOUND", { serial: s });
    if (actor.municipalities && !actor.municipalities.includes(card.code)) {
      throw new JlisError("WRONG_MUNICIPALITY", { serial: s });
    }
    const [current] = await tx.select().from(cardBindings).where(
      eq(cardBindings.serial, s),
    ).for("update");
    if (!current) throw new JlisError("CARD_NOT_BOUND", { serial: s });
    if (current.digest === u.digest) return { changed: false };
    if (current.digest !== u.previousDigest) {
      throw new JlisError("BINDING_CONFLICT", { serial: s });
    }
    await tx.update(cardBindings).set({
      digest: u.digest,
      updatedAt: at,
      updatedBy: actor.client,
    }).where(eq(cardBindings.serial, s));
    await tx.insert(cardBindingChanges).values({
      serial: s,
      previousDigest: current.digest,
      digest: u.digest,
      at,
      actor: actor.client,
      requestId: actor.requestId,
      reason: u.reason,
    });
    return { changed: true };
  });
}

/**
 * A card's binding digest, or null when it has none.
 *
 * @example
 * ```ts ignore
 * const digest = await readBinding(db, serial);
 * ```
 */
export async function readBinding(
  db: Db,
  serial: string,
): Promise<string | null> {
  const rows = await db.select({ digest: cardBindings.digest }).from(
    cardBindings,
  ).where(eq(cardBindings.serial, serial.toLowerCase()));
  return rows[0]?.digest ?? null;
}

/**
 * Why the applicant of an answer does not match the card's binding, or null
 * when it does. Pure. `identities` are every rendering of the applicant the
 * answer carries (their sheets, the answer's applicant item): all must
 * match, and there must be at least one.
 *
 * @example
 * ```ts ignore
 * const problem = bindingProblem(keys, "401005", digest, [sheet.subject]);
 * ```
 */
export function bindingProblem(
  keys: BindingKeys,
  municipalityCode: string,
  digest: string,
  identities: HolderIdentity[],
): string | null {
  const key = keys(municipalityCode);
  if (!key) return "no binding key for the municipality";
  if (!identities.length) return "the answer does not identify the applicant";
  return identities.every((id) => matchesBinding(key, digest, id))
    ? null
    : "the applicant does not match the card's holder binding";
}
