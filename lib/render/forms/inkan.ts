/**
 * The form of a 印鑑登録証明書.
 *
 * @module
 */

import type { InkanSheet } from "../../certificate/model.ts";
import type { FormBuilder } from "../form_builder.ts";
import { ADDRESS, LABEL_W, ONE_LINE, SUB_NAME, X0, X1 } from "../form_style.ts";
import { attestation, formerSurnameRow, nameBlock, row } from "./common.ts";

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
 * the registered impression image. Throws `TypeError` on a sheet without a
 * seal (only an unchecked object can be one).
 *
 * @example
 * ```ts ignore
 * inkanForm(b, makeInkanSheet());
 * ```
 */
export function inkanForm(b: FormBuilder, sheet: InkanSheet): void {
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
  y = nameBlock(b, y, sheet, false);
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
