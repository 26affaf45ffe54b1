/**
 * PIN reset at the municipal window (暗証番号の再設定). The simulated card
 * keeps its private key sealed under the PIN and, a second time, in a
 * *reset slot* sealed under an unblock key only the center can derive:
 * `HMAC-SHA256(seed, "konbini-card-unblock/v1|<serial>|<generation>")`, the
 * seed being the card's own random `cards.unblock_seed` (a real center holds
 * such issuer keys in its HSM and talks to the chip by secure messaging).
 *
 * The window checks the holder's identity, then asks the center
 * (`POST /cards/{serial}/pin-reset`) with the record of that check and the
 * reset generation the card reports. The center records the check
 * (card_pin_resets, one transaction with the generation step) and answers
 * the authorisation: the unblock key of the card's generation (opens its
 * reset slot) and the key of the next generation (the card re-seals its slot
 * under it). The card (lib/card/card.ts `resetPin`) then sets the new PIN,
 * zeroes its wrong-PIN counter and steps its generation: an authorisation is
 * good for one reset, and a copy of the old card file cannot be reset with a
 * later one.
 *
 * A window whose reset was interrupted after the center answered (the card
 * file not rewritten) may ask again for the same generation: the center
 * records the second check and answers the same keys (`retry: true`).
 *
 * @module
 */
import { eq } from "drizzle-orm";
import { createHmac } from "node:crypto";
import type { Db } from "../../../lib/db/database.ts";
import { cardPinResets, cards } from "../../../db/jlis/schema.ts";
import { JlisError } from "../errors.ts";
import {
  type Actor,
  checkVerification,
  type IdentityVerification,
} from "./cards.ts";

const CONTEXT = "konbini-card-unblock/v1";

/**
 * The unblock key of a card's reset generation, base64url (32 bytes).
 *
 * @example
 * ```ts
 * unblockKey("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "0a1b", 0);
 * ```
 */
export function unblockKey(
  seed: string,
  serial: string,
  generation: number,
): string {
  return createHmac(
    "sha256",
    Uint8Array.fromBase64(seed, { alphabet: "base64url" }),
  )
    .update(`${CONTEXT}|${serial.toLowerCase()}|${generation}`)
    .digest("base64url");
}

/** What the window asks. */
export interface PinResetRequest {
  /** The reset generation the card reports (its file's). */
  cardGeneration: number;
  /** The identity check done at the window. */
  verification?: Partial<IdentityVerification>;
}

/** The center's one-time authorisation for the card. */
export interface PinResetAuthorization {
  /** Id of the center's record of the reset. */
  resetId: string;
  serial: string;
  /** The generation the authorisation opens. */
  generation: number;
  /** Opens the card's reset slot of `generation`. */
  unblockKey: string;
  /** The card re-seals its reset slot under it (generation + 1). */
  nextUnblockKey: string;
  /** True when it repeats an interrupted reset. */
  retry: boolean;
}

/**
 * Records a window's identity check and authorises one PIN reset, in one
 * transaction. Throws PIN_RESET_NOT_VERIFIED, CARD_NOT_FOUND,
 * WRONG_MUNICIPALITY, CARD_REVOKED, PIN_RESET_UNAVAILABLE (pinless card, or
 * none of its seed), PIN_RESET_OUT_OF_STEP.
 *
 * @example
 * ```ts ignore
 * const auth = await authorizePinReset(db, serial, { cardGeneration: 0, verification }, actor, clock.now());
 * ```
 */
export async function authorizePinReset(
  db: Db,
  serial: string,
  req: PinResetRequest,
  actor: Actor,
  at: Date,
): Promise<PinResetAuthorization> {
  const verification = checkVerification(
    req.verification,
    at,
    "PIN_RESET_NOT_VERIFIED",
  );
  const s = serial.toLowerCase();
  return await db.transaction(async (tx) => {
    const [card] = await tx.select().from(cards).where(eq(cards.serial, s))
      .for("update");
    if (!card) throw new JlisError("CARD_NOT_FOUND", { serial: s });
    if (
      actor.municipalities &&
      !actor.municipalities.includes(card.municipalityCode)
    ) {
      throw new JlisError("WRONG_MUNICIPALITY", { serial: s });
    }
    if (card.status === "revoked") {
      throw new JlisError("CARD_REVOKED", { serial: s });
    }
    if (card.pinless || !card.unblockSeed) {
      throw new JlisError("PIN_RESET_UNAVAILABLE", {
        serial: s,
        reason: card.pinless ? "pinless" : "no-reset-slot",
      });
    }
    const current = card.pinResetGeneration;
    const g = req.cardGeneration;
    const retry = g === current - 1;
    if (g !== current && !retry) {
      throw new JlisError("PIN_RESET_OUT_OF_STEP", {
        serial: s,
        cardGeneration: g,
      });
    }
    if (!retry) {
      await tx.update(cards).set({ pinResetGeneration: current + 1 }).where(
        eq(cards.serial, s),
      );
    }
    const resetId = crypto.randomUUID();
    await tx.insert(cardPinResets).values({
      id: resetId,
      serial: s,
      generation: g,
      retry,
      at,
      actor: actor.client,
      requestId: actor.requestId,
      verification,
    });
    return {
      resetId,
      serial: s,
      generation: g,
      unblockKey: unblockKey(card.unblockSeed, s, g),
      nextUnblockKey: unblockKey(card.unblockSeed, s, g + 1),
      retry,
    };
  });
}
