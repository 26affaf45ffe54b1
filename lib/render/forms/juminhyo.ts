/**
 * The form of a 住民票の写し: one person per sheet (個票式, and every sheet
 * of template versions 1 and 2), or from template version 3 a sheet of a
 * 世帯連記式 certificate — the household's 住所 (and 世帯主) once, then up to
 * four member blocks in the household's order (j1010), the 認証文 block on
 * the last page only, in the whole-household wording for the whole
 * household (j1000).
 *
 * Why the member block is compact (rows of 5.5–11 mm, 9 pt dates): four
 * members with 本籍・筆頭者, 世帯主・続柄 and 個人番号 take 4 × 37.5 mm (one
 * of them with 旧氏 6 mm more), which with the household rows (24 mm) and
 * the 備考 row fits between the header (40 mm) and the 認証文 (238 mm). A member with more rows (旧氏, 通称, a foreign
 * resident's items) takes more; {@linkcode householdSheetsOf} starts a new
 * sheet before a block would not fit, so the ASP and the renderer agree on
 * what a sheet holds.
 *
 * @module
 */

import {
  type JuminhyoOptions,
  type JuminhyoSheet,
  peopleOf,
  type SubjectEntry,
} from "../../certificate/model.ts";
import type { FieldStyle } from "../fit.ts";
import {
  DEFAULT_FORM_PROFILE,
  JUMINHYO_TITLES,
} from "../../contracts/form_profile.ts";
import type { FormBuilder } from "../form_builder.ts";
import {
  ADDRESS,
  LABEL_COLOR,
  LABEL_W,
  ONE_LINE,
  SMALL,
  X0,
  X1,
} from "../form_style.ts";
import {
  attestation,
  type Cell,
  date,
  editionOf,
  nameBlock,
  nameExtraRows,
  personalDate,
  row,
  sexText,
} from "./common.ts";

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
 * The printed title of a 住民票 sheet by template version: 「住民票の写し」
 * up to version 2; from version 3 the wording the municipality's profile
 * gave the sheet (`form.juminhyoTitle`, default 「住民票の写し」). Throws
 * `RangeError` on a wording the profile cannot hold.
 *
 * @example
 * ```ts ignore
 * juminhyoTitle(makeSheet({ templateVersion: 3, form: { juminhyoTitle: "住民票" } })); // "住民票"
 * ```
 */
export function juminhyoTitle(sheet: JuminhyoSheet): string {
  const title = sheet.templateVersion >= 3
    ? sheet.form?.juminhyoTitle ?? DEFAULT_FORM_PROFILE.juminhyoTitle
    : "住民票の写し";
  if (!(JUMINHYO_TITLES as readonly string[]).includes(title)) {
    throw new RangeError(`Unknown 住民票 title ${title}`);
  }
  return title;
}

/**
 * 認証文 of a 住民票の写し of the whole household (世帯全員, j1000). A
 * selection of members keeps {@linkcode JUMINHYO_ATTESTATION}: it certifies
 * the copy of those members' records, not the whole household.
 *
 * @example
 * ```ts ignore
 * pdfText.includes(JUMINHYO_HOUSEHOLD_ATTESTATION);
 * ```
 */
export const JUMINHYO_HOUSEHOLD_ATTESTATION =
  "この写しは、世帯全員の住民票の原本と相違ないことを証明する。";

/**
 * The 認証文 a sheet prints (on its certificate's last page from template
 * version 3): the whole-household wording when the sheet says so.
 *
 * @example
 * ```ts ignore
 * juminhyoAttestation({ ...sheet, wholeHousehold: true }); // "この写しは、世帯全員の…"
 * ```
 */
export function juminhyoAttestation(sheet: JuminhyoSheet): string {
  return sheet.wholeHousehold && editionOf(sheet).householdFormats
    ? JUMINHYO_HOUSEHOLD_ATTESTATION
    : JUMINHYO_ATTESTATION;
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

/**
 * Draws the body of a 住民票の写し (below the header): one person; 本籍・筆頭者,
 * 世帯主・続柄 and 個人番号 only when their option is on; 住民票コード never
 * (the model does not even carry it).
 *
 * @example
 * ```ts ignore
 * juminhyoForm(b, makeSheet({ options: { zokugara: true } }));
 * ```
 */
export function juminhyoForm(b: FormBuilder, sheet: JuminhyoSheet): void {
  if (isHouseholdSheet(sheet)) householdForm(b, sheet);
  else singleForm(b, sheet);
}

/**
 * Whether a sheet is drawn as a 世帯連記式 sheet: from template version 3, a
 * sheet with further members or of a certificate of several pages. Throws
 * `RangeError` for members on an earlier version (never printed).
 */
function isHouseholdSheet(sheet: JuminhyoSheet): boolean {
  if (!editionOf(sheet).householdFormats) {
    if (sheet.members) {
      throw new RangeError(
        `Template version ${sheet.templateVersion} has one person per sheet`,
      );
    }
    return false;
  }
  return sheet.members !== undefined || sheet.pages > 1;
}

/** Heights and styles of the rows {@linkcode addressRows} draws. */
interface AddressRowSizes {
  addressH: number;
  address: FieldStyle;
  lineH: number;
  line: FieldStyle;
}

/**
 * The rows a 住民票 opens with: 住所, 方書 and, with the 続柄 option,
 * 世帯主 — sized for one person a sheet or for a 世帯連記式 sheet.
 */
function addressRows(
  b: FormBuilder,
  y: number,
  s: SubjectEntry,
  o: JuminhyoOptions,
  z: AddressRowSizes,
): number {
  const line = (label: string, field: string, text: string) =>
    row(b, y, z.lineH, [{ label, field, text, style: z.line }]);
  y = row(b, y, z.addressH, [{
    label: "住所",
    field: "address",
    text: s.address,
    style: z.address,
  }]);
  y = line("方書", "katagaki", s.katagaki ?? "");
  if (o.zokugara) {
    y = line("世帯主", "householderName", s.householderName ?? "");
  }
  return y;
}

/** One person per sheet (every version; 個票式 from version 3). */
function singleForm(b: FormBuilder, sheet: JuminhyoSheet): void {
  const s = sheet.subject;
  const o = sheet.options;
  const top = 40;
  let y = addressRows(b, top, s, o, SINGLE_ROWS);
  y = nameExtraRows(b, nameBlock(b, y, sheet, o.zokugara), s);
  if (s.foreign) {
    const f = s.foreign;
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
        text: personalDate(sheet, f.expiryDate),
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
  attestation(b, sheet, juminhyoAttestation(sheet), 228);
}

// ── 世帯連記式 (template version 3) ──────────────────────────────────────

/** Top of the household table, mm. */
const HH_TOP = 40;
/** Bottom of the household table (the 備考 row ends here), mm. */
const HH_BOTTOM = 228;
/** The 備考 row at least, mm. */
const HH_REMARKS = 6;
/** The 認証文 on the last page, mm. */
const HH_ATTESTATION_Y = 238;

/** Compact styles of a member block. */
const HH_NAME: FieldStyle = {
  face: "mincho",
  sizePt: 13,
  minSizePt: 8,
  maxLines: 1,
};
const HH_KANA: FieldStyle = {
  face: "mincho",
  sizePt: 7,
  minSizePt: 5,
  maxLines: 1,
};
const HH_SMALL: FieldStyle = {
  face: "mincho",
  sizePt: 9,
  minSizePt: 6.5,
  maxLines: 1,
};
const HH_ADDRESS: FieldStyle = {
  face: "mincho",
  sizePt: 9.5,
  minSizePt: 6.5,
  maxLines: 2,
  lineHeight: 1.15,
};

/** One row of a member block: its height, when it is printed, its cells. */
interface MemberRow {
  h: number;
  when: (p: SubjectEntry, o: JuminhyoOptions) => boolean;
  cells: (sheet: JuminhyoSheet, p: SubjectEntry, f: string) => Cell[];
}

const always = () => true;

/**
 * The rows of a member block below its name row, in print order (one table:
 * the block's height and its drawing read the same rows). `f` prefixes the
 * field names (`members.0.` for the second person on the sheet).
 */
const MEMBER_ROWS: readonly MemberRow[] = [
  {
    h: 6,
    when: (p) => p.formerSurname !== undefined,
    cells: (_s, p, f) => [{
      label: "旧氏",
      field: `${f}formerSurname`,
      text: `${p.formerSurname ?? ""}（${p.formerSurnameKana ?? ""}）`,
      style: HH_SMALL,
    }],
  },
  {
    h: 6,
    when: (p) => p.alias !== undefined,
    cells: (_s, p, f) => [{
      label: "通称",
      field: `${f}alias`,
      text: p.alias ?? "",
      style: HH_SMALL,
    }],
  },
  {
    h: 6,
    when: (p) => p.foreign !== undefined,
    cells: (_s, p, f) => [{
      label: "氏名（英字）",
      field: `${f}foreign.alphabeticName`,
      text: p.foreign?.alphabeticName ?? "",
      style: HH_SMALL,
    }],
  },
  {
    h: 6,
    when: (p) => p.foreign !== undefined,
    cells: (_s, p, f) => [
      {
        label: "国籍・地域",
        w: 90,
        field: `${f}foreign.nationality`,
        text: p.foreign?.nationality ?? "",
        style: HH_SMALL,
      },
      {
        label: "在留カード等番号",
        field: `${f}foreign.cardNumber`,
        text: p.foreign?.cardNumber ?? "",
        style: HH_SMALL,
      },
    ],
  },
  {
    h: 6,
    when: (p) => p.foreign !== undefined,
    cells: (s, p, f) => [
      {
        label: "在留資格",
        w: 62,
        labelW: 20,
        field: `${f}foreign.residenceStatus`,
        text: p.foreign?.residenceStatus ?? "",
        style: HH_SMALL,
      },
      {
        label: "在留期間",
        w: 48,
        labelW: 18,
        field: `${f}foreign.periodOfStay`,
        text: p.foreign?.periodOfStay ?? "",
        style: HH_SMALL,
      },
      {
        label: "満了日",
        labelW: 16,
        field: `${f}foreign.expiryDate`,
        text: personalDate(s, p.foreign?.expiryDate, p),
        style: HH_SMALL,
      },
    ],
  },
  {
    h: 6,
    when: always,
    cells: (_s, p, f) => [
      {
        label: "住民となった日",
        w: 62,
        labelW: 24,
        field: `${f}becameResidentDate`,
        text: date(p.becameResidentDate),
        style: HH_SMALL,
      },
      {
        label: "住所を定めた日",
        w: 62,
        labelW: 24,
        field: `${f}addressSetDate`,
        text: date(p.addressSetDate),
        style: HH_SMALL,
      },
      {
        label: "届出日",
        labelW: 16,
        field: `${f}notifiedDate`,
        text: date(p.notifiedDate),
        style: HH_SMALL,
      },
    ],
  },
  {
    h: 7.5,
    when: always,
    cells: (_s, p, f) => [{
      label: "前住所",
      field: `${f}previousAddress`,
      text: p.previousAddress ?? "",
      style: HH_ADDRESS,
    }],
  },
  {
    h: 7.5,
    when: (p, o) => o.honseki && !p.foreign,
    cells: (_s, p, f) => [
      {
        label: "本籍",
        w: 125,
        field: `${f}honseki`,
        text: p.honseki ?? "",
        style: HH_ADDRESS,
      },
      {
        label: "筆頭者",
        labelW: 14,
        field: `${f}hittousha`,
        text: p.hittousha ?? "",
        style: HH_SMALL,
      },
    ],
  },
  {
    h: 5.5,
    when: (_p, o) => o.myNumber,
    cells: (_s, p, f) => [{
      label: "個人番号",
      field: `${f}myNumber`,
      text: formatMyNumber(p.myNumber ?? ""),
      style: HH_SMALL,
    }],
  },
];

/** Height of a member's name row, mm. */
const NAME_ROW = 11;

/**
 * Height of one member's block on a 世帯連記式 sheet, mm.
 *
 * @example
 * ```ts ignore
 * memberBlockHeight(person, { honseki: true, zokugara: true, myNumber: true }); // 37.5
 * ```
 */
export function memberBlockHeight(
  p: SubjectEntry,
  o: JuminhyoOptions,
): number {
  return MEMBER_ROWS.reduce((h, r) => h + (r.when(p, o) ? r.h : 0), NAME_ROW);
}

/** Height of the household's own rows (住所, 方書, 世帯主), mm. */
function householdRowsHeight(o: JuminhyoOptions): number {
  return 10 + 7 + (o.zokugara ? 7 : 0);
}

/**
 * Groups a household's people (in print order) into the sheets of a
 * 世帯連記式 certificate: at most `perSheet` on a sheet, and a new sheet
 * before a member's block would not fit (a member with many rows: a foreign
 * resident, 旧氏, 通称). Never empty for people given.
 *
 * @example
 * ```ts ignore
 * householdSheetsOf(six, options, 4).map((g) => g.length); // [4, 2]
 * ```
 */
export function householdSheetsOf<T extends SubjectEntry>(
  people: readonly T[],
  o: JuminhyoOptions,
  perSheet: number,
): T[][] {
  const room = HH_BOTTOM - HH_REMARKS - HH_TOP - householdRowsHeight(o);
  const sheets: T[][] = [];
  let used = Infinity;
  for (const p of people) {
    const h = memberBlockHeight(p, o);
    const last = sheets.at(-1);
    if (!last || last.length >= perSheet || used + h > room) {
      sheets.push([p]);
      used = h;
    } else {
      last.push(p);
      used += h;
    }
  }
  return sheets;
}

/** A 世帯連記式 sheet: the household's rows, then each member's block. */
function householdForm(b: FormBuilder, sheet: JuminhyoSheet): void {
  const s = sheet.subject;
  const o = sheet.options;
  let y = addressRows(b, HH_TOP, s, o, HOUSEHOLD_ROWS);
  peopleOf(sheet).forEach((p, i) => {
    y = memberBlock(b, y, sheet, p, i === 0 ? "" : `members.${i - 1}.`);
  });
  if (y > HH_BOTTOM - HH_REMARKS) {
    throw new RangeError(`Form overflow: table ends at ${y} mm`);
  }
  b.label("備考", { x: X0, y, w: LABEL_W, h: HH_BOTTOM - y });
  b.line(X0 + LABEL_W, y, X0 + LABEL_W, HH_BOTTOM);
  b.fixed("以下余白", X0 + LABEL_W + 4, y + 4.5, {
    face: "mincho",
    sizePt: 9,
    field: "remarks",
  });
  b.frame({ x: X0, y: HH_TOP, w: X1 - X0, h: HH_BOTTOM - HH_TOP });
  attestation(b, sheet, juminhyoAttestation(sheet), HH_ATTESTATION_Y);
}

/**
 * One member's block: a heavier rule above, the name row (ふりがな, 氏名;
 * 生年月日, 性別 and, with 世帯主・続柄, 続柄), then the member's rows.
 * Returns the next y.
 */
function memberBlock(
  b: FormBuilder,
  y: number,
  sheet: JuminhyoSheet,
  p: SubjectEntry,
  f: string,
): number {
  const o = sheet.options;
  b.line(X0, y, X1, y, 0.45);
  const right = 70;
  const split = X1 - right;
  const h = NAME_ROW;
  // The reading's label above 氏名, as on the single form (the legal
  // 「（フリガナ）」: the 世帯連記式 exists from template version 3 only).
  const kanaLabel = editionOf(sheet).kanaLabel ?? "（ふりがな）";
  b.fixed(kanaLabel, X0 + LABEL_W / 2, y + 2.6, {
    sizePt: 5.5,
    align: "center",
    color: LABEL_COLOR,
  });
  b.label("氏名", { x: X0, y: y + 3, w: LABEL_W, h: h - 3 });
  b.line(X0 + LABEL_W, y, X0 + LABEL_W, y + h);
  const nameW = split - X0 - LABEL_W;
  b.field(`${f}nameKana`, p.nameKana, {
    x: X0 + LABEL_W,
    y,
    w: nameW,
    h: 4,
  }, HH_KANA);
  b.field(`${f}name`, p.name, {
    x: X0 + LABEL_W,
    y: y + 3.5,
    w: nameW,
    h: h - 3.5,
  }, HH_NAME);
  b.line(split, y, split, y + h);
  const half = h / 2;
  const lw = 16;
  b.label("生年月日", { x: split, y, w: lw, h: half });
  b.field(`${f}birthDate`, personalDate(sheet, p.birthDate, p), {
    x: split + lw,
    y,
    w: right - lw,
    h: half,
  }, HH_SMALL);
  b.line(split, y + half, X1, y + half);
  const sexW = o.zokugara ? 26 : right;
  b.label("性別", { x: split, y: y + half, w: lw, h: half });
  b.field(`${f}sex`, sexText(p.sex), {
    x: split + lw,
    y: y + half,
    w: sexW - lw,
    h: half,
  }, HH_SMALL);
  if (o.zokugara) {
    const zx = split + sexW;
    b.line(zx, y + half, zx, y + h);
    b.label("続柄", { x: zx, y: y + half, w: 12, h: half });
    b.field(`${f}relationship`, p.relationship ?? "", {
      x: zx + 12,
      y: y + half,
      w: X1 - zx - 12,
      h: half,
    }, HH_SMALL);
  }
  b.line(split + lw, y, split + lw, y + h);
  b.line(X0, y + h, X1, y + h);
  y += h;
  for (const r of MEMBER_ROWS) {
    if (r.when(p, o)) y = row(b, y, r.h, r.cells(sheet, p, f));
  }
  return y;
}

/** One person a sheet: the opening rows' sizes. */
const SINGLE_ROWS: AddressRowSizes = {
  addressH: 16,
  address: ADDRESS,
  lineH: 9,
  line: ONE_LINE,
};

/** A 世帯連記式 sheet: the opening rows, smaller. */
const HOUSEHOLD_ROWS: AddressRowSizes = {
  addressH: 10,
  address: HH_ADDRESS,
  lineH: 7,
  line: HH_SMALL,
};
