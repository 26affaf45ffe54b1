import assert from "node:assert/strict";
import { EXP, inv, LOG, mul } from "./gf256.ts";

Deno.test("GF(256)/0x11D: α generates the field, mul agrees with carry-less multiplication mod 0x11D, inv inverts", () => {
  assert.equal(new Set(EXP.subarray(0, 255)).size, 255);
  for (let x = 1; x < 256; x++) assert.equal(EXP[LOG[x]], x);
  const slow = (a: number, b: number) => {
    let r = 0;
    for (; b; b >>= 1, a = (a << 1) ^ (a & 0x80 ? 0x11d : 0)) {
      if (b & 1) r ^= a;
    }
    return r & 0xff;
  };
  for (let a = 0; a < 256; a += 7) {
    for (let b = 0; b < 256; b += 5) assert.equal(mul(a, b), slow(a, b));
  }
  for (let a = 1; a < 256; a++) assert.equal(mul(a, inv(a)), 1);
  assert.throws(() => inv(0), RangeError);
});
