/**
 * A decode worker of the portal's pool (decode_pool.ts): a Web Worker that
 * loads the decoder once — zxing's wasm, sharp, and the front renderer's
 * fonts — then serves one job at a time. A job is the whole CPU-heavy part
 * of a verification: load the scan, read the symbols, rebuild the envelope,
 * check the signature, decrypt, and render the reduced front. The keys
 * arrive once, in the `init` message; the ledger, the audit and every
 * refusal stay on the main thread.
 *
 * Measured on a 300-dpi one-sheet scan (2-core machine): decoding and
 * verifying 55–100 ms, rendering the front 35–70 ms, the signature check and
 * the decryption well under 1 ms — so the render runs here too, and
 * splitting the keys out would save nothing.
 *
 * The scan's bytes are overwritten once decoded, as on the main thread.
 *
 * One libvips thread and no libvips operation cache: the pool is the
 * parallelism (a worker per core), so libvips' own threads would only
 * compete with the other workers for the same cores, and a scan is never
 * decoded twice. (Both are settings of the process's one libvips; only the
 * decode workers use it in the portal.)
 *
 * @module
 */
import {
  decodeScan,
  type DecodeScanOptions,
} from "../../lib/backside/decode_scan.ts";
import sharp from "sharp";
import { readSymbols } from "../../lib/backside/zxing.ts";
import { createRenderer } from "../../lib/render/mod.ts";
import type {
  DecodeInit,
  DecodeJob,
  FromDecodeWorker,
  ToDecodeWorker,
} from "./decode_protocol.ts";

/** The part of a worker's global scope this module uses. */
export interface DecodeWorkerScope {
  postMessage(message: FromDecodeWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToDecodeWorker>) => void) | null;
}

/** Hooks for tests: a worker that crashes or hangs on some scans. */
export interface DecodeWorkerHooks {
  /** Runs before each job's decode. */
  beforeJob?: (bytes: Uint8Array) => void | Promise<void>;
}

type Setup = Omit<DecodeScanOptions, "maxInputPixels">;

/** Loads the decoder (and the renderer) so the first job pays nothing extra. */
async function setUp(init: DecodeInit): Promise<Setup> {
  sharp.concurrency(1);
  sharp.cache(false);
  // A tiny read loads zxing's wasm module.
  await readSymbols(new Uint8Array(32 * 32).fill(255), 32, 32, {});
  const setup: Setup = {
    keyList: init.keyList,
    decryptionKeys: init.decryptionKeys,
  };
  if (init.frontWidthPx !== undefined) {
    const renderer = await createRenderer();
    const widthPx = init.frontWidthPx;
    setup.renderFront = (sheet) =>
      Promise.resolve(renderer.png(sheet, { widthPx }));
  }
  return setup;
}

/** Decodes one job's scan and overwrites its bytes. */
async function runJob(
  setup: Setup,
  job: DecodeJob,
  hooks: DecodeWorkerHooks,
): Promise<{ message: FromDecodeWorker; transfer: Transferable[] }> {
  try {
    await hooks.beforeJob?.(job.bytes);
    const scan = await decodeScan(job.bytes, {
      ...setup,
      maxInputPixels: job.maxInputPixels,
      ...(job.page !== undefined ? { page: job.page } : {}),
    });
    const png = scan.frontImagePng;
    const transfer = png && png.byteOffset === 0 &&
        png.byteLength === png.buffer.byteLength
      ? [png.buffer as ArrayBuffer]
      : [];
    return { message: { type: "done", id: job.id, scan }, transfer };
  } catch (e) {
    const error = String((e as Error)?.stack ?? e);
    return { message: { type: "failed", id: job.id, error }, transfer: [] };
  } finally {
    job.bytes.fill(0);
  }
}

/**
 * Serves decode jobs on a worker scope: `init` first, then `job`s.
 *
 * @example
 * ```ts ignore
 * // a test worker that hangs on empty scans
 * serveDecodeJobs(self as unknown as DecodeWorkerScope, {
 *   beforeJob: (b) => { if (b.length === 0) while (true) {} },
 * });
 * ```
 */
export function serveDecodeJobs(
  scope: DecodeWorkerScope,
  hooks: DecodeWorkerHooks = {},
): void {
  let setup: Promise<Setup> | undefined;
  scope.onmessage = async (e) => {
    const msg = e.data;
    if (msg.type === "init") {
      const started = performance.now();
      setup = setUp(msg);
      try {
        await setup;
        scope.postMessage({
          type: "ready",
          ms: Math.round(performance.now() - started),
        });
      } catch (err) {
        scope.postMessage({
          type: "init-failed",
          error: String((err as Error)?.stack ?? err),
        });
      }
      return;
    }
    if (!setup) {
      scope.postMessage({
        type: "failed",
        id: msg.id,
        error: "job before init",
      });
      return;
    }
    const { message, transfer } = await runJob(await setup, msg, hooks);
    scope.postMessage(message, transfer);
  };
}

if (import.meta.main) {
  serveDecodeJobs(globalThis as unknown as DecodeWorkerScope);
}
