/**
 * Checks an uploaded file before anything decodes it: the type is sniffed
 * from its first bytes (PNG, JPEG, TIFF, PDF — never from its name), the
 * container is walked far enough to prove it is complete (chunk lengths and
 * CRCs, JPEG segments up to EOI, TIFF strips inside the file, a PDF's
 * trailer), and the declared size is checked against the limits — so a
 * 50,000 × 50,000 header or a truncated file is refused without inflating
 * a single pixel. PDFs are measured with poppler's `pdfinfo` (page count and
 * page size) in a private temporary folder that is removed at once.
 *
 * @module
 */
import { crc32 } from "../../lib/render/png_codec.ts";
import { type Refusal, refusal } from "./refusals.ts";

/**
 * The file types a scan may have, with the media type and file name
 * extensions a browser knows each by (the upload form's picker hint).
 */
export const SCAN_TYPES = {
  png: { mediaType: "image/png", extensions: [".png"] },
  jpeg: { mediaType: "image/jpeg", extensions: [".jpg", ".jpeg"] },
  tiff: { mediaType: "image/tiff", extensions: [".tif", ".tiff"] },
  pdf: { mediaType: "application/pdf", extensions: [".pdf"] },
} as const;

/** The file types a scan may have. */
export type ScanKind = keyof typeof SCAN_TYPES;

/** Upload and decoding limits. */
export interface ScanLimits {
  /** Largest upload body, bytes. */
  maxBytes: number;
  /** Largest image, pixels (also handed to the decoder as its bomb guard). */
  maxPixels: number;
  /** Longest side, pixels. */
  maxSide: number;
  /** Shortest short side, pixels (an A4 page at ~70 dpi). */
  minShortSide: number;
  /**
   * Most sheets in one upload: a PDF or TIFF may hold twice as many pages
   * (the kiosk's own PDF has each sheet's front and back). The default
   * covers the largest household the kiosk prints on one issue.
   */
  maxSheets: number;
  /** Largest PDF page side, points (A3's long side is 1191). */
  maxPdfPageSidePt: number;
  /** Most JPEG scans (progressive JPEGs with thousands of scans are CPU bombs). */
  maxJpegScans: number;
  /** Most chunks in a PNG / segments in a JPEG / IFDs in a TIFF. */
  maxParts: number;
  /** Largest compressed ancillary PNG chunk (iCCP, zTXt, iTXt), bytes. */
  maxPngTextChunk: number;
  /** Largest decoded image, bytes (pixels × bytes per pixel): the bomb guard. */
  maxDecodedBytes: number;
}

/** Defaults: A4 up to ~800 dpi, 20 MB. */
export const DEFAULT_LIMITS: ScanLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxPixels: 60_000_000,
  maxSide: 12_000,
  minShortSide: 600,
  maxSheets: 20,
  maxPdfPageSidePt: 1200,
  maxJpegScans: 64,
  maxParts: 4096,
  maxPngTextChunk: 1024 * 1024,
  maxDecodedBytes: 200 * 1024 * 1024,
};

/** Result of {@linkcode inspectScan}. */
export type ScanInspection =
  | { ok: true; kind: ScanKind; width?: number; height?: number; pages: number }
  | { ok: false; kind?: ScanKind; refusal: Refusal };

/** Page count and page sizes of a PDF, as `pdfinfo` reports them. */
export interface PdfInfo {
  pages: number;
  /** Sizes in points of the first pages (up to the page limit + 1). */
  pageSizes: Array<{ width: number; height: number }>;
}

/** Measures a PDF; `undefined` when it cannot be read. */
export type PdfInspector = (
  bytes: Uint8Array,
  maxPages: number,
) => Promise<PdfInfo | undefined>;

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, sig: number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  return sig.every((b, i) => bytes[at + i] === b);
}

function hasPdfMarker(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 1024);
  for (let i = 0; i + 5 <= head.length; i++) {
    if (
      head[i] === 0x25 && head[i + 1] === 0x50 && head[i + 2] === 0x44 &&
      head[i + 3] === 0x46 && head[i + 4] === 0x2d
    ) return true;
  }
  return false;
}

/**
 * Sniffs the type of a file from its bytes.
 *
 * @example
 * ```ts ignore
 * sniffScanType(await Deno.readFile("scan.jpg")); // "jpeg"
 * sniffScanType(new TextEncoder().encode("hello")); // undefined
 * ```
 */
export function sniffScanType(bytes: Uint8Array): ScanKind | undefined {
  if (startsWith(bytes, PNG_SIG)) return "png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg";
  if (
    startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])
  ) return "tiff";
  if (hasPdfMarker(bytes)) return "pdf";
  return undefined;
}

type Dims = { width: number; height: number; pages: number };
/** Dimensions with the decoded size of one pixel, in bytes. */
type Sized = Dims & { bytesPerPixel: number };
type Check = Dims | Refusal;

const damaged = (kind: string) => refusal("DAMAGED_FILE", { kind });

function checkDims(sized: Sized, limits: ScanLimits): Check {
  const { bytesPerPixel, ...d } = sized;
  const { width, height } = d;
  if (!(width > 0 && height > 0)) return damaged("");
  if (
    Math.max(width, height) > limits.maxSide ||
    width * height > limits.maxPixels ||
    width * height * bytesPerPixel > limits.maxDecodedBytes
  ) {
    return refusal("IMAGE_TOO_LARGE", {
      width,
      height,
      maxSide: limits.maxSide,
      maxMegapixels: Math.round(limits.maxPixels / 1e6),
    });
  }
  if (Math.min(width, height) < limits.minShortSide) {
    return refusal("RESOLUTION_TOO_LOW", {
      width,
      height,
      minSide: limits.minShortSide,
    });
  }
  return d;
}

/** Samples per pixel of each PNG colour type. */
const COLOR_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

const COLOR_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function inspectPng(b: Uint8Array, limits: ScanLimits): Check {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = 8;
  let chunks = 0;
  let dims: Dims | undefined;
  let idat = false;
  while (true) {
    if (o + 12 > b.length) return damaged("PNG");
    const length = view.getUint32(o);
    const type = String.fromCharCode(...b.subarray(o + 4, o + 8));
    if (!/^[A-Za-z]{4}$/.test(type) || length > b.length - o - 12) {
      return damaged("PNG");
    }
    const crc = view.getUint32(o + 8 + length);
    if (crc32(b.subarray(o + 4, o + 8 + length)) !== crc) return damaged("PNG");
    if (++chunks > limits.maxParts) return damaged("PNG");
    if (chunks === 1) {
      if (type !== "IHDR" || length !== 13) return damaged("PNG");
      const depth = b[o + 16];
      const color = b[o + 17];
      if (
        !COLOR_DEPTHS[color]?.includes(depth) || b[o + 18] !== 0 ||
        b[o + 19] !== 0 || b[o + 20] > 1
      ) return damaged("PNG");
      dims = {
        width: view.getUint32(o + 8),
        height: view.getUint32(o + 12),
        pages: 1,
      };
      // Refuse an oversized header before walking a possibly huge body.
      const sized = checkDims({
        ...dims,
        bytesPerPixel: COLOR_CHANNELS[color] * Math.max(1, depth / 8),
      }, limits);
      if (!("pages" in sized)) return sized;
    } else if (type === "IHDR") return damaged("PNG");
    if (type === "IDAT") idat = true;
    if (
      (type === "iCCP" || type === "zTXt" || type === "iTXt") &&
      length > limits.maxPngTextChunk
    ) return damaged("PNG");
    o += 12 + length;
    if (type === "IEND") break;
  }
  if (!idat || !dims) return damaged("PNG");
  return dims;
}

const SOF = new Set([
  0xc0,
  0xc1,
  0xc2,
  0xc3,
  0xc5,
  0xc6,
  0xc7,
  0xc9,
  0xca,
  0xcb,
  0xcd,
  0xce,
  0xcf,
]);

function inspectJpeg(b: Uint8Array, limits: ScanLimits): Check {
  let o = 2;
  let dims: Dims | undefined;
  let scans = 0;
  let segments = 0;
  while (true) {
    if (o >= b.length || b[o] !== 0xff) return damaged("JPEG");
    while (o < b.length && b[o] === 0xff) o++; // fill bytes
    if (o >= b.length) return damaged("JPEG");
    const marker = b[o++];
    if (++segments > limits.maxParts) return damaged("JPEG");
    if (marker === 0xd9) break; // EOI
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
    if (marker === 0x00 || marker === 0xd8) return damaged("JPEG");
    if (o + 2 > b.length) return damaged("JPEG");
    const length = (b[o] << 8) | b[o + 1];
    if (length < 2 || o + length > b.length) return damaged("JPEG");
    if (SOF.has(marker)) {
      if (dims || length < 8) return damaged("JPEG");
      const height = (b[o + 3] << 8) | b[o + 4];
      const width = (b[o + 5] << 8) | b[o + 6];
      const components = b[o + 7];
      if (height === 0 || width === 0 || components < 1 || components > 4) {
        return damaged("JPEG");
      }
      dims = { width, height, pages: 1 };
      const precision = b[o + 2];
      const sized = checkDims({
        ...dims,
        bytesPerPixel: components * (precision > 8 ? 2 : 1),
      }, limits);
      if (!("pages" in sized)) return sized;
    }
    o += length;
    if (marker === 0xda) {
      if (!dims) return damaged("JPEG");
      if (++scans > limits.maxJpegScans) return damaged("JPEG");
      // Entropy-coded data runs to the next marker that is not a stuffed
      // zero byte or a restart marker.
      while (o + 1 < b.length) {
        if (
          b[o] === 0xff && b[o + 1] !== 0x00 &&
          !(b[o + 1] >= 0xd0 && b[o + 1] <= 0xd7) && b[o + 1] !== 0xff
        ) break;
        o++;
      }
      if (o + 1 >= b.length) return damaged("JPEG");
    }
  }
  if (!dims || scans === 0) return damaged("JPEG");
  return dims;
}

const TIFF_TYPE_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  16: 8,
};

function inspectTiff(b: Uint8Array, limits: ScanLimits): Check {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = b[0] === 0x49;
  const u16 = (o: number) => view.getUint16(o, le);
  const u32 = (o: number) => view.getUint32(o, le);
  if (b.length < 8) return damaged("TIFF");
  let ifd = u32(4);
  const seen = new Set<number>();
  let first: Dims | undefined;
  let pages = 0;
  while (ifd !== 0) {
    if (seen.has(ifd) || ifd < 8 || ifd + 2 > b.length) return damaged("TIFF");
    seen.add(ifd);
    if (++pages > limits.maxParts) return damaged("TIFF");
    const count = u16(ifd);
    if (count === 0 || ifd + 2 + count * 12 + 4 > b.length) {
      return damaged("TIFF");
    }
    const tags = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const e = ifd + 2 + i * 12;
      const tag = u16(e);
      const type = u16(e + 2);
      const n = u32(e + 4);
      const size = TIFF_TYPE_SIZE[type];
      if (!size) continue; // unknown types are skipped, as readers do
      if (![256, 257, 258, 273, 277, 279, 324, 325].includes(tag)) continue;
      if (type !== 3 && type !== 4) return damaged("TIFF");
      if (n > 1_000_000) return damaged("TIFF");
      const at = n * size <= 4 ? e + 8 : u32(e + 8);
      if (at + n * size > b.length) return damaged("TIFF");
      const values: number[] = [];
      for (let k = 0; k < n; k++) {
        values.push(type === 3 ? u16(at + k * 2) : u32(at + k * 4));
      }
      tags.set(tag, values);
    }
    const width = tags.get(256)?.[0];
    const height = tags.get(257)?.[0];
    if (!width || !height) return damaged("TIFF");
    const samples = tags.get(277)?.[0] ?? 1;
    const bits = Math.max(8, ...(tags.get(258) ?? [8]));
    if (samples < 1 || samples > 16 || bits > 64) return damaged("TIFF");
    const dims = checkDims({
      width,
      height,
      pages: 1,
      bytesPerPixel: samples * bits / 8,
    }, limits);
    if (!("pages" in dims)) return dims;
    first ??= dims;
    const offsets = tags.get(273) ?? tags.get(324);
    const counts = tags.get(279) ?? tags.get(325);
    if (!offsets || !counts || offsets.length !== counts.length) {
      return damaged("TIFF");
    }
    for (let k = 0; k < offsets.length; k++) {
      if (counts[k] === 0 || offsets[k] + counts[k] > b.length) {
        return damaged("TIFF");
      }
    }
    ifd = u32(ifd + 2 + count * 12);
  }
  if (!first) return damaged("TIFF");
  if (pages > 2 * limits.maxSheets) {
    return refusal("TOO_MANY_SHEETS", { pages, maxSheets: limits.maxSheets });
  }
  return { ...first, pages };
}

function tailHas(b: Uint8Array, text: string, window = 1024): boolean {
  const tail = new TextDecoder("latin1").decode(
    b.subarray(Math.max(0, b.length - window)),
  );
  return tail.includes(text);
}

/**
 * Measures a PDF with poppler's `pdfinfo`, in a private temporary folder
 * removed before returning; gives up after `timeoutMs`.
 *
 * @example
 * ```ts ignore
 * const info = await pdfInfo(pdfBytes, 4); // { pages: 1, pageSizes: [{ width: 595, height: 842 }] }
 * ```
 */
export async function pdfInfo(
  bytes: Uint8Array,
  maxPages: number,
  timeoutMs = 5000,
): Promise<PdfInfo | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "portal-pdf-" });
  try {
    await Deno.chmod(dir, 0o700);
    const file = `${dir}/in.pdf`;
    await Deno.writeFile(file, bytes, { mode: 0o600 });
    const out = await new Deno.Command("pdfinfo", {
      args: ["-f", "1", "-l", String(maxPages + 1), file],
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    if (!out.success) return undefined;
    const text = new TextDecoder().decode(out.stdout);
    const pages = Number(/^Pages:\s+(\d+)/m.exec(text)?.[1]);
    if (!Number.isInteger(pages)) return undefined;
    const pageSizes = [...text.matchAll(
      /^Page\s+\d+\s+size:\s+([\d.]+)\s+x\s+([\d.]+)/gm,
    )].map((m) => ({ width: Number(m[1]), height: Number(m[2]) }));
    return { pages, pageSizes };
  } catch {
    return undefined;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function inspectPdf(
  b: Uint8Array,
  limits: ScanLimits,
  measure: PdfInspector,
): Promise<Check> {
  if (!tailHas(b, "%%EOF") || !tailHas(b, "startxref", 4096)) {
    return damaged("PDF");
  }
  const maxPages = 2 * limits.maxSheets;
  const info = await measure(b, maxPages);
  if (!info) return refusal("PDF_UNREADABLE");
  if (info.pages < 1) return damaged("PDF");
  if (info.pages > maxPages) {
    return refusal("TOO_MANY_SHEETS", {
      pages: info.pages,
      maxSheets: limits.maxSheets,
    });
  }
  if (info.pageSizes.length === 0) return refusal("PDF_UNREADABLE");
  for (const p of info.pageSizes) {
    if (
      !(p.width > 0 && p.height > 0) ||
      Math.max(p.width, p.height) > limits.maxPdfPageSidePt
    ) return refusal("PDF_PAGE_TOO_LARGE");
  }
  const first = info.pageSizes[0];
  return {
    width: Math.round(first.width),
    height: Math.round(first.height),
    pages: info.pages,
  };
}

/**
 * Sniffs and checks an uploaded scan against the limits, without decoding it.
 *
 * @example
 * ```ts ignore
 * const check = await inspectScan(bytes, DEFAULT_LIMITS);
 * if (!check.ok) console.log(check.refusal.code); // e.g. "IMAGE_TOO_LARGE"
 * ```
 */
export async function inspectScan(
  bytes: Uint8Array,
  limits: ScanLimits,
  options: { pdfInspector?: PdfInspector } = {},
): Promise<ScanInspection> {
  if (bytes.length === 0) return { ok: false, refusal: refusal("SCAN_EMPTY") };
  if (bytes.length > limits.maxBytes) {
    return {
      ok: false,
      refusal: refusal("SCAN_TOO_LARGE", {
        maxMb: Math.round(limits.maxBytes / 1024 / 1024),
      }),
    };
  }
  const kind = sniffScanType(bytes);
  if (!kind) return { ok: false, refusal: refusal("UNSUPPORTED_TYPE") };
  // The decoder treats anything with "%PDF-" near the start as a PDF: an
  // image that also carries it could slip past the image checks.
  if (kind !== "pdf" && hasPdfMarker(bytes)) {
    return { ok: false, kind, refusal: refusal("AMBIGUOUS_FILE") };
  }
  let check: Check;
  try {
    check = kind === "png"
      ? inspectPng(bytes, limits)
      : kind === "jpeg"
      ? inspectJpeg(bytes, limits)
      : kind === "tiff"
      ? inspectTiff(bytes, limits)
      : await inspectPdf(bytes, limits, options.pdfInspector ?? pdfInfo);
  } catch (e) {
    if (e instanceof RangeError) {
      check = damaged(kind.toUpperCase()); // a DataView read past the end
    } else throw e;
  }
  if (!("pages" in check)) return { ok: false, kind, refusal: check };
  return { ok: true, kind, ...check };
}
