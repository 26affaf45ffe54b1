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

/** Per-axis overlap of pixels with module cells: for pixel p, (module, weight) pairs. */
function axisCoverage(
  start: number,
  moduleSize: number,
  count: number,
  pixelSize: number,
): { first: number; weights: Array<Array<[number, number]>> } {
  const first = Math.max(0, Math.floor(start / pixelSize));
  const last = Math.ceil((start + moduleSize * count) / pixelSize);
  const weights: Array<Array<[number, number]>> = [];
  for (let p = first; p < last; p++) {
    const a = p * pixelSize;
    const b = a + pixelSize;
    const entries: Array<[number, number]> = [];
    const m0 = Math.max(0, Math.floor((a - start) / moduleSize));
    const m1 = Math.min(count - 1, Math.floor((b - start) / moduleSize));
    for (let m = m0; m <= m1; m++) {
      const lo = Math.max(a, start + m * moduleSize);
      const hi = Math.min(b, start + (m + 1) * moduleSize);
      if (hi > lo) entries.push([m, (hi - lo) / pixelSize]);
    }
    weights.push(entries);
  }
  return { first, weights };
}

function drawSymbol(img: GrayImage, s: PlacedSymbol, pixelMm: number) {
  const xs = axisCoverage(s.x, s.moduleSize, s.width, pixelMm);
  const ys = axisCoverage(s.y, s.moduleSize, s.height, pixelMm);
  for (let j = 0; j < ys.weights.length; j++) {
    const py = ys.first + j;
    if (py >= img.height) break;
    const rowEntries = ys.weights[j];
    for (let i = 0; i < xs.weights.length; i++) {
      const px = xs.first + i;
      if (px >= img.width) break;
      let dark = 0;
      for (const [my, wy] of rowEntries) {
        const row = my * s.width;
        for (const [mx, wx] of xs.weights[i]) {
          if (s.modules[row + mx]) dark += wy * wx;
        }
      }
      if (dark > 0) {
        const idx = py * img.width + px;
        img.data[idx] = Math.max(
          0,
          Math.round(img.data[idx] - 255 * Math.min(1, dark)),
        );
      }
    }
  }
}

/**
 * Rasterizes a back side at `dpi` onto a white A4 page.
 *
 * @example
 * ```ts
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
 * ```ts
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
