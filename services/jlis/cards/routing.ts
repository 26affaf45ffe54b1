/**
 * Card routing held by the center: the card's certificate names no
 * municipality; the center keeps serial → current municipality
 * (`cards.municipality_code`, beside the holder binding), set at issuance by
 * the issuing window and changed only here, each change with its history
 * row (card_route_changes):
 *
 * - **Moved out** ({@linkcode reportMovedOut}): the card's current
 *   municipality tells the center its holder's 転出確定 was recorded (the
 *   registry's center pusher, after the event). From then on the card is
 *   refused at kiosks with CARD_MOVED_OUT until a municipality carries it on.
 *   A report from a municipality the card has already left (carried on
 *   before the report arrived) changes nothing.
 * - **Carried on** ({@linkcode continueCard}, 継続利用): the NEW
 *   municipality, over its own credential, after its 転入, names the holder
 *   as its resident (name, birth date, sex from its registry). The center
 *   checks them against the card's holder binding (under the key of the
 *   municipality that set it): a municipality with no resident holding the
 *   card cannot claim it. The binding is re-made under the new
 *   municipality's key, the identity is not kept. The card routes to the
 *   new municipality from the start of the next day in Japan (center's
 *   clock); until then it is refused with CARD_CONTINUATION_PENDING.
 *
 * Cards issued with the old municipality-code extension route by this
 * table too: the extension is ignored.
 *
 * @module
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../../lib/db/database.ts";
import {
  bindingDigest,
  type BindingKeys,
  type HolderIdentity,
  matchesBinding,
} from "../../../lib/card/identity_binding.ts";
import { jstDate } from "../../../lib/time/clock.ts";
import {
  cardBindingChanges,
  cardBindings,
  type CardRecord,
  cardRouteChanges,
  cards,
} from "../../../db/jlis/schema.ts";
import { JlisError } from "../errors.ts";
import {
  type Actor,
  checkVerification,
  type IdentityVerification,
} from "./cards.ts";

/**
 * The start of the day after `at`'s day in Japan: when a card carried on at
 * `at` becomes usable.
 *
 * @example
 * ```ts
 * nextJstDay(new Date("2026-11-26T10:00:00+09:00")); // 2026-11-27T00:00:00+09:00
 * ```
 */
export function nextJstDay(at: Date): Date {
  const today = new Date(`${jstDate(at)}T00:00:00+09:00`);
  return new Date(today.getTime() + 24 * 3600_000);
}

/** Result of {@linkcode reportMovedOut}. */
export interface MovedOutResult {
  card: CardRecord;
  /** False when already reported, or the card was carried on elsewhere. */
  changed: boolean;
}

/**
 * Records that the card's holder moved out of its current municipality
 * (転出確定): the card is refused at kiosks until carried on. Only the
 * card's current municipality may report it; a report from a municipality
 * the card was carried on from is answered `changed: false`. Throws
 * CARD_NOT_FOUND, WRONG_MUNICIPALITY.
 *
 * @example
 * ```ts ignore
 * await reportMovedOut(db, serial, { reason: "tenshutsu_kakutei seq 12" }, actor, clock.now());
 * ```
 */
export async function reportMovedOut(
  db: Db,
  serial: string,
  r: { reason: string },
  actor: Actor,
  at: Date,
): Promise<MovedOutResult> {
  const s = serial.toLowerCase();
  return await db.transaction(async (tx) => {
    const [card] = await tx.select().from(cards).where(eq(cards.serial, s))
      .for("update");
    if (!card) throw new JlisError("CARD_NOT_FOUND", { serial: s });
    const mine = !actor.municipalities ||
      actor.municipalities.includes(card.municipalityCode);
    if (!mine) {
      // Carried on before the old municipality's report arrived?
      const left = await tx.select({ m: cardRouteChanges.fromMunicipality })
        .from(cardRouteChanges).where(and(
          eq(cardRouteChanges.serial, s),
          eq(cardRouteChanges.kind, "continued"),
        ));
      if (left.some((f) => actor.municipalities!.includes(f.m))) {
        return { card, changed: false };
      }
      throw new JlisError("WRONG_MUNICIPALITY", { serial: s });
    }
    if (card.movedOutAt) return { card, changed: false };
    const [updated] = await tx.update(cards).set({ movedOutAt: at }).where(
      eq(cards.serial, s),
    ).returning();
    await tx.insert(cardRouteChanges).values({
      serial: s,
      kind: "moved_out",
      fromMunicipality: card.municipalityCode,
      toMunicipality: null,
      at,
      effectiveFrom: at,
      actor: actor.client,
      requestId: actor.requestId,
      reason: r.reason,
    });
    return { card: updated, changed: true };
  });
}

/** What the new municipality's window asks. */
export interface Continuation {
  /** The new municipality (one the caller acts for). */
  municipalityCode: string;
  /** The holder as the new municipality's registry records its resident. */
  holder: HolderIdentity;
  /** The identity check at the window (partial: what is missing is named). */
  verification?: Partial<IdentityVerification>;
  reason?: string;
}

/** Result of {@linkcode continueCard}. */
export interface ContinuationResult {
  card: CardRecord;
  /** False when the card already routes to that municipality. */
  changed: boolean;
  /** The municipality the card came from. */
  from: string;
  /** When the card routes to the new municipality from. */
  effectiveFrom: Date;
}

/**
 * Carries a card on to a new municipality (継続利用), in one transaction:
 * the routing, the holder binding re-made under the new municipality's key,
 * and their history rows. Throws IDENTITY_NOT_VERIFIED, WRONG_MUNICIPALITY
 * (the caller does not act for `municipalityCode`), CARD_NOT_FOUND,
 * CARD_REVOKED, CARD_NOT_BOUND, CONTINUATION_HOLDER_MISMATCH,
 * MUNICIPALITY_NOT_SERVED (no binding key for the new municipality).
 *
 * @example
 * ```ts ignore
 * await continueCard(db, keys, serial, { municipalityCode: "401307", holder, verification }, actor, clock.now());
 * ```
 */
export async function continueCard(
  db: Db,
  keys: BindingKeys,
  serial: string,
  c: Continuation,
  actor: Actor,
  at: Date,
): Promise<ContinuationResult> {
  const s = serial.toLowerCase();
  const verification = checkVerification(c.verification, at);
  if (
    actor.municipalities && !actor.municipalities.includes(c.municipalityCode)
  ) {
    throw new JlisError("WRONG_MUNICIPALITY", {
      municipalityCode: c.municipalityCode,
    });
  }
  const newKey = keys(c.municipalityCode);
  if (!newKey) {
    throw new JlisError("MUNICIPALITY_NOT_SERVED", {
      municipalityCode: c.municipalityCode,
    });
  }
  return await db.transaction(async (tx) => {
    const [card] = await tx.select().from(cards).where(eq(cards.serial, s))
      .for("update");
    if (!card) throw new JlisError("CARD_NOT_FOUND", { serial: s });
    if (card.status === "revoked") {
      throw new JlisError("CARD_REVOKED", { serial: s });
    }
    const [binding] = await tx.select().from(cardBindings).where(
      eq(cardBindings.serial, s),
    ).for("update");
    if (!binding) throw new JlisError("CARD_NOT_BOUND", { serial: s });
    const oldKey = keys(binding.municipalityCode);
    if (!oldKey || !matchesBinding(oldKey, binding.digest, c.holder)) {
      throw new JlisError("CONTINUATION_HOLDER_MISMATCH", { serial: s });
    }
    const from = card.municipalityCode;
    if (from === c.municipalityCode && !card.movedOutAt) {
      return {
        card,
        changed: false,
        from,
        effectiveFrom: card.routedFrom ?? card.issuedAt,
      };
    }
    const effectiveFrom = nextJstDay(at);
    const [updated] = await tx.update(cards).set({
      municipalityCode: c.municipalityCode,
      routedFrom: effectiveFrom,
      movedOutAt: null,
    }).where(eq(cards.serial, s)).returning();
    const digest = bindingDigest(newKey, c.holder);
    await tx.update(cardBindings).set({
      municipalityCode: c.municipalityCode,
      digest,
      updatedAt: at,
      updatedBy: actor.client,
    }).where(eq(cardBindings.serial, s));
    const reason = c.reason ?? `継続利用 ${from} → ${c.municipalityCode}`;
    await tx.insert(cardBindingChanges).values({
      serial: s,
      previousDigest: binding.digest,
      digest,
      at,
      actor: actor.client,
      requestId: actor.requestId,
      reason,
    });
    await tx.insert(cardRouteChanges).values({
      serial: s,
      kind: "continued",
      fromMunicipality: from,
      toMunicipality: c.municipalityCode,
      at,
      effectiveFrom,
      actor: actor.client,
      requestId: actor.requestId,
      reason,
      verification,
    });
    return { card: updated, changed: true, from, effectiveFrom };
  });
}
