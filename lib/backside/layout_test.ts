import assert from "node:assert/strict";
import {
  DEFAULT_LAYOUT,
  layoutSlots,
  placeSymbols,
  symbolCapacity,
} from "./layout.ts";
import { A4_MM, rasterizeBackSide } from "./rasterize.ts";

Deno.test("layoutSlots() keeps every symbol and its quiet zone inside the area", () => {
  const modules = 17 + 4 * DEFAULT_LAYOUT.version;
  const side = modules * DEFAULT_LAYOUT.moduleSizeMm;
  const quiet = DEFAULT_LAYOUT.quietModules * DEFAULT_LAYOUT.moduleSizeMm;
  const slots = layoutSlots(DEFAULT_LAYOUT, modules);
  assert.equal(slots.length, 12);
  const { area } = DEFAULT_LAYOUT;
  for (const s of slots) {
    assert.ok(
      s.x - quiet >= area.x && s.x + side + quiet <= area.x + area.width,
    );
    assert.ok(
      s.y - quiet >= area.y && s.y + side + quiet <= area.y + area.height,
    );
  }
  // Neighbours are at least one quiet zone apart.
  for (const a of slots) {
    for (const b of slots) {
      if (a === b) continue;
      const apart = Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y)) - side;
      assert.ok(apart >= quiet, `${JSON.stringify(a)} ${JSON.stringify(b)}`);
    }
  }
  assert.ok(
    area.y + area.height <= A4_MM.height - 25,
    "room for the printed issue number",
  );
});

Deno.test("placeSymbols() fills slots in order with equal-size symbols", async () => {
  const capacity = await symbolCapacity(DEFAULT_LAYOUT);
  assert.ok(capacity >= 600, `capacity ${capacity}`);
  const payloads = [new Uint8Array(capacity), new Uint8Array(10)];
  const symbols = await placeSymbols(payloads, DEFAULT_LAYOUT);
  assert.equal(symbols.length, 2);
  assert.equal(symbols[0].width, symbols[1].width);
  assert.equal(symbols[0].modules.length, symbols[0].width * symbols[0].height);
  await assert.rejects(
    placeSymbols([new Uint8Array(capacity + 1)], DEFAULT_LAYOUT),
    RangeError,
  );
});

Deno.test("rasterizeBackSide() draws modules at the right place and size", () => {
  const modules = new Uint8Array([1, 0, 0, 1]);
  const back = {
    keyId: "k",
    issueNumber: "n",
    symbols: [{
      x: 25.4,
      y: 50.8,
      moduleSize: 2.54,
      width: 2,
      height: 2,
      modules,
    }],
  };
  const img = rasterizeBackSide(back, { dpi: 100 }); // 1 mm ≈ 3.94 px
  assert.equal(img.width, Math.round(210 / 25.4 * 100));
  const at = (xMm: number, yMm: number) =>
    img
      .data[
        Math.floor(yMm / 25.4 * 100) * img.width + Math.floor(xMm / 25.4 * 100)
      ];
  assert.equal(at(26, 52), 0); // dark module (0,0)
  assert.equal(at(28.5, 52), 255); // light module (1,0)
  assert.equal(at(28.5, 54.5), 0); // dark module (1,1)
  assert.equal(at(20, 52), 255); // outside
});
