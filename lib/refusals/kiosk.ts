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
import type { KIOSK_FAILURE_REASONS } from "../contracts/kiosk_center.ts";

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
