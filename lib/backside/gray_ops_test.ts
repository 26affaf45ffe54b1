import assert from "node:assert/strict";
import { countSymbolBlocks, grayStdDev, halve } from "./gray_ops.ts";

Deno.test("halve() averages 2 × 2 blocks", () => {
  const img = {
    width: 4,
    height: 2,
    data: Uint8Array.from([0, 255, 10, 10, 255, 0, 20, 20]),
  };
  assert.deepEqual(halve(img), {
    width: 2,
    height: 1,
    data: Uint8Array.from([128, 15]),
  });
});

Deno.test("grayStdDev() is near 0 for a blank page", () => {
  const blank = {
    width: 100,
    height: 100,
    data: new Uint8Array(10000).fill(240),
  };
  assert.equal(grayStdDev(blank), 0);
});

Deno.test("countSymbolBlocks() counts equal gray squares, not other shapes", () => {
  // 100 dpi page: four 20 mm mid-gray squares and one long bar.
  const dpi = 100;
  const px = (mm: number) => Math.round(mm / 25.4 * dpi);
  const width = px(210);
  const height = px(297);
  const data = new Uint8Array(width * height).fill(240);
  const fill = (x: number, y: number, w: number, h: number, v: number) => {
    for (let j = px(y); j < px(y + h); j++) {
      data.fill(v, j * width + px(x), j * width + px(x + w));
    }
  };
  for (const [x, y] of [[20, 20], [60, 20], [20, 60], [60, 60]]) {
    fill(x, y, 20, 20, 120);
  }
  fill(20, 150, 150, 20, 120); // a bar, not a square
  const img = { width, height, data };
  assert.equal(countSymbolBlocks(img, dpi, 20), 4);
  assert.equal(countSymbolBlocks(img, dpi, 58), 0);
});
