/**
 * Draws a back side as an 8-bit grayscale raster, the way a printer would
 * put it on A4 paper: white paper, black modules, each pixel shaded by the
 * exact share of its area that dark modules cover (so any dpi and
 * fractional module positions render faithfully).
 *
 * @module
 */

import sharp from "sharp";
import type { BackSide, PlacedSymbol } from "../certificate/model.ts";

/** A4 paper size in millimetres. */
export const A4_MM = { width: 210, height: 297 } as const;

/** An 8-bit grayscale raster, row-major, 0 = black. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Per-axis overlap of pixels with module cells, flattened into typed arrays:
 * for pixel `first + p`, entries `offsets[p]` to `offsets[p + 1]` give the
 * module index and the share of the pixel it covers.
 */
interface AxisCoverage {
  first: number;
  offsets: Int32Array;
  modules: Int32Array;
  weights: Float32Array;
}

function axisCoverage(
  start: number,
  moduleSize: number,
  count: number,
  pixelSize: number,
): AxisCoverage {
  const first = Math.max(0, Math.floor(start / pixelSize));
  const last = Math.ceil((start + moduleSize * count) / pixelSize);
  const offsets = new Int32Array(last - first + 1);
  const modules: number[] = [];
  const weights: number[] = [];
  for (let p = first; p < last; p++) {
    offsets[p - first] = modules.length;
    const a = p * pixelSize;
    const b = a + pixelSize;
    const m0 = Math.max(0, Math.floor((a - start) / moduleSize));
    const m1 = Math.min(count - 1, Math.floor((b - start) / moduleSize));
    for (let m = m0; m <= m1; m++) {
      const lo = Math.max(a, start + m * moduleSize);
      const hi = Math.min(b, start + (m + 1) * moduleSize);
      if (hi > lo) {
        modules.push(m);
        weights.push((hi - lo) / pixelSize);
      }
    }
  }
  offsets[last - first] = modules.length;
  return {
    first,
    offsets,
    modules: Int32Array.from(modules),
    weights: Float32Array.from(weights),
  };
}

function drawSymbol(img: GrayImage, s: PlacedSymbol, pixelMm: number) {
  const xs = axisCoverage(s.x, s.moduleSize, s.width, pixelMm);
  const ys = axisCoverage(s.y, s.moduleSize, s.height, pixelMm);
  const columns = Math.min(xs.offsets.length - 1, img.width - xs.first);
  const rows = Math.min(ys.offsets.length - 1, img.height - ys.first);
  // Dark share of each pixel column for one module row, reused across the
  // pixel rows that module row covers.
  const rowShare = new Float32Array(columns);
  for (let j = 0; j < rows; j++) {
    const out = (ys.first + j) * img.width + xs.first;
    rowShare.fill(0);
    for (let e = ys.offsets[j]; e < ys.offsets[j + 1]; e++) {
      const base = ys.modules[e] * s.width;
      const wy = ys.weights[e];
      for (let i = 0; i < columns; i++) {
        let dark = 0;
        for (let f = xs.offsets[i]; f < xs.offsets[i + 1]; f++) {
          if (s.modules[base + xs.modules[f]]) dark += xs.weights[f];
        }
        rowShare[i] += wy * dark;
      }
    }
    for (let i = 0; i < columns; i++) {
      const dark = rowShare[i];
      if (dark > 0) {
        const v = img.data[out + i] - 255 * Math.min(1, dark);
        img.data[out + i] = v < 0 ? 0 : Math.round(v);
      }
    }
  }
}

/**
 * Rasterizes a back side at `dpi` onto a white A4 page.
 *
 * @example
 * ```ts ignore
 * const page = rasterizeBackSide(back, { dpi: 300 }); // 2480 × 3508
 * ```
 */
export function rasterizeBackSide(
  back: BackSide,
  options: { dpi: number },
): GrayImage {
  const { dpi } = options;
  if (!(dpi >= 25 && dpi <= 1200)) throw new RangeError(`Bad dpi ${dpi}`);
  const width = Math.round(A4_MM.width / 25.4 * dpi);
  const height = Math.round(A4_MM.height / 25.4 * dpi);
  const img: GrayImage = {
    width,
    height,
    data: new Uint8Array(width * height).fill(255),
  };
  const pixelMm = 25.4 / dpi;
  for (const s of back.symbols) drawSymbol(img, s, pixelMm);
  return img;
}

/**
 * Rasterizes a back side and encodes it as a grayscale PNG.
 *
 * @example
 * ```ts ignore
 * await Deno.writeFile("back.png", await backSideToPng(back, { dpi: 200 }));
 * ```
 */
export async function backSideToPng(
  back: BackSide,
  options: { dpi: number },
): Promise<Uint8Array> {
  const img = rasterizeBackSide(back, options);
  const png = await sharp(img.data, {
    raw: { width: img.width, height: img.height, channels: 1 },
  }).withMetadata({ density: options.dpi }).png({ compressionLevel: 6 })
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
