/**
 * The form of a 住民票の写し.
 *
 * @module
 */

import type { JuminhyoSheet } from "../../certificate/model.ts";
import {
  DEFAULT_FORM_PROFILE,
  JUMINHYO_TITLES,
} from "../../contracts/form_profile.ts";
import type { FormBuilder } from "../form_builder.ts";
import {
  ADDRESS,
  LABEL_W,
  ONE_LINE,
  SMALL,
  SUB_NAME,
  X0,
  X1,
} from "../form_style.ts";
import {
  attestation,
  date,
  formerSurnameRow,
  nameBlock,
  personalDate,
  row,
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
  y = nameBlock(b, y, sheet, o.zokugara);
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
  attestation(b, sheet, JUMINHYO_ATTESTATION, 228);
}
