/**
 * Fitting a field's text into its box: shrink the font step by step down to
 * the field's minimum size and wrap onto at most `maxLines` lines. A text that
 * still does not fit is reported, never cut.
 *
 * @module
 */

import {
  type FaceName,
  type FontFace,
  type ShapedText,
  shapeText,
} from "./font.ts";
import { MM_PER_PT } from "./ops.ts";

/** How one field is printed. */
export interface FieldStyle {
  face: FaceName;
  /** Preferred size, pt. */
  sizePt: number;
  /** Smallest size allowed on the form, pt. */
  minSizePt: number;
  /** Lines the box holds. */
  maxLines: number;
  /** Distance between baselines as a multiple of the size. Default 1.25. */
  lineHeight?: number;
  align?: "left" | "center" | "right";
}

/** A box, mm. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The text at the size where it fits. */
export interface FittedText {
  sizePt: number;
  lines: ShapedText[];
}

/** Characters that must not begin a line (行頭禁則). */
const NO_LINE_START = new Set(
  Array.from(
    "、。，．,.)）」』】〕〉》］｝・ー～ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々ゝゞヽヾ",
  ),
);

/**
 * Size step when shrinking, pt.
 *
 * @example
 * ```ts ignore
 * const next = style.sizePt - SIZE_STEP_PT;
 * ```
 */
export const SIZE_STEP_PT = 0.5;

function slice(s: ShapedText, from: number, to: number): ShapedText {
  const advances = s.advances.slice(from, to);
  let width = 0;
  for (const a of advances) width += a;
  return {
    glyphs: s.glyphs.slice(from, to),
    clusters: s.clusters.slice(from, to),
    advances,
    width,
  };
}

/**
 * Breaks shaped text into lines no wider than `maxWidth` (font units), at
 * cluster boundaries, keeping closing punctuation and small kana off a line
 * start. Returns null when a single cluster is wider than the line.
 *
 * @example
 * ```ts ignore
 * const s = shapeText(fonts.mincho, "東京都千代田区");
 * wrapShaped(s, 4 * 2048)!.length; // 2
 * ```
 */
export function wrapShaped(
  s: ShapedText,
  maxWidth: number,
): ShapedText[] | null {
  const lines: ShapedText[] = [];
  const n = s.clusters.length;
  let start = 0;
  while (start < n) {
    let w = 0;
    let end = start;
    while (end < n && w + s.advances[end] <= maxWidth + 1e-6) {
      w += s.advances[end];
      end++;
    }
    if (end === start) return null;
    if (end < n && NO_LINE_START.has(s.clusters[end]) && end - start > 1) end--;
    lines.push(slice(s, start, end));
    start = end;
  }
  return lines;
}

/**
 * Finds the largest size (from `style.sizePt` down to `style.minSizePt` in
 * 0.5 pt steps) at which `text` fits `box`; null when it does not fit even at
 * the minimum. An empty text fits at the preferred size with no lines.
 *
 * @example
 * ```ts ignore
 * const fitted = fitText(fonts.mincho, "山田太郎", { x: 0, y: 0, w: 80, h: 10 }, {
 *   face: "mincho", sizePt: 16, minSizePt: 10, maxLines: 1,
 * });
 * fitted?.sizePt; // 16
 * ```
 */
export function fitText(
  font: FontFace,
  text: string,
  box: Box,
  style: FieldStyle,
): FittedText | null {
  if (text === "") return { sizePt: style.sizePt, lines: [] };
  const shaped = shapeText(font, text);
  const lineHeight = style.lineHeight ?? 1.25;
  for (
    let size = style.sizePt;
    size >= style.minSizePt - 1e-9;
    size -= SIZE_STEP_PT
  ) {
    const sizeMm = size * MM_PER_PT;
    const maxWidth = (box.w / sizeMm) * font.unitsPerEm;
    if (style.maxLines === 1) {
      if (shaped.width <= maxWidth + 1e-6 && sizeMm <= box.h + 1e-6) {
        return { sizePt: size, lines: [shaped] };
      }
      continue;
    }
    const lines = wrapShaped(shaped, maxWidth);
    if (!lines || lines.length > style.maxLines) continue;
    const needed = sizeMm * (1 + (lines.length - 1) * lineHeight);
    if (needed <= box.h + 1e-6) return { sizePt: size, lines };
  }
  return null;
}
