import assert from "node:assert/strict";
import { loadFontSet } from "../../../lib/render/font.ts";
import { checkGaijiPath } from "../gaiji.ts";
import { outlineOf } from "./seed_gaiji.ts";
import { SEED_GAIJI } from "./names.ts";

Deno.test("seed 外字: every code point the seeded names use gets an outline the registry accepts", () => {
  const face = loadFontSet().mincho;
  assert.ok(SEED_GAIJI.length > 0);
  for (const { codePoint, base } of SEED_GAIJI) {
    assert.ok(codePoint >= 0xe000 && codePoint <= 0xf8ff);
    const d = outlineOf(face, base);
    assert.equal(checkGaijiPath(d), d, base);
    assert.match(d, /^M/);
  }
  assert.notEqual(outlineOf(face, "高"), outlineOf(face, "吉"));
});
