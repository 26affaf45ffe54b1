import assert from "node:assert/strict";
import {
  encodeBitmapPng,
  SEAL_IMAGE_SIZE,
  SEAL_INK,
  sealImpressionPng,
} from "./seal_image.ts";
import { decodePng } from "../../../lib/render/png_codec.ts";
import { MAX_SEAL_PNG_BYTES } from "../../../lib/backside/canonical.ts";

function inkShare(png: Uint8Array): number {
  const img = decodePng(png);
  let ink = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    if (
      img.data[i * 3] === SEAL_INK[0] && img.data[i * 3 + 1] === SEAL_INK[1]
    ) ink++;
  }
  return ink / (img.width * img.height);
}

Deno.test("sealImpressionPng() draws a red seal in a small PNG the renderer can decode", () => {
  for (
    const [text, shape] of [["山田", "round"], ["佐々木", "square"], [
      "葛\u{E0100}城",
      "round",
    ]] as const
  ) {
    const png = sealImpressionPng(text, shape);
    assert.ok(png.length <= MAX_SEAL_PNG_BYTES, `${text}: ${png.length} bytes`);
    const img = decodePng(png);
    assert.equal(img.width, SEAL_IMAGE_SIZE);
    assert.equal(img.height, SEAL_IMAGE_SIZE);
    const share = inkShare(png);
    assert.ok(share > 0.08 && share < 0.6, `${text}: ink ${share}`);
  }
});

Deno.test("sealImpressionPng() is deterministic and memoised; the text changes the image", () => {
  const a = sealImpressionPng("田中", "round");
  assert.equal(sealImpressionPng("田中", "round"), a);
  assert.notDeepEqual(sealImpressionPng("中村", "round"), a);
  assert.notDeepEqual(sealImpressionPng("田中", "square"), a);
  // Characters are drawn: more ink than the frame alone.
  assert.ok(
    inkShare(a) >
      inkShare(encodeBitmapPng(frameOnly(), SEAL_IMAGE_SIZE, SEAL_IMAGE_SIZE)) +
        0.03,
  );
});

Deno.test("encodeBitmapPng() rejects a mask of the wrong size", () => {
  assert.throws(() => encodeBitmapPng(new Uint8Array(10), 4, 4), RangeError);
});

function frameOnly(): Uint8Array {
  const S = SEAL_IMAGE_SIZE, c = S / 2, outer = S / 2 - 2;
  const mask = new Uint8Array(S * S);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const r = Math.hypot(x + 0.5 - c, y + 0.5 - c);
      if (r <= outer && r >= outer - 3.6) mask[y * S + x] = 1;
    }
  }
  return mask;
}
