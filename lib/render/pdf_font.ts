/**
 * Embedding a font subset in a PDF as a Type0 font over a CIDFontType2 with
 * Identity-H encoding and CIDToGIDMap /Identity: CID `i` is glyph `i` of the
 * subset (see truetype_subset.ts). A ToUnicode CMap maps each CID back to its
 * characters, so the text can be extracted and searched.
 *
 * @module
 */

import type { FontFace } from "./font.ts";
import { hex4, num, type PdfWriter } from "./pdf_writer.ts";
import { buildTrueTypeSubset } from "./truetype_subset.ts";

/**
 * A subset being collected: glyph `i` of the subset is original glyph
 * `gids[i]`, standing for the characters `text[i]`.
 *
 * @example
 * ```ts ignore
 * const plan = new SubsetPlan(fonts.mincho);
 * plan.add(fonts.mincho.glyphForCluster("住"), "住"); // 1 (CID in the subset)
 * ```
 */
export class SubsetPlan {
  readonly gids: number[] = [0];
  readonly text: string[] = [""];
  private readonly byGlyph = new Map<number, number>();
  private readonly byMissing = new Map<string, number>();

  constructor(readonly font: FontFace) {}

  /** Number of glyphs, .notdef included. */
  get size(): number {
    return this.gids.length;
  }

  /** The subset's glyph for an original glyph, if already present. */
  lookup(gid: number, cluster: string): number | undefined {
    return gid === 0 ? this.byMissing.get(cluster) : this.byGlyph.get(gid);
  }

  /**
   * Adds an original glyph (or, for gid 0, a character without a glyph: it
   * gets its own .notdef copy so that it keeps its own ToUnicode entry).
   */
  add(gid: number, cluster: string): number {
    const known = this.lookup(gid, cluster);
    if (known !== undefined) return known;
    const cid = this.gids.length;
    if (cid > 0xfffe) throw new RangeError("Font subset is full");
    this.gids.push(gid);
    this.text.push(cluster);
    if (gid === 0) this.byMissing.set(cluster, cid);
    else this.byGlyph.set(gid, cid);
    return cid;
  }
}

function utf16Hex(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += hex4(s.charCodeAt(i));
  return out;
}

/**
 * The ToUnicode CMap of a subset.
 *
 * @example
 * ```ts
 * toUnicodeCMap(["", "住"]).includes("<0001> <4F4F>"); // true (case-insensitive)
 * ```
 */
export function toUnicodeCMap(text: readonly string[]): string {
  const entries: string[] = [];
  for (let cid = 1; cid < text.length; cid++) {
    if (text[cid]) entries.push(`<${hex4(cid)}> <${utf16Hex(text[cid])}>`);
  }
  const blocks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const part = entries.slice(i, i + 100);
    blocks.push(`${part.length} beginbfchar\n${part.join("\n")}\nendbfchar`);
  }
  return [
    "/CIDInit /ProcSet findresource begin",
    "12 dict begin",
    "begincmap",
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
    "/CMapName /Adobe-Identity-UCS def",
    "/CMapType 2 def",
    "1 begincodespacerange",
    "<0000> <FFFF>",
    "endcodespacerange",
    ...blocks,
    "endcmap",
    "CMapName currentdict /CMap defineresource pop",
    "end",
    "end",
  ].join("\n");
}

/** The /W array: widths that differ from the default 1000. */
function widthsArray(font: FontFace, gids: readonly number[]): string {
  const scale = 1000 / font.unitsPerEm;
  const parts: string[] = [];
  let run: string[] = [];
  let runStart = -1;
  const flush = () => {
    if (run.length) parts.push(`${runStart} [${run.join(" ")}]`);
    run = [];
  };
  for (let cid = 0; cid < gids.length; cid++) {
    const w = font.advance(gids[cid]) * scale;
    if (Math.abs(w - 1000) < 0.01) {
      flush();
      continue;
    }
    if (!run.length) runStart = cid;
    run.push(num(w));
  }
  flush();
  return `[${parts.join(" ")}]`;
}

/** A subset tag (six capital letters) derived from the glyph list. */
function subsetTag(gids: readonly number[], salt: string): string {
  let h = 0x811c9dc5;
  const mix = (v: number) => {
    h ^= v & 0xff;
    h = Math.imul(h, 0x01000193);
    h ^= v >>> 8;
    h = Math.imul(h, 0x01000193);
  };
  for (const c of salt) mix(c.charCodeAt(0));
  for (const g of gids) mix(g);
  let tag = "";
  let v = h >>> 0;
  for (let i = 0; i < 6; i++) {
    tag += String.fromCharCode(65 + (v % 26));
    v = Math.floor(v / 26) + (i * 7919);
  }
  return tag;
}

/** Options of {@link writeFontSubset}. */
export interface WriteFontOptions {
  /** zlib level for the font program; 0 stores it uncompressed. Default 6. */
  compress?: number;
  /** Distinguishes subsets of one face in one file (e.g. "s" static, "d" per document). */
  salt?: string;
}

/**
 * Writes the five objects of a subset (Type0, CIDFont, descriptor, font
 * program, ToUnicode) and returns the Type0 font's object number.
 *
 * @example
 * ```ts ignore
 * const plan = new SubsetPlan(fonts.mincho);
 * plan.add(fonts.mincho.glyphForCluster("住"), "住");
 * const ref = writeFontSubset(writer, plan);
 * ```
 */
export function writeFontSubset(
  w: PdfWriter,
  plan: SubsetPlan,
  opts: WriteFontOptions = {},
): number {
  const font = plan.font;
  const type0 = w.allocate(), cid = w.allocate(), desc = w.allocate();
  const file = w.allocate(), toUni = w.allocate();
  const name = `${
    subsetTag(plan.gids, (opts.salt ?? "") + font.face)
  }+${font.postscriptName}`;
  const s = 1000 / font.unitsPerEm;
  const [bx0, by0, bx1, by1] = font.bbox;
  w.object(
    type0,
    `<< /Type /Font /Subtype /Type0 /BaseFont /${name} /Encoding /Identity-H /DescendantFonts [${cid} 0 R] /ToUnicode ${toUni} 0 R >>`,
  );
  w.object(
    cid,
    `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ${desc} 0 R /DW 1000 /W ${
      widthsArray(font, plan.gids)
    } /CIDToGIDMap /Identity >>`,
  );
  w.object(
    desc,
    `<< /Type /FontDescriptor /FontName /${name} /Flags 4 /FontBBox [${
      num(bx0 * s)
    } ${num(by0 * s)} ${num(bx1 * s)} ${num(by1 * s)}] /ItalicAngle 0 /Ascent ${
      num(font.ascent * s)
    } /Descent ${num(font.descent * s)} /CapHeight ${
      num(font.ascent * s)
    } /StemV 80 /FontFile2 ${file} 0 R >>`,
  );
  const program = buildTrueTypeSubset(font, plan.gids);
  const level = opts.compress ?? 6;
  w.stream(file, `/Length1 ${program.length}`, program, {
    compress: level || undefined,
  });
  w.stream(toUni, "", toUnicodeCMap(plan.text), {
    compress: level ? 1 : undefined,
  });
  return type0;
}
