/**
 * Generated seal registrations stored as registration stores them: each
 * impression goes through the registry's own preparation
 * (../seal_image.ts `prepareSealImage`: decoded, a print version of at
 * least 300 dpi in the 印影 box, a compact one for the back side), so a
 * seeded 印鑑登録証明書 prints as sharp as a registered one.
 *
 * Impressions are shared arrays (./seal_image.ts memoises them per text
 * and shape), so each distinct one is prepared once per thread: a
 * population of 100,000 has 368 (about 0.3 s each on a loaded 2-core
 * machine, in sharp's threads).
 *
 * @module
 */
import type { SealRegistration } from "../../../db/registry/schema.ts";
import { type PreparedSeal, prepareSealImage } from "../seal_image.ts";

const prepared = new Map<Uint8Array, Promise<PreparedSeal>>();

/**
 * Fills in the print and compact versions of generated seals that lack
 * them (in place).
 *
 * @example
 * ```ts ignore
 * await prepareSeals(chunk.seals);
 * chunk.seals[0].printPng; // 600 px, ≥ 300 dpi in the 印影 box
 * ```
 */
export async function prepareSeals(seals: SealRegistration[]): Promise<void> {
  const todo = seals.filter((s) => !s.printPng || !s.compactPng);
  // Every new impression of the chunk at once (sharp's threads share them).
  for (const { impressionPng } of todo) {
    if (!prepared.has(impressionPng)) {
      prepared.set(impressionPng, prepareSealImage(impressionPng));
    }
  }
  for (const seal of todo) {
    const { printPng, compactPng } = await prepared.get(seal.impressionPng)!;
    seal.printPng = printPng;
    seal.compactPng = compactPng;
  }
}
