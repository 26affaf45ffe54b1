/**
 * Fixed text of the forms per face: what every document needs, embedded once
 * per process by the PDF writer (see pdf.ts). The titles are the certificate
 * types' Japanese names from the catalogue; a test checks that every label
 * the forms draw is covered.
 *
 * @module
 */

import {
  CERTIFICATE_CATALOGUE,
  CERTIFICATE_TYPES,
} from "../certificate/types/mod.ts";
import type { FaceName } from "./font.ts";
import { SEAL_NOTE } from "./forms/common.ts";
import { INKAN_ATTESTATION } from "./forms/inkan.ts";
import { JUMINHYO_ATTESTATION } from "./forms/juminhyo.ts";
import { KISAI_ATTESTATION } from "./forms/kisai.ts";

/**
 * Fixed text of the forms per face.
 *
 * @example
 * ```ts
 * TEMPLATE_TEXT.gothic.includes("住所"); // true
 * ```
 */
export const TEMPLATE_TEXT: Readonly<Record<FaceName, string>> = {
  gothic: [
    "住所方書世帯主氏名（ふりがな）（フリガナ）生年月日性別続柄旧氏通称氏名（英字）国籍・地域",
    "在留カード等番号在留資格在留期間の満了の日住民となった日住所を定めた日届出日前住所",
    "本籍筆頭者個人番号備考印影登録番号発行番号発行日時鍵裏面",
    SEAL_NOTE,
    "明治大正昭和平成令和元年月日時分",
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
  ].join(""),
  mincho: [
    ...CERTIFICATE_TYPES.map((t) => CERTIFICATE_CATALOGUE[t].nameJa),
    JUMINHYO_ATTESTATION,
    INKAN_ATTESTATION,
    KISAI_ATTESTATION,
    "以下余白明治大正昭和平成令和元年月日０１２３４５６７８９男女第号　",
    "世帯主妻夫子長男女次二三父母孫祖兄弟姉妹縁故者同居人",
    "0123456789 ",
  ].join(""),
};
