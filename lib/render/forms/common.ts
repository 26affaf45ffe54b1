/**
 * Parts every certificate form shares: the labelled table row, the header
 * (title, issue number, issue time), the name block, the 旧氏 row and the
 * 認証文 block with the mayor's line, the official seal and the footer.
 *
 * @module
 */

import type {
  SheetContent,
  SubjectEntry,
  TemplateVersion,
} from "../../certificate/model.ts";
import { officialMayorLine } from "../../certificate/official_title.ts";
import {
  formatJapaneseDate,
  formatJapaneseDateTime,
  parseIsoDate,
  toFullWidthDigits,
  toJapanDateTime,
} from "../era.ts";
import type { FieldStyle } from "../fit.ts";
import type { FormBuilder } from "../form_builder.ts";
import {
  CLEAR,
  KANA,
  LABEL_COLOR,
  LABEL_W,
  MAYOR,
  NAME,
  ONE_LINE,
  SMALL,
  SUB_NAME,
  X0,
  X1,
} from "../form_style.ts";
import { A4, type Rgb } from "../ops.ts";
import { SEAL_BLACK, SEAL_RED } from "../official_seal.ts";
import { issueNumberHeader } from "./issue_number.ts";

/**
 * The note beside the black 公印 (j1050 allows a fixed note of its colour).
 *
 * @example
 * ```ts
 * SEAL_NOTE; // "この印は黒色です"
 * ```
 */
export const SEAL_NOTE = "この印は黒色です";

/** What differs between the template versions of the forms. */
export interface FormEdition {
  /** Colour of the electronic 公印. */
  sealFill: Rgb;
  /** Side of the 公印, mm (j1050: at most 25). */
  sealSize: number;
  /** Top-left corner of the 公印, mm from the 認証文's x and y. */
  sealAt: { x: number; dy: number };
  /** 「この印は黒色です」 under the 公印, or none. */
  sealNote?: string;
  /** The mayor's line box (x and width, mm). */
  mayorBox: { x: number; w: number };
  /** The title with its prefecture (j1050), or the line as recorded. */
  mayorLine: (sheet: SheetContent) => string;
  /** A foreign resident's birth date and 在留期間の満了の日 in the Western calendar (j90). */
  westernForeignDates: boolean;
  /** The label under 氏名 of the reading above it (default 「（ふりがな）」). */
  kanaLabel?: string;
  /**
   * The certificate's formats (j1000): the 認証文 and 公印 on its last page
   * only (the others carry the footer alone), and a 住民票 sheet of several
   * members (世帯連記式, lib/render/forms/juminhyo.ts).
   */
  householdFormats: boolean;
}

/** The standard's edition (j1050, j90): template version 2 on. */
const STANDARD_EDITION: FormEdition = {
  sealFill: SEAL_BLACK,
  sealSize: 24,
  sealAt: { x: 171, dy: 9.5 },
  sealNote: SEAL_NOTE,
  // Ends 3 mm left of the 公印: the seal never covers the mayor's name.
  mayorBox: { x: 52, w: 116 },
  mayorLine: (sheet) => officialMayorLine(sheet.municipality),
  westernForeignDates: true,
  householdFormats: false,
};

/**
 * The forms' editions by template version: frozen once printed, so that the
 * portal renders each sheet exactly as it was printed.
 *
 * @example
 * ```ts ignore
 * FORM_EDITIONS[2].sealFill; // [0, 0, 0]
 * ```
 */
export const FORM_EDITIONS: Readonly<Record<TemplateVersion, FormEdition>> = {
  1: {
    sealFill: SEAL_RED,
    sealSize: 24,
    sealAt: { x: 171, dy: 9.5 },
    mayorBox: { x: 60, w: 116 },
    mayorLine: (sheet) => sheet.municipality.mayor,
    westernForeignDates: false,
    householdFormats: false,
  },
  2: STANDARD_EDITION,
  // As 2, with the legal reading in katakana (令和5年法律第48号) and the
  // household formats; the profile's rules read the sheet's `form`.
  3: {
    ...STANDARD_EDITION,
    kanaLabel: "（フリガナ）",
    householdFormats: true,
  },
};

/**
 * The edition of the form a sheet is printed with.
 *
 * @example
 * ```ts ignore
 * editionOf(sheet).westernForeignDates;
 * ```
 */
export function editionOf(sheet: SheetContent): FormEdition {
  const e = FORM_EDITIONS[sheet.templateVersion];
  if (!e) {
    throw new RangeError(`Unknown template version ${sheet.templateVersion}`);
  }
  return e;
}

/** One labelled cell of a table row. */
export interface Cell {
  label: string;
  /** Cell width including its label, mm; the last cell takes the rest. */
  w?: number;
  labelW?: number;
  field?: string;
  text: string;
  style: FieldStyle;
}

/**
 * Draws a row of labelled cells from X0 to X1 at y; returns the next y.
 *
 * @example
 * ```ts ignore
 * y = row(b, y, 9, [{ label: "方書", field: "katagaki", text, style: ONE_LINE }]);
 * ```
 */
export function row(
  b: FormBuilder,
  y: number,
  h: number,
  cells: Cell[],
): number {
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

/**
 * 性別 as printed.
 *
 * @example
 * ```ts
 * sexText("female"); // "女"
 * ```
 */
export function sexText(sex: SubjectEntry["sex"]): string {
  return sex === "male" ? "男" : "女";
}

/**
 * An ISO date in the Japanese era with full-width digits; "" when absent.
 *
 * @example
 * ```ts
 * date("2027-03-31"); // "令和９年３月３１日"
 * ```
 */
export function date(iso: string | undefined): string {
  return iso ? formatJapaneseDate(iso, { fullWidth: true }) : "";
}

/**
 * An ISO date in the Western calendar with full-width digits; "" when absent.
 *
 * @example
 * ```ts
 * westernDate("1990-04-01"); // "１９９０年４月１日"
 * ```
 */
export function westernDate(iso: string | undefined): string {
  if (!iso) return "";
  const { year, month, day } = parseIsoDate(iso);
  return toFullWidthDigits(`${year}年${month}月${day}日`);
}

/**
 * A date of a person's own (birth date, 在留期間の満了の日; default the
 * sheet's subject, or a further member on a 世帯連記式 sheet) as the sheet's
 * edition prints it: a foreign resident's in the Western calendar from
 * template version 2 (j90; never both calendars), everyone else's in the
 * Japanese era.
 *
 * @example
 * ```ts ignore
 * personalDate(foreignSheet, foreignSheet.subject.birthDate); // "１９９０年４月１日"
 * ```
 */
export function personalDate(
  sheet: SheetContent,
  iso: string | undefined,
  person: SubjectEntry = sheet.subject,
): string {
  return person.foreign && editionOf(sheet).westernForeignDates
    ? westernDate(iso)
    : date(iso);
}

/**
 * Header: the form's title, issue number and date/time.
 *
 * @example
 * ```ts ignore
 * header(b, sheet, "住民票の写し");
 * ```
 */
export function header(
  b: FormBuilder,
  sheet: SheetContent,
  title: string,
): void {
  b.fixed(title, A4.widthMm / 2, 24, {
    face: "mincho",
    sizePt: 20,
    align: "center",
    letterSpacing: 3.5,
    field: "title",
  });
  issueNumberHeader(b, sheet);
  b.fixed("発行日時", 128, 35.5, { sizePt: 8 });
  b.field(
    "issuedAt",
    formatJapaneseDateTime(sheet.issuedAt),
    { x: 142, y: 32.2, w: 54, h: 4.2 },
    CLEAR,
  );
}

/**
 * 認証文, date, mayor line, official seal and footer, the 認証文 at `y` mm.
 * From template version 3 the 認証文 block stands on the certificate's last
 * page only (j1000); the other pages carry the footer alone.
 *
 * @example
 * ```ts ignore
 * attestation(b, sheet, JUMINHYO_ATTESTATION, 228);
 * ```
 */
export function attestation(
  b: FormBuilder,
  sheet: SheetContent,
  text: string,
  y: number,
): void {
  if (!editionOf(sheet).householdFormats || sheet.page === sheet.pages) {
    certification(b, sheet, text, y);
  }
  footer(b, sheet);
}

/**
 * The 認証文 block: 認証文 at `y` mm, the date, the mayor's line and the
 * official seal (with its note).
 *
 * @example
 * ```ts ignore
 * certification(b, sheet, JUMINHYO_ATTESTATION, 228);
 * ```
 */
export function certification(
  b: FormBuilder,
  sheet: SheetContent,
  text: string,
  y: number,
): void {
  b.fixed(text, 24, y, { face: "mincho", sizePt: 12, field: "attestation" });
  const day = formatJapaneseDate(toJapanDateTime(sheet.issuedAt).date, {
    fullWidth: true,
  });
  b.fixed(day, 30, y + 11, { face: "mincho", sizePt: 12, field: "issueDate" });
  const e = editionOf(sheet);
  b.field("municipality.mayor", e.mayorLine(sheet), {
    x: e.mayorBox.x,
    y: y + 17,
    w: e.mayorBox.w,
    h: 9,
  }, MAYOR);
  const size = e.sealSize;
  const sx = e.sealAt.x, sy = y + e.sealAt.dy;
  b.ops.push({
    kind: "path",
    x: sx,
    y: sy,
    segments: b.ctx.sealSegments(sheet.municipality.name, size),
    fill: e.sealFill,
    key: `seal:${size}:${sheet.municipality.name}`,
    role: "official-seal",
  });
  if (e.sealNote) {
    b.fixed(e.sealNote, sx + size / 2, sy + size + 3.5, {
      sizePt: 7,
      align: "center",
      field: "sealNote",
    });
  }
}

/**
 * The footer of every page: 発行番号, page x/n and the municipality.
 *
 * @example
 * ```ts ignore
 * footer(b, sheet);
 * ```
 */
export function footer(b: FormBuilder, sheet: SheetContent): void {
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

/**
 * The name block: kana above the name, birth date / sex / relationship
 * (with `zokugara`) at the right. Returns the next y.
 *
 * @example
 * ```ts ignore
 * y = nameBlock(b, y, sheet, sheet.options.zokugara);
 * ```
 */
export function nameBlock(
  b: FormBuilder,
  y: number,
  sheet: SheetContent,
  zokugara: boolean,
): number {
  const s = sheet.subject;
  const h = 22;
  const right = 66; // width of the 生年月日/性別/続柄 block
  const split = X1 - right;
  b.label("氏名", { x: X0, y, w: LABEL_W, h: h * 0.6 + 0.5 });
  b.fixed(
    editionOf(sheet).kanaLabel ?? "（ふりがな）",
    X0 + LABEL_W / 2,
    y + h * 0.3 - 2.5,
    {
      sizePt: 6.5,
      align: "center",
      color: LABEL_COLOR,
    },
  );
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
    ["生年月日", "birthDate", personalDate(sheet, s.birthDate)],
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

/**
 * Former surname (旧氏) with its kana. Returns the next y.
 *
 * @example
 * ```ts ignore
 * if (s.formerSurname) y = formerSurnameRow(b, y, s);
 * ```
 */
export function formerSurnameRow(
  b: FormBuilder,
  y: number,
  s: SubjectEntry,
): number {
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

/**
 * The rows under a person's name where the person has them, in the order
 * every form prints them: 旧氏 (with its reading), 通称, 氏名（英字）.
 *
 * @example
 * ```ts ignore
 * y = nameExtraRows(b, nameBlock(b, y, sheet, false), sheet.subject);
 * ```
 */
export function nameExtraRows(
  b: FormBuilder,
  y: number,
  s: SubjectEntry,
): number {
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
  return y;
}
