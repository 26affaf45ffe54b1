/**
 * The two certificate typefaces (IPAex Gothic and IPAex Mincho) with what the
 * renderer needs from them: character → glyph lookup (ideographic variation
 * sequences included), advance widths for fit checks, hinting-free glyph
 * programs for subsetting, and outlines for the raster output.
 *
 * Fonts are read once per process by {@link loadFontSet}; lookups are cached
 * inside each {@link FontFace}.
 *
 * @module
 */

import fontkit from "@pdf-lib/fontkit";

/** The two faces used on the forms. */
export type FaceName = "gothic" | "mincho";

/**
 * Default locations of the IPAex fonts (Debian package fonts-ipaexfont).
 *
 * @example
 * ```ts
 * Deno.readFileSync(DEFAULT_FONT_PATHS.mincho);
 * ```
 */
export const DEFAULT_FONT_PATHS: Readonly<Record<FaceName, string>> = {
  gothic: "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
  mincho: "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
};

/** One segment of a glyph outline or vector path. */
export type PathSegment =
  | { op: "M"; x: number; y: number }
  | { op: "L"; x: number; y: number }
  | { op: "Q"; x1: number; y1: number; x: number; y: number }
  | {
    op: "C";
    x1: number;
    y1: number;
    x2: number;
    y2: number;
    x: number;
    y: number;
  }
  | { op: "Z" };

/** Text split into glyphs, with the characters each glyph stands for. */
export interface ShapedText {
  /** Glyph ids in the font (0 = .notdef, i.e. no glyph). */
  glyphs: number[];
  /** The characters of each glyph (a base char plus its variation selector). */
  clusters: string[];
  /** Advance of each glyph in font units. */
  advances: number[];
  /** Sum of the advances, font units. */
  width: number;
}

/** How a cluster was resolved to a glyph. */
export type GlyphResolution = "ok" | "missing" | "unknown-variation";

/** One loaded typeface. */
export interface FontFace {
  readonly face: FaceName;
  readonly postscriptName: string;
  readonly unitsPerEm: number;
  readonly numGlyphs: number;
  /** hhea ascender/descender and head bbox, font units. */
  readonly ascent: number;
  readonly descent: number;
  readonly bbox: readonly [number, number, number, number];
  /** Advance width of a glyph, font units. */
  advance(gid: number): number;
  /** Left side bearing of a glyph, font units. */
  leftSideBearing(gid: number): number;
  /** Glyph for one cluster (a char, optionally followed by a variation selector). */
  glyphForCluster(cluster: string): number;
  /** Like {@link glyphForCluster} but says whether the glyph was found. */
  resolveCluster(cluster: string): { gid: number; status: GlyphResolution };
  /** The glyph's TrueType program with its hinting instructions removed. */
  glyphProgram(gid: number): Uint8Array;
  /** The glyph outline, font units, y up. */
  glyphPath(gid: number): readonly PathSegment[];
  /** Raw bytes of a table of the original font. */
  table(tag: string): Uint8Array;
}

/** The pair of faces the renderer uses. */
export interface FontSet {
  gothic: FontFace;
  mincho: FontFace;
}

/** Where to read the fonts from. */
export interface LoadFontOptions {
  gothicPath?: string;
  minchoPath?: string;
}

/**
 * Reads both IPAex faces from disk. Costs ~60 ms; do it once per process
 * (`createRenderer()` does) and pass the result around.
 *
 * @example
 * ```ts
 * const fonts = loadFontSet();
 * fonts.mincho.glyphForCluster("住") > 0; // true
 * ```
 */
export function loadFontSet(options: LoadFontOptions = {}): FontSet {
  return {
    gothic: loadFontFace(
      "gothic",
      Deno.readFileSync(options.gothicPath ?? DEFAULT_FONT_PATHS.gothic),
    ),
    mincho: loadFontFace(
      "mincho",
      Deno.readFileSync(options.minchoPath ?? DEFAULT_FONT_PATHS.mincho),
    ),
  };
}

/**
 * Is this code point a variation selector (VS1–16 or VS17–256)?
 *
 * @example
 * ```ts
 * isVariationSelector(0xe0100); // true
 * ```
 */
export function isVariationSelector(cp: number): boolean {
  return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

/**
 * Splits text into clusters: each base character together with a following
 * variation selector (an ideographic variation sequence stays one glyph).
 *
 * @example
 * ```ts
 * splitClusters("葛\u{E0100}城"); // ["葛\u{E0100}", "城"]
 * ```
 */
export function splitClusters(text: string): string[] {
  const out: string[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (isVariationSelector(cp) && out.length > 0) out[out.length - 1] += ch;
    else out.push(ch);
  }
  return out;
}

/**
 * Splits text into glyphs and measures it.
 *
 * @example
 * ```ts
 * const fonts = loadFontSet();
 * shapeText(fonts.mincho, "住所").width; // 4096 (two full-width glyphs at 2048 units/em)
 * ```
 */
export function shapeText(font: FontFace, text: string): ShapedText {
  const clusters = splitClusters(text);
  const glyphs = new Array<number>(clusters.length);
  const advances = new Array<number>(clusters.length);
  let width = 0;
  for (let i = 0; i < clusters.length; i++) {
    const gid = font.glyphForCluster(clusters[i]);
    const adv = font.advance(gid);
    glyphs[i] = gid;
    advances[i] = adv;
    width += adv;
  }
  return { glyphs, clusters, advances, width };
}

interface TableRecord {
  offset: number;
  length: number;
}

function readTables(bytes: Uint8Array): Map<string, TableRecord> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint16(4);
  const tables = new Map<string, TableRecord>();
  for (let i = 0; i < n; i++) {
    const p = 12 + 16 * i;
    const tag = String.fromCharCode(
      bytes[p],
      bytes[p + 1],
      bytes[p + 2],
      bytes[p + 3],
    );
    tables.set(tag, {
      offset: dv.getUint32(p + 8),
      length: dv.getUint32(p + 12),
    });
  }
  return tables;
}

/** Parses the cmap format 14 subtable: sequence key → glyph (-1 = default glyph). */
function readVariationSequences(
  bytes: Uint8Array,
  cmap: TableRecord,
): Map<string, number> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, number>();
  const base = cmap.offset;
  const numTables = dv.getUint16(base + 2);
  for (let i = 0; i < numTables; i++) {
    const rec = base + 4 + 8 * i;
    const platform = dv.getUint16(rec), encoding = dv.getUint16(rec + 2);
    const sub = base + dv.getUint32(rec + 4);
    if (platform !== 0 || encoding !== 5 || dv.getUint16(sub) !== 14) continue;
    const count = dv.getUint32(sub + 6);
    const u24 = (p: number) =>
      (bytes[p] << 16) | (bytes[p + 1] << 8) | bytes[p + 2];
    for (let j = 0; j < count; j++) {
      const r = sub + 10 + 11 * j;
      const vs = u24(r);
      const defOff = dv.getUint32(r + 3), nonDefOff = dv.getUint32(r + 7);
      if (defOff) {
        const p = sub + defOff;
        const ranges = dv.getUint32(p);
        for (let k = 0; k < ranges; k++) {
          const start = u24(p + 4 + 4 * k), extra = bytes[p + 7 + 4 * k];
          for (let cp = start; cp <= start + extra; cp++) {
            out.set(`${cp}:${vs}`, -1);
          }
        }
      }
      if (nonDefOff) {
        const p = sub + nonDefOff;
        const maps = dv.getUint32(p);
        for (let k = 0; k < maps; k++) {
          out.set(`${u24(p + 4 + 5 * k)}:${vs}`, dv.getUint16(p + 7 + 5 * k));
        }
      }
    }
  }
  return out;
}

/** Removes the hinting instructions from a simple glyph's program. */
function stripInstructions(glyph: Uint8Array): Uint8Array {
  if (glyph.length === 0) return glyph;
  const dv = new DataView(glyph.buffer, glyph.byteOffset, glyph.byteLength);
  const contours = dv.getInt16(0);
  if (contours < 0) return glyph; // composite: keep as is (IPAex has none)
  const at = 10 + 2 * contours;
  const len = dv.getUint16(at);
  if (len === 0) return glyph;
  const out = new Uint8Array(glyph.length - len);
  out.set(glyph.subarray(0, at + 2));
  out[at] = 0;
  out[at + 1] = 0;
  out.set(glyph.subarray(at + 2 + len), at + 2);
  return out;
}

/**
 * Builds a {@link FontFace} from the bytes of a TrueType font.
 *
 * @example
 * ```ts
 * const face = loadFontFace("mincho", Deno.readFileSync(DEFAULT_FONT_PATHS.mincho));
 * face.unitsPerEm; // 2048
 * ```
 */
export function loadFontFace(face: FaceName, bytes: Uint8Array): FontFace {
  // deno-lint-ignore no-explicit-any
  const fk: any = fontkit.create(bytes as unknown as Buffer);
  const tables = readTables(bytes);
  const need = (tag: string): TableRecord => {
    const t = tables.get(tag);
    if (!t) throw new TypeError(`Font ${face} has no "${tag}" table`);
    return t;
  };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = need("head"), hhea = need("hhea"), maxp = need("maxp");
  const hmtx = need("hmtx"), loca = need("loca"), glyf = need("glyf");
  const unitsPerEm = dv.getUint16(head.offset + 18);
  const bbox = [
    dv.getInt16(head.offset + 36),
    dv.getInt16(head.offset + 38),
    dv.getInt16(head.offset + 40),
    dv.getInt16(head.offset + 42),
  ] as const;
  const longLoca = dv.getInt16(head.offset + 50) === 1;
  const ascent = dv.getInt16(hhea.offset + 4);
  const descent = dv.getInt16(hhea.offset + 6);
  const numberOfHMetrics = dv.getUint16(hhea.offset + 34);
  const numGlyphs = dv.getUint16(maxp.offset + 4);

  const advances = new Uint16Array(numGlyphs);
  const lsbs = new Int16Array(numGlyphs);
  for (let g = 0; g < numGlyphs; g++) {
    if (g < numberOfHMetrics) {
      advances[g] = dv.getUint16(hmtx.offset + 4 * g);
      lsbs[g] = dv.getInt16(hmtx.offset + 4 * g + 2);
    } else {
      advances[g] = advances[numberOfHMetrics - 1];
      lsbs[g] = dv.getInt16(
        hmtx.offset + 4 * numberOfHMetrics + 2 * (g - numberOfHMetrics),
      );
    }
  }
  const locaAt = (g: number): number =>
    longLoca
      ? dv.getUint32(loca.offset + 4 * g)
      : 2 * dv.getUint16(loca.offset + 2 * g);

  const sequences = readVariationSequences(bytes, need("cmap"));
  const clusterCache = new Map<
    string,
    { gid: number; status: GlyphResolution }
  >();
  const programCache = new Map<number, Uint8Array>();
  const pathCache = new Map<number, readonly PathSegment[]>();

  const baseGlyph = (cp: number): number =>
    fk.glyphForCodePoint(cp).id as number;

  function resolveCluster(
    cluster: string,
  ): { gid: number; status: GlyphResolution } {
    let hit = clusterCache.get(cluster);
    if (hit) return hit;
    const cps = Array.from(cluster, (c) => c.codePointAt(0)!);
    const base = baseGlyph(cps[0]);
    if (cps.length > 1 && isVariationSelector(cps[1])) {
      const v = sequences.get(`${cps[0]}:${cps[1]}`);
      if (v === undefined) {
        hit = {
          gid: base,
          status: base === 0 ? "missing" : "unknown-variation",
        };
      } else {hit = {
          gid: v === -1 ? base : v,
          status: base === 0 && v === -1 ? "missing" : "ok",
        };}
    } else hit = { gid: base, status: base === 0 ? "missing" : "ok" };
    clusterCache.set(cluster, hit);
    return hit;
  }

  return {
    face,
    postscriptName: String(fk.postscriptName),
    unitsPerEm,
    numGlyphs,
    ascent,
    descent,
    bbox,
    advance: (gid) => advances[gid] ?? 0,
    leftSideBearing: (gid) => lsbs[gid] ?? 0,
    glyphForCluster: (cluster) => resolveCluster(cluster).gid,
    resolveCluster,
    glyphProgram(gid) {
      let p = programCache.get(gid);
      if (!p) {
        if (gid < 0 || gid >= numGlyphs) {
          throw new RangeError(`No glyph ${gid} in ${face}`);
        }
        const start = locaAt(gid), end = locaAt(gid + 1);
        p = stripInstructions(
          bytes.subarray(glyf.offset + start, glyf.offset + end),
        );
        programCache.set(gid, p);
      }
      return p;
    },
    glyphPath(gid) {
      let p = pathCache.get(gid);
      if (!p) {
        p = toSegments(fk.getGlyph(gid).path.commands);
        pathCache.set(gid, p);
      }
      return p;
    },
    table(tag) {
      const t = need(tag);
      return bytes.subarray(t.offset, t.offset + t.length);
    },
  };
}

function toSegments(
  commands: { command: string; args: number[] }[],
): PathSegment[] {
  const out: PathSegment[] = [];
  for (const { command, args: a } of commands) {
    switch (command) {
      case "moveTo":
        out.push({ op: "M", x: a[0], y: a[1] });
        break;
      case "lineTo":
        out.push({ op: "L", x: a[0], y: a[1] });
        break;
      case "quadraticCurveTo":
        out.push({ op: "Q", x1: a[0], y1: a[1], x: a[2], y: a[3] });
        break;
      case "bezierCurveTo":
        out.push({
          op: "C",
          x1: a[0],
          y1: a[1],
          x2: a[2],
          y2: a[3],
          x: a[4],
          y: a[5],
        });
        break;
      case "closePath":
        out.push({ op: "Z" });
        break;
    }
  }
  return out;
}
