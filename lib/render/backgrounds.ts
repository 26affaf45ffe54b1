/**
 * Background designs printed under the content.
 *
 * Copy-evident background (コピー牽制): the whole sheet is covered with fine
 * dots; inside the outline of the hidden word 複写 the dots are three times
 * larger and three times sparser, so both areas have the same average tone and
 * the word is hard to see on the original. A copier's scanner loses the fine
 * dots but keeps the coarse ones, so the word stands out on a photocopy.
 *
 * Scramble background (back side): faint, light-grey random strokes that make
 * the back look scrambled; symbol areas are cleared before the symbols are
 * drawn, so decoding is not hurt.
 *
 * Both designs are computed once per renderer and shared by the PDF and PNG
 * writers.
 *
 * @module
 */

import type { FontSet, PathSegment } from "./font.ts";
import type { Box } from "./fit.ts";
import {
  flattenPath,
  insidePolygons,
  mapSegments,
  segmentsBounds,
} from "./glyph_path.ts";
import type { Rgb } from "./ops.ts";

/** A regular screen of square dots. */
export interface DotScreen {
  /** Centre-to-centre distance, mm. */
  pitch: number;
  /** Side of one dot, mm. */
  dot: number;
}

/** The copy-evident background. */
export interface CopyGuardDesign {
  color: Rgb;
  fine: DotScreen;
  coarse: DotScreen;
  /** Side of the repeating cell, a multiple of both pitches, mm. */
  tile: number;
  word: string;
  /**
   * The word as coarse cells: runs [column, row, length] on a grid of
   * `coarse.pitch`, rows downwards. Cell edges fall between fine dots, so the
   * two screens meet without gaps or partial dots.
   */
  cellRuns: [number, number, number][];
  /** Size of the word's cell grid, mm. */
  wordW: number;
  wordH: number;
  /** Distance between word copies, mm (multiples of `tile`); odd rows shift by half. */
  stepX: number;
  stepY: number;
  /** Flat colour with the same average darkness (for screen-size rasters). */
  averageColor: Rgb;
}

/**
 * Builds the copy-evident design with the word drawn in the Gothic face.
 *
 * @example
 * ```ts ignore
 * const d = createCopyGuardDesign(loadFontSet());
 * d.coarse.dot / d.coarse.pitch === d.fine.dot / d.fine.pitch; // true (same tone)
 * ```
 */
export function createCopyGuardDesign(
  fonts: FontSet,
  word = "複写",
): CopyGuardDesign {
  const font = fonts.gothic;
  const fine = { pitch: 0.35, dot: 0.1 };
  const coarse = { pitch: 1.05, dot: 0.3 };
  const tile = 4.2;
  const em = 21; // mm
  const scale = em / font.unitsPerEm;
  const segments: PathSegment[] = [];
  let pen = 0;
  for (const ch of word) {
    const gid = font.glyphForCluster(ch);
    segments.push(
      ...mapSegments(font.glyphPath(gid), {
        a: scale,
        e: pen,
        d: -scale,
        f: font.ascent * scale,
      }),
    );
    pen += font.advance(gid) * scale;
  }
  const [x0, y0, x1, y1] = segmentsBounds(segments);
  const polys = flattenPath(
    mapSegments(segments, { a: 1, e: -x0, d: 1, f: -y0 }),
  );
  const p = coarse.pitch;
  const cols = Math.ceil((x1 - x0) / p) + 1,
    rows = Math.ceil((y1 - y0) / p) + 1;
  // a cell belongs to the word when its centre or a point near its edge is
  // inside the outline: this thickens thin strokes to at least one cell
  const probes = [[0, 0], [-0.4, 0], [0.4, 0], [0, -0.4], [0, 0.4]];
  const cellRuns: [number, number, number][] = [];
  for (let r = 0; r < rows; r++) {
    let start = -1;
    for (let c = 0; c <= cols; c++) {
      const inside = c < cols &&
        probes.some(([dx, dy]) =>
          insidePolygons(
            polys,
            (c + 0.5 + dx) * p - p / 2,
            (r + 0.5 + dy) * p - p / 2,
          )
        );
      if (inside && start < 0) start = c;
      if (!inside && start >= 0) {
        cellRuns.push([start, r, c - start]);
        start = -1;
      }
    }
  }
  const gray = 0.5;
  const coverage = (fine.dot / fine.pitch) ** 2;
  const avg = 1 - coverage * (1 - gray);
  return {
    color: [gray, gray, gray],
    fine,
    coarse,
    tile,
    word,
    cellRuns,
    wordW: cols * p,
    wordH: rows * p,
    stepX: 16 * tile,
    stepY: 9 * tile,
    averageColor: [avg, avg, avg],
  };
}

/**
 * Top-left corners of the word copies that touch `area`, on the tile grid
 * (so the fine and coarse screens stay in phase).
 *
 * @example
 * ```ts ignore
 * copyGuardPlacements(design, { x: 0, y: 0, w: 210, h: 297 }).length > 20; // true
 * ```
 */
export function copyGuardPlacements(
  design: CopyGuardDesign,
  area: Box,
): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  const t = design.tile;
  const snap = (v: number) => Math.round(v / t) * t;
  const x0 = snap(area.x + 2 * t), y0 = snap(area.y + 2 * t);
  for (let row = 0;; row++) {
    const y = y0 + row * design.stepY;
    if (y > area.y + area.h) break;
    const shift = row % 2 === 1 ? snap(design.stepX / 2) : 0;
    for (
      let x = x0 + shift - design.stepX;
      x < area.x + area.w;
      x += design.stepX
    ) {
      if (x + design.wordW > area.x && y + design.wordH > area.y) {
        out.push({ x, y });
      }
    }
  }
  return out;
}

/** One stroke of the scramble background, mm within its tile. */
export interface Stroke {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** The faint scrambled background of a back side. */
export interface ScrambleDesign {
  /** Side of the repeating tile, mm. */
  tile: number;
  color: Rgb;
  /** Stroke width, mm. */
  width: number;
  strokes: Stroke[];
  averageColor: Rgb;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Builds the scramble background: short light-grey strokes at random angles,
 * deterministic for a seed, wrapping seamlessly at the tile edges.
 *
 * @example
 * ```ts
 * createScrambleDesign().strokes.length; // 160
 * ```
 */
export function createScrambleDesign(seed = 0x5eed): ScrambleDesign {
  const rnd = mulberry32(seed);
  const tile = 24;
  const strokes: Stroke[] = [];
  const margin = 3;
  for (let i = 0; i < 160; i++) {
    // keep strokes inside the tile so tiling needs no wrap-around
    const x = margin + rnd() * (tile - 2 * margin);
    const y = margin + rnd() * (tile - 2 * margin);
    const len = 0.8 + rnd() * 2.2;
    const a = rnd() * Math.PI;
    const dx = (Math.cos(a) * len) / 2, dy = (Math.sin(a) * len) / 2;
    strokes.push({ x1: x - dx, y1: y - dy, x2: x + dx, y2: y + dy });
  }
  const g = 0.8;
  return {
    tile,
    color: [g, g, g],
    width: 0.12,
    strokes,
    averageColor: [0.97, 0.97, 0.97],
  };
}
