/**
 * The form of a 住民票記載事項証明書: the items the sheet records (its
 * municipality's profile at issue, `KISAI_ITEMS` order) in one table, then
 * 備考 「以下余白」, the 認証文, the date, the official title and the 公印 as the
 * sheet's template version prints them (lib/render/forms/common.ts). 氏名 is
 * printed without its ふりがな (the certificate certifies the name as
 * recorded), with 旧氏 and 通称 where recorded and a foreign resident's
 * alphabetic name, as the 印鑑登録証明書 prints them.
 *
 * The 認証文 is the wording municipal 記載事項証明書 use when the
 * municipality prints the items itself: 「上記の事項は、住民票に記載されて
 * いることを証明する。」 (「上記」: it stands below the table).
 *
 * @module
 */

import type { KisaiItem } from "../../contracts/form_profile.ts";
import {
  type KisaiSheet,
  printedKisaiItems,
  type TemplateVersion,
} from "../../certificate/model.ts";
import type { FieldStyle } from "../fit.ts";
import type { FormBuilder } from "../form_builder.ts";
import {
  ADDRESS,
  LABEL_W,
  NAME,
  ONE_LINE,
  SMALL,
  X0,
  X1,
} from "../form_style.ts";
import {
  attestation,
  date,
  nameExtraRows,
  personalDate,
  row,
  sexText,
} from "./common.ts";

/**
 * 認証文 of a 住民票記載事項証明書.
 *
 * @example
 * ```ts ignore
 * pdfText.includes(KISAI_ATTESTATION);
 * ```
 */
export const KISAI_ATTESTATION =
  "上記の事項は、住民票に記載されていることを証明する。";

/**
 * The first template version with a 記載事項証明書 form: the type was added
 * with version 3, so no sheet of it was printed with version 1 or 2.
 */
export const KISAI_FIRST_TEMPLATE_VERSION: TemplateVersion = 3;

/** The labels of the items, as printed. */
export const KISAI_ITEM_LABELS = {
  name: "氏名",
  birthDate: "生年月日",
  sex: "性別",
  address: "住所",
  householderName: "世帯主",
  relationship: "続柄",
  becameResidentDate: "住民となった日",
  addressSetDate: "住所を定めた日",
  honseki: "本籍",
} as const satisfies Record<KisaiItem, string>;

type ItemRows = (b: FormBuilder, y: number, sheet: KisaiSheet) => number;

/** One labelled one-cell row of an item (label from the table above). */
function itemRow(
  item: KisaiItem,
  h: number,
  style: FieldStyle,
  text: (sheet: KisaiSheet) => string,
  field: string = item,
): ItemRows {
  return (b, y, sheet) =>
    row(b, y, h, [{
      label: KISAI_ITEM_LABELS[item],
      field,
      text: text(sheet),
      style,
    }]);
}

/** 氏名, with 旧氏, 通称 and the alphabetic name where the person has them. */
const nameRows: ItemRows = (b, y, sheet) => {
  const s = sheet.subject;
  return nameExtraRows(
    b,
    itemRow("name", 13, NAME, () => s.name)(b, y, sheet),
    s,
  );
};

/** 住所, with its 方書 where recorded. */
const addressRows: ItemRows = (b, y, sheet) => {
  const s = sheet.subject;
  y = itemRow("address", 16, ADDRESS, () => s.address)(b, y, sheet);
  if (!s.katagaki) return y;
  return row(b, y, 9, [{
    label: "方書",
    field: "katagaki",
    text: s.katagaki,
    style: ONE_LINE,
  }]);
};

/** 本籍 and 筆頭者 (戸籍の表示). */
const honsekiRows: ItemRows = (b, y, sheet) => {
  y = itemRow("honseki", 13, ADDRESS, (s) => s.subject.honseki ?? "")(
    b,
    y,
    sheet,
  );
  return row(b, y, 9, [{
    label: "筆頭者",
    field: "hittousha",
    text: sheet.subject.hittousha ?? "",
    style: ONE_LINE,
  }]);
};

/** How each item is printed. */
const ITEM_ROWS: Readonly<Record<KisaiItem, ItemRows>> = {
  name: nameRows,
  birthDate: itemRow(
    "birthDate",
    9,
    SMALL,
    (s) => personalDate(s, s.subject.birthDate),
  ),
  sex: itemRow("sex", 9, SMALL, (s) => sexText(s.subject.sex)),
  address: addressRows,
  householderName: itemRow(
    "householderName",
    9,
    ONE_LINE,
    (s) => s.subject.householderName ?? "",
  ),
  relationship: itemRow(
    "relationship",
    9,
    SMALL,
    (s) => s.subject.relationship ?? "",
  ),
  becameResidentDate: itemRow(
    "becameResidentDate",
    9,
    SMALL,
    (s) => date(s.subject.becameResidentDate),
  ),
  addressSetDate: itemRow(
    "addressSetDate",
    9,
    SMALL,
    (s) => date(s.subject.addressSetDate),
  ),
  honseki: honsekiRows,
};

/**
 * Draws the body of a 住民票記載事項証明書 (below the header): the items the
 * sheet records, in `KISAI_ITEMS` order, then the 認証文 block. Throws
 * `RangeError` on a sheet with no item or of a template version before
 * {@linkcode KISAI_FIRST_TEMPLATE_VERSION} (only an unchecked object can be
 * either).
 *
 * @example
 * ```ts ignore
 * kisaiForm(b, makeKisaiSheet({ options: kisaiItemsOf(["name", "address"]) }));
 * ```
 */
export function kisaiForm(b: FormBuilder, sheet: KisaiSheet): void {
  if (sheet.templateVersion < KISAI_FIRST_TEMPLATE_VERSION) {
    throw new RangeError(
      `Sheet ${sheet.issueNumber}: no 記載事項証明書 form in template version ${sheet.templateVersion}`,
    );
  }
  const items = sheet.options ? printedKisaiItems(sheet.options) : [];
  if (!items.length) {
    throw new RangeError(`Sheet ${sheet.issueNumber}: no item to certify`);
  }
  const top = 42;
  let y = top;
  for (const item of items) y = ITEM_ROWS[item](b, y, sheet);
  const remarks = 12;
  b.label("備考", { x: X0, y, w: LABEL_W, h: remarks });
  b.line(X0 + LABEL_W, y, X0 + LABEL_W, y + remarks);
  b.fixed("以下余白", X0 + LABEL_W + 4, y + 7.5, {
    face: "mincho",
    sizePt: 9,
    field: "remarks",
  });
  y += remarks;
  b.frame({ x: X0, y: top, w: X1 - X0, h: y - top });
  attestation(b, sheet, KISAI_ATTESTATION, Math.max(y + 20, 150));
}
