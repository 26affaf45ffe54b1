/**
 * The certificate back side: signed, encrypted sheet content as erasure-coded
 * QR symbols that survive print and scan.
 *
 * - Center: {@linkcode buildBackSide} (needs the signer and a content key).
 * - Verification site: {@linkcode decodeScan} (key list + content keys).
 * - Anyone: {@linkcode verifyOffline} (key list only, no decryption).
 * - Tests and corpus: {@linkcode rasterizeBackSide}, {@linkcode backSideToPng}.
 *
 * @example
 * ```ts ignore
 * import { buildBackSide, decodeScan } from "./lib/backside/mod.ts";
 * const back = await buildBackSide(sheet, { signer, encryptionKey });
 * const result = await decodeScan(scanBytes, { keyList, decryptionKeys: [encryptionKey] });
 * ```
 *
 * @module
 */

export {
  type BackSideBuilder,
  backSideFromEnvelope,
  buildBackSide,
  type BuildBackSideOptions,
  createBackSideBuilder,
} from "./build_back_side.ts";
export {
  decodeScan,
  type DecodeScanOptions,
  type ScanVerification,
  type Verdict,
} from "./decode_scan.ts";
export { type OfflineVerification, verifyOffline } from "./verify_offline.ts";
export {
  A4_MM,
  backSideToPng,
  type GrayImage,
  rasterizeBackSide,
} from "./rasterize.ts";
export { DEFAULT_LAYOUT, type SymbolLayout } from "./layout.ts";
export { type Reason, type ReasonCode } from "./reasons.ts";
export { compactSealPng } from "./seal_png.ts";
export { MAX_SEAL_PNG_BYTES } from "./canonical.ts";
