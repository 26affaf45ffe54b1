/**
 * Seal impression images (印影) for generated seal registrations: a red ring
 * or square frame with up to three characters of the surname stacked
 * vertically, drawn from IPAex Gothic outlines, as a 96×96 two-colour
 * palette PNG of well under 2 KB — small enough for the back side's limit
 * without recompression.
 *
 * Images are memoised per (text, shape, size): a population of 970,000
 * reuses a few hundred distinct PNGs. Same text and shape, same bytes. Without the
 * font file (package fonts-ipaexfont) the characters are replaced by a
 * deterministic bar pattern.
 *
 * @module
 */

import {
  DEFAULT_FONT_PATHS,
  type FontFace,
  loadFontFace,
  splitClusters,
} from "../../../lib/render/font.ts";
import { flattenPath, segmentsBounds } from "../../../lib/render/glyph_path.ts";
import { encodePalettePng } from "../../../lib/render/png_codec.ts";
import { SEAL_PRINT_SIDE_PX } from "../seal_image.ts";

/** Frame of a seal: 丸印 or 角印. */
export type SealShape = "round" | "square";

/** Side of the generated images, pixels. */
export const SEAL_IMAGE_SIZE = 96;

/** Ink colour (vermilion), RGB. */
export const SEAL_INK: readonly [number, number, number] = [0xc8, 0x1e, 0x28];

let font: FontFace | null | undefined;

function gothic(): FontFace | null {
  if (font === undefined) {
    try {
      font = loadFontFace(
        "gothic",
        Deno.readFileSync(DEFAULT_FONT_PATHS.gothic),
      );
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      font = null;
    }
  }
  return font;
}

const cache = new Map<string, Uint8Array>();

/**
 * The impression PNG for a seal showing `text` (first three characters;
 * variation selectors are kept for glyph choice).
 *
 * @example
 * ```ts
 * const png = sealImpressionPng("山田", "round");
 * png.length < 2048; // true
 * ```
 */
export function sealImpressionPng(
  text: string,
  shape: SealShape = "round",
): Uint8Array {
  return drawnPng(text, shape, SEAL_IMAGE_SIZE);
}

/**
 * The print version of the same impression: drawn again from the outlines
 * at {@linkcode SEAL_PRINT_SIDE_PX} (≥ 300 dpi in the 印影 box), the
 * two-colour PNG registration stores as its print version
 * (../seal_image.ts); the 96-pixel impression is the compact one. Drawn,
 * not prepared as registration prepares an upload: sharper (from the
 * outlines, not enlarged from 96 pixels) and cheaper — 40 ms a seal against
 * 118 ms for `prepareSealImage` (20 surnames, 2-core machine, 2026-12-07),
 * which every seeded population paid (a seeded test: 21 s → 6 s).
 *
 * @example
 * ```ts
 * const png = sealPrintPng("山田", "round");
 * png.length > sealImpressionPng("山田", "round").length; // true
 * ```
 */
export function sealPrintPng(
  text: string,
  shape: SealShape = "round",
): Uint8Array {
  return drawnPng(text, shape, SEAL_PRINT_SIDE_PX);
}

function drawnPng(text: string, shape: SealShape, side: number): Uint8Array {
  const key = `${side}:${shape}:${text}`;
  let png = cache.get(key);
  if (!png) {
    png = encodeBitmapPng(drawSeal(text, shape, side), side, side);
    cache.set(key, png);
  }
  return png;
}

/** Number of distinct impressions generated so far in this process. */
export function sealImageCacheSize(): number {
  return cache.size;
}

type Edge = [number, number, number, number];

function drawSeal(text: string, shape: SealShape, S: number): Uint8Array {
  // Lengths below are pixels of the 96-pixel impression, scaled by k.
  const k = S / SEAL_IMAGE_SIZE;
  const mask = new Uint8Array(S * S);
  const c = S / 2;
  // Frame.
  const outer = S / 2 - 2 * k, thick = 3.6 * k;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const dx = x + 0.5 - c, dy = y + 0.5 - c;
      let ink: boolean;
      if (shape === "round") {
        const r = Math.sqrt(dx * dx + dy * dy);
        ink = r <= outer && r >= outer - thick;
      } else {
        const m = Math.max(Math.abs(dx), Math.abs(dy));
        ink = m <= outer - k && m >= outer - k - thick;
      }
      if (ink) mask[y * S + x] = 1;
    }
  }
  // Characters, stacked in a column inside the frame.
  const clusters = splitClusters(text).slice(0, 3);
  const n = Math.max(1, clusters.length);
  const inner = (outer - thick - 3 * k) * 2;
  const colW = shape === "round"
    ? inner * (n === 1 ? 0.7 : 0.62)
    : inner * (n === 1 ? 0.86 : 0.8);
  const colH = shape === "round"
    ? inner * (n === 1 ? 0.7 : 0.86)
    : inner * 0.92;
  const cellH = colH / n;
  const top = c - colH / 2;
  const face = gothic();
  const edges: Edge[] = [];
  clusters.forEach((cluster, i) => {
    const x0 = c - colW / 2, y0 = top + i * cellH;
    const pad = n === 1 ? 0 : k;
    if (!face) {
      // No font: three bars per character.
      for (let b = 0; b < 3; b++) {
        const by = y0 + pad + (b + 0.5) * (cellH - 2 * pad) / 3;
        fillRect(mask, S, x0 + 2 * k, by - 1.5 * k, colW - 4 * k, 3 * k);
      }
      return;
    }
    const path = face.glyphPath(face.glyphForCluster(cluster));
    if (path.length === 0) return;
    const [bx0, by0, bx1, by1] = segmentsBounds(path);
    const inkW = Math.max(bx1 - bx0, 1), inkH = Math.max(by1 - by0, 1);
    const w = colW, h = cellH - 2 * pad;
    // Fill the cell, but stretch one axis at most 1.4× the other.
    let sx = w / inkW, sy = h / inkH;
    if (sx > sy * 1.4) sx = sy * 1.4;
    if (sy > sx * 1.4) sy = sx * 1.4;
    const ox = x0 + (w - inkW * sx) / 2, oy = y0 + pad + (h - inkH * sy) / 2;
    for (const poly of flattenPath(path, 4)) {
      for (let k = 0; k < poly.length; k++) {
        const [ax, ay] = poly[k];
        const [bx, by] = poly[(k + 1) % poly.length];
        // Font units are y up: flip into the cell.
        edges.push([
          ox + (ax - bx0) * sx,
          oy + (by1 - ay) * sy,
          ox + (bx - bx0) * sx,
          oy + (by1 - by) * sy,
        ]);
      }
    }
  });
  fillNonZero(mask, S, edges);
  return mask;
}

function fillRect(
  mask: Uint8Array,
  S: number,
  x: number,
  y: number,
  w: number,
  h: number,
): void {
  for (
    let py = Math.max(0, Math.round(y));
    py < Math.min(S, Math.round(y + h));
    py++
  ) {
    for (
      let px = Math.max(0, Math.round(x));
      px < Math.min(S, Math.round(x + w));
      px++
    ) {
      mask[py * S + px] = 1;
    }
  }
}

/** Scanline fill with the non-zero winding rule, sampling pixel centres. */
function fillNonZero(mask: Uint8Array, S: number, edges: Edge[]): void {
  const xs: number[] = [];
  const dirs: number[] = [];
  const order: number[] = [];
  for (let y = 0; y < S; y++) {
    const yc = y + 0.5;
    xs.length = 0;
    dirs.length = 0;
    for (const [x0, y0, x1, y1] of edges) {
      if (y0 === y1) continue;
      const up = y1 > y0;
      const lo = up ? y0 : y1, hi = up ? y1 : y0;
      if (yc < lo || yc >= hi) continue;
      xs.push(x0 + (yc - y0) * (x1 - x0) / (y1 - y0));
      dirs.push(up ? 1 : -1);
    }
    if (xs.length === 0) continue;
    order.length = 0;
    for (let i = 0; i < xs.length; i++) order.push(i);
    order.sort((a, b) => xs[a] - xs[b]);
    let winding = 0;
    for (let k = 0; k < order.length - 1; k++) {
      winding += dirs[order[k]];
      if (winding === 0) continue;
      const from = Math.max(0, Math.ceil(xs[order[k]] - 0.5));
      const to = Math.min(S - 1, Math.ceil(xs[order[k + 1]] - 0.5) - 1);
      for (let x = from; x <= to; x++) mask[y * S + x] = 1;
    }
  }
}

/**
 * Encodes a 0/1 mask as an 8-bit palette PNG (0 = white, 1 = {@linkcode SEAL_INK});
 * 8-bit rather than 1-bit so lib/render's PNG decoder reads it as is.
 *
 * @example
 * ```ts
 * const png = encodeBitmapPng(new Uint8Array(64), 8, 8);
 * png[0]; // 0x89
 * ```
 */
export function encodeBitmapPng(
  mask: Uint8Array,
  width: number,
  height: number,
): Uint8Array {
  if (mask.length !== width * height) {
    throw new RangeError(
      `Mask has ${mask.length} pixels, expected ${width}×${height}`,
    );
  }
  return encodePalettePng({
    width,
    height,
    palette: new Uint8Array([255, 255, 255, ...SEAL_INK]),
    indices: mask, // already 0 and 1: the palette's two entries
  });
}
