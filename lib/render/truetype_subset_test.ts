import assert from "node:assert/strict";
import fontkit from "@pdf-lib/fontkit";
import { loadFontSet } from "./font.ts";
import { buildTrueTypeSubset } from "./truetype_subset.ts";

const fonts = loadFontSet();

Deno.test("buildTrueTypeSubset() yields a font whose glyph i is the original gids[i]", () => {
  const f = fonts.mincho;
  const chars = ["住", "民", "A", "葛\u{E0100}"];
  const gids = [0, ...chars.map((c) => f.glyphForCluster(c))];
  const ttf = buildTrueTypeSubset(f, gids);
  // deno-lint-ignore no-explicit-any
  const sub: any = fontkit.create(ttf as never);
  assert.equal(sub.numGlyphs, gids.length);
  assert.equal(sub.unitsPerEm, f.unitsPerEm);
  gids.forEach((gid, i) => {
    const g = sub.getGlyph(i);
    assert.equal(g.advanceWidth, f.advance(gid));
    assert.deepEqual(
      g.path.commands.map((c: { args: number[] }) => c.args),
      f.glyphPath(gid).map((
        s,
      ) => (s.op === "Z" ? [] : Object.values(s).slice(1))),
    );
  });
});

Deno.test("buildTrueTypeSubset() writes valid table checksums", () => {
  const ttf = buildTrueTypeSubset(fonts.gothic, [
    0,
    fonts.gothic.glyphForCluster("あ"),
  ]);
  const dv = new DataView(ttf.buffer);
  const n = dv.getUint16(4);
  for (let i = 0; i < n; i++) {
    const tag = String.fromCharCode(...ttf.subarray(12 + 16 * i, 16 + 16 * i));
    const off = dv.getUint32(12 + 16 * i + 8),
      len = dv.getUint32(12 + 16 * i + 12);
    let sum = 0;
    const padded = new Uint8Array((len + 3) & ~3);
    padded.set(ttf.subarray(off, off + len));
    if (tag === "head") padded.fill(0, 8, 12);
    const pv = new DataView(padded.buffer);
    for (let k = 0; k < padded.length; k += 4) {
      sum = (sum + pv.getUint32(k)) >>> 0;
    }
    assert.equal(sum, dv.getUint32(12 + 16 * i + 4), tag);
  }
  assert.throws(
    () => buildTrueTypeSubset(fonts.gothic, [0, 999999]),
    RangeError,
  );
});
