/**
 * The messages between the portal's decode pool (decode_pool.ts, main
 * thread) and a decode worker (decode_worker.ts): one definition for both
 * sides. Everything here is structured-cloneable — the content keys are
 * non-extractable `CryptoKey`s, which Deno clones into a worker as they are
 * (the raw key bytes never exist in JavaScript).
 *
 * @module
 */
import type { ScanVerification } from "../../lib/backside/decode_scan.ts";
import type { ContentKey } from "../../lib/crypto/content_key.ts";
import type { KeyList } from "../../lib/crypto/key_list.ts";

/** Sent once to a new worker: what it needs to verify on its own. */
export interface DecodeInit {
  type: "init";
  /** The center's published public signing keys. */
  keyList: KeyList;
  /** Content keys the portal may decrypt with. */
  decryptionKeys: ReadonlyArray<ContentKey>;
  /** Render the reduced front (lib/render) at this width; none when absent. */
  frontWidthPx?: number;
}

/** One scan to decode; its bytes are transferred, not copied. */
export interface DecodeJob {
  type: "job";
  id: number;
  bytes: Uint8Array;
  /** Largest input in pixels (decompression-bomb guard). */
  maxInputPixels?: number;
  /** Decode only this page (1-based) of a PDF or multi-page TIFF. */
  page?: number;
}

/** Main thread → worker. */
export type ToDecodeWorker = DecodeInit | DecodeJob;

/** Worker → main thread. */
export type FromDecodeWorker =
  /** The decoder is loaded; jobs may come. */
  | { type: "ready"; ms: number }
  /** Loading failed (the worker is of no use). */
  | { type: "init-failed"; error: string }
  /** A job's result (the front image's buffer transferred). */
  | { type: "done"; id: number; scan: ScanVerification }
  /** `decodeScan` threw on this job; the worker carries on. */
  | { type: "failed"; id: number; error: string };
