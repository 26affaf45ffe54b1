/**
 * Layout of a certificate front: from a {@link SheetContent} to drawing ops in
 * mm on A4. One layout feeds both the PDF (print) and the PNG (verification
 * portal) writers.
 *
 * Forms:
 * - 住民票の写し: one person per sheet; 本籍・筆頭者, 世帯主・続柄 and 個人番号 are
 *   printed only when their option is on; 住民票コード is never printed (the
 *   model does not even carry it).
 * - 印鑑登録証明書: the registrant and the registered impression image.
 *
 * Every field is fitted into its box by shrinking down to the field's
 * minimum size and wrapping onto its allowed lines; what still does not fit
 * is refused with {@link FieldTooLongError}, never truncated.
 *
 * @module
 */

import type { SheetContent, SubjectEntry } from "../certificate/model.ts";
import { defaultRenderContext, type RenderContext } from "./context.ts";
import {
  formatJapaneseDate,
  formatJapaneseDateTime,
  toJapanDateTime,
} from "./era.ts";
import { FieldTooLongError } from "./errors.ts";
import { type Box, type FieldStyle, fitText } from "./fit.ts";
import { type FaceName, type ShapedText, shapeText } from "./font.ts";
import {
  A4,
  BLACK,
  type DrawOp,
  type GlyphIssue,
  MM_PER_PT,
  type PageLayout,
  type Rgb,
} from "./ops.ts";
import { SEAL_RED } from "./official_seal.ts";

/**
 * 認証文 of a 住民票の写し.
 *
 * @example
 * ```ts ignore
 * pdfText.includes(JUMINHYO_ATTESTATION);
 * ```
 */
export const JUMINHYO_ATTESTATION =
  "この写しは、住民票の原本と相違ないことを証明する。";
/**
 * 認証文 of a 印鑑登録証明書.
 *
 * @example
 * ```ts ignore
 * pdfText.includes(INKAN_ATTESTATION);
 * ```
 */
export const INKAN_ATTESTATION =
  "この写しは、登録されている印影と相違ないことを証明する。";
/**
 * Titles of the forms.
 *
 * @example
 * ```ts ignore
 * TITLES[sheet.type]; // "住民票の写し"
 * ```
 */
export const TITLES = {
  juminhyo: "住民票の写し",
  inkan: "印鑑登録証明書",
} as const;

/**
 * Fixed text of the forms per face: what every document needs, embedded once
 * per process by the PDF writer (see pdf.ts). A test checks that every label
 * the layout draws is covered.
 *
 * @example
 * ```ts
 * TEMPLATE_TEXT.gothic.includes("住所"); // true
 * ```
 */
export const TEMPLATE_TEXT: Readonly<Record<FaceName, string>> = {
  gothic: [
    "住所方書世帯主氏名（ふりがな）生年月日性別続柄旧氏通称氏名（英字）国籍・地域",
    "在留カード等番号在留資格在留期間の満了の日住民となった日住所を定めた日届出日前住所",
    "本籍筆頭者個人番号備考印影登録番号発行番号発行日時鍵裏面",
    "明治大正昭和平成令和元年月日時分",
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
  ].join(""),
  mincho: [
    TITLES.juminhyo,
    TITLES.inkan,
    "この写しは、住民票の原本と相違ないことを証明する。",
    "この写しは、登録されている印影と相違ないことを証明する。",
    "以下余白明治大正昭和平成令和元年月日０１２３４５６７８９男女第号　",
    "世帯主妻夫子長男女次二三父母孫祖兄弟姉妹縁故者同居人",
    "0123456789 ",
  ].join(""),
};

/** A field that does not fit its box. */
export interface FitProblem {
  field: string;
  text: string;
  detail: string;
}

/** Options of {@link layoutSheet}. */
export interface LayoutOptions {
  /** Fonts and caches; the lazily-built default context when omitted. */
  context?: RenderContext;
}

const X0 = 15;
const X1 = 195;
const LABEL_W = 28;
const PAD = 1.8;
const ASCENT = 0.88; // IPAex em box: 0.88 above the baseline, 0.12 below
const GRID: Rgb = [0.1, 0.1, 0.1];
const LABEL_COLOR: Rgb = [0.12, 0.12, 0.12];

const ADDRESS: FieldStyle = {
  face: "mincho",
  sizePt: 11.5,
  minSizePt: 7,
  maxLines: 2,
};
const ONE_LINE: FieldStyle = {
  face: "mincho",
  sizePt: 11,
  minSizePt: 7,
  maxLines: 1,
};
const NAME: FieldStyle = {
  face: "mincho",
  sizePt: 16,
  minSizePt: 9,
  maxLines: 1,
};
const SUB_NAME: FieldStyle = {
  face: "mincho",
  sizePt: 13,
  minSizePt: 8,
  maxLines: 1,
};
const KANA: FieldStyle = {
  face: "mincho",
  sizePt: 8,
  minSizePt: 5.5,
  maxLines: 1,
};
const SMALL: FieldStyle = {
  face: "mincho",
  sizePt: 10.5,
  minSizePt: 7,
  maxLines: 1,
};
const MAYOR: FieldStyle = {
  face: "mincho",
  sizePt: 14,
  minSizePt: 9,
  maxLines: 1,
  align: "right",
};
const CLEAR: FieldStyle = {
  face: "gothic",
  sizePt: 8,
  minSizePt: 6,
  maxLines: 1,
};

/** Collects ops; fits fields; records problems or throws. */
class Builder {
  readonly ops: DrawOp[] = [];
  readonly glyphIssues: GlyphIssue[] = [];

  constructor(
    readonly ctx: RenderContext,
    readonly problems: FitProblem[] | undefined,
  ) {}

  /** Emits one shaped line. */
  shaped(
    field: string,
    s: ShapedText,
    x: number,
    y: number,
    face: FaceName,
    sizePt: number,
    letterSpacing = 0,
    color: Rgb = BLACK,
  ): void {
    const font = this.ctx.fonts[face];
    for (const c of s.clusters) {
      const r = font.resolveCluster(c);
      if (r.status !== "ok") {
        this.glyphIssues.push({ field, cluster: c, status: r.status });
      }
    }
    this.ops.push({
      kind: "text",
      x,
      y,
      sizePt,
      face,
      text: s.clusters.join(""),
      glyphs: s.glyphs,
      clusters: s.clusters,
      advances: s.advances,
      letterSpacing,
      color,
      field,
    });
  }

  /** Fixed text (labels, titles): placed, never shrunk. Returns its width, mm. */
  fixed(
    text: string,
    x: number,
    y: number,
    opts: {
      face?: FaceName;
      sizePt?: number;
      align?: "left" | "center" | "right";
      spreadTo?: number;
      letterSpacing?: number;
      color?: Rgb;
      field?: string;
    } = {},
  ): number {
    const face = opts.face ?? "gothic";
    const sizePt = opts.sizePt ?? 8.5;
    const font = this.ctx.fonts[face];
    const s = shapeText(font, text);
    const sizeMm = sizePt * MM_PER_PT;
    const natural = (s.width / font.unitsPerEm) * sizeMm;
    let ls = opts.letterSpacing ?? 0;
    if (
      opts.spreadTo !== undefined && s.glyphs.length > 1 &&
      opts.spreadTo > natural
    ) {
      ls = (opts.spreadTo - natural) / (s.glyphs.length - 1);
    }
    const width = natural + ls * Math.max(0, s.glyphs.length - 1);
    const left = opts.align === "center"
      ? x - width / 2
      : opts.align === "right"
      ? x - width
      : x;
    this.shaped(
      opts.field ?? "label",
      s,
      left,
      y,
      face,
      sizePt,
      ls,
      opts.color ?? BLACK,
    );
    return width;
  }

  /** A label centred in its cell, short labels spread out (均等割付). */
  label(text: string, box: Box, sizePt = 8.5): void {
    const chars = Array.from(text).length;
    const sizeMm = sizePt * MM_PER_PT;
    const spread = chars <= 4 ? Math.min(box.w - 6, 16) : undefined;
    this.fixed(
      text,
      box.x + box.w / 2,
      box.y + box.h / 2 + (ASCENT - 0.5) * sizeMm,
      {
        sizePt,
        align: "center",
        spreadTo: spread,
        color: LABEL_COLOR,
      },
    );
  }

  /** A data field fitted into its box (padding applied here). */
  field(
    field: string,
    text: string,
    box: Box,
    style: FieldStyle,
    valign: "middle" | "top" = "middle",
  ): void {
    const inner = {
      x: box.x + PAD,
      y: box.y + 0.6,
      w: box.w - 2 * PAD,
      h: box.h - 1.2,
    };
    const font = this.ctx.fonts[style.face];
    const fitted = fitText(font, text, inner, style);
    if (!fitted) {
      const width = (shapeText(font, text).width / font.unitsPerEm) *
        style.minSizePt * MM_PER_PT;
      const detail = `${Array.from(text).length} characters need ${
        width.toFixed(1)
      } mm at ${style.minSizePt} pt; the box holds ${style.maxLines} line(s) of ${
        inner.w.toFixed(1)
      } mm`;
      if (this.problems) {
        this.problems.push({ field, text, detail });
        return;
      }
      throw new FieldTooLongError(field, detail);
    }
    const n = fitted.lines.length;
    if (n === 0) return;
    const sizeMm = fitted.sizePt * MM_PER_PT;
    const lh = (style.lineHeight ?? 1.25) * sizeMm;
    const block = sizeMm + (n - 1) * lh;
    const top = valign === "top" ? inner.y : inner.y + (inner.h - block) / 2;
    fitted.lines.forEach((line, i) => {
      const w = (line.width / font.unitsPerEm) * sizeMm;
      const x = style.align === "right"
        ? inner.x + inner.w - w
        : style.align === "center"
        ? inner.x + (inner.w - w) / 2
        : inner.x;
      this.shaped(
        field,
        line,
        x,
        top + ASCENT * sizeMm + i * lh,
        style.face,
        fitted.sizePt,
      );
    });
  }

  line(x1: number, y1: number, x2: number, y2: number, width = 0.2): void {
    this.ops.push({ kind: "line", x1, y1, x2, y2, width, color: GRID });
  }

  frame(box: Box, width = 0.45): void {
    this.ops.push({ kind: "rect", ...box, stroke: GRID, lineWidth: width });
  }
}

/** One labelled cell of a table row. */
interface Cell {
  label: string;
  /** Cell width including its label, mm; the last cell takes the rest. */
  w?: number;
  labelW?: number;
  field?: string;
  text: string;
  style: FieldStyle;
}

/** Draws a row of labelled cells from X0 to X1 at y; returns the next y. */
function row(b: Builder, y: number, h: number, cells: Cell[]): number {
  let x = X0;
  cells.forEach((cell, i) => {
    const w = i === cells.length - 1 ? X1 - x : cell.w!;
    const lw = cell.labelW ?? LABEL_W;
    b.label(cell.label, { x, y, w: lw, h });
    b.line(x + lw, y, x + lw, y + h);
    if (i > 0) b.line(x, y, x, y + h);
    if (cell.field) {
      b.field(
        cell.field,
        cell.text,
        { x: x + lw, y, w: w - lw, h },
        cell.style,
      );
    }
    x += w;
  });
  b.line(X0, y + h, X1, y + h);
  return y + h;
}

function sexText(sex: SubjectEntry["sex"]): string {
  return sex === "male" ? "男" : "女";
}

function date(iso: string | undefined): string {
  return iso ? formatJapaneseDate(iso, { fullWidth: true }) : "";
}

/**
 * Formats a 12-digit My Number in groups of four.
 *
 * @example
 * ```ts
 * formatMyNumber("123456789012"); // "1234 5678 9012"
 * ```
 */
export function formatMyNumber(n: string): string {
  return /^\d{12}$/.test(n)
    ? `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8)}`
    : n;
}

/** Header: title, issue number and date/time. */
function header(b: Builder, sheet: SheetContent): void {
  b.fixed(TITLES[sheet.type], A4.widthMm / 2, 24, {
    face: "mincho",
    sizePt: 20,
    align: "center",
    letterSpacing: 3.5,
    field: "title",
  });
  b.fixed("発行番号", 128, 31.5, { sizePt: 8 });
  b.field(
    "issueNumber",
    sheet.issueNumber,
    { x: 142, y: 28.2, w: 54, h: 4.2 },
    CLEAR,
  );
  b.fixed("発行日時", 128, 35.5, { sizePt: 8 });
  b.field(
    "issuedAt",
    formatJapaneseDateTime(sheet.issuedAt),
    { x: 142, y: 32.2, w: 54, h: 4.2 },
    CLEAR,
  );
}

/** 認証文, date, mayor line, official seal and footer. */
function attestation(
  b: Builder,
  sheet: SheetContent,
  text: string,
  y: number,
): void {
  b.fixed(text, 24, y, { face: "mincho", sizePt: 12, field: "attestation" });
  const day = formatJapaneseDate(toJapanDateTime(sheet.issuedAt).date, {
    fullWidth: true,
  });
  b.fixed(day, 30, y + 11, { face: "mincho", sizePt: 12, field: "issueDate" });
  b.field("municipality.mayor", sheet.municipality.mayor, {
    x: 60,
    y: y + 17,
    w: 116,
    h: 9,
  }, MAYOR);
  const size = 24;
  b.ops.push({
    kind: "path",
    x: 171,
    y: y + 9.5,
    segments: b.ctx.sealSegments(sheet.municipality.name, size),
    fill: SEAL_RED,
    key: `seal:${size}:${sheet.municipality.name}`,
    role: "official-seal",
  });
  // footer
  b.line(X0, 282, X1, 282, 0.15);
  b.fixed("発行番号", X0, 287, { sizePt: 7.5 });
  b.field("issueNumber", sheet.issueNumber, {
    x: X0 + 11,
    y: 283.6,
    w: 60,
    h: 4.4,
  }, CLEAR);
  b.fixed(`${sheet.page}/${sheet.pages}`, A4.widthMm / 2, 287, {
    sizePt: 9,
    align: "center",
    field: "page",
  });
  b.fixed(sheet.municipality.name, X1, 287, {
    sizePt: 7.5,
    align: "right",
    field: "footer",
  });
}

/** The name block: kana above the name, birth date / sex / relationship at the right. */
function nameBlock(
  b: Builder,
  y: number,
  s: SubjectEntry,
  zokugara: boolean,
): number {
  const h = 22;
  const right = 66; // width of the 生年月日/性別/続柄 block
  const split = X1 - right;
  b.label("氏名", { x: X0, y, w: LABEL_W, h: h * 0.6 + 0.5 });
  b.fixed("（ふりがな）", X0 + LABEL_W / 2, y + h * 0.3 - 2.5, {
    sizePt: 6.5,
    align: "center",
    color: LABEL_COLOR,
  });
  b.line(X0 + LABEL_W, y, X0 + LABEL_W, y + h);
  b.field("nameKana", s.nameKana, {
    x: X0 + LABEL_W,
    y,
    w: split - X0 - LABEL_W,
    h: 6.5,
  }, KANA);
  b.field("name", s.name, {
    x: X0 + LABEL_W,
    y: y + 6,
    w: split - X0 - LABEL_W,
    h: h - 6,
  }, NAME);
  b.line(split, y, split, y + h);
  const subs: [string, string, string][] = [
    ["生年月日", "birthDate", date(s.birthDate)],
    ["性別", "sex", sexText(s.sex)],
  ];
  if (zokugara) subs.push(["続柄", "relationship", s.relationship ?? ""]);
  const sh = h / subs.length;
  const lw = 20;
  subs.forEach(([label, field, text], i) => {
    const sy = y + i * sh;
    b.label(label, { x: split, y: sy, w: lw, h: sh });
    b.field(field, text, { x: split + lw, y: sy, w: right - lw, h: sh }, SMALL);
    if (i > 0) b.line(split, sy, X1, sy);
  });
  b.line(split + lw, y, split + lw, y + h);
  b.line(X0, y + h, X1, y + h);
  return y + h;
}

/** Former surname (旧氏) with its kana. */
function formerSurnameRow(b: Builder, y: number, s: SubjectEntry): number {
  const h = 13;
  b.label("旧氏", { x: X0, y, w: LABEL_W, h });
  b.line(X0 + LABEL_W, y, X0 + LABEL_W, y + h);
  b.field("formerSurnameKana", s.formerSurnameKana ?? "", {
    x: X0 + LABEL_W,
    y,
    w: X1 - X0 - LABEL_W,
    h: 5.5,
  }, KANA);
  b.field("formerSurname", s.formerSurname ?? "", {
    x: X0 + LABEL_W,
    y: y + 4.5,
    w: X1 - X0 - LABEL_W,
    h: h - 4.5,
  }, SUB_NAME);
  b.line(X0, y + h, X1, y + h);
  return y + h;
}

function juminhyo(b: Builder, sheet: SheetContent): void {
  const s = sheet.subject;
  const o = sheet.options;
  const top = 40;
  let y = top;
  y = row(b, y, 16, [{
    label: "住所",
    field: "address",
    text: s.address,
    style: ADDRESS,
  }]);
  y = row(b, y, 9, [{
    label: "方書",
    field: "katagaki",
    text: s.katagaki ?? "",
    style: ONE_LINE,
  }]);
  if (o.zokugara) {
    y = row(b, y, 9, [{
      label: "世帯主",
      field: "householderName",
      text: s.householderName ?? "",
      style: ONE_LINE,
    }]);
  }
  y = nameBlock(b, y, s, o.zokugara);
  if (s.formerSurname) y = formerSurnameRow(b, y, s);
  if (s.alias) {
    y = row(b, y, 10, [{
      label: "通称",
      field: "alias",
      text: s.alias,
      style: SUB_NAME,
    }]);
  }
  if (s.foreign) {
    const f = s.foreign;
    y = row(b, y, 9, [{
      label: "氏名（英字）",
      field: "foreign.alphabeticName",
      text: f.alphabeticName,
      style: ONE_LINE,
    }]);
    y = row(b, y, 9, [
      {
        label: "国籍・地域",
        w: 90,
        field: "foreign.nationality",
        text: f.nationality,
        style: SMALL,
      },
      {
        label: "在留カード等番号",
        field: "foreign.cardNumber",
        text: f.cardNumber,
        style: SMALL,
      },
    ]);
    y = row(b, y, 9, [
      {
        label: "在留資格",
        w: 90,
        field: "foreign.residenceStatus",
        text: f.residenceStatus,
        style: SMALL,
      },
      {
        label: "在留期間",
        field: "foreign.periodOfStay",
        text: f.periodOfStay,
        style: SMALL,
      },
    ]);
    y = row(b, y, 9, [
      {
        label: "在留期間の満了の日",
        labelW: 34,
        field: "foreign.expiryDate",
        text: date(f.expiryDate),
        style: SMALL,
      },
    ]);
  }
  y = row(b, y, 9, [{
    label: "住民となった日",
    field: "becameResidentDate",
    text: date(s.becameResidentDate),
    style: SMALL,
  }]);
  y = row(b, y, 9, [
    {
      label: "住所を定めた日",
      w: 90,
      field: "addressSetDate",
      text: date(s.addressSetDate),
      style: SMALL,
    },
    {
      label: "届出日",
      field: "notifiedDate",
      text: date(s.notifiedDate),
      style: SMALL,
    },
  ]);
  y = row(b, y, 13, [{
    label: "前住所",
    field: "previousAddress",
    text: s.previousAddress ?? "",
    style: ADDRESS,
  }]);
  if (o.honseki && !s.foreign) {
    y = row(b, y, 13, [{
      label: "本籍",
      field: "honseki",
      text: s.honseki ?? "",
      style: ADDRESS,
    }]);
    y = row(b, y, 9, [{
      label: "筆頭者",
      field: "hittousha",
      text: s.hittousha ?? "",
      style: ONE_LINE,
    }]);
  }
  if (o.myNumber) {
    y = row(b, y, 9, [{
      label: "個人番号",
      field: "myNumber",
      text: formatMyNumber(s.myNumber ?? ""),
      style: ONE_LINE,
    }]);
  }
  const bottom = 214;
  if (y > bottom - 8) {
    throw new RangeError(`Form overflow: table ends at ${y} mm`);
  }
  b.label("備考", { x: X0, y, w: LABEL_W, h: bottom - y });
  b.line(X0 + LABEL_W, y, X0 + LABEL_W, bottom);
  b.fixed("以下余白", X0 + LABEL_W + 4, y + 6, {
    face: "mincho",
    sizePt: 9,
    field: "remarks",
  });
  b.frame({ x: X0, y: top, w: X1 - X0, h: bottom - top });
  attestation(b, sheet, JUMINHYO_ATTESTATION, 228);
}

function inkan(b: Builder, sheet: SheetContent): void {
  const s = sheet.subject;
  const seal = sheet.seal;
  if (!seal) {
    throw new TypeError(
      `Sheet ${sheet.issueNumber}: 印鑑登録証明書 without a seal`,
    );
  }
  const top = 42;
  let y = top;
  y = row(b, y, 10, [{
    label: "登録番号",
    field: "seal.registrationNumber",
    text: `第${seal.registrationNumber}号`,
    style: ONE_LINE,
  }]);
  y = nameBlock(b, y, s, false);
  if (s.formerSurname) y = formerSurnameRow(b, y, s);
  if (s.alias) {
    y = row(b, y, 10, [{
      label: "通称",
      field: "alias",
      text: s.alias,
      style: SUB_NAME,
    }]);
  }
  if (s.foreign) {
    y = row(b, y, 9, [{
      label: "氏名（英字）",
      field: "foreign.alphabeticName",
      text: s.foreign.alphabeticName,
      style: ONE_LINE,
    }]);
  }
  y = row(b, y, 16, [{
    label: "住所",
    field: "address",
    text: s.address,
    style: ADDRESS,
  }]);
  const boxH = 62;
  b.label("印影", { x: X0, y, w: LABEL_W, h: boxH });
  b.line(X0 + LABEL_W, y, X0 + LABEL_W, y + boxH);
  const cx = X0 + LABEL_W + (X1 - X0 - LABEL_W) / 2;
  const area = 48;
  b.ops.push({
    kind: "rect",
    x: cx - area / 2 - 3,
    y: y + 4,
    w: area + 6,
    h: area + 6,
    fill: [1, 1, 1],
    stroke: [0.5, 0.5, 0.5],
    lineWidth: 0.15,
  });
  const [pw, ph] = pngSize(seal.png);
  const scale = Math.min(area / pw, area / ph);
  const w = pw * scale, h = ph * scale;
  b.ops.push({
    kind: "image",
    x: cx - w / 2,
    y: y + 7 + (area - h) / 2,
    w,
    h,
    png: seal.png,
    role: "seal-impression",
  });
  y += boxH;
  b.frame({ x: X0, y: top, w: X1 - X0, h: y - top });
  attestation(b, sheet, INKAN_ATTESTATION, Math.max(y + 20, 190));
}

/**
 * Width and height of a PNG image from its header.
 *
 * @example
 * ```ts ignore
 * pngSize(makeSealImpressionPng()); // [240, 240]
 * ```
 */
export function pngSize(png: Uint8Array): [number, number] {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || sig.some((v, i) => png[i] !== v)) {
    throw new TypeError("Seal impression is not a PNG image");
  }
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [dv.getUint32(16), dv.getUint32(20)];
}

function validate(sheet: SheetContent): void {
  if (sheet.templateVersion !== 1) {
    throw new RangeError(`Unknown template version ${sheet.templateVersion}`);
  }
  if (
    !Number.isInteger(sheet.page) || sheet.page < 1 || sheet.page > sheet.pages
  ) {
    throw new RangeError(
      `Sheet page ${sheet.page} of ${sheet.pages} is out of range`,
    );
  }
}

function build(
  sheet: SheetContent,
  ctx: RenderContext,
  problems?: FitProblem[],
): Builder {
  validate(sheet);
  const b = new Builder(ctx, problems);
  b.ops.push({ kind: "copyGuard", x: 0, y: 0, w: A4.widthMm, h: A4.heightMm });
  header(b, sheet);
  if (sheet.type === "juminhyo") juminhyo(b, sheet);
  else if (sheet.type === "inkan") inkan(b, sheet);
  else throw new RangeError(`Unknown certificate type ${String(sheet.type)}`);
  return b;
}

/**
 * Lays out the front of one sheet. Throws {@link FieldTooLongError} when a
 * field does not fit its box at the minimum size.
 *
 * @example
 * ```ts ignore
 * const layout = layoutSheet(makeSheet());
 * layout.ops.some((op) => op.kind === "text" && op.field === "name"); // true
 * ```
 */
export function layoutSheet(
  sheet: SheetContent,
  options: LayoutOptions = {},
): PageLayout {
  const b = build(sheet, options.context ?? defaultRenderContext());
  return { ...A4, ops: b.ops, glyphIssues: b.glyphIssues };
}

/**
 * Checks every field of a sheet against its box without throwing; an empty
 * list means the sheet can be printed. Pure: reads only the sheet and fonts.
 *
 * @example
 * ```ts ignore
 * checkSheetFits(makeSheet()); // []
 * checkSheetFits(makeSheet({ subject: { address: "あ".repeat(400) } }))[0].field; // "address"
 * ```
 */
export function checkSheetFits(
  sheet: SheetContent,
  options: LayoutOptions = {},
): FitProblem[] {
  const problems: FitProblem[] = [];
  build(sheet, options.context ?? defaultRenderContext(), problems);
  return problems;
}
