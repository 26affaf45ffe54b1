/**
 * A fast TrueType subsetter for PDF embedding (FontFile2 of a CIDFontType2).
 *
 * Glyph `i` of the subset is glyph `gids[i]` of the original font, so a PDF
 * using `CIDToGIDMap /Identity` shows glyph `gids[i]` for CID `i`. Hinting is
 * dropped (it does not matter on paper or at 1000 px) and only the tables a
 * PDF viewer needs are written: head, hhea, maxp, hmtx, loca, glyf, post.
 * Building a subset is a few memory copies, so it can run per document.
 *
 * @module
 */

import type { FontFace } from "./font.ts";

function checksum(data: Uint8Array): number {
  let sum = 0;
  const n = data.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    sum = (sum +
      ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) |
        data[i + 3])) >>> 0;
  }
  if (i < n) {
    let last = 0;
    for (let k = 0; k < 4; k++) {
      last = (last << 8) | (i + k < n ? data[i + k] : 0);
    }
    sum = (sum + (last >>> 0)) >>> 0;
  }
  return sum;
}

/**
 * Builds a TrueType font holding only `gids` (in that order; `gids[0]` should
 * be 0, the .notdef glyph). Throws on a glyph id the font does not have.
 *
 * @example
 * ```ts ignore
 * const fonts = loadFontSet();
 * const ttf = buildTrueTypeSubset(fonts.mincho, [0, fonts.mincho.glyphForCluster("住")]);
 * ttf.length > 100; // true
 * ```
 */
export function buildTrueTypeSubset(
  font: FontFace,
  gids: readonly number[],
): Uint8Array {
  const n = gids.length;
  if (n === 0 || n > 65535) throw new RangeError(`Cannot subset ${n} glyphs`);
  const programs = new Array<Uint8Array>(n);
  let glyfLen = 0;
  for (let i = 0; i < n; i++) {
    const p = font.glyphProgram(gids[i]);
    programs[i] = p;
    glyfLen += (p.length + 3) & ~3;
  }
  const glyf = new Uint8Array(glyfLen);
  const loca = new Uint8Array(4 * (n + 1));
  const locaView = new DataView(loca.buffer);
  const hmtx = new Uint8Array(4 * n);
  const hmtxView = new DataView(hmtx.buffer);
  let at = 0;
  for (let i = 0; i < n; i++) {
    locaView.setUint32(4 * i, at);
    glyf.set(programs[i], at);
    at += (programs[i].length + 3) & ~3;
    hmtxView.setUint16(4 * i, font.advance(gids[i]));
    hmtxView.setInt16(4 * i + 2, font.leftSideBearing(gids[i]));
  }
  locaView.setUint32(4 * n, at);

  const head = font.table("head").slice(0, 54);
  const headView = new DataView(head.buffer);
  headView.setUint32(8, 0); // checkSumAdjustment, set below
  headView.setInt16(50, 1); // long loca
  const hhea = font.table("hhea").slice(0, 36);
  new DataView(hhea.buffer).setUint16(34, n);
  const maxp = font.table("maxp").slice();
  const maxpView = new DataView(maxp.buffer);
  maxpView.setUint16(4, n);
  if (maxp.length >= 32) {
    // no hinting left: no twilight points, storage, functions or instructions
    maxpView.setUint16(14, 1); // maxZones
    for (let p = 16; p <= 26; p += 2) maxpView.setUint16(p, 0);
  }
  const post = new Uint8Array(32);
  const postView = new DataView(post.buffer);
  postView.setUint32(0, 0x00030000);
  postView.setInt16(8, -100);
  postView.setInt16(10, 50);

  // tables sorted by tag, as the format requires
  const tables: [string, Uint8Array][] = [
    ["glyf", glyf],
    ["head", head],
    ["hhea", hhea],
    ["hmtx", hmtx],
    ["loca", loca],
    ["maxp", maxp],
    ["post", post],
  ];
  const count = tables.length;
  let size = 12 + 16 * count;
  for (const [, data] of tables) size += (data.length + 3) & ~3;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x00010000);
  dv.setUint16(4, count);
  let pow = 1, log = 0;
  while (pow * 2 <= count) {
    pow *= 2;
    log++;
  }
  dv.setUint16(6, pow * 16);
  dv.setUint16(8, log);
  dv.setUint16(10, count * 16 - pow * 16);
  let offset = 12 + 16 * count;
  let headOffset = 0;
  tables.forEach(([tag, data], i) => {
    const rec = 12 + 16 * i;
    for (let k = 0; k < 4; k++) out[rec + k] = tag.charCodeAt(k);
    dv.setUint32(rec + 4, checksum(data));
    dv.setUint32(rec + 8, offset);
    dv.setUint32(rec + 12, data.length);
    out.set(data, offset);
    if (tag === "head") headOffset = offset;
    offset += (data.length + 3) & ~3;
  });
  dv.setUint32(headOffset + 8, (0xb1b0afba - checksum(out)) >>> 0);
  return out;
}
