/**
 * The form of a 印鑑登録証明書.
 *
 * @module
 */

import type { InkanSheet, SealImpression } from "../../certificate/model.ts";
import { DEFAULT_FORM_PROFILE } from "../../contracts/form_profile.ts";
import type { FormBuilder } from "../form_builder.ts";
import {
  ADDRESS,
  LABEL_W,
  NAME,
  ONE_LINE,
  SMALL,
  SUB_NAME,
  X0,
  X1,
} from "../form_style.ts";
import {
  attestation,
  type Cell,
  nameBlock,
  nameExtraRows,
  personalDate,
  row,
  sexText,
} from "./common.ts";

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
 * Draws the body of a 印鑑登録証明書 (below the header): the registrant and
 * the registered impression image — up to template version 2 with the
 * 登録番号 and the ふりがな line and always 性別; from version 3 the items
 * municipal forms print (印影, 氏名 with 旧氏/通称 where registered, 生年月日,
 * 住所), 性別 only when the profile says so (`form.inkanPrintsSex`). Throws
 * `TypeError` on a sheet without a seal (only an unchecked object can be
 * one).
 *
 * @example
 * ```ts ignore
 * inkanForm(b, makeInkanSheet());
 * ```
 */
export function inkanForm(b: FormBuilder, sheet: InkanSheet): void {
  if (!sheet.seal) {
    throw new TypeError(
      `Sheet ${sheet.issueNumber}: 印鑑登録証明書 without a seal`,
    );
  }
  const top = 42;
  const y = sheet.templateVersion >= 3
    ? itemsBody(b, sheet, top)
    : legacyBody(b, sheet, top);
  b.frame({ x: X0, y: top, w: X1 - X0, h: y - top });
  attestation(b, sheet, INKAN_ATTESTATION, Math.max(y + 20, 190));
}

/** Versions 1 and 2 (frozen): 登録番号, the name block with its ふりがな, 性別. */
function legacyBody(b: FormBuilder, sheet: InkanSheet, top: number): number {
  const s = sheet.subject;
  let y = top;
  y = row(b, y, 10, [{
    label: "登録番号",
    field: "seal.registrationNumber",
    text: `第${sheet.seal.registrationNumber}号`,
    style: ONE_LINE,
  }]);
  y = nameExtraRows(b, nameBlock(b, y, sheet, false), s);
  y = row(b, y, 16, [{
    label: "住所",
    field: "address",
    text: s.address,
    style: ADDRESS,
  }]);
  return sealBox(b, y, sheet.seal);
}

/** One row of the version-3 items: its height and cells, or none to skip it. */
type ItemRow = (sheet: InkanSheet) => { h: number; cells: Cell[] } | null;

/**
 * The version-3 items below the 印影, in print order (STANDARD.md
 * 印鑑登録証明書: no 登録番号, no ふりがな line; 性別 by profile).
 */
const ITEM_ROWS: readonly ItemRow[] = [
  ({ subject: s }) => ({
    h: 16,
    cells: [{ label: "氏名", field: "name", text: s.name, style: NAME }],
  }),
  ({ subject: s }) =>
    s.formerSurname
      ? {
        h: 10,
        cells: [{
          label: "旧氏",
          field: "formerSurname",
          text: s.formerSurname,
          style: SUB_NAME,
        }],
      }
      : null,
  ({ subject: s }) =>
    s.alias
      ? {
        h: 10,
        cells: [{
          label: "通称",
          field: "alias",
          text: s.alias,
          style: SUB_NAME,
        }],
      }
      : null,
  ({ subject: s }) =>
    s.foreign
      ? {
        h: 9,
        cells: [{
          label: "氏名（英字）",
          field: "foreign.alphabeticName",
          text: s.foreign.alphabeticName,
          style: ONE_LINE,
        }],
      }
      : null,
  (sheet) => {
    const birth: Cell = {
      label: "生年月日",
      field: "birthDate",
      text: personalDate(sheet, sheet.subject.birthDate),
      style: SMALL,
    };
    const printsSex = sheet.form?.inkanPrintsSex ??
      DEFAULT_FORM_PROFILE.inkanPrintsSex;
    return {
      h: 9,
      cells: printsSex
        ? [{ ...birth, w: 110 }, {
          label: "性別",
          field: "sex",
          text: sexText(sheet.subject.sex),
          style: SMALL,
        }]
        : [birth],
    };
  },
  ({ subject: s }) => ({
    h: 16,
    cells: [{
      label: "住所",
      field: "address",
      text: s.address,
      style: ADDRESS,
    }],
  }),
];

/** Version 3: the 印影, then the items of {@linkcode ITEM_ROWS}. */
function itemsBody(b: FormBuilder, sheet: InkanSheet, top: number): number {
  let y = sealBox(b, top, sheet.seal);
  b.line(X0, y, X1, y);
  for (const item of ITEM_ROWS) {
    const r = item(sheet);
    if (r) y = row(b, y, r.h, r.cells);
  }
  return y;
}

/** The labelled 印影 box with the impression at `y`; returns the next y. */
function sealBox(b: FormBuilder, y: number, seal: SealImpression): number {
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
  // The print version when there is one (sharp at the printer's resolution).
  const image = seal.printPng ?? seal.png;
  const [pw, ph] = pngSize(image);
  const scale = Math.min(area / pw, area / ph);
  const w = pw * scale, h = ph * scale;
  b.ops.push({
    kind: "image",
    x: cx - w / 2,
    y: y + 7 + (area - h) / 2,
    w,
    h,
    png: image,
    role: "seal-impression",
  });
  return y + boxH;
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
