/**
 * Small, fast operations on 8-bit grayscale pages used while decoding:
 * halving the resolution, and the blank/blur measurements that tell an
 * unreadable scan from an image that is no certificate at all.
 *
 * @module
 */

import type { GrayImage } from "./rasterize.ts";

/**
 * Halves width and height by averaging 2 × 2 blocks.
 *
 * @example
 * ```ts ignore
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

/**
 * Standard deviation of a page's gray levels, sampled on a sparse grid:
 * near 0 for a blank (or all-black) page.
 *
 * @example
 * ```ts ignore
 * if (grayStdDev(page) < 6) console.log("blank");
 * ```
 */
export function grayStdDev(img: GrayImage): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let i = 0; i < img.data.length; i += 7) {
    const v = img.data[i];
    sum += v;
    sumSq += v * v;
    n++;
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sumSq / n - mean * mean));
}

/**
 * Counts dark square blocks of about `sideMm`, all of one size, on a page:
 * what the symbols of a back side look like from afar, even when far too
 * blurred, faint or noisy to read. Works at ~20 dpi, where each symbol is a
 * solid mid-gray square and the quiet zones still separate neighbours.
 *
 * @example
 * ```ts ignore
 * const blocks = countSymbolBlocks(page, 300, 58.2); // 12 on a clean back
 * ```
 */
export function countSymbolBlocks(
  img: GrayImage,
  dpi: number,
  sideMm: number,
): number {
  const block = Math.max(1, Math.round(dpi / 20));
  const w = Math.floor(img.width / block);
  const h = Math.floor(img.height / block);
  if (w < 4 || h < 4) return 0;
  const small = new Uint8Array(w * h);
  const hist = new Float64Array(256);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = 0; dy < block; dy++) {
        const row = (y * block + dy) * img.width + x * block;
        for (let dx = 0; dx < block; dx++) sum += img.data[row + dx];
      }
      const v = Math.round(sum / (block * block));
      small[y * w + x] = v;
      hist[v]++;
    }
  }
  const paper = percentile(hist, w * h, 0.95);
  const ink = percentile(hist, w * h, 0.02);
  if (paper - ink < 30) return 0;
  const threshold = paper - 0.2 * (paper - ink);
  const seen = new Uint8Array(w * h);
  const side = sideMm / 25.4 * (dpi / block);
  const stack: number[] = [];
  const sizes: number[] = [];
  for (let start = 0; start < w * h; start++) {
    if (seen[start] || small[start] >= threshold) continue;
    let minX = w, maxX = 0, minY = h, maxY = 0, area = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop()!;
      const x = i % w;
      const y = (i - x) / w;
      area++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      for (const j of [i - 1, i + 1, i - w, i + w]) {
        if (j < 0 || j >= w * h || seen[j] || small[j] >= threshold) continue;
        if ((j === i - 1 && x === 0) || (j === i + 1 && x === w - 1)) continue;
        seen[j] = 1;
        stack.push(j);
      }
    }
    const bw = maxX - minX + 1;
    const bh = maxY - minY + 1;
    const big = Math.max(bw, bh);
    if (
      big >= 0.75 * side && big <= 1.35 * side &&
      Math.min(bw, bh) / big >= 0.75 && area / (bw * bh) >= 0.5
    ) {
      sizes.push(big);
    }
  }
  // Symbols of one page share one size: count those near the median.
  sizes.sort((a, b) => a - b);
  const median = sizes[sizes.length >> 1];
  return sizes.filter((s) => Math.abs(s - median) <= 0.15 * median).length;
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
