/**
 * Where and how the symbols go on the back of the A4 sheet: symbology, error
 * correction, symbol version and module size, and the grid of slots inside
 * the printable area, each slot with its quiet zone. The defaults were chosen
 * by measurement on the distortion corpus (see lib/backside/README.md).
 *
 * @module
 */

import type { PlacedSymbol } from "../certificate/model.ts";
import { A4_MM } from "./rasterize.ts";
import { type Symbology, writeSymbol } from "./zxing.ts";

/** The symbol parameters and page area of a back-side layout. */
export interface SymbolLayout {
  symbology: Symbology;
  /** QR error-correction level. */
  ecLevel: "L" | "M" | "Q" | "H";
  /** Symbol version (QR 1–40); every symbol of a page has the same size. */
  version: number;
  /** Side of one module in millimetres. */
  moduleSizeMm: number;
  /** Quiet zone around each symbol, in modules (QR needs 4). */
  quietModules: number;
  /** The area the grid fills, millimetres from the top-left corner. */
  area: { x: number; y: number; width: number; height: number };
}

/**
 * The production layout: QR version 20 at error-correction level M,
 * 0.6 mm modules (3.5 px at 150 dpi, 4.7 px at 200 dpi), a 3 × 4 grid.
 */
export const DEFAULT_LAYOUT: SymbolLayout = {
  symbology: "QRCode",
  ecLevel: "M",
  version: 20,
  moduleSizeMm: 0.6,
  quietModules: 4,
  area: { x: 10, y: 10, width: A4_MM.width - 20, height: 250 },
};

/** A slot of the grid: top-left corner of the symbol's first module, mm. */
export interface Slot {
  x: number;
  y: number;
}

/**
 * Computes the grid slots for symbols of `modules` × `modules`, centred in
 * the layout's area with at least one quiet zone between neighbours.
 *
 * @example
 * ```ts
 * const slots = layoutSlots(DEFAULT_LAYOUT, 97); // 12 slots
 * ```
 */
export function layoutSlots(layout: SymbolLayout, modules: number): Slot[] {
  const side = modules * layout.moduleSizeMm;
  const quiet = layout.quietModules * layout.moduleSizeMm;
  const cell = side + quiet;
  const cols = Math.floor((layout.area.width - quiet) / cell);
  const rows = Math.floor((layout.area.height - quiet) / cell);
  if (cols < 1 || rows < 1) {
    throw new RangeError("Layout area cannot hold one symbol");
  }
  // Spread the spare space evenly between columns/rows (more quiet zone).
  const gapX = (layout.area.width - cols * side) / (cols + 1);
  const gapY = (layout.area.height - rows * side) / (rows + 1);
  const slots: Slot[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      slots.push({
        x: round3(layout.area.x + gapX + c * (side + gapX)),
        y: round3(layout.area.y + gapY + r * (side + gapY)),
      });
    }
  }
  return slots;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * The largest payload, in bytes, one symbol of the layout carries (found by
 * asking the writer, so it matches the encoder's own mode choices).
 *
 * @example
 * ```ts
 * const max = await symbolCapacity(DEFAULT_LAYOUT); // 666 for QR 20-M
 * ```
 */
export async function symbolCapacity(layout: SymbolLayout): Promise<number> {
  const fits = async (n: number) => {
    try {
      await writeSymbol(new Uint8Array(n).fill(0xa5), layout);
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0;
  let hi = 4096;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (await fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Encodes payloads as symbols and places them in the layout's slots, in order.
 * Throws `RangeError` when there are more payloads than slots.
 *
 * @example
 * ```ts ignore
 * const symbols = await placeSymbols(payloads, DEFAULT_LAYOUT);
 * ```
 */
export async function placeSymbols(
  payloads: Uint8Array[],
  layout: SymbolLayout,
): Promise<PlacedSymbol[]> {
  // All started at once: QR symbols are written synchronously, so a page's
  // symbols are encoded back to back without giving other work the turn in
  // between, and the encoder's tables stay in cache.
  const matrices = await Promise.all(
    payloads.map((p) => writeSymbol(p, layout)),
  );
  if (matrices.length === 0) return [];
  const slots = layoutSlots(layout, matrices[0].width);
  if (payloads.length > slots.length) {
    throw new RangeError(
      `${payloads.length} symbols do not fit ${slots.length} slots`,
    );
  }
  return matrices.map((m, i) => ({
    x: slots[i].x,
    y: slots[i].y,
    moduleSize: layout.moduleSizeMm,
    width: m.width,
    height: m.height,
    modules: m.modules,
  }));
}
