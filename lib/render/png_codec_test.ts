import assert from "node:assert/strict";
import {
  crc32,
  decodePng,
  encodePalettePng,
  encodePng,
  type RasterImage,
  readPngStructure,
} from "./png_codec.ts";

function image(channels: 1 | 2 | 3 | 4, width = 7, height = 5): RasterImage {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 3)) & 0xff;
  return { width, height, channels, data };
}

Deno.test("encodePng() and decodePng() round-trip every channel layout", () => {
  for (const channels of [1, 2, 3, 4] as const) {
    const img = image(channels);
    const back = decodePng(encodePng(img));
    assert.equal(back.width, img.width);
    assert.equal(back.height, img.height);
    assert.equal(back.channels, channels);
    assert.deepEqual(back.data, img.data);
  }
});

Deno.test("encodePng() is deterministic and readPngStructure() reads the header", () => {
  const a = encodePng(image(3)), b = encodePng(image(3));
  assert.deepEqual(a, b);
  const s = readPngStructure(a);
  assert.deepEqual([s.width, s.height, s.bitDepth, s.colorType, s.interlace], [
    7,
    5,
    8,
    2,
    0,
  ]);
});

Deno.test("readPngStructure() rejects a bad signature and a corrupted chunk", () => {
  assert.throws(() => readPngStructure(new Uint8Array([1, 2, 3])), TypeError);
  const png = encodePng(image(1));
  png[40] ^= 0xff; // inside IDAT
  assert.throws(() => readPngStructure(png), /bad CRC/);
  assert.throws(
    () =>
      encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) }),
    RangeError,
  );
});

Deno.test("encodePalettePng() writes an 8-bit palette PNG that decodePng() expands", () => {
  const png = encodePalettePng({
    width: 3,
    height: 2,
    palette: new Uint8Array([255, 255, 255, 200, 30, 40]),
    indices: new Uint8Array([0, 1, 0, 1, 1, 0]),
  });
  const s = readPngStructure(png);
  assert.deepEqual([s.bitDepth, s.colorType], [8, 3]);
  const img = decodePng(png);
  assert.equal(img.channels, 3);
  assert.deepEqual([...img.data.subarray(0, 6)], [255, 255, 255, 200, 30, 40]);
  assert.equal(crc32(new TextEncoder().encode("IEND")), 0xae426082);
});
