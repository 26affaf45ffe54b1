import assert from "node:assert/strict";
import {
  encodeQrBytes,
  errorCorrectionCodewords,
  qrByteCapacity,
  readQrMatrix,
} from "./qr_encoder.ts";
import { mul } from "./gf256.ts";
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

Deno.test("errorCorrectionCodewords() matches ISO/IEC 18004's worked example and a textbook division for every degree", () => {
  // Annex I: "01234567" as 1-M: 16 data codewords → 10 EC codewords.
  const data = Uint8Array.from([
    0x10,
    0x20,
    0x0c,
    0x56,
    0x61,
    0x80,
    0xec,
    0x11,
    0xec,
    0x11,
    0xec,
    0x11,
    0xec,
    0x11,
    0xec,
    0x11,
  ]);
  assert.deepEqual(
    [...errorCorrectionCodewords(data, 10)],
    [0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55],
  );
  // Long division by the generator ∏(x − 2^i), one byte at a time.
  const textbook = (msg: Uint8Array, degree: number) => {
    let gen = [1];
    for (let i = 0, root = 1; i < degree; i++, root = mul(root, 2)) {
      const next = new Array(gen.length + 1).fill(0);
      for (let j = 0; j < gen.length; j++) {
        next[j] ^= gen[j];
        next[j + 1] ^= mul(gen[j], root);
      }
      gen = next;
    }
    const r = [...msg, ...new Array(degree).fill(0)];
    for (let i = 0; i < msg.length; i++) {
      const f = r[i];
      if (f) {
        for (let j = 1; j < gen.length; j++) r[i + j] ^= mul(gen[j], f);
      }
    }
    return r.slice(msg.length);
  };
  for (let degree = 1; degree <= 32; degree++) {
    const msg = crypto.getRandomValues(new Uint8Array(20 + degree));
    assert.deepEqual(
      [...errorCorrectionCodewords(msg, degree)],
      textbook(msg, degree),
      `degree ${degree}`,
    );
  }
  assert.throws(() => errorCorrectionCodewords(data, 33), RangeError);
});
