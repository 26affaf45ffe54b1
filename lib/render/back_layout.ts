/**
 * Layout of a certificate back: the center's 2D symbols on a faint scrambled
 * background, with the issue number and key id in clear text at the bottom.
 *
 * The background never touches a symbol: each symbol and a quiet zone of four
 * modules around it are cleared to white before its dark modules are drawn.
 *
 * @module
 */

import type { BackSide, PlacedSymbol } from "../certificate/model.ts";
import { defaultRenderContext, type RenderContext } from "./context.ts";
import { FieldTooLongError } from "./errors.ts";
import { fitText } from "./fit.ts";
import { A4, BLACK, type DrawOp, MM_PER_PT, type PageLayout } from "./ops.ts";

/**
 * Quiet zone kept white around each symbol, in modules.
 *
 * @example
 * ```ts ignore
 * const margin = QUIET_ZONE_MODULES * symbol.moduleSize; // mm
 * ```
 */
export const QUIET_ZONE_MODULES = 4;

/** Options of {@link layoutBackSide}. */
export interface BackLayoutOptions {
  context?: RenderContext;
}

function checkSymbol(s: PlacedSymbol, i: number): void {
  if (
    !(s.width > 0 && s.height > 0 && Number.isInteger(s.width) &&
      Number.isInteger(s.height))
  ) {
    throw new RangeError(`Symbol ${i}: bad size ${s.width}×${s.height}`);
  }
  if (s.modules.length !== s.width * s.height) {
    throw new RangeError(
      `Symbol ${i}: ${s.modules.length} modules for ${s.width}×${s.height}`,
    );
  }
  if (!(s.moduleSize > 0)) {
    throw new RangeError(`Symbol ${i}: module size ${s.moduleSize}`);
  }
  const right = s.x + s.width * s.moduleSize,
    bottom = s.y + s.height * s.moduleSize;
  if (s.x < 0 || s.y < 0 || right > A4.widthMm || bottom > A4.heightMm) {
    throw new RangeError(`Symbol ${i} lies outside the sheet`);
  }
}

/**
 * Lays out the back of one sheet.
 *
 * @example
 * ```ts
 * const layout = layoutBackSide({ keyId: "k1", issueNumber: "401005-1", symbols: [] });
 * layout.ops[0].kind; // "copyGuard"
 * ```
 */
export function layoutBackSide(
  back: BackSide,
  options: BackLayoutOptions = {},
): PageLayout {
  const ctx = options.context ?? defaultRenderContext();
  const ops: DrawOp[] = [
    { kind: "copyGuard", x: 0, y: 0, w: A4.widthMm, h: A4.heightMm },
    { kind: "scramble", x: 0, y: 0, w: A4.widthMm, h: A4.heightMm },
  ];
  back.symbols.forEach(checkSymbol);
  for (const s of back.symbols) {
    const q = QUIET_ZONE_MODULES * s.moduleSize;
    ops.push({
      kind: "rect",
      x: s.x - q,
      y: s.y - q,
      w: s.width * s.moduleSize + 2 * q,
      h: s.height * s.moduleSize + 2 * q,
      fill: [1, 1, 1],
    });
  }
  for (const s of back.symbols) ops.push({ kind: "symbol", symbol: s });

  // clear text at the bottom, on white
  ops.push({ kind: "rect", x: 12, y: 283, w: 186, h: 9, fill: [1, 1, 1] });
  const font = ctx.fonts.gothic;
  const line = `発行番号 ${back.issueNumber}　鍵ID ${back.keyId}`;
  const box = { x: 15, y: 284, w: 180, h: 7 };
  const fitted = fitText(font, line, box, {
    face: "gothic",
    sizePt: 9,
    minSizePt: 6,
    maxLines: 1,
  });
  if (!fitted) {
    throw new FieldTooLongError(
      "backSide.keyId",
      `"${line}" does not fit ${box.w} mm at 6 pt`,
    );
  }
  const s = fitted.lines[0];
  const sizeMm = fitted.sizePt * MM_PER_PT;
  ops.push({
    kind: "text",
    x: box.x,
    y: box.y + box.h / 2 + 0.38 * sizeMm,
    sizePt: fitted.sizePt,
    face: "gothic",
    text: line,
    glyphs: s.glyphs,
    clusters: s.clusters,
    advances: s.advances,
    letterSpacing: 0,
    color: BLACK,
    field: "backSide",
  });
  return { ...A4, ops, glyphIssues: [] };
}

/**
 * The dark modules of a symbol as horizontal runs, one per maximal run of
 * dark modules in a row: [column, row, length], in modules.
 *
 * @example
 * ```ts
 * moduleRuns({ x: 0, y: 0, moduleSize: 1, width: 4, height: 1, modules: new Uint8Array([1, 1, 0, 1]) });
 * // [[0, 0, 2], [3, 0, 1]]
 * ```
 */
export function moduleRuns(s: PlacedSymbol): [number, number, number][] {
  const runs: [number, number, number][] = [];
  const { width, height, modules } = s;
  for (let r = 0; r < height; r++) {
    const base = r * width;
    let c = 0;
    while (c < width) {
      if (!modules[base + c]) {
        c++;
        continue;
      }
      const start = c;
      while (c < width && modules[base + c]) c++;
      runs.push([start, r, c - start]);
    }
  }
  return runs;
}
