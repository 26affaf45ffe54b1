/**
 * Verifying a scanned back side: load the scan (PNG, JPEG, TIFF or PDF, any
 * orientation, 150–600 dpi, gray or colour), read the symbols with an
 * escalating ladder of reader settings (cheap first), rebuild the envelope
 * from any k of the n symbols, check the signature with the public key list,
 * decrypt, check the content against the signed header, and answer with a
 * verdict and a plain reason in Japanese and English.
 *
 * @module
 */

import type { SheetContent } from "../certificate/model.ts";
import type { ContentKey } from "../crypto/content_key.ts";
import type { KeyList } from "../crypto/key_list.ts";
import type { GrayImage } from "./rasterize.ts";
import { countSymbolBlocks, grayStdDev, halve } from "./gray_ops.ts";
import { looksLikeFront } from "./front_cue.ts";
import { loadScan, ScanFormatError, type ScanPage } from "./load_scan.ts";
import { type Chunk, parseChunk, reassembleChunks } from "./chunks.ts";
import { openEnvelope } from "./envelope.ts";
import { DEFAULT_LAYOUT, type SymbolLayout } from "./layout.ts";
import { type Reason, reason } from "./reasons.ts";
import { checkEnvelopeSignature } from "./verify_offline.ts";
import { readSymbols, type ReadSymbolsOptions } from "./zxing.ts";

/** The five verdicts of a verification. */
export type Verdict =
  | "genuine"
  | "tampered"
  | "unknown-key"
  | "not-a-certificate"
  | "unreadable";

/** Result of {@linkcode decodeScan}. */
export interface ScanVerification {
  verdict: Verdict;
  reason: Reason;
  /** The decoded sheet; only for a genuine certificate. */
  certificate?: SheetContent;
  /** The front side re-rendered from the content; only when genuine and a renderer was given. */
  frontImagePng?: Uint8Array;
  /** Why the front could not be rendered, when `renderFront` threw. */
  frontImageError?: string;
  /** Signed clear data, when the envelope could be rebuilt. */
  issueNumber?: string;
  keyId?: string;
  /** How the reading went. */
  stats: {
    pages: number;
    passes: number;
    symbolsRead: number;
    symbolsNeeded?: number;
    symbolsTotal?: number;
    /** Time spent loading, reading and verifying (not rendering the front). */
    ms: number;
  };
}

/** Dependencies and options of {@linkcode decodeScan}. */
export interface DecodeScanOptions {
  /** Published public keys of the center. */
  keyList: KeyList;
  /** Content keys this verifier holds. */
  decryptionKeys: ReadonlyArray<ContentKey>;
  /** Renders the front of a sheet as PNG (lib/render); optional. */
  renderFront?: (sheet: SheetContent) => Promise<Uint8Array>;
  /** Layout printed on the back (default {@linkcode DEFAULT_LAYOUT}). */
  layout?: SymbolLayout;
  /** Largest input in pixels (decompression-bomb guard). */
  maxInputPixels?: number;
  /**
   * Verify only this page (1-based) of a PDF or multi-page TIFF: the
   * portal verifies a multi-sheet upload page by page.
   */
  page?: number;
}

interface Pass {
  /** Read a half-resolution copy when the page has 240 dpi or more. */
  half?: boolean;
  reader: ReadSymbolsOptions;
}

/**
 * Reader settings, cheapest first. The first pass reads at half resolution
 * when the scan has 240 dpi or more (≥ 2.8 px per 0.6 mm module) and settles
 * most scans; later ones spend more time.
 */
const PASSES: Pass[] = [
  { half: true, reader: { tryHarder: true, tryDownscale: false } },
  { reader: { tryHarder: true, tryDownscale: true } },
  { reader: { tryHarder: true, binarizer: "GlobalHistogram" } },
  { reader: { tryHarder: true, tryDenoise: true, tryDownscale: false } },
];

const BLANK_STD_DEV = 6;

/**
 * Verifies a scan of a certificate's back side. In a multi-page PDF the
 * first page that carries certificate symbols is the one verified.
 *
 * @example
 * ```ts ignore
 * const result = await decodeScan(await Deno.readFile("scan.jpg"), {
 *   keyList, decryptionKeys: [contentKey], renderFront,
 * });
 * console.log(result.verdict, result.reason.ja);
 * ```
 */
export async function decodeScan(
  bytes: Uint8Array,
  options: DecodeScanOptions,
): Promise<ScanVerification> {
  const started = performance.now();
  const stats: ScanVerification["stats"] = {
    pages: 0,
    passes: 0,
    symbolsRead: 0,
    ms: 0,
  };
  const done = (
    r: Omit<ScanVerification, "stats">,
  ): ScanVerification => ({
    ...r,
    stats: { ...stats, ms: Math.round(performance.now() - started) },
  });

  let pages: ScanPage[];
  try {
    pages = await loadScan(bytes, {
      maxDpi: 300,
      // 4.7 px per 0.6 mm module; pdftoppm's time grows with resolution.
      pdfDpi: 200,
      maxInputPixels: options.maxInputPixels,
      ...(options.page !== undefined ? { page: options.page } : {}),
    });
  } catch (e) {
    if (e instanceof ScanFormatError) {
      return done({
        verdict: "not-a-certificate",
        reason: reason("NOT_AN_IMAGE"),
      });
    }
    throw e;
  }
  stats.pages = pages.length;

  const layout = options.layout ?? DEFAULT_LAYOUT;
  // Fronts only (a ruled form, no grid of symbols): no need to search them.
  if (pages.every(looksLikeFront) && !hasSymbolGrid(pages, layout)) {
    return done({
      verdict: "not-a-certificate",
      reason: reason("FRONT_SIDE_ONLY"),
    });
  }
  const symbology = layout.symbology;
  // Symbols are collected per page: two pages of a PDF may be the backs of
  // two sheets, which is not a mix.
  const read = pages.map(() => ({
    chunks: new Map<string, Chunk>(),
    conflicting: [] as Chunk[],
  }));
  let foreign = 0;
  let located = 0;
  const halves = new Map<ScanPage, GrayImage>();
  for (const pass of PASSES) {
    stats.passes++;
    for (const [p, page] of pages.entries()) {
      let img: GrayImage = page;
      if (pass.half && page.dpi >= 240) {
        if (!halves.has(page)) halves.set(page, halve(page));
        img = halves.get(page)!;
      }
      const found = await readSymbols(img.data, img.width, img.height, {
        ...pass.reader,
        symbology,
        returnErrors: true,
      });
      for (const f of found) {
        if (!f.valid) {
          located++;
          continue;
        }
        const chunk = parseChunk(f.bytes);
        if (!chunk) {
          foreign++;
          continue;
        }
        const key = `${chunk.docId}:${chunk.index}`;
        const seen = read[p].chunks.get(key);
        if (!seen) read[p].chunks.set(key, chunk);
        else if (!sameChunk(seen, chunk)) read[p].conflicting.push(chunk);
      }
    }
    if (read.some((r) => enoughToStop(r.chunks))) break;
  }

  // The first page carrying certificate symbols decides.
  const page = read.find((r) => r.chunks.size > 0);
  if (!page) {
    return done(classifyNothingRead(pages, layout, foreign, located));
  }
  const all = [...page.chunks.values(), ...page.conflicting];
  stats.symbolsRead = page.chunks.size;
  stats.symbolsNeeded = all[0].k;
  stats.symbolsTotal = all[0].n;

  const rebuilt = reassembleChunks(all);
  if (!rebuilt.ok) {
    if (rebuilt.problem === "insufficient") {
      return done({
        verdict: "unreadable",
        reason: reason("TOO_FEW_SYMBOLS", {
          have: rebuilt.have,
          need: rebuilt.need,
        }),
      });
    }
    return done({
      verdict: "tampered",
      reason: reason(
        rebuilt.problem === "mixed" ? "SYMBOLS_MIXED" : "SYMBOLS_INCONSISTENT",
      ),
    });
  }

  const check = await checkEnvelopeSignature(rebuilt.envelope, options.keyList);
  const header = check.envelope?.header;
  const clear = { issueNumber: header?.issueNumber, keyId: header?.signKeyId };
  if (check.status !== "valid") {
    return done({ verdict: check.status, reason: check.reason, ...clear });
  }
  const contentKey = options.decryptionKeys.find((k) =>
    k.keyId === check.envelope.header.encKeyId
  );
  if (!contentKey) {
    return done({
      verdict: "unknown-key",
      reason: reason("DECRYPTION_KEY_UNKNOWN", {
        keyId: check.envelope.header.encKeyId,
      }),
      ...clear,
    });
  }
  const opened = await openEnvelope(check.envelope, contentKey);
  if (!opened.ok) {
    return done({
      verdict: "tampered",
      reason: reason("CONTENT_MISMATCH"),
      ...clear,
    });
  }
  const verified = done({ verdict: "genuine", reason: reason("GENUINE") });
  let frontImagePng: Uint8Array | undefined;
  let frontImageError: string | undefined;
  if (options.renderFront) {
    try {
      frontImagePng = await options.renderFront(opened.sheet);
    } catch (e) {
      frontImageError = e instanceof Error ? e.message : String(e);
    }
  }
  return {
    ...verified,
    certificate: opened.sheet,
    ...(frontImagePng ? { frontImagePng } : {}),
    ...(frontImageError ? { frontImageError } : {}),
    ...clear,
  };
}

function sameChunk(a: Chunk, b: Chunk): boolean {
  return a.k === b.k && a.n === b.n && a.envelopeLength === b.envelopeLength &&
    a.shard.length === b.shard.length &&
    a.shard.every((v, i) => v === b.shard[i]);
}

/** Stop escalating once one sheet has enough symbols, or two sheets are mixed. */
function enoughToStop(chunks: Map<string, Chunk>): boolean {
  const perDoc = new Map<string, { count: number; k: number }>();
  for (const c of chunks.values()) {
    const e = perDoc.get(c.docId) ?? { count: 0, k: c.k };
    e.count++;
    perDoc.set(c.docId, e);
  }
  if (perDoc.size > 1) return true;
  for (const e of perDoc.values()) if (e.count >= e.k) return true;
  return false;
}

/** Whether a page shows the back side's grid of symbol-sized squares. */
function hasSymbolGrid(pages: ScanPage[], layout: SymbolLayout): boolean {
  if (layout.symbology !== "QRCode") return false;
  const sideMm = (17 + 4 * layout.version) * layout.moduleSizeMm;
  return pages.some((p) => countSymbolBlocks(p, p.dpi, sideMm) >= 4);
}

/**
 * Tells "nothing here" from "something here we could not read": a back
 * side's symbols stay visible as a grid of gray squares long after they
 * stop being readable.
 */
function classifyNothingRead(
  pages: ScanPage[],
  layout: SymbolLayout,
  foreign: number,
  located: number,
): Omit<ScanVerification, "stats"> {
  if (foreign > 0) {
    return {
      verdict: "not-a-certificate",
      reason: reason("FOREIGN_SYMBOLS"),
    };
  }
  if (pages.every((p) => grayStdDev(p) < BLANK_STD_DEV)) {
    return { verdict: "unreadable", reason: reason("BLANK_IMAGE") };
  }
  // A ruled form and no symbol grid: the front was scanned, not the back.
  if (pages.some(looksLikeFront) && !hasSymbolGrid(pages, layout)) {
    return { verdict: "not-a-certificate", reason: reason("FRONT_SIDE_ONLY") };
  }
  if (located > 0) {
    return { verdict: "unreadable", reason: reason("SYMBOLS_UNREADABLE") };
  }
  if (hasSymbolGrid(pages, layout)) {
    return { verdict: "unreadable", reason: reason("TOO_BLURRY") };
  }
  return {
    verdict: "not-a-certificate",
    reason: reason("NO_CERTIFICATE_SYMBOLS"),
  };
}
