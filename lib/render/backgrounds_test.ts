import assert from "node:assert/strict";
import {
  copyGuardPlacements,
  createCopyGuardDesign,
  createScrambleDesign,
} from "./backgrounds.ts";
import { loadFontSet } from "./font.ts";
import { officialSealSegments, officialSealText } from "./official_seal.ts";
import { segmentsBounds } from "./glyph_path.ts";

const fonts = loadFontSet();

Deno.test("createCopyGuardDesign() gives both dot screens the same average tone", () => {
  const d = createCopyGuardDesign(fonts);
  const tone = (s: { pitch: number; dot: number }) => (s.dot / s.pitch) ** 2;
  assert.ok(Math.abs(tone(d.fine) - tone(d.coarse)) < 1e-12);
  assert.ok(
    d.coarse.dot >= 2.5 * d.fine.dot,
    "coarse dots survive a copier, fine ones do not",
  );
  // the tile is a whole number of both pitches, and the word sits on the tile grid
  for (const p of [d.fine.pitch, d.coarse.pitch]) {
    assert.ok(Math.abs(d.tile / p - Math.round(d.tile / p)) < 1e-9);
  }
  for (
    const { x, y } of copyGuardPlacements(d, { x: 0, y: 0, w: 210, h: 297 })
  ) {
    assert.ok(Math.abs(x / d.tile - Math.round(x / d.tile)) < 1e-9);
    assert.ok(Math.abs(y / d.tile - Math.round(y / d.tile)) < 1e-9);
  }
  const cells = d.cellRuns.reduce((n, [, , len]) => n + len, 0);
  const all = (d.wordW / d.coarse.pitch) * (d.wordH / d.coarse.pitch);
  assert.ok(
    cells > all * 0.2 && cells < all * 0.8,
    "the word covers part of its box",
  );
});

Deno.test("createScrambleDesign() is deterministic and stays inside its tile", () => {
  assert.deepEqual(createScrambleDesign(), createScrambleDesign());
  const s = createScrambleDesign(7);
  for (const st of s.strokes) {
    for (const v of [st.x1, st.y1, st.x2, st.y2]) {
      assert.ok(v >= 0 && v <= s.tile);
    }
  }
  assert.ok(s.color[0] >= 0.75, "light grey");
});

Deno.test("officialSealSegments() fills a square of the given size with the seal text", () => {
  assert.equal(officialSealText("北九州市"), "北九州市長之印");
  assert.equal(officialSealText("千代田区"), "千代田区長之印");
  const segs = officialSealSegments(fonts, "北九州市", 24);
  const [x0, y0, x1, y1] = segmentsBounds(segs);
  assert.deepEqual([x0, y0, x1, y1], [0, 0, 24, 24]);
  assert.deepEqual(officialSealSegments(fonts, "北九州市", 24), segs);
});
