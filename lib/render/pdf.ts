/**
 * PDF output: each sheet's front page, followed by its back page when a
 * {@link BackSide} is given. A4, Japanese text as real text (embedded IPAex
 * subsets with ToUnicode), vector official seal, copy-evident background.
 *
 * Speed: everything that is the same for every document (the template glyph
 * subsets of both faces, the background patterns) is serialized once per
 * render context and copied as a byte prefix; per document only the page
 * content, a small subset of the remaining glyphs, images and the
 * cross-reference table are written.
 *
 * @module
 */

import type {
  BackSide,
  CertificateDocument,
  PlacedSymbol,
  SheetContent,
} from "../certificate/model.ts";
import { entryOf } from "../certificate/types/mod.ts";
import { layoutBackSide } from "./back_layout.ts";
import { copyGuardPlacements } from "./backgrounds.ts";
import { defaultRenderContext, type RenderContext } from "./context.ts";
import { BackSideMismatchError, PageRenderError } from "./errors.ts";
import { type FaceName, type PathSegment, splitClusters } from "./font.ts";
import { segmentsBounds } from "./glyph_path.ts";
import { layoutSheet } from "./layout.ts";
import { TEMPLATE_TEXT } from "./template_text.ts";
import {
  A4,
  type DrawOp,
  type GlyphIssue,
  MM_PER_PT,
  type PageLayout,
  PT_PER_MM,
  type Rgb,
} from "./ops.ts";
import { SubsetPlan, writeFontSubset } from "./pdf_font.ts";
import {
  ByteBuilder,
  deflateZlib,
  hex4,
  num,
  type PdfPrefix,
  PdfWriter,
} from "./pdf_writer.ts";
import { decodePng, readPngStructure } from "./png_codec.ts";

const FACES: readonly FaceName[] = ["gothic", "mincho"];
const FONT_NAMES: Record<FaceName, [string, string]> = {
  gothic: ["G0", "G1"],
  mincho: ["M0", "M1"],
};

/** Options of {@link renderDocumentPdf}. */
export interface PdfOptions {
  context?: RenderContext;
  /** zlib level of page contents and per-document font programs (0 = none). Default 1. */
  compress?: number;
  /**
   * Render only the first `sheets` sheets (front and back), as a print that
   * a paper jam stopped delivers them. Default: all.
   */
  sheets?: number;
}

/** A rendered document and what the renderer had to substitute. */
export interface PdfResult {
  pdf: Uint8Array;
  /** Characters drawn with a substitute glyph, per sheet (1-based page). */
  glyphIssues: (GlyphIssue & { page: number })[];
}

/** The objects shared by every document, serialized once. */
interface StaticPdf {
  prefix: PdfPrefix;
  fonts: Record<FaceName, { ref: number; plan: SubsetPlan }>;
  copyGuard: number;
  scramble: number;
}

function rgbFill(c: Rgb): string {
  return `${num(c[0])} ${num(c[1])} ${num(c[2])} rg`;
}

function rgbStroke(c: Rgb): string {
  return `${num(c[0])} ${num(c[1])} ${num(c[2])} RG`;
}

/** Path segments as PDF path operators (quadratics raised to cubics). */
function pathOps(segments: readonly PathSegment[]): string {
  const out: string[] = [];
  let cx = 0, cy = 0;
  for (const s of segments) {
    switch (s.op) {
      case "M":
        out.push(`${num(s.x)} ${num(s.y)} m`);
        break;
      case "L":
        out.push(`${num(s.x)} ${num(s.y)} l`);
        break;
      case "Q": {
        const c1x = cx + (2 / 3) * (s.x1 - cx),
          c1y = cy + (2 / 3) * (s.y1 - cy);
        const c2x = s.x + (2 / 3) * (s.x1 - s.x),
          c2y = s.y + (2 / 3) * (s.y1 - s.y);
        out.push(
          `${num(c1x)} ${num(c1y)} ${num(c2x)} ${num(c2y)} ${num(s.x)} ${
            num(s.y)
          } c`,
        );
        break;
      }
      case "C":
        out.push(
          `${num(s.x1)} ${num(s.y1)} ${num(s.x2)} ${num(s.y2)} ${num(s.x)} ${
            num(s.y)
          } c`,
        );
        break;
      case "Z":
        out.push("h");
        break;
    }
    if (s.op !== "Z") {
      cx = s.x;
      cy = s.y;
    }
  }
  return out.join("\n");
}

function dotTile(
  w: PdfWriter,
  n: number,
  tile: number,
  pitch: number,
  dot: number,
  gray: number,
) {
  const parts = [`${num(gray)} g`];
  const off = (pitch - dot) / 2;
  const count = Math.round(tile / pitch);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < count; j++) {
      parts.push(
        `${num(i * pitch + off)} ${num(j * pitch + off)} ${num(dot)} ${
          num(dot)
        } re`,
      );
    }
  }
  parts.push("f");
  w.stream(
    n,
    `/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 ${
      num(tile)
    } ${num(tile)}] /XStep ${num(tile)} /YStep ${num(tile)} /Resources << >>`,
    parts.join("\n"),
    { compress: 9 },
  );
}

function buildStatic(ctx: RenderContext): StaticPdf {
  const w = new PdfWriter(undefined, 3);
  const fonts = {} as StaticPdf["fonts"];
  for (const face of FACES) {
    const font = ctx.fonts[face];
    const plan = new SubsetPlan(font);
    for (const c of splitClusters(TEMPLATE_TEXT[face])) {
      const gid = font.glyphForCluster(c);
      if (gid !== 0) plan.add(gid, c);
    }
    fonts[face] = {
      ref: writeFontSubset(w, plan, { compress: 9, salt: "s" }),
      plan,
    };
  }

  // copy guard: fine dots everywhere; word copies knocked out and re-screened coarse
  const d = ctx.copyGuard;
  const gray = d.color[0];
  const fine = w.allocate(),
    coarse = w.allocate(),
    word = w.allocate(),
    guard = w.allocate();
  dotTile(w, fine, d.tile, d.fine.pitch, d.fine.dot, gray);
  dotTile(w, coarse, d.tile, d.coarse.pitch, d.coarse.dot, gray);
  const p = d.coarse.pitch;
  const cells = d.cellRuns.map(([c, r, n]) =>
    `${num(c * p)} ${num(r * p)} ${num(n * p)} ${num(p)} re`
  )
    .join("\n");
  w.stream(
    word,
    `/Type /XObject /Subtype /Form /BBox [0 0 ${num(d.wordW)} ${
      num(d.wordH)
    }] /Resources << /Pattern << /Pc ${coarse} 0 R >> >>`,
    `${cells}\nW n\n1 g 0 0 ${num(d.wordW)} ${num(d.wordH)} re f\n` +
      `/Pattern cs /Pc scn 0 0 ${num(d.wordW)} ${num(d.wordH)} re f`,
    { compress: 9 },
  );
  const page = { x: 0, y: 0, w: A4.widthMm, h: A4.heightMm };
  const guardOps = [
    `/Pattern cs /Pf scn 0 0 ${A4.widthMm} ${A4.heightMm} re f`,
  ];
  for (const p of copyGuardPlacements(d, page)) {
    guardOps.push(`q 1 0 0 1 ${num(p.x)} ${num(p.y)} cm /Fw Do Q`);
  }
  w.stream(
    guard,
    `/Type /XObject /Subtype /Form /BBox [0 0 ${A4.widthMm} ${A4.heightMm}] /Resources << /Pattern << /Pf ${fine} 0 R >> /XObject << /Fw ${word} 0 R >> >>`,
    guardOps.join("\n"),
    { compress: 9 },
  );

  // scramble background of back sides
  const sd = ctx.scramble;
  const tile = w.allocate(), scramble = w.allocate();
  const strokes = [`${rgbStroke(sd.color)} ${num(sd.width)} w 1 J`];
  for (const s of sd.strokes) {
    strokes.push(`${num(s.x1)} ${num(s.y1)} m ${num(s.x2)} ${num(s.y2)} l`);
  }
  strokes.push("S");
  w.stream(
    tile,
    `/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 ${sd.tile} ${sd.tile}] /XStep ${sd.tile} /YStep ${sd.tile} /Resources << >>`,
    strokes.join("\n"),
    { compress: 9 },
  );
  w.stream(
    scramble,
    `/Type /XObject /Subtype /Form /BBox [0 0 ${A4.widthMm} ${A4.heightMm}] /Resources << /Pattern << /Ps ${tile} 0 R >> >>`,
    `/Pattern cs /Ps scn 0 0 ${A4.widthMm} ${A4.heightMm} re f`,
    { compress: 9 },
  );
  return { prefix: w.prefix(), fonts, copyGuard: guard, scramble };
}

/** A cached vector path form (official seal). */
interface PathForm {
  dict: string;
  data: Uint8Array;
}

/** Path forms kept per context (one official seal per municipality and size). */
const MAX_PATH_FORMS = 2048;

/**
 * Builds the objects every document shares (font subsets of the template
 * text, backgrounds) now rather than on the first document.
 *
 * @example
 * ```ts ignore
 * preparePdf(createRenderContext());
 * ```
 */
export function preparePdf(ctx: RenderContext): void {
  ctx.memo("pdf-static", () => buildStatic(ctx));
}

/** Per-document state: dynamic font subsets, images, seals. */
class DocState {
  readonly dynamic: Record<FaceName, SubsetPlan>;
  readonly images = new Map<Uint8Array, string>();
  readonly imageObjects: [string, number][] = [];
  readonly seals = new Map<string, string>();
  readonly sealObjects: [string, number][] = [];

  constructor(
    readonly ctx: RenderContext,
    readonly st: StaticPdf,
    readonly w: PdfWriter,
  ) {
    this.dynamic = {
      gothic: new SubsetPlan(ctx.fonts.gothic),
      mincho: new SubsetPlan(ctx.fonts.mincho),
    };
  }

  image(png: Uint8Array): string {
    let name = this.images.get(png);
    if (name) return name;
    name = `Im${this.images.size}`;
    const n = this.w.allocate();
    writeImage(this.w, n, png);
    this.images.set(png, name);
    this.imageObjects.push([name, n]);
    return name;
  }

  seal(op: Extract<DrawOp, { kind: "path" }>): string {
    let name = this.seals.get(op.key);
    if (name) return name;
    name = `S${this.seals.size}`;
    const n = this.w.allocate();
    const forms = this.ctx.memo(
      "pdf-path-forms",
      () => new Map<string, PathForm>(),
    );
    let cached = forms.get(op.key);
    if (!cached) {
      const [x0, y0, x1, y1] = segmentsBounds(op.segments);
      cached = {
        dict: `/Type /XObject /Subtype /Form /BBox [${num(x0)} ${num(y0)} ${
          num(x1)
        } ${num(y1)}] /Resources << >>`,
        data: deflateZlib(
          new TextEncoder().encode(
            `${rgbFill(op.fill)}\n${pathOps(op.segments)}\nf`,
          ),
          9,
        ),
      };
      if (forms.size >= MAX_PATH_FORMS) {
        forms.delete(forms.keys().next().value!);
      }
      forms.set(op.key, cached);
    }
    this.w.stream(n, cached.dict, cached.data, { deflated: true });
    this.seals.set(op.key, name);
    this.sealObjects.push([name, n]);
    return name;
  }
}

function writeImage(w: PdfWriter, n: number, png: Uint8Array): void {
  const s = readPngStructure(png);
  const base =
    `/Type /XObject /Subtype /Image /Width ${s.width} /Height ${s.height} /BitsPerComponent 8`;
  if (
    s.bitDepth === 8 && s.interlace === 0 &&
    (s.colorType === 0 || s.colorType === 2)
  ) {
    const colors = s.colorType === 0 ? 1 : 3;
    const space = colors === 1 ? "/DeviceGray" : "/DeviceRGB";
    w.stream(
      n,
      `${base} /ColorSpace ${space} /DecodeParms << /Predictor 15 /Colors ${colors} /BitsPerComponent 8 /Columns ${s.width} >>`,
      s.idat,
      { deflated: true },
    );
    return;
  }
  if (
    s.bitDepth === 8 && s.interlace === 0 && s.colorType === 3 &&
    s.palette && !s.transparency
  ) {
    // 8-bit palette (the seal versions): the palette as an indexed colour
    // space, the image data as it is.
    let hex = "";
    for (const v of s.palette) hex += v.toString(16).padStart(2, "0");
    w.stream(
      n,
      `${base} /ColorSpace [/Indexed /DeviceRGB ${
        s.palette.length / 3 - 1
      } <${hex}>] /DecodeParms << /Predictor 15 /Colors 1 /BitsPerComponent 8 /Columns ${s.width} >>`,
      s.idat,
      { deflated: true },
    );
    return;
  }
  // anything else: decode, put on white paper, store as RGB
  const img = decodePng(png);
  const rgb = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) {
    const p = i * img.channels;
    const grey = img.channels <= 2;
    const alpha = img.channels === 2
      ? img.data[p + 1]
      : img.channels === 4
      ? img.data[p + 3]
      : 255;
    for (let k = 0; k < 3; k++) {
      const v = grey ? img.data[p] : img.data[p + k];
      rgb[i * 3 + k] = Math.round((v * alpha + 255 * (255 - alpha)) / 255);
    }
  }
  w.stream(n, `${base} /ColorSpace /DeviceRGB`, rgb, { compress: 1 });
}

/** Appends a symbol's dark modules as one rectangle per horizontal run. */
function writeSymbol(b: ByteBuilder, s: PlacedSymbol): void {
  b.ascii(
    `q 0 g ${num(s.moduleSize)} 0 0 ${num(s.moduleSize)} ${num(s.x)} ${
      num(s.y)
    } cm\n`,
  );
  const { width, height, modules } = s;
  for (let r = 0; r < height; r++) {
    const base = r * width;
    let c = 0;
    while (c < width) {
      if (!modules[base + c]) {
        c++;
        continue;
      }
      const start = c;
      while (c < width && modules[base + c]) c++;
      b.run(start, r, c - start);
    }
  }
  b.ascii("f Q");
}

/** Content stream of one page. */
function pageContent(layout: PageLayout, doc: DocState): Uint8Array {
  const bytes = new ByteBuilder();
  const out: string[] = [
    `${num(PT_PER_MM)} 0 0 ${num(-PT_PER_MM)} 0 ${
      num(A4.heightMm * PT_PER_MM)
    } cm`,
  ];
  let fill = "0 0 0 rg";
  let charSpacing = 0;
  const setFill = (c: Rgb) => {
    const f = rgbFill(c);
    if (f !== fill) {
      out.push(f);
      fill = f;
    }
  };
  for (const op of layout.ops) {
    switch (op.kind) {
      case "text": {
        if (op.glyphs.length === 0) break;
        setFill(op.color);
        const size = num(op.sizePt * MM_PER_PT);
        const parts = ["BT"];
        if (op.letterSpacing !== charSpacing) {
          parts.push(`${num(op.letterSpacing)} Tc`);
          charSpacing = op.letterSpacing;
        }
        parts.push(`1 0 0 -1 ${num(op.x)} ${num(op.y)} Tm`);
        const stat = doc.st.fonts[op.face].plan;
        const dyn = doc.dynamic[op.face];
        const [staticName, dynName] = FONT_NAMES[op.face];
        let current = "";
        let hex = "";
        for (let i = 0; i < op.glyphs.length; i++) {
          const gid = op.glyphs[i], cluster = op.clusters[i];
          let cid = stat.lookup(gid, cluster);
          let name = staticName;
          if (cid === undefined) {
            cid = dyn.add(gid, cluster);
            name = dynName;
          }
          if (name !== current) {
            if (hex) parts.push(`<${hex}> Tj`);
            hex = "";
            parts.push(`/${name} ${size} Tf`);
            current = name;
          }
          hex += hex4(cid);
        }
        if (hex) parts.push(`<${hex}> Tj`);
        parts.push("ET");
        out.push(parts.join(" "));
        break;
      }
      case "line":
        out.push(
          `${rgbStroke(op.color)} ${num(op.width)} w ${num(op.x1)} ${
            num(op.y1)
          } m ${num(op.x2)} ${num(op.y2)} l S`,
        );
        break;
      case "rect": {
        const box = `${num(op.x)} ${num(op.y)} ${num(op.w)} ${num(op.h)} re`;
        if (op.fill) setFill(op.fill);
        if (op.stroke) {
          out.push(
            `${rgbStroke(op.stroke)} ${num(op.lineWidth ?? 0.2)} w ${box} ${
              op.fill ? "B" : "S"
            }`,
          );
        } else if (op.fill) out.push(`${box} f`);
        break;
      }
      case "image": {
        const name = doc.image(op.png);
        out.push(
          `q ${num(op.w)} 0 0 ${num(-op.h)} ${num(op.x)} ${
            num(op.y + op.h)
          } cm /${name} Do Q`,
        );
        break;
      }
      case "path": {
        const name = doc.seal(op);
        out.push(`q 1 0 0 1 ${num(op.x)} ${num(op.y)} cm /${name} Do Q`);
        break;
      }
      case "copyGuard":
      case "scramble":
        out.push(
          `q ${num(op.x)} ${num(op.y)} ${num(op.w)} ${num(op.h)} re W n /${
            op.kind === "copyGuard" ? "CG" : "SC"
          } Do Q`,
        );
        break;
      case "symbol": {
        bytes.ascii(out.join("\n"));
        bytes.byte(10);
        out.length = 0;
        writeSymbol(bytes, op.symbol);
        out.push("");
        break;
      }
    }
  }
  bytes.ascii(out.join("\n"));
  return bytes.bytes();
}

function pdfTextString(s: string): string {
  let hex = "FEFF";
  for (let i = 0; i < s.length; i++) hex += hex4(s.charCodeAt(i));
  return `<${hex}>`;
}

function pdfDate(timestamp: string): string {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):?(\d{2})?.*?(Z|([+-])(\d{2}):(\d{2}))$/
      .exec(timestamp);
  if (!m) return "";
  const tz = m[7] === "Z" ? "Z" : `${m[8]}${m[9]}'${m[10]}'`;
  return `D:${m[1]}${m[2]}${m[3]}${m[4]}${m[5]}${m[6] ?? "00"}${tz}`;
}

function checkDocument(
  doc: CertificateDocument,
  backs?: readonly BackSide[],
): void {
  const n = doc.sheets.length;
  if (n === 0) throw new RangeError(`Document ${doc.requestId} has no sheets`);
  const issue = doc.sheets[0].issueNumber;
  doc.sheets.forEach((s: SheetContent, i) => {
    if (s.issueNumber !== issue) {
      throw new RangeError(
        `Sheet ${i + 1} has issue number ${s.issueNumber}, expected ${issue}`,
      );
    }
    if (s.page !== i + 1 || s.pages !== n) {
      throw new RangeError(
        `Sheet ${i + 1} says page ${s.page}/${s.pages}, expected ${i + 1}/${n}`,
      );
    }
  });
  if (backs) {
    if (backs.length !== n) {
      throw new BackSideMismatchError(
        `${backs.length} back sides for ${n} sheets`,
      );
    }
    backs.forEach((b, i) => {
      if (b.issueNumber !== doc.sheets[i].issueNumber) {
        throw new BackSideMismatchError(
          `sheet ${i + 1} is ${
            doc.sheets[i].issueNumber
          }, its back side is for ${b.issueNumber}`,
        );
      }
    });
  }
}

/**
 * Renders a document as PDF and reports substituted glyphs. Throws like
 * {@linkcode renderDocumentPdf} ({@link PageRenderError} for a sheet that
 * cannot be drawn).
 *
 * @example
 * ```ts ignore
 * const { pdf, glyphIssues } = renderDocumentPdfWithReport(makeHouseholdDocument());
 * glyphIssues.length; // 0
 * ```
 */
export function renderDocumentPdfWithReport(
  doc: CertificateDocument,
  backs?: readonly BackSide[],
  options: PdfOptions = {},
): PdfResult {
  checkDocument(doc, backs);
  const count = options.sheets ?? doc.sheets.length;
  if (!Number.isInteger(count) || count < 1 || count > doc.sheets.length) {
    throw new RangeError(
      `Cannot print ${count} of the ${doc.sheets.length} sheets of ${doc.requestId}`,
    );
  }
  return renderPdf([{ doc, backs, count }], options);
}

/**
 * Renders several documents — the copies (部数) a kiosk printed, each its
 * own document with its own issue number — into one PDF, one after the
 * other (each checked as {@linkcode renderDocumentPdfWithReport} checks
 * one). `glyphIssues` pages count over the whole print.
 *
 * @example
 * ```ts ignore
 * const { pdf } = renderDocumentsPdfWithReport([{ doc: copy1, backs: backs1 }, { doc: copy3, backs: backs3 }]);
 * ```
 */
export function renderDocumentsPdfWithReport(
  docs: readonly { doc: CertificateDocument; backs?: readonly BackSide[] }[],
  options: Omit<PdfOptions, "sheets"> = {},
): PdfResult {
  if (docs.length === 0) throw new RangeError("No document to print");
  for (const d of docs) checkDocument(d.doc, d.backs);
  return renderPdf(
    docs.map((d) => ({ ...d, count: d.doc.sheets.length })),
    options,
  );
}

function renderPdf(
  parts: readonly {
    doc: CertificateDocument;
    backs?: readonly BackSide[];
    count: number;
  }[],
  options: PdfOptions,
): PdfResult {
  const ctx = options.context ?? defaultRenderContext();
  const doc = parts[0].doc;
  const level = options.compress ?? 1;
  const st = ctx.memo("pdf-static", () => buildStatic(ctx));
  const w = new PdfWriter(st.prefix);
  const state = new DocState(ctx, st, w);
  const glyphIssues: PdfResult["glyphIssues"] = [];
  const contents: number[] = [];
  let before = 0;
  for (const { doc, backs, count } of parts) {
    doc.sheets.slice(0, count).forEach((sheet, i) => {
      // A side that fails names its page over the whole print
      // (PageRenderError): a printer stops there.
      const side = <T>(which: "front" | "back", draw: () => T): T => {
        try {
          return draw();
        } catch (err) {
          throw new PageRenderError(before + i + 1, which, err);
        }
      };
      const front = side("front", () => layoutSheet(sheet, { context: ctx }));
      for (const g of front.glyphIssues) {
        glyphIssues.push({ ...g, page: before + sheet.page });
      }
      const layouts: ["front" | "back", () => PageLayout][] = [[
        "front",
        () => front,
      ]];
      if (backs) {
        layouts.push([
          "back",
          () => layoutBackSide(backs[i], { context: ctx }),
        ]);
      }
      for (const [which, layout] of layouts) {
        const n = w.allocate();
        const content = side(which, () => pageContent(layout(), state));
        w.stream(n, "", content, { compress: level || undefined });
        contents.push(n);
      }
    });
    before += count;
  }

  const fontEntries: string[] = [];
  for (const face of FACES) {
    const [s, d] = FONT_NAMES[face];
    fontEntries.push(`/${s} ${st.fonts[face].ref} 0 R`);
    if (state.dynamic[face].size > 1) {
      const ref = writeFontSubset(w, state.dynamic[face], {
        compress: level,
        salt: "d",
      });
      fontEntries.push(`/${d} ${ref} 0 R`);
    }
  }
  const xobjects = [`/CG ${st.copyGuard} 0 R`, `/SC ${st.scramble} 0 R`];
  for (const [name, n] of [...state.imageObjects, ...state.sealObjects]) {
    xobjects.push(`/${name} ${n} 0 R`);
  }
  const resources = w.allocate();
  w.object(
    resources,
    `<< /Font << ${fontEntries.join(" ")} >> /XObject << ${
      xobjects.join(" ")
    } >> >>`,
  );
  const media = `[0 0 ${num(A4.widthMm * PT_PER_MM)} ${
    num(A4.heightMm * PT_PER_MM)
  }]`;
  const kids: number[] = [];
  for (const c of contents) {
    const p = w.allocate();
    w.object(
      p,
      `<< /Type /Page /Parent 2 0 R /MediaBox ${media} /Resources ${resources} 0 R /Contents ${c} 0 R >>`,
    );
    kids.push(p);
  }
  w.object(
    2,
    `<< /Type /Pages /Kids [${
      kids.map((k) => `${k} 0 R`).join(" ")
    }] /Count ${kids.length} >>`,
  );
  w.object(1, "<< /Type /Catalog /Pages 2 0 R >>");
  const info = w.allocate();
  const first = doc.sheets[0];
  w.object(
    info,
    `<< /Title ${
      pdfTextString(`${entryOf(first).nameJa} ${first.issueNumber}`)
    } /Producer (konbini-koufu render) /CreationDate (${
      pdfDate(first.issuedAt)
    }) >>`,
  );
  return { pdf: w.finish(1, info), glyphIssues };
}

/**
 * Renders a document as an A4 PDF: per sheet its front page, then its back
 * page when `backs` is given (one per sheet, same issue number, else
 * {@link BackSideMismatchError}). A sheet whose front or back cannot be
 * drawn (a field that does not fit, an image that does not decode) throws
 * {@link PageRenderError} naming the sheet, the original error as its cause.
 *
 * @example
 * ```ts ignore
 * const pdf = renderDocumentPdf(makeHouseholdDocument());
 * new TextDecoder().decode(pdf.subarray(0, 8)); // "%PDF-1.7"
 * ```
 */
export function renderDocumentPdf(
  doc: CertificateDocument,
  backs?: readonly BackSide[],
  options: PdfOptions = {},
): Uint8Array {
  return renderDocumentPdfWithReport(doc, backs, options).pdf;
}
