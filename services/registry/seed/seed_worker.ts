/**
 * Worker of {@linkcode seedRegistry}: generates the segments it is given and
 * posts each step's COPY bytes (transferred, not copied), running at most a
 * few steps ahead of the loader's acknowledgements.
 *
 * Messages in: `{ type: "run", options, segments, ahead }`, `{ type: "ack" }`.
 * Messages out: `{ type: "step", step }`, `{ type: "done" }`,
 * `{ type: "error", message, stack }`.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { encodeSegment } from "./copy_text.ts";
import type { PopulationOptions } from "./population.ts";

let credits = 0;
let wake: (() => void) | null = null;

async function run(
  options: PopulationOptions,
  segments: number[],
  ahead: number,
): Promise<void> {
  credits = ahead;
  for (const segment of segments) {
    for await (const step of encodeSegment(options, segment)) {
      while (credits <= 0) await new Promise<void>((r) => (wake = r));
      credits--;
      const buffers = step.bytes.filter((b) => b.byteLength > 0);
      self.postMessage(
        { type: "step", step },
        buffers.map((b) => b.buffer as ArrayBuffer),
      );
    }
  }
  self.postMessage({ type: "done" });
}

self.onmessage = (e: MessageEvent) => {
  const m = e.data;
  if (m.type === "ack") {
    credits++;
    wake?.();
    wake = null;
  } else if (m.type === "run") {
    run(m.options, m.segments, m.ahead).catch((err) => {
      self.postMessage({
        type: "error",
        message: String(err?.message ?? err),
        stack: err?.stack,
      });
    });
  }
};
