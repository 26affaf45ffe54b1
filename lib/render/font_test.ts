import assert from "node:assert/strict";
import fontkit from "@pdf-lib/fontkit";
import {
  DEFAULT_FONT_PATHS,
  loadFontSet,
  shapeText,
  splitClusters,
} from "./font.ts";

const fonts = loadFontSet();

Deno.test("splitClusters() keeps a variation selector with its base character", () => {
  assert.deepEqual(splitClusters("葛\u{E0100}城\uE02A"), [
    "葛\u{E0100}",
    "城",
    "\uE02A",
  ]);
  assert.deepEqual(splitClusters("A\uFE00"), ["A\uFE00"]);
});

Deno.test("FontFace advances equal fontkit's metrics", () => {
  // deno-lint-ignore no-explicit-any
  const fk: any = fontkit.create(
    Deno.readFileSync(DEFAULT_FONT_PATHS.mincho) as never,
  );
  for (const ch of ["住", "あ", "A", "i", "１", "ｱ", "W"]) {
    const g = fk.glyphForCodePoint(ch.codePointAt(0)!);
    assert.equal(fonts.mincho.glyphForCluster(ch), g.id, ch);
    assert.equal(fonts.mincho.advance(g.id), g.advanceWidth, ch);
  }
});

Deno.test("resolveCluster() picks the IVS glyph, falls back on unknown selectors and reports missing glyphs", () => {
  const f = fonts.mincho;
  const plain = f.resolveCluster("葛");
  const ivs = f.resolveCluster("葛\u{E0100}");
  assert.equal(plain.status, "ok");
  assert.equal(ivs.status, "ok");
  assert.notEqual(ivs.gid, plain.gid, "葛+VS17 has its own glyph in IPAex");
  assert.deepEqual(f.resolveCluster("葛\u{E0105}"), {
    gid: plain.gid,
    status: "unknown-variation",
  });
  assert.deepEqual(f.resolveCluster("\uE02A"), { gid: 0, status: "missing" });
});

Deno.test("shapeText() measures proportional Latin narrower than kanji", () => {
  const kanji = shapeText(fonts.gothic, "住所");
  const latin = shapeText(fonts.gothic, "il");
  assert.equal(kanji.width, 2 * fonts.gothic.unitsPerEm);
  assert.ok(latin.width < fonts.gothic.unitsPerEm);
  assert.equal(kanji.glyphs.length, 2);
});

Deno.test("glyphProgram() strips hinting but keeps the outline", () => {
  const gid = fonts.mincho.glyphForCluster("住");
  const p = fonts.mincho.glyphProgram(gid);
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const contours = dv.getInt16(0);
  assert.ok(contours > 0);
  assert.equal(
    dv.getUint16(10 + 2 * contours),
    0,
    "instruction length is zero",
  );
});
