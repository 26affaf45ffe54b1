/**
 * Small, fast operations on 8-bit grayscale pages used while decoding:
 * halving the resolution, and the blank/blur measurements that tell an
 * unreadable scan from an image that is no certificate at all.
 *
 * @module
 */

import type { GrayImage } from "../backside/rasterize.ts";

/**
 * Halves width and height by averaging 2 × 2 blocks.
 *
 * @example
 * ```ts
 * const small = halve(page); // 300 dpi → 150 dpi
 * ```
 */
export function halve(img: GrayImage): GrayImage {
  const width = img.width >> 1;
  const height = img.height >> 1;
  const out = new Uint8Array(width * height);
  const src = img.data;
  const w = img.width;
  for (let y = 0; y < height; y++) {
    let i = 2 * y * w;
    let o = y * width;
    for (let x = 0; x < width; x++, i += 2, o++) {
      out[o] = (src[i] + src[i + 1] + src[i + w] + src[i + w + 1] + 2) >> 2;
    }
  }
  return { width, height, data: out };
}

/** Contrast and sharpness of a page. */
export interface PageStats {
  /** Standard deviation of gray levels (0 for a uniform page). */
  stdDev: number;
  /** Gray-level range between the 1st and 99th percentiles. */
  range: number;
  /**
   * Steepest edges relative to the range: the 99.5th percentile of the
   * absolute difference between pixels `step` apart, divided by `range`.
   * Crisp images score ≳ 0.4, heavily blurred ones ≲ 0.15.
   */
  sharpness: number;
}

/**
 * Measures contrast and sharpness, sampling every few rows. `dpi` sets the
 * step of the edge measurement to about 1/150 inch so scores compare across
 * resolutions.
 *
 * @example
 * ```ts
 * const { stdDev, sharpness } = pageStats(page, 300);
 * ```
 */
export function pageStats(img: GrayImage, dpi: number): PageStats {
  const step = Math.max(1, Math.round(dpi / 150));
  const hist = new Float64Array(256);
  const diffHist = new Float64Array(256);
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  const rowStep = Math.max(1, step * 2);
  for (let y = 0; y + step < img.height; y += rowStep) {
    const row = y * img.width;
    for (let x = 0; x + step < img.width; x += step) {
      const v = img.data[row + x];
      hist[v]++;
      sum += v;
      sumSq += v * v;
      n++;
      diffHist[Math.abs(v - img.data[row + x + step])]++;
      diffHist[Math.abs(v - img.data[row + step * img.width + x])]++;
    }
  }
  if (n === 0) return { stdDev: 0, range: 0, sharpness: 0 };
  const mean = sum / n;
  const stdDev = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  const range = percentile(hist, n, 0.99) - percentile(hist, n, 0.01);
  const edge = percentile(diffHist, 2 * n, 0.995);
  return { stdDev, range, sharpness: range > 0 ? edge / range : 0 };
}

function percentile(hist: Float64Array, total: number, p: number): number {
  const target = p * total;
  let acc = 0;
  for (let v = 0; v < hist.length; v++) {
    acc += hist[v];
    if (acc >= target) return v;
  }
  return hist.length - 1;
}
