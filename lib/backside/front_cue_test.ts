import assert from "node:assert/strict";
import { countRules, looksLikeFront } from "./front_cue.ts";

function page(width: number, height: number) {
  return { width, height, data: new Uint8Array(width * height).fill(255) };
}

Deno.test("countRules() counts page-wide rules once each, and ignores short or broken lines", () => {
  const p = page(100, 60);
  for (const y of [5, 6, 20, 40]) p.data.fill(0, y * 100 + 10, y * 100 + 90);
  // Short (30 % of the width) and dotted lines are no rules.
  p.data.fill(0, 30 * 100, 30 * 100 + 30);
  for (let x = 0; x < 100; x += 5) p.data[50 * 100 + x] = 0;
  assert.equal(countRules(p), 3);
  assert.equal(looksLikeFront(p), false);
});

Deno.test("looksLikeFront(): a ruled form is a front, a blank page is not", () => {
  const p = page(200, 200);
  for (let y = 10; y < 200; y += 20) p.data.fill(0, y * 200 + 5, y * 200 + 195);
  assert.equal(looksLikeFront(p), true);
  assert.equal(looksLikeFront(page(200, 200)), false);
});
