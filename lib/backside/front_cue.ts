/**
 * Tells a certificate's front from other pages without reading a word:
 * the kiosk's front is a ruled form — a frame and a row rule every few
 * millimetres run across half the page's width or more — while the back side
 * is a grid of 2D symbols whose rows never turn dark across the page, and
 * a photo or a letter rarely has many page-wide rules.
 *
 * @module
 */
import type { GrayImage } from "./rasterize.ts";

/** A pixel darker than this is ink. */
const INK = 110;
/** A row is a rule when it holds an unbroken run of ink this share of its width. */
const RULE_SHARE = 0.45;
/** Gaps a run may have and stay unbroken, px (a rule printed or scanned thin). */
const MAX_GAP = 2;
/** Rules a kiosk front has at least (its frame and the table's rows). */
const FRONT_RULES = 6;

/**
 * Counts the page-wide horizontal rules of a page (a rule a few pixels
 * thick counts once).
 *
 * @example
 * ```ts
 * const page = { width: 4, height: 3, data: new Uint8Array([
 *   255, 255, 255, 255,
 *   0, 0, 0, 255,
 *   255, 255, 255, 255,
 * ]) };
 * countRules(page); // 1
 * ```
 */
export function countRules(img: GrayImage): number {
  const { width, height, data } = img;
  const need = width * RULE_SHARE;
  let rules = 0;
  let inRule = false;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let run = 0;
    let gap = 0;
    let longest = 0;
    for (let x = 0; x < width; x++) {
      // Ink in this row or the next: a slightly skewed rule steps a row.
      const ink = data[row + x] < INK ||
        (y + 1 < height && data[row + width + x] < INK);
      if (ink) {
        run += gap + 1;
        gap = 0;
        if (run > longest) longest = run;
      } else if (run > 0 && ++gap > MAX_GAP) {
        run = 0;
        gap = 0;
      }
    }
    const rule = longest >= need;
    if (rule && !inRule) rules++;
    inRule = rule;
  }
  return rules;
}

/**
 * Whether a page looks like a certificate's ruled front (see the module).
 *
 * @example
 * ```ts
 * const white = { width: 8, height: 8, data: new Uint8Array(64).fill(255) };
 * looksLikeFront(white); // false
 * ```
 */
export function looksLikeFront(img: GrayImage): boolean {
  return countRules(img) >= FRONT_RULES;
}
