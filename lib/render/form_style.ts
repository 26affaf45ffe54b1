/**
 * Geometry and text styles shared by the certificate forms: the table's
 * edges, the label column, the grid colours and the nine field styles
 * (preferred size, minimum size, lines) every form fits its fields with.
 *
 * @module
 */

import type { FieldStyle } from "./fit.ts";
import type { Rgb } from "./ops.ts";

/** Left edge of the form's table, mm. */
export const X0 = 15;
/** Right edge of the form's table, mm. */
export const X1 = 195;
/** Width of the label column, mm. */
export const LABEL_W = 28;
/** Horizontal padding inside a field's cell, mm. */
export const PAD = 1.8;
/** IPAex em box: 0.88 above the baseline, 0.12 below. */
export const ASCENT = 0.88;
/** Colour of the table's lines. */
export const GRID: Rgb = [0.1, 0.1, 0.1];
/** Colour of the labels. */
export const LABEL_COLOR: Rgb = [0.12, 0.12, 0.12];

/** 住所, 前住所, 本籍: two lines. */
export const ADDRESS: FieldStyle = {
  face: "mincho",
  sizePt: 11.5,
  minSizePt: 7,
  maxLines: 2,
};
/** One-line data fields (方書, 世帯主, 筆頭者, …). */
export const ONE_LINE: FieldStyle = {
  face: "mincho",
  sizePt: 11,
  minSizePt: 7,
  maxLines: 1,
};
/** 氏名. */
export const NAME: FieldStyle = {
  face: "mincho",
  sizePt: 16,
  minSizePt: 9,
  maxLines: 1,
};
/** 旧氏, 通称. */
export const SUB_NAME: FieldStyle = {
  face: "mincho",
  sizePt: 13,
  minSizePt: 8,
  maxLines: 1,
};
/** ふりがな. */
export const KANA: FieldStyle = {
  face: "mincho",
  sizePt: 8,
  minSizePt: 5.5,
  maxLines: 1,
};
/** Dates and short items. */
export const SMALL: FieldStyle = {
  face: "mincho",
  sizePt: 10.5,
  minSizePt: 7,
  maxLines: 1,
};
/** The mayor's line under the 認証文. */
export const MAYOR: FieldStyle = {
  face: "mincho",
  sizePt: 14,
  minSizePt: 9,
  maxLines: 1,
  align: "right",
};
/** Issue number and time in clear (gothic). */
export const CLEAR: FieldStyle = {
  face: "gothic",
  sizePt: 8,
  minSizePt: 6,
  maxLines: 1,
};
