/**
 * The kiosk's own refusals: what the kiosk shows when it prints nothing
 * because an answer of the center failed the kiosk's checks (its signature
 * with the provisioned keys, the protocol's schema, or the session check of
 * the released document). The failure is reported to the center
 * (`POST /kiosk/failures`, lib/contracts/kiosk_center.ts) under the reason
 * of the same name; the applicant is not charged.
 *
 * @module
 */
import type { Wording } from "./entry.ts";
import type {
  KIOSK_FAILURE_REASONS,
  PRINT_FAILURES,
} from "../contracts/kiosk_center.ts";

/** A kiosk refusal code (= the failure reason reported to the center). */
export type KioskRefusalCode = typeof KIOSK_FAILURE_REASONS[number];

const STAFF_JA = "料金はかかりません。店員にお知らせください。";

/** The catalogue: code → the kiosk's Japanese and English text. */
export const KIOSK_REFUSALS = {
  ANSWER_NOT_SIGNED: {
    ja:
      `センターからの応答を確認できなかったため、処理を中止しました。${STAFF_JA}`,
    en:
      "The center's answer could not be verified (signature), so nothing was printed. You are not charged; please tell the staff.",
  },
  ANSWER_MALFORMED: {
    ja: `センターからの応答が正しくないため、処理を中止しました。${STAFF_JA}`,
    en:
      "The center's answer was malformed, so nothing was printed. You are not charged; please tell the staff.",
  },
  DOCUMENT_MISMATCH: {
    ja:
      `受け取った証明書がこのお申込みのものと一致しないため、印刷を中止しました。${STAFF_JA}`,
    en:
      "The certificate received does not match this request, so nothing was printed. You are not charged; please tell the staff.",
  },
} as const satisfies Record<KioskRefusalCode, Wording>;

/** A print failure code (= the `printFailure.reason` reported to the center). */
export type KioskPrintFailureCode = typeof PRINT_FAILURES[number];

/** What a print failure's wording quotes: the sheet that failed. */
export interface PrintFailureDetails {
  /** The first sheet not printed (1-based). */
  page: number;
}

const VOIDED_JA =
  "印刷できなかった証明書は無効となり、該当分の料金は返金します。店員にお知らせください。";
const VOIDED_EN =
  "the sheets not printed are void and their fee is refunded; please tell the staff.";

/** The catalogue: print failure code → the kiosk's Japanese and English text. */
export const KIOSK_PRINT_FAILURES = {
  RENDER_FAILED: {
    ja: (d) => `証明書（${d.page}枚目）を印刷できませんでした。${VOIDED_JA}`,
    en: (d) =>
      `Sheet ${d.page} could not be rendered, so the print stopped there: ${VOIDED_EN}`,
  },
  WRITE_FAILED: {
    ja: (d) =>
      `プリンターの出力に失敗しました（${d.page}枚目から）。${VOIDED_JA}`,
    en: (d) => `The printer's output failed from sheet ${d.page}: ${VOIDED_EN}`,
  },
} as const satisfies Record<
  KioskPrintFailureCode,
  Wording<PrintFailureDetails>
>;
