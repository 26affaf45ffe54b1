/**
 * Loads an uploaded scan — PNG, JPEG, TIFF, WebP (anything sharp reads) or
 * PDF — as 8-bit grayscale pages. Guards against decompression bombs with a
 * pixel limit, and can shrink large scans while decoding (JPEG shrink-on-load
 * makes a 600 dpi page cheap).
 *
 * @module
 */

import sharp from "sharp";
import type { GrayImage } from "./rasterize.ts";

/** A loaded page with the resolution it was estimated at. */
export interface ScanPage extends GrayImage {
  /** Estimated resolution, assuming the page's short side is A4's 210 mm. */
  dpi: number;
}

/** Options of {@linkcode loadScan}. */
export interface LoadScanOptions {
  /** Largest input accepted, in pixels (default 80 million, ~A4 at 1000 dpi). */
  maxInputPixels?: number;
  /** Pages at more than this (estimated) dpi are scaled down to it while loading. */
  maxDpi?: number;
  /** Resolution for rasterizing PDF pages (default 200). */
  pdfDpi?: number;
  /** Most PDF pages looked at (default 4; ignored with `page`). */
  maxPdfPages?: number;
  /**
   * Load only this page (1-based) of a PDF or a multi-page TIFF; a page
   * the file does not have is a {@linkcode ScanFormatError}. A one-page
   * image has page 1 only.
   */
  page?: number;
}

/** Thrown when the bytes are no image or PDF we can read. */
export class ScanFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScanFormatError";
  }
}

const A4_SHORT_INCH = 210 / 25.4;

/**
 * Whether the bytes are a PDF ("%PDF-" within the first kilobyte).
 *
 * @example
 * ```ts
 * isPdf(new TextEncoder().encode("%PDF-1.7\n")); // true
 * ```
 */
export function isPdf(bytes: Uint8Array): boolean {
  // "%PDF" may follow a little junk; the spec allows it within the first 1 KB.
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 1024));
  return head.includes("%PDF-");
}

/**
 * Decodes scan bytes to grayscale pages.
 *
 * @example
 * ```ts ignore
 * const [page] = await loadScan(await Deno.readFile("scan.jpg"), { maxDpi: 300 });
 * console.log(page.width, page.height, page.dpi);
 * ```
 */
export async function loadScan(
  bytes: Uint8Array,
  options: LoadScanOptions = {},
): Promise<ScanPage[]> {
  if (
    options.page !== undefined &&
    !(Number.isInteger(options.page) && options.page >= 1)
  ) {
    throw new RangeError(`page must be an integer ≥ 1, got ${options.page}`);
  }
  if (isPdf(bytes)) return await loadPdf(bytes, options);
  return [await loadImage(bytes, options)];
}

async function loadImage(
  bytes: Uint8Array,
  options: LoadScanOptions,
): Promise<ScanPage> {
  const limitInputPixels = options.maxInputPixels ?? 80_000_000;
  // A multi-page TIFF: one page (its IFD) at a time.
  const input = { limitInputPixels, page: (options.page ?? 1) - 1 };
  let meta;
  try {
    meta = await sharp(bytes, input).metadata();
  } catch (e) {
    throw new ScanFormatError(`Not a readable image: ${(e as Error).message}`);
  }
  if (!meta.width || !meta.height) {
    throw new ScanFormatError("Image has no size");
  }
  if ((options.page ?? 1) > (meta.pages ?? 1)) {
    throw new ScanFormatError(`The image has no page ${options.page}`);
  }
  // EXIF orientation swaps the sides; either way the short side is 210 mm.
  const shortSide = Math.min(meta.width, meta.height);
  const dpi = shortSide / A4_SHORT_INCH;
  let pipeline = sharp(bytes, input).rotate();
  let outDpi = dpi;
  if (options.maxDpi && dpi > options.maxDpi * 1.15) {
    const factor = options.maxDpi / dpi;
    const oriented = (meta.orientation ?? 1) >= 5;
    const w = oriented ? meta.height : meta.width;
    pipeline = pipeline.resize(Math.round(w * factor), null, {
      kernel: "linear",
      fastShrinkOnLoad: true,
    });
    outDpi = options.maxDpi;
  }
  // Colour scans: the green channel stands in for luminance (black ink on
  // paper reads the same) and skips a colour conversion, ~30 % faster.
  const rgb = meta.space === "srgb" && (meta.channels ?? 0) >= 3;
  pipeline = meta.hasAlpha
    ? pipeline.flatten({ background: "#ffffff" })
    : pipeline;
  pipeline = rgb ? pipeline.extractChannel(1) : pipeline.toColourspace("b-w");
  try {
    const { data, info } = await pipeline.raw().toBuffer({
      resolveWithObject: true,
    });
    if (info.channels !== 1) {
      throw new ScanFormatError(`Expected 1 channel, got ${info.channels}`);
    }
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      dpi: outDpi,
    };
  } catch (e) {
    if (e instanceof ScanFormatError) throw e;
    throw new ScanFormatError(`Cannot decode image: ${(e as Error).message}`);
  }
}

async function loadPdf(
  bytes: Uint8Array,
  options: LoadScanOptions,
): Promise<ScanPage[]> {
  const dpi = options.pdfDpi ?? 200;
  const dir = await Deno.makeTempDir({ prefix: "scan-pdf-" });
  try {
    const input = `${dir}/in.pdf`;
    await Deno.writeFile(input, bytes);
    const out = await new Deno.Command("pdftoppm", {
      args: [
        "-r",
        String(dpi),
        "-gray",
        // Crisp vector edges; halves the time for a vector back page.
        "-aa",
        "no",
        "-aaVector",
        "no",
        "-f",
        String(options.page ?? 1),
        "-l",
        String(options.page ?? options.maxPdfPages ?? 4),
        input,
        `${dir}/page`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new ScanFormatError(
        `pdftoppm failed: ${new TextDecoder().decode(out.stderr).trim()}`,
      );
    }
    const files = [];
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.startsWith("page")) files.push(entry.name);
    }
    files.sort();
    const pages: ScanPage[] = [];
    for (const f of files) {
      const page = parsePgm(await Deno.readFile(`${dir}/${f}`));
      pages.push({ ...page, dpi });
    }
    if (pages.length === 0) throw new ScanFormatError("PDF has no pages");
    return pages;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Parses a binary 8-bit PGM (P5), the format pdftoppm -gray writes. */
function parsePgm(bytes: Uint8Array): GrayImage {
  const fields: number[] = [];
  let o = 2;
  if (bytes[0] !== 0x50 || bytes[1] !== 0x35) {
    throw new ScanFormatError("pdftoppm output is not a PGM");
  }
  while (fields.length < 3) {
    while (o < bytes.length && /\s/.test(String.fromCharCode(bytes[o]))) o++;
    if (bytes[o] === 0x23) { // comment
      while (o < bytes.length && bytes[o] !== 0x0a) o++;
      continue;
    }
    let n = 0;
    while (o < bytes.length && bytes[o] >= 0x30 && bytes[o] <= 0x39) {
      n = n * 10 + bytes[o++] - 0x30;
    }
    fields.push(n);
  }
  o++; // the single whitespace after maxval
  const [width, height, maxval] = fields;
  if (maxval !== 255 || o + width * height > bytes.length) {
    throw new ScanFormatError("Unexpected PGM from pdftoppm");
  }
  return { width, height, data: bytes.subarray(o, o + width * height) };
}
