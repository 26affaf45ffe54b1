/**
 * Simulated print-and-scan: turns a clean raster of a page into the file a
 * verifier would upload after printing on a kiosk and scanning on an office
 * scanner — ink on paper, skew and quarter turns, scanner resolution, blur,
 * noise, uneven lighting, a stain or a hole, a cropped margin, colour, and
 * the container (PNG, JPEG, TIFF or PDF).
 *
 * @module
 */

import { PDFDocument } from "pdf-lib";
import sharp from "sharp";
import type { GrayImage } from "../backside/rasterize.ts";

/** One simulated scan's distortions; all optional except the output dpi. */
export interface ScanDistortion {
  /** Scanner resolution of the output. */
  dpi: number;
  /** Skew in degrees (any value; ±10 in the corpus). */
  skewDeg?: number;
  /** Quarter turns clockwise (0–3) applied after the skew. */
  quarterTurns?: number;
  /** Gaussian blur sigma in output pixels (scanner defocus). */
  blurPx?: number;
  /** Gaussian noise standard deviation in gray levels. */
  noise?: number;
  /** Uneven lighting: darkest corner's brightness factor loss, 0–0.7. */
  lighting?: number;
  /** A translucent stain: centre and radii in mm, darkening factor 0–1. */
  stain?: { cx: number; cy: number; rx: number; ry: number; darkness: number };
  /** An opaque hole or patch (scanner lid shows through), centre and radius in mm. */
  hole?: { cx: number; cy: number; r: number; shade: number };
  /** Fold creases across the page: a band of changed brightness at `yMm`. */
  folds?: Array<{ yMm: number; widthMm: number; shade: number }>;
  /** Pen strokes across the page, from (x1, y1) to (x2, y2) in mm. */
  strokes?: Array<
    { x1: number; y1: number; x2: number; y2: number; widthMm: number }
  >;
  /** Millimetres cropped off each edge. */
  crop?: { top?: number; right?: number; bottom?: number; left?: number };
  /** Output in colour (slightly tinted paper) instead of grayscale. */
  colour?: boolean;
  /** Container format. */
  format: "png" | "jpeg" | "tiff" | "pdf";
  /** JPEG quality 1–100 (also used inside PDF and for JPEG-compressed TIFF). */
  jpegQuality?: number;
}

/** Ink and paper levels of a laser print on plain paper. */
const INK = 28;
const PAPER = 238;

/**
 * Applies a print-and-scan simulation to a page raster rendered at
 * `page.dpi`, returning the scan file's bytes. `rand` drives the noise.
 *
 * @example
 * ```ts ignore
 * const page = rasterizeBackSide(back, { dpi: 600 });
 * const jpeg = await simulateScan({ ...page, dpi: 600 },
 *   { dpi: 200, skewDeg: 3, format: "jpeg", jpegQuality: 70 }, Math.random);
 * ```
 */
export async function simulateScan(
  page: GrayImage & { dpi: number },
  d: ScanDistortion,
  rand: () => number,
): Promise<Uint8Array> {
  const mmToPx = page.dpi / 25.4;
  // 1. Ink on paper, then the page-bound defects (stain, hole).
  const printed = new Uint8Array(page.data.length);
  const scale = (PAPER - INK) / 255;
  for (let i = 0; i < printed.length; i++) {
    printed[i] = INK + page.data[i] * scale;
  }
  if (d.stain) applyStain(printed, page.width, page.height, d.stain, mmToPx);
  if (d.hole) applyHole(printed, page.width, page.height, d.hole, mmToPx);
  for (const f of d.folds ?? []) {
    applyFold(printed, page.width, page.height, f, mmToPx);
  }
  for (const s of d.strokes ?? []) {
    applyStroke(printed, page.width, page.height, s, mmToPx);
  }

  // 2. Geometry: skew, crop, quarter turns, resample to the scanner's dpi.
  let { data, info } = await sharp(printed, {
    raw: { width: page.width, height: page.height, channels: 1 },
  }).rotate(d.skewDeg ?? 0, { background: { r: 250, g: 250, b: 250 } })
    .toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
  if (d.crop) {
    const left = Math.round((d.crop.left ?? 0) * mmToPx);
    const top = Math.round((d.crop.top ?? 0) * mmToPx);
    const width = info.width - left - Math.round((d.crop.right ?? 0) * mmToPx);
    const height = info.height - top -
      Math.round((d.crop.bottom ?? 0) * mmToPx);
    ({ data, info } = await grayRaw(
      fromGray(data, info.width, info.height).extract({
        left,
        top,
        width,
        height,
      }),
    ));
  }
  const factor = d.dpi / page.dpi;
  let scanned = fromGray(data, info.width, info.height).resize(
    Math.max(1, Math.round(info.width * factor)),
    Math.max(1, Math.round(info.height * factor)),
    { kernel: "cubic" },
  );
  if (d.blurPx && d.blurPx >= 0.3) scanned = scanned.blur(d.blurPx);
  ({ data, info } = await grayRaw(scanned));
  if (d.quarterTurns) {
    ({ data, info } = await grayRaw(
      fromGray(data, info.width, info.height).rotate(90 * (d.quarterTurns % 4)),
    ));
  }

  // 3. Sensor: lighting and noise.
  const w = info.width;
  const h = info.height;
  const pixels = new Uint8Array(data.buffer, data.byteOffset, w * h);
  if (d.lighting || d.noise) {
    const cornerX = rand() < 0.5 ? 0 : w;
    const cornerY = rand() < 0.5 ? 0 : h;
    const diag = Math.hypot(w, h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        let v = pixels[i];
        if (d.lighting) {
          const dist = Math.hypot(x - cornerX, y - cornerY) / diag;
          v *= 1 - d.lighting * Math.max(0, 1 - dist);
        }
        if (d.noise) v += d.noise * gaussian(rand);
        pixels[i] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }

  // 4. Colour and container.
  let out = sharp(pixels, { raw: { width: w, height: h, channels: 1 } });
  if (d.colour) {
    out = out.toColourspace("srgb").recomb([
      [1.0, 0, 0],
      [0, 0.97, 0],
      [0, 0, 0.9],
    ]);
    out = out.withMetadata({ density: d.dpi });
  } else {
    // (withMetadata would widen the output to sRGB; gray scans stay 1-channel.)
    out = out.toColourspace("b-w");
  }
  const quality = d.jpegQuality ?? 85;
  let bytes: Uint8Array;
  if (d.format === "png") {
    bytes = await out.png({ compressionLevel: 3 }).toBuffer();
  } else if (d.format === "tiff") {
    bytes = await out.tiff({ compression: "lzw" }).toBuffer();
  } else {
    bytes = await out.jpeg({ quality, chromaSubsampling: "4:2:0" }).toBuffer();
  }
  if (d.format === "pdf") bytes = await jpegToPdf(bytes, w, h, d.dpi);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function fromGray(data: Uint8Array, width: number, height: number) {
  return sharp(data, { raw: { width, height, channels: 1 } });
}

/** Raw 1-channel pixels of a pipeline (sharp may otherwise widen to RGB). */
async function grayRaw(pipeline: ReturnType<typeof sharp>) {
  return await pipeline.toColourspace("b-w").raw().toBuffer({
    resolveWithObject: true,
  });
}

/** Wraps a scanned JPEG page into a one-page PDF, as scanners do. */
async function jpegToPdf(
  jpeg: Uint8Array,
  width: number,
  height: number,
  dpi: number,
): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const image = await pdf.embedJpg(jpeg);
  const w = width / dpi * 72;
  const h = height / dpi * 72;
  const p = pdf.addPage([w, h]);
  p.drawImage(image, { x: 0, y: 0, width: w, height: h });
  return await pdf.save();
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

function applyStain(
  px: Uint8Array,
  w: number,
  h: number,
  s: NonNullable<ScanDistortion["stain"]>,
  mmToPx: number,
) {
  const cx = s.cx * mmToPx;
  const cy = s.cy * mmToPx;
  const rx = s.rx * mmToPx;
  const ry = s.ry * mmToPx;
  const y0 = Math.max(0, Math.floor(cy - ry));
  const y1 = Math.min(h - 1, Math.ceil(cy + ry));
  const x0 = Math.max(0, Math.floor(cx - rx));
  const x1 = Math.min(w - 1, Math.ceil(cx + rx));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const r = Math.hypot((x - cx) / rx, (y - cy) / ry);
      if (r > 1) continue;
      // Coffee-ring: darker rim, lighter middle.
      const k = s.darkness * (0.55 + 0.45 * Math.pow(r, 6));
      px[y * w + x] = px[y * w + x] * (1 - k);
    }
  }
}

function applyHole(
  px: Uint8Array,
  w: number,
  h: number,
  hole: NonNullable<ScanDistortion["hole"]>,
  mmToPx: number,
) {
  const cx = hole.cx * mmToPx;
  const cy = hole.cy * mmToPx;
  const r = hole.r * mmToPx;
  for (
    let y = Math.max(0, Math.floor(cy - r));
    y <= Math.min(h - 1, cy + r);
    y++
  ) {
    for (
      let x = Math.max(0, Math.floor(cx - r));
      x <= Math.min(w - 1, cx + r);
      x++
    ) {
      if (Math.hypot(x - cx, y - cy) <= r) px[y * w + x] = hole.shade;
    }
  }
}

function applyFold(
  px: Uint8Array,
  w: number,
  h: number,
  fold: NonNullable<ScanDistortion["folds"]>[number],
  mmToPx: number,
) {
  const cy = fold.yMm * mmToPx;
  const half = fold.widthMm * mmToPx / 2;
  for (
    let y = Math.max(0, Math.floor(cy - half));
    y <= Math.min(h - 1, cy + half);
    y++
  ) {
    // Crease profile: strongest at the centre line.
    const k = 1 - Math.abs(y - cy) / half;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      px[i] = px[i] + (fold.shade - px[i]) * k * 0.8;
    }
  }
}

function applyStroke(
  px: Uint8Array,
  w: number,
  h: number,
  s: NonNullable<ScanDistortion["strokes"]>[number],
  mmToPx: number,
) {
  const [x1, y1, x2, y2] = [s.x1, s.y1, s.x2, s.y2].map((v) => v * mmToPx);
  const r = s.widthMm * mmToPx / 2;
  const len = Math.hypot(x2 - x1, y2 - y1);
  const steps = Math.ceil(len / Math.max(1, r / 2));
  for (let t = 0; t <= steps; t++) {
    const cx = x1 + (x2 - x1) * t / steps;
    const cy = y1 + (y2 - y1) * t / steps;
    for (
      let y = Math.max(0, Math.floor(cy - r));
      y <= Math.min(h - 1, cy + r);
      y++
    ) {
      for (
        let x = Math.max(0, Math.floor(cx - r));
        x <= Math.min(w - 1, cx + r);
        x++
      ) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) px[y * w + x] = 40;
      }
    }
  }
}
