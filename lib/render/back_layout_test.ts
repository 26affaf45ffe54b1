import assert from "node:assert/strict";
import type { PlacedSymbol } from "../certificate/model.ts";
import {
  layoutBackSide,
  moduleRuns,
  QUIET_ZONE_MODULES,
} from "./back_layout.ts";
import { createRenderContext } from "./context.ts";
import { FieldTooLongError } from "./errors.ts";

const context = createRenderContext();

function symbol(over: Partial<PlacedSymbol> = {}): PlacedSymbol {
  const modules = new Uint8Array(21 * 21);
  for (let i = 0; i < modules.length; i++) {
    modules[i] = (i * 7) % 3 === 0 ? 1 : 0;
  }
  return {
    x: 30,
    y: 40,
    moduleSize: 0.5,
    width: 21,
    height: 21,
    modules,
    ...over,
  };
}

Deno.test("moduleRuns() merges each row's consecutive dark modules into one run", () => {
  const s = symbol({
    width: 5,
    height: 2,
    modules: new Uint8Array([1, 1, 0, 1, 1, 0, 0, 0, 0, 1]),
  });
  assert.deepEqual(moduleRuns(s), [[0, 0, 2], [3, 0, 2], [4, 1, 1]]);
  // runs cover exactly the dark modules
  const big = symbol();
  const covered = moduleRuns(big).reduce((n, [, , len]) => n + len, 0);
  assert.equal(covered, big.modules.reduce((n, v) => n + v, 0));
});

Deno.test("layoutBackSide() clears a quiet zone around each symbol above the background", () => {
  const s = symbol();
  const layout = layoutBackSide({
    keyId: "k-2026",
    issueNumber: "401005-1",
    symbols: [s],
  }, { context });
  const kinds = layout.ops.map((op) => op.kind);
  assert.ok(kinds.indexOf("scramble") < kinds.indexOf("rect"));
  assert.ok(kinds.indexOf("rect") < kinds.indexOf("symbol"));
  const clear = layout.ops.find((op) => op.kind === "rect")!;
  assert.ok(clear.kind === "rect");
  const q = QUIET_ZONE_MODULES * s.moduleSize;
  assert.deepEqual([clear.x, clear.y, clear.w, clear.h], [
    s.x - q,
    s.y - q,
    10.5 + 2 * q,
    10.5 + 2 * q,
  ]);
  assert.deepEqual(clear.fill, [1, 1, 1]);
  const text = layout.ops.find((op) => op.kind === "text")!;
  assert.ok(
    text.kind === "text" && text.text.includes("401005-1") &&
      text.text.includes("k-2026"),
  );
});

Deno.test("layoutBackSide() rejects malformed symbols and an overlong key id", () => {
  const back = (s: PlacedSymbol) => ({
    keyId: "k",
    issueNumber: "1",
    symbols: [s],
  });
  assert.throws(
    () =>
      layoutBackSide(back(symbol({ modules: new Uint8Array(3) })), { context }),
    RangeError,
  );
  assert.throws(
    () => layoutBackSide(back(symbol({ x: 205 })), { context }),
    RangeError,
  );
  assert.throws(
    () => layoutBackSide(back(symbol({ moduleSize: 0 })), { context }),
    RangeError,
  );
  assert.throws(
    () =>
      layoutBackSide(
        { keyId: "k".repeat(300), issueNumber: "1", symbols: [] },
        { context },
      ),
    FieldTooLongError,
  );
});
