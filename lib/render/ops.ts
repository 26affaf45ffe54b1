/**
 * Drawing operations: the output of the layout step and the only input of the
 * PDF and PNG writers, so the printed sheet and the verification image cannot
 * drift apart. Coordinates are millimetres from the sheet's top-left corner,
 * y downwards.
 *
 * @module
 */

import type { FaceName, PathSegment } from "./font.ts";
import type { PlacedSymbol } from "../certificate/model.ts";

/** A colour, each channel 0..1. */
export type Rgb = readonly [number, number, number];

/**
 * Black.
 *
 * @example
 * ```ts
 * const color: Rgb = BLACK;
 * ```
 */
export const BLACK: Rgb = [0, 0, 0];

/** A run of text on one baseline, already split into glyphs. */
export interface TextOp {
  kind: "text";
  /** Left end of the baseline, mm. */
  x: number;
  /** Baseline, mm from the top. */
  y: number;
  /** Em size in points (1 pt = 25.4/72 mm). */
  sizePt: number;
  face: FaceName;
  /** The characters, exactly as in the source data. */
  text: string;
  /** Glyph id per cluster (0 = no glyph: drawn as .notdef). */
  glyphs: readonly number[];
  /** Characters each glyph stands for. */
  clusters: readonly string[];
  /** Advance per glyph, font units. */
  advances: readonly number[];
  /** Extra space after every glyph, mm. */
  letterSpacing: number;
  color: Rgb;
  /** Source field, for diagnostics and tests ("address", "label", ...). */
  field: string;
}

/** A straight line. */
export interface LineOp {
  kind: "line";
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Stroke width, mm. */
  width: number;
  color: Rgb;
}

/** A rectangle, filled and/or stroked. */
export interface RectOp {
  kind: "rect";
  x: number;
  y: number;
  w: number;
  h: number;
  fill?: Rgb;
  stroke?: Rgb;
  /** Stroke width, mm. */
  lineWidth?: number;
}

/** A PNG image stretched into a box. */
export interface ImageOp {
  kind: "image";
  x: number;
  y: number;
  w: number;
  h: number;
  png: Uint8Array;
  /** What the image is ("seal-impression"). */
  role: string;
}

/** A filled vector path (non-zero winding), mm, y down, drawn at (x, y). */
export interface PathOp {
  kind: "path";
  /** Offset added to every point, mm. */
  x: number;
  y: number;
  /** Segments relative to (x, y), mm, y down. */
  segments: readonly PathSegment[];
  fill: Rgb;
  /** Identical paths share a key, so writers can reuse their encoding. */
  key: string;
  /** What the path is ("official-seal"). */
  role: string;
}

/**
 * The copy-evident background: fine dots everywhere, the hidden word drawn
 * with coarse dots of the same average tone (see copy_guard.ts).
 */
export interface CopyGuardOp {
  kind: "copyGuard";
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The faint scrambled-looking background of a back side. */
export interface ScrambleOp {
  kind: "scramble";
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A 2D symbol on a back side: its dark modules become filled rectangles. */
export interface SymbolOp {
  kind: "symbol";
  symbol: PlacedSymbol;
}

/** Any drawing operation. */
export type DrawOp =
  | TextOp
  | LineOp
  | RectOp
  | ImageOp
  | PathOp
  | CopyGuardOp
  | ScrambleOp
  | SymbolOp;

/** A character the font could not show as asked. */
export interface GlyphIssue {
  field: string;
  /** The cluster (character plus variation selector, if any). */
  cluster: string;
  /** "missing": drawn as .notdef; "unknown-variation": drawn with the base character's glyph. */
  status: "missing" | "unknown-variation";
}

/** A laid-out page. */
export interface PageLayout {
  widthMm: number;
  heightMm: number;
  ops: DrawOp[];
  /** Characters drawn with a substitute glyph. */
  glyphIssues: GlyphIssue[];
}

/**
 * A4 portrait, mm.
 *
 * @example
 * ```ts
 * A4.widthMm; // 210
 * ```
 */
export const A4 = { widthMm: 210, heightMm: 297 } as const;

/**
 * Points per millimetre.
 *
 * @example
 * ```ts
 * 210 * PT_PER_MM; // 595.28
 * ```
 */
export const PT_PER_MM = 72 / 25.4;

/**
 * Millimetres per point.
 *
 * @example
 * ```ts
 * 12 * MM_PER_PT; // 4.23
 * ```
 */
export const MM_PER_PT = 25.4 / 72;
