import assert from "node:assert/strict";
import { encodeQrBytes, qrByteCapacity, readQrMatrix } from "./qr_encoder.ts";
import { readSymbols } from "./zxing.ts";

Deno.test("encodeQrBytes() → readQrMatrix() gives the bytes back, every level and a range of versions", () => {
  for (const version of [1, 7, 10, 20, 27, 40]) {
    for (const ecLevel of ["L", "M", "Q", "H"] as const) {
      const data = crypto.getRandomValues(
        new Uint8Array(qrByteCapacity(version, ecLevel)),
      );
      const m = encodeQrBytes(data, { version, ecLevel, mask: version % 8 });
      assert.equal(m.width, version * 4 + 17);
      assert.deepEqual(readQrMatrix(m, { version, ecLevel }), data);
    }
  }
});

Deno.test("encodeQrBytes() refuses a payload that does not fit; readQrMatrix() refuses a damaged symbol", () => {
  assert.equal(qrByteCapacity(20, "M"), 666);
  assert.throws(
    () => encodeQrBytes(new Uint8Array(667), { version: 20, ecLevel: "M" }),
    RangeError,
  );
  const m = encodeQrBytes(new Uint8Array(600).fill(7), {
    version: 20,
    ecLevel: "M",
  });
  const flipped = { ...m, modules: m.modules.slice() };
  flipped.modules[50 * m.width + 50] ^= 1;
  assert.throws(
    () => readQrMatrix(flipped, { version: 20, ecLevel: "M" }),
    RangeError,
  );
});

Deno.test("zxing-cpp reads what encodeQrBytes() wrote", async () => {
  const data = crypto.getRandomValues(new Uint8Array(500));
  const m = encodeQrBytes(data, { version: 20, ecLevel: "M" });
  const scale = 4;
  const quiet = 4;
  const side = (m.width + 2 * quiet) * scale;
  const gray = new Uint8Array(side * side).fill(255);
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      if (!m.modules[y * m.width + x]) continue;
      for (let dy = 0; dy < scale; dy++) {
        const row = ((y + quiet) * scale + dy) * side + (x + quiet) * scale;
        gray.fill(0, row, row + scale);
      }
    }
  }
  const found = await readSymbols(gray, side, side);
  assert.equal(found.length, 1);
  assert.deepEqual(found[0].bytes, data);
});
