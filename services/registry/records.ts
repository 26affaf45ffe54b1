/**
 * Seal registrations (印鑑登録), issuance blocks (抑止) and card links: each
 * change is one event on the same ordered feed as the 異動, so the replica
 * learns of them in order.
 *
 * @module
 */
import type { Db } from "../../lib/db/database.ts";
import { ageOn } from "../../lib/time/clock.ts";
import { RegistryError } from "./errors.ts";
import { prepareSealImage } from "./seal_image.ts";
import {
  commitChange,
  type Committed,
  readActiveSeals,
  readBlock,
  readCardLink,
  readResident,
  readSeal,
} from "./store.ts";

/** Who asks. */
export interface Actor {
  client: string;
  requestId?: string;
}

/**
 * Registers a seal for an active resident aged 15 or over. The image is
 * decoded and checked first ({@linkcode prepareSealImage}: SEAL_IMAGE_INVALID,
 * SEAL_IMAGE_TOO_LARGE, SEAL_IMAGE_DIMENSIONS); the registration keeps it as
 * submitted with its print and compact versions.
 *
 * @example
 * ```ts ignore
 * await registerSeal(db, "401005", id, { impressionPng, date: "2026-11-26" }, actor);
 * ```
 */
export async function registerSeal(
  db: Db,
  code: string,
  residentId: string,
  input: {
    impressionPng: Uint8Array;
    date: string;
    registrationNumber?: string;
  },
  actor: Actor,
): Promise<Committed & { sealId: string }> {
  const { printPng, compactPng } = await prepareSealImage(input.impressionPng);
  const sealId = `${code}-S${
    crypto.randomUUID().replaceAll("-", "").slice(0, 12)
  }`;
  const c = await commitChange(db, {
    municipalityCode: code,
    type: "seal_register",
    client: actor.client,
    requestId: actor.requestId,
    effectiveDate: input.date,
  }, async (p, cs) => {
    const r = await readResident(p, code, residentId);
    if (r.status === "removed") throw new RegistryError("RESIDENT_REMOVED");
    if (ageOn(r.birthDate, input.date) < 15) {
      throw new RegistryError("UNDER_AGE_SEAL");
    }
    if ((await readActiveSeals(p, residentId)).length) {
      throw new RegistryError("SEAL_ALREADY_REGISTERED");
    }
    cs.seal(null, {
      id: sealId,
      municipalityCode: code,
      residentId,
      registrationNumber: input.registrationNumber ??
        sealId.slice(-8).toUpperCase(),
      impressionPng: input.impressionPng,
      printPng,
      compactPng,
      registeredDate: input.date,
      status: "active",
      endedDate: null,
      endReason: null,
    });
  });
  return { ...c, sealId };
}

/** Abolishes (廃止) a seal registration at the resident's request. */
export async function abolishSeal(
  db: Db,
  code: string,
  sealId: string,
  input: { date: string },
  actor: Actor,
): Promise<Committed> {
  return await commitChange(db, {
    municipalityCode: code,
    type: "seal_abolish",
    client: actor.client,
    requestId: actor.requestId,
    effectiveDate: input.date,
  }, async (p, cs) => {
    const s = await readSeal(p, sealId);
    if (!s || s.municipalityCode !== code) {
      throw new RegistryError("SEAL_NOT_FOUND");
    }
    if (s.status !== "active") throw new RegistryError("SEAL_NOT_ACTIVE");
    cs.seal(s, {
      ...s,
      status: "abolished",
      endedDate: input.date,
      endReason: "廃止",
    });
  });
}

/** Reasons a block can have. */
export type BlockReason = "opt_out" | "support_measure" | "municipal";

/** Sets an issuance block on a resident. */
export async function setBlock(
  db: Db,
  code: string,
  residentId: string,
  input: {
    reason: BlockReason;
    startDate: string;
    endDate?: string | null;
    /** Today in Japan (ISO date): a block cannot be set already ended. */
    today: string;
  },
  actor: Actor,
): Promise<Committed & { blockId: string }> {
  const end = input.endDate ?? null;
  if (end !== null && end < input.startDate) {
    throw new RegistryError("BLOCK_DATES_INVALID", {
      startDate: input.startDate,
      endDate: end,
    });
  }
  if (end !== null && end < input.today) {
    throw new RegistryError("BLOCK_ALREADY_ENDED", { endDate: end });
  }
  const blockId = `${code}-B${
    crypto.randomUUID().replaceAll("-", "").slice(0, 12)
  }`;
  const c = await commitChange(db, {
    municipalityCode: code,
    type: "block_set",
    client: actor.client,
    requestId: actor.requestId,
    effectiveDate: input.startDate,
  }, async (p, cs) => {
    await readResident(p, code, residentId);
    cs.block(null, {
      id: blockId,
      municipalityCode: code,
      residentId,
      reason: input.reason,
      startDate: input.startDate,
      endDate: input.endDate ?? null,
      liftedAt: null,
      liftedReason: null,
    });
  });
  return { ...c, blockId };
}

/** Lifts a block explicitly (the only way a block ends). */
export async function liftBlock(
  db: Db,
  code: string,
  blockId: string,
  input: { reason: string; at: Date },
  actor: Actor,
): Promise<Committed> {
  return await commitChange(db, {
    municipalityCode: code,
    type: "block_lift",
    client: actor.client,
    requestId: actor.requestId,
  }, async (p, cs) => {
    const b = await readBlock(p, blockId);
    if (!b || b.municipalityCode !== code) {
      throw new RegistryError("BLOCK_NOT_FOUND");
    }
    if (b.liftedAt) throw new RegistryError("BLOCK_ALREADY_LIFTED");
    cs.block(b, {
      ...b,
      liftedAt: input.at.toISOString(),
      liftedReason: input.reason,
    });
  });
}

/** Links a card's user-authentication certificate serial to a resident. */
export async function linkCard(
  db: Db,
  code: string,
  input: {
    serial: string;
    residentId: string;
    at: Date;
    /** A re-issue: the resident's previous cards, unlinked in this event. */
    replaces?: string[];
  },
  actor: Actor,
): Promise<Committed> {
  return await commitChange(db, {
    municipalityCode: code,
    type: "card_link",
    client: actor.client,
    requestId: actor.requestId,
  }, async (p, cs) => {
    const r = await readResident(p, code, input.residentId);
    if (r.status === "removed") throw new RegistryError("RESIDENT_REMOVED");
    const link = await readCardLink(p, input.serial);
    if (link && !link.unlinkedAt) {
      throw new RegistryError("CARD_ALREADY_LINKED");
    }
    cs.card(link, {
      serial: input.serial,
      municipalityCode: code,
      residentId: input.residentId,
      linkedAt: input.at.toISOString(),
      unlinkedAt: null,
    });
    for (const serial of input.replaces ?? []) {
      const old = await readCardLink(p, serial);
      if (
        !old || old.municipalityCode !== code ||
        old.residentId !== input.residentId
      ) throw new RegistryError("CARD_LINK_NOT_FOUND");
      if (!old.unlinkedAt) {
        cs.card(old, { ...old, unlinkedAt: input.at.toISOString() });
      }
    }
  });
}

/** Unlinks a card (e.g. a new card replaces it). */
export async function unlinkCard(
  db: Db,
  code: string,
  input: { serial: string; at: Date },
  actor: Actor,
): Promise<Committed> {
  return await commitChange(db, {
    municipalityCode: code,
    type: "card_unlink",
    client: actor.client,
    requestId: actor.requestId,
  }, async (p, cs) => {
    const link = await readCardLink(p, input.serial);
    if (!link || link.municipalityCode !== code || link.unlinkedAt) {
      throw new RegistryError("CARD_LINK_NOT_FOUND");
    }
    cs.card(link, { ...link, unlinkedAt: input.at.toISOString() });
  });
}
