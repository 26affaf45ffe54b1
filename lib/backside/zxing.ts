/**
 * The zxing-wasm boundary: writing one symbol to a module matrix and reading
 * symbols from grayscale pixels. Loads the package's bundled `.wasm` from
 * node_modules (the default would fetch it from a CDN, unreachable here).
 * The reader is driven through zxing's pixmap entry point with 8-bit
 * luminance, skipping the RGBA round trip of `readBarcodes(ImageData)`.
 *
 * The two module promises below are the only module-level state: lazily
 * created, immutable once resolved.
 *
 * @module
 */

import {
  BINARIZERS,
  CHARACTER_SETS,
  defaultReaderOptions,
  EAN_ADD_ON_SYMBOLS,
  encodeFormats,
  prepareZXingModule as prepareReader,
  type ReaderOptions,
  TEXT_MODES,
  type ZXingReaderOptions,
  type ZXingReadResult,
} from "zxing-wasm/reader";
import {
  prepareZXingModule as prepareWriter,
  writeBarcode,
} from "zxing-wasm/writer";
import { encodeQrBytes, qrByteCapacity } from "./qr_encoder.ts";

/** 2D symbologies the back side may use. */
export type Symbology = "QRCode" | "DataMatrix";

/** A symbol as a module matrix: row-major, 1 = dark. */
export interface SymbolMatrix {
  width: number;
  height: number;
  modules: Uint8Array;
}

/** Options for {@linkcode writeSymbol}. */
export interface WriteSymbolOptions {
  symbology: Symbology;
  /** QR: "L" | "M" | "Q" | "H". Ignored for DataMatrix (fixed ECC200). */
  ecLevel?: "L" | "M" | "Q" | "H";
  /** Fixed symbol version (QR 1–40), so all symbols of a page match in size. */
  version?: number;
}

/** One symbol found by {@linkcode readSymbols}. */
export interface FoundSymbol {
  /** Raw payload bytes (use these, not zxing's text). */
  bytes: Uint8Array;
  format: string;
  /** False when zxing located a symbol but could not decode it. */
  valid: boolean;
  error: string;
  /** Corner points in pixels: top-left, top-right, bottom-right, bottom-left. */
  corners: Array<{ x: number; y: number }>;
}

/** Options for {@linkcode readSymbols}. */
export interface ReadSymbolsOptions {
  symbology?: Symbology;
  tryHarder?: boolean;
  tryRotate?: boolean;
  tryDownscale?: boolean;
  tryDenoise?: boolean;
  binarizer?: (typeof BINARIZERS)[number];
  maxNumberOfSymbols?: number;
  /** Also return symbols zxing located but could not decode. */
  returnErrors?: boolean;
}

/** The parts of the Emscripten reader module this file touches. */
interface ReaderModule {
  _malloc(size: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
  readBarcodesFromPixmap(
    ptr: number,
    width: number,
    height: number,
    options: ZXingReaderOptions,
  ): { size(): number; get(i: number): ZXingReadResult | undefined };
}

let readerPromise: ReturnType<typeof prepareReaderNow> | undefined;
let writerPromise: Promise<unknown> | undefined;

async function wasmBytes(specifier: string): Promise<ArrayBuffer> {
  const bytes = await Deno.readFile(new URL(import.meta.resolve(specifier)));
  return bytes.buffer;
}

async function prepareReaderNow() {
  return await prepareReader({
    overrides: {
      wasmBinary: await wasmBytes("zxing-wasm/reader/zxing_reader.wasm"),
    },
    fireImmediately: true,
  });
}

function loadReader() {
  readerPromise ??= prepareReaderNow();
  return readerPromise;
}

function loadWriter() {
  writerPromise ??= (async () =>
    await prepareWriter({
      overrides: {
        wasmBinary: await wasmBytes("zxing-wasm/writer/zxing_writer.wasm"),
      },
      fireImmediately: true,
    }))();
  return writerPromise;
}

/** The QR mask every back-side symbol uses (the payload is random-looking). */
export const QR_MASK = 0;

/**
 * Encodes bytes as one symbol and returns its module matrix (no quiet zone).
 * Throws `RangeError` when the payload does not fit the requested version.
 * QR symbols come from the project's own encoder (qr_encoder.ts: one
 * byte-mode segment, fixed mask {@linkcode QR_MASK}, ~0.1 ms for version 20);
 * DataMatrix from zxing-cpp's writer.
 *
 * @example
 * ```ts ignore
 * const m = await writeSymbol(payload, { symbology: "QRCode", ecLevel: "M", version: 15 });
 * console.log(m.width); // 77
 * ```
 */
export async function writeSymbol(
  payload: Uint8Array,
  options: WriteSymbolOptions,
): Promise<SymbolMatrix> {
  if (options.symbology === "QRCode") return writeQr(payload, options);
  await loadWriter();
  const opts: string[] = ["forceSquare"];
  if (options.version) opts.push(`version=${options.version}`);
  const result = await writeBarcode(payload, {
    format: options.symbology,
    options: opts.join(","),
    scale: 1,
    addQuietZones: false,
  });
  if (result.error || !result.symbol) {
    throw new RangeError(
      `Cannot write a ${payload.length}-byte ${options.symbology}: ${result.error}`,
    );
  }
  const { width, height, data } = result.symbol;
  const modules = new Uint8Array(width * height);
  for (let i = 0; i < modules.length; i++) modules[i] = data[i] < 128 ? 1 : 0;
  return { width, height, modules };
}

function writeQr(
  payload: Uint8Array,
  options: WriteSymbolOptions,
): SymbolMatrix {
  const ecLevel = options.ecLevel ?? "M";
  let version = options.version;
  if (!version) {
    version = 1;
    while (version < 40 && qrByteCapacity(version, ecLevel) < payload.length) {
      version++;
    }
  }
  return encodeQrBytes(payload, { version, ecLevel, mask: QR_MASK });
}

function zxingOptions(o: ReadSymbolsOptions): ZXingReaderOptions {
  const merged: Required<ReaderOptions> = {
    ...defaultReaderOptions,
    formats: [o.symbology ?? "QRCode"],
    tryHarder: o.tryHarder ?? true,
    tryRotate: o.tryRotate ?? false,
    tryInvert: false,
    tryDownscale: o.tryDownscale ?? true,
    tryDenoise: o.tryDenoise ?? false,
    binarizer: o.binarizer ?? "LocalAverage",
    maxNumberOfSymbols: o.maxNumberOfSymbols ?? 64,
    returnErrors: o.returnErrors ?? false,
    textMode: "Hex",
    characterSet: "BINARY",
  };
  return {
    ...merged,
    formats: encodeFormats(merged.formats),
    binarizer: BINARIZERS.indexOf(merged.binarizer),
    eanAddOnSymbol: EAN_ADD_ON_SYMBOLS.indexOf(merged.eanAddOnSymbol),
    textMode: TEXT_MODES.indexOf(merged.textMode),
    characterSet: CHARACTER_SETS.indexOf(merged.characterSet),
    tryCode39ExtendedMode: true,
  };
}

/**
 * Reads symbols from 8-bit grayscale pixels (one byte per pixel, row-major).
 *
 * @example
 * ```ts ignore
 * const found = await readSymbols(gray, width, height, { tryHarder: true });
 * for (const s of found) console.log(s.bytes.length);
 * ```
 */
export async function readSymbols(
  gray: Uint8Array,
  width: number,
  height: number,
  options: ReadSymbolsOptions = {},
): Promise<FoundSymbol[]> {
  if (gray.length !== width * height) {
    throw new RangeError(
      `Pixel buffer of ${gray.length} bytes is not ${width}×${height}`,
    );
  }
  const zx = await loadReader() as unknown as ReaderModule;
  const ptr = zx._malloc(gray.length);
  if (!ptr) throw new Error(`Cannot allocate ${gray.length} bytes in WASM`);
  let vector;
  try {
    zx.HEAPU8.set(gray, ptr);
    vector = zx.readBarcodesFromPixmap(
      ptr,
      width,
      height,
      zxingOptions(options),
    );
  } finally {
    zx._free(ptr);
  }
  const found: FoundSymbol[] = [];
  for (let i = 0; i < vector.size(); i++) {
    const r = vector.get(i);
    if (!r) continue;
    const p = r.position;
    found.push({
      bytes: new Uint8Array(r.bytes),
      format: r.format,
      valid: r.isValid,
      error: r.error,
      corners: [p.topLeft, p.topRight, p.bottomRight, p.bottomLeft].map((
        c,
      ) => ({ x: c.x, y: c.y })),
    });
  }
  (vector as unknown as { delete?: () => void }).delete?.();
  return found;
}
