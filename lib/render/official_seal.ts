/**
 * The municipality's electronic official seal (公印): a square seal with
 * "<name>長之印" written in columns from right to left, generated as vector
 * outlines from the Mincho face, so it is deterministic and not extractable
 * as text. Its interior is open (a ring and the characters' strokes only).
 * Black from template version 2 (standard j1050: black, at most 25 mm
 * square); red on version 1 sheets.
 *
 * @module
 */

import type { FontSet, PathSegment } from "./font.ts";
import { mapSegments, segmentsBounds } from "./glyph_path.ts";
import type { PathOp, Rgb } from "./ops.ts";

/**
 * Seal black: the electronic 公印's colour from template version 2 (j1050).
 *
 * @example
 * ```ts
 * const op = { kind: "path", fill: SEAL_BLACK };
 * ```
 */
export const SEAL_BLACK: Rgb = [0, 0, 0];

/**
 * Seal red (template version 1 only).
 *
 * @example
 * ```ts
 * const op = { kind: "path", fill: SEAL_RED };
 * ```
 */
export const SEAL_RED: Rgb = [0.84, 0.1, 0.12];

/**
 * The text of the official seal of a municipality.
 *
 * @example
 * ```ts
 * officialSealText("北九州市"); // "北九州市長之印"
 * ```
 */
export function officialSealText(municipalityName: string): string {
  return municipalityName +
    (/[市町村区]$/.test(municipalityName) ? "長之印" : "之印");
}

/** Splits n characters into columns, the rightmost (first) columns longest. */
function columns(n: number): number[] {
  const cols = Math.max(1, Math.ceil(Math.sqrt(n)));
  const base = Math.floor(n / cols), extra = n % cols;
  return Array.from({ length: cols }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * Outline of the official seal, `size` mm square with its top-left corner at
 * (0, 0): a thick frame, then the characters stretched into their cells.
 *
 * @example
 * ```ts ignore
 * const segs = officialSealSegments(loadFontSet(), "北九州市", 24);
 * segs.length > 100; // true
 * ```
 */
export function officialSealSegments(
  fonts: FontSet,
  municipalityName: string,
  size: number,
): PathSegment[] {
  const font = fonts.mincho;
  const chars = Array.from(officialSealText(municipalityName));
  const frame = size * 0.06;
  const pad = size * 0.05;
  const out: PathSegment[] = [
    // outer square clockwise, inner square counter-clockwise: a ring
    { op: "M", x: 0, y: 0 },
    { op: "L", x: size, y: 0 },
    { op: "L", x: size, y: size },
    { op: "L", x: 0, y: size },
    { op: "Z" },
    { op: "M", x: frame, y: frame },
    { op: "L", x: frame, y: size - frame },
    { op: "L", x: size - frame, y: size - frame },
    { op: "L", x: size - frame, y: frame },
    { op: "Z" },
  ];
  const inner = size - 2 * (frame + pad);
  const cols = columns(chars.length);
  const colW = inner / cols.length;
  let k = 0;
  cols.forEach((count, c) => {
    const cellH = inner / count;
    const x0 = size - frame - pad - (c + 1) * colW;
    for (let r = 0; r < count; r++, k++) {
      const gid = font.glyphForCluster(chars[k]);
      const path = font.glyphPath(gid);
      if (path.length === 0) continue;
      const [bx0, by0, bx1, by1] = segmentsBounds(path);
      const m = colW * 0.06, mv = cellH * 0.06;
      const a = (colW - 2 * m) / Math.max(1, bx1 - bx0);
      const d = (cellH - 2 * mv) / Math.max(1, by1 - by0);
      const y0 = frame + pad + r * cellH;
      out.push(
        ...mapSegments(path, {
          a,
          e: x0 + m - a * bx0,
          d: -d,
          f: y0 + mv + d * by1,
        }),
      );
    }
  });
  return out;
}

/**
 * The official seal as a drawing op at (x, y), `size` mm square, black
 * unless `fill` says otherwise.
 *
 * @example
 * ```ts ignore
 * const op = officialSealOp(loadFontSet(), "北九州市", 150, 240, 24);
 * op.role; // "official-seal"
 * ```
 */
export function officialSealOp(
  fonts: FontSet,
  municipalityName: string,
  x: number,
  y: number,
  size: number,
  fill: Rgb = SEAL_BLACK,
): PathOp {
  return {
    kind: "path",
    x,
    y,
    segments: officialSealSegments(fonts, municipalityName, size),
    fill,
    key: `seal:${size}:${municipalityName}`,
    role: "official-seal",
  };
}
