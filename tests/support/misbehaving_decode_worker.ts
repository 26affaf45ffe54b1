/**
 * A decode worker for the pool's tests: the real one (decode_worker.ts),
 * except that the width of a PNG scan asks it to misbehave first — crash
 * (an uncaught error, as a wasm trap would be), hang (a busy loop), or take
 * its time. Any other scan is decoded as usual.
 *
 * @module
 */
import {
  type DecodeWorkerScope,
  serveDecodeJobs,
} from "../../services/portal/decode_worker.ts";

/** PNG widths that make this worker misbehave. */
export const MISBEHAVE = {
  /** Throws an uncaught error, killing the worker. */
  crash: 621,
  /** Loops forever. */
  hang: 622,
  /** Waits {@linkcode SLOW_MS} before decoding. */
  slow: 623,
} as const;

/** How long a `slow` scan waits. */
export const SLOW_MS = 300;

/** The width in a PNG's IHDR, or undefined for anything else. */
export function pngWidth(bytes: Uint8Array): number | undefined {
  const png = [0x89, 0x50, 0x4e, 0x47];
  if (bytes.length < 24 || !png.every((b, i) => bytes[i] === b)) {
    return undefined;
  }
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(16);
}

async function misbehave(bytes: Uint8Array): Promise<void> {
  const width = pngWidth(bytes);
  if (width === MISBEHAVE.crash) {
    queueMicrotask(() => {
      throw new Error("decoder crashed (test)");
    });
    await new Promise(() => {});
  }
  if (width === MISBEHAVE.hang) {
    while (true) {
      // a decoder stuck on a hostile file
    }
  }
  if (width === MISBEHAVE.slow) {
    await new Promise((r) => setTimeout(r, SLOW_MS));
  }
}

if (import.meta.main) {
  serveDecodeJobs(globalThis as unknown as DecodeWorkerScope, {
    beforeJob: misbehave,
  });
}
