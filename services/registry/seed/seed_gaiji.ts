/**
 * The seeded population's 外字 glyphs: a municipality that uses private-use
 * characters registers an outline for each (issue 13: never a box on
 * paper). The seed registers, for each code point its names use, the
 * outline of the ordinary character it is a variant of, from the renderer's
 * Mincho face, scaled into the 1000-unit em box (y down) the registry's
 * glyph API takes.
 *
 * @module
 */
import type { Db } from "../../../lib/db/database.ts";
import { type FontFace, loadFontSet } from "../../../lib/render/font.ts";
import { GAIJI_EM } from "../../../lib/render/gaiji.ts";
import { putGaiji } from "../gaiji.ts";
import { SEED_GAIJI } from "./names.ts";

/**
 * The outline of one character as SVG path data in the em box (y down,
 * the box top at the face's ascent), integers.
 *
 * @example
 * ```ts ignore
 * const d = outlineOf(loadFontSet().mincho, "高");
 * ```
 */
export function outlineOf(face: FontFace, char: string): string {
  const k = GAIJI_EM / face.unitsPerEm;
  const x = (v: number) => Math.round(v * k);
  const y = (v: number) => Math.round((face.ascent - v) * k);
  const parts: string[] = [];
  for (const s of face.glyphPath(face.glyphForCluster(char))) {
    if (s.op === "Z") parts.push("Z");
    else if (s.op === "Q") {
      parts.push(`Q${x(s.x1)} ${y(s.y1)} ${x(s.x)} ${y(s.y)}`);
    } else if (s.op === "C") {
      parts.push(
        `C${x(s.x1)} ${y(s.y1)} ${x(s.x2)} ${y(s.y2)} ${x(s.x)} ${y(s.y)}`,
      );
    } else parts.push(`${s.op}${x(s.x)} ${y(s.y)}`);
  }
  return parts.join("");
}

/**
 * Registers the seed's 外字 glyphs for a municipality (each one
 * transaction, audited as the seed).
 *
 * @example
 * ```ts ignore
 * await registerSeedGaiji(db, "401005");
 * ```
 */
export async function registerSeedGaiji(db: Db, code: string): Promise<number> {
  const face = loadFontSet().mincho;
  for (const { codePoint, base } of SEED_GAIJI) {
    await putGaiji(db, code, codePoint, outlineOf(face, base), {
      client: "seed",
    });
  }
  return SEED_GAIJI.length;
}
