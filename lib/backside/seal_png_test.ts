import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import sharp from "sharp";
import { MAX_SEAL_PNG_BYTES } from "./canonical.ts";
import { compactSealPng, twoColourSealPng } from "./seal_png.ts";
import { seededRandom } from "../../tests/fixtures/sample_sheets.ts";

Deno.test("compactSealPng() turns a large photo-like seal into a small 2-colour PNG", async () => {
  // A 600 × 600 noisy red ring, hundreds of KB as a PNG.
  const size = 600;
  const rand = seededRandom(1);
  const rgb = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x - 300, y - 300);
      const ink = r > 240 && r < 280;
      const i = (y * size + x) * 3;
      const noise = Math.floor(rand() * 23);
      rgb[i] = ink ? 200 + noise : 250 - noise;
      rgb[i + 1] = ink ? 30 + noise : 248 - noise;
      rgb[i + 2] = ink ? 30 : 245 - noise;
    }
  }
  const big = await sharp(rgb, {
    raw: { width: size, height: size, channels: 3 },
  }).png().toBuffer();
  assert.ok(big.length > MAX_SEAL_PNG_BYTES * 10);
  const small = await compactSealPng(new Uint8Array(big));
  assert.ok(small.length <= MAX_SEAL_PNG_BYTES, `${small.length} bytes`);
  const meta = await sharp(small).metadata();
  assert.equal(meta.format, "png");
  assert.ok(meta.width! <= 128 && meta.height! <= 128);
  assert.equal(meta.isPalette, true);
  // 8-bit palette (IHDR bit depth, colour type), as the front renderer needs.
  assert.deepEqual([small[24], small[25]], [8, 3]);
});

Deno.test("twoColourSealPng() with enlarge: a small seal becomes the print size, two colours, the paper white", async () => {
  const small = await compactSealPng(
    await sharp({
      create: {
        width: 96,
        height: 96,
        channels: 3,
        background: { r: 250, g: 240, b: 240 },
      },
    }).composite([{
      input: Buffer.from(
        '<svg width="96" height="96"><circle cx="48" cy="48" r="40" fill="none" stroke="#c81e28" stroke-width="6"/></svg>',
      ),
    }]).png().toBuffer(),
  );
  const print = await twoColourSealPng(small, { side: 600, enlarge: true });
  const meta = await sharp(print).metadata();
  assert.deepEqual([meta.width, meta.height], [600, 600]);
  assert.deepEqual([print[24], print[25]], [8, 3]);
  // Without enlarge it stays as it is.
  const same = await twoColourSealPng(small, { side: 600 });
  assert.equal((await sharp(same).metadata()).width, 96);
  // The palette: white paper and the ink.
  const { data } = await sharp(print).raw().toBuffer({
    resolveWithObject: true,
  });
  const colours = new Set<string>();
  for (let i = 0; i < data.length; i += 3) {
    colours.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
  }
  assert.equal(colours.size, 2);
  assert.ok(colours.has("255,255,255"), [...colours].join(" "));
});
