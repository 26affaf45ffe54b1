/**
 * The distortion corpus: back sides of sample sheets, printed and scanned in
 * simulation under one named distortion each (plus the small defects every
 * scan has), with the issue number each scan should decode to. Used by
 * `scripts/corpus.ts`, by benches and to choose the symbology by measurement.
 *
 * @module
 */

import type { BackSide, CertificateType } from "../certificate/model.ts";
import { buildBackSide } from "../backside/build_back_side.ts";
import type { SymbolLayout } from "../backside/layout.ts";
import { type GrayImage, rasterizeBackSide } from "../backside/rasterize.ts";
import { type ContentKey, generateContentKey } from "../crypto/content_key.ts";
import type { KeyList } from "../crypto/key_list.ts";
import {
  createSigner,
  generateSigningKey,
  type Signer,
} from "../crypto/signer.ts";
import { type ScanDistortion, simulateScan } from "./distort.ts";
import { makeSampleSheet, seededRandom } from "./sample_sheets.ts";

/** Named distortion kinds of the corpus. */
export const DISTORTION_KINDS = [
  "clean",
  "skew",
  "quarter-turn",
  "dpi-150",
  "dpi-200",
  "dpi-600",
  "jpeg-low",
  "noise",
  "blur",
  "lighting",
  "stain",
  "hole",
  "crop",
  "fold",
  "pen",
  "colour",
  "tiff",
  "pdf",
  "combo",
] as const;

/** One named distortion kind. */
export type DistortionKind = (typeof DISTORTION_KINDS)[number];

/** One scan of the corpus. */
export interface CorpusItem {
  /** File name, e.g. "0007-stain.jpg". */
  name: string;
  bytes: Uint8Array;
  kind: DistortionKind;
  distortion: ScanDistortion;
  /** What decoding must yield. */
  expectedIssueNumber: string;
  certificateType: CertificateType;
  /** Number of symbols printed on the back. */
  symbols: number;
}

/** A generated corpus: the keys to check it with and a stream of scans. */
export interface Corpus {
  /** Public key list matching the signatures. */
  keyList: KeyList;
  /** Content keys that decrypt the scans. */
  decryptionKeys: ContentKey[];
  /** Scans, generated one at a time. */
  items: AsyncGenerator<CorpusItem>;
}

/** Options of {@linkcode generateCorpus}. */
export interface CorpusOptions {
  count: number;
  /** Same seed → same sheets and distortions (key material is fresh). */
  seed?: number;
  /** Kinds to cycle through; all by default. */
  kinds?: readonly DistortionKind[];
  /** Back-side layout under test; the default layout otherwise. */
  layout?: SymbolLayout;
  /**
   * Draws the printed back page at `dpi` (e.g. the front renderer's back
   * page, with its background and clear text). Defaults to the symbols
   * alone on white paper ({@linkcode rasterizeBackSide}).
   */
  printBack?: (back: BackSide, dpi: number) => Promise<GrayImage>;
  /** Signer and content key to use instead of fresh ephemeral ones. */
  signer?: Signer;
  encryptionKey?: ContentKey;
}

const ISSUED_AT = new Date("2026-11-26T10:15:00+09:00");

function between(rand: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

function sign(rand: () => number): number {
  return rand() < 0.5 ? -1 : 1;
}

/**
 * Draws the parameters of one distortion kind. Every kind also gets the
 * small skew and noise of any real scan.
 *
 * @example
 * ```ts ignore
 * const d = distortionFor("stain", seededRandom(1));
 * ```
 */
export function distortionFor(
  kind: DistortionKind,
  rand: () => number,
): ScanDistortion {
  const base: ScanDistortion = {
    dpi: 300,
    skewDeg: between(rand, -1, 1),
    noise: 3,
    blurPx: 0.5,
    format: "jpeg",
    jpegQuality: 85,
  };
  // Centre of a random symbol-area point, for stains and holes.
  const spot = () => ({
    cx: between(rand, 30, 180),
    cy: between(rand, 30, 230),
  });
  switch (kind) {
    case "clean":
      return { dpi: 300, format: "png" };
    case "skew":
      return { ...base, skewDeg: sign(rand) * between(rand, 3, 10) };
    case "quarter-turn":
      return { ...base, quarterTurns: 1 + Math.floor(rand() * 3) };
    case "dpi-150":
      return { ...base, dpi: 150, blurPx: 0.4 };
    case "dpi-200":
      return { ...base, dpi: 200, format: "png" };
    case "dpi-600":
      return { ...base, dpi: 600, blurPx: 1 };
    case "jpeg-low":
      return {
        ...base,
        dpi: rand() < 0.5 ? 200 : 300,
        jpegQuality: Math.round(between(rand, 40, 55)),
      };
    case "noise":
      return { ...base, noise: between(rand, 12, 25), format: "png" };
    case "blur":
      return { ...base, blurPx: between(rand, 1.2, 2.0) };
    case "lighting":
      return { ...base, lighting: between(rand, 0.4, 0.6) };
    case "stain": {
      // ~6–10 % of the page, translucent coffee.
      const area = between(rand, 0.06, 0.1) * 210 * 297;
      const aspect = between(rand, 0.7, 1.4);
      const rx = Math.sqrt(area / Math.PI * aspect);
      return {
        ...base,
        stain: {
          ...spot(),
          rx,
          ry: area / Math.PI / rx,
          darkness: between(rand, 0.35, 0.6),
        },
      };
    }
    case "hole":
      // An opaque patch about one symbol's size (torn corner, tape, hole).
      return {
        ...base,
        hole: {
          ...spot(),
          r: between(rand, 22, 32),
          shade: rand() < 0.5 ? 20 : 245,
        },
      };
    case "crop":
      return {
        ...base,
        crop: rand() < 0.5
          ? { left: between(rand, 4, 9), top: between(rand, 0, 5) }
          : { right: between(rand, 4, 9), bottom: between(rand, 0, 5) },
      };
    case "fold":
      // Folded in three for an envelope: two creases across every column.
      return {
        ...base,
        folds: [99, 198].map((y) => ({
          yMm: y + between(rand, -8, 8),
          widthMm: between(rand, 1, 2.5),
          shade: rand() < 0.5 ? 90 : 255,
        })),
      };
    case "pen":
      // A few pen strokes across the symbols.
      return {
        ...base,
        strokes: Array.from({ length: 2 + Math.floor(rand() * 3) }, () => ({
          x1: between(rand, 10, 200),
          y1: between(rand, 10, 260),
          x2: between(rand, 10, 200),
          y2: between(rand, 10, 260),
          widthMm: between(rand, 0.4, 1.0),
        })),
      };
    case "colour":
      return { ...base, colour: true };
    case "tiff":
      return { ...base, format: "tiff" };
    case "pdf":
      return { ...base, format: "pdf", dpi: rand() < 0.5 ? 200 : 300 };
    case "combo":
      return {
        ...base,
        dpi: 200,
        skewDeg: sign(rand) * between(rand, 2, 10),
        quarterTurns: rand() < 0.3 ? 2 : 0,
        jpegQuality: Math.round(between(rand, 50, 70)),
        noise: 8,
        lighting: 0.3,
        blurPx: 0.6,
      };
  }
}

const EXTENSIONS = { png: "png", jpeg: "jpg", tiff: "tif", pdf: "pdf" };

/**
 * Generates a corpus of simulated scans, one at a time.
 *
 * @example
 * ```ts ignore
 * const corpus = await generateCorpus({ count: 20, seed: 1 });
 * for await (const item of corpus.items) {
 *   const r = await decodeScan(item.bytes, corpus);
 * }
 * ```
 */
export async function generateCorpus(options: CorpusOptions): Promise<Corpus> {
  const seed = options.seed ?? 1;
  const kinds = options.kinds ?? DISTORTION_KINDS;
  if (kinds.length === 0) throw new RangeError("No distortion kinds given");
  const signer = options.signer ?? await createSigner(
    [
      await generateSigningKey({
        notBefore: new Date("2026-01-01T00:00:00+09:00"),
        notAfter: new Date("2028-01-01T00:00:00+09:00"),
      }),
    ],
    { clock: { now: () => ISSUED_AT } },
  );
  const encryptionKey = options.encryptionKey ??
    await generateContentKey("corpus-enc-1");

  async function* items(): AsyncGenerator<CorpusItem> {
    for (let i = 0; i < options.count; i++) {
      const rand = seededRandom(seed * 100_003 + i);
      const kind = kinds[i % kinds.length];
      const certificateType: CertificateType = i % 2 === 0
        ? "juminhyo"
        : "inkan";
      const sheet = await makeSampleSheet({
        type: certificateType,
        seed: seed * 1000 + i,
      });
      const back = await buildBackSide(sheet, {
        signer,
        encryptionKey,
        layout: options.layout,
      });
      const distortion = distortionFor(kind, rand);
      // Low resolutions are rendered at twice the scan's and resampled, as a
      // scanner's optics average; 300 and 600 dpi are drawn directly (the
      // rasterizer already integrates each pixel's area exactly).
      const renderDpi = distortion.dpi <= 200
        ? 2 * distortion.dpi
        : distortion.dpi;
      const page = options.printBack
        ? await options.printBack(back, renderDpi)
        : rasterizeBackSide(back, { dpi: renderDpi });
      const bytes = await simulateScan(
        { ...page, dpi: renderDpi },
        distortion,
        rand,
      );
      yield {
        name: `${String(i).padStart(4, "0")}-${kind}.${
          EXTENSIONS[distortion.format]
        }`,
        bytes,
        kind,
        distortion,
        expectedIssueNumber: sheet.issueNumber,
        certificateType,
        symbols: back.symbols.length,
      };
    }
  }

  return {
    keyList: await signer.keyList(),
    decryptionKeys: [encryptionKey],
    items: items(),
  };
}
