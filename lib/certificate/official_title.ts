/**
 * The mayor's official title as the standard prints it (j1050): with the
 * prefecture, also for 政令市 and 特別区 — 「福岡県北九州市長」. The prefecture
 * comes from the first two digits of the 6-digit local government code
 * (JIS X 0401), so a municipality record needs no field of its own for it.
 *
 * @module
 */

import type { IssuingMunicipality } from "./model.ts";

/**
 * Prefecture names by JIS X 0401 code (the first two digits of a local
 * government code), "01" 北海道 to "47" 沖縄県.
 *
 * @example
 * ```ts
 * PREFECTURES["40"]; // "福岡県"
 * ```
 */
export const PREFECTURES: Readonly<Record<string, string>> = Object.fromEntries(
  [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
  ].map((name, i) => [String(i + 1).padStart(2, "0"), name]),
);

/**
 * The prefecture of a local government code, or undefined for a code whose
 * first two digits name none.
 *
 * @example
 * ```ts
 * prefectureOf("401005"); // "福岡県"
 * prefectureOf("991234"); // undefined
 * ```
 */
export function prefectureOf(code: string): string | undefined {
  return PREFECTURES[code.slice(0, 2)];
}

/**
 * The mayor's line as printed under the 認証文: the recorded line (title and
 * name) with the prefecture put in front of the title when the title starts
 * with the municipality's name and does not already carry its prefecture.
 * Any other line (a record that already names the prefecture, or a title not
 * starting with the municipality's name) is printed as recorded.
 *
 * @example
 * ```ts
 * officialMayorLine({ code: "401005", name: "北九州市", mayor: "北九州市長　武内　和久" });
 * // "福岡県北九州市長　武内　和久"
 * officialMayorLine({ code: "401005", name: "北九州市", mayor: "福岡県北九州市長　武内　和久" });
 * // "福岡県北九州市長　武内　和久"
 * ```
 */
export function officialMayorLine(m: IssuingMunicipality): string {
  const prefecture = prefectureOf(m.code);
  if (
    !prefecture || m.mayor.startsWith(prefecture) ||
    !m.mayor.startsWith(m.name)
  ) {
    return m.mayor;
  }
  return prefecture + m.mayor;
}
