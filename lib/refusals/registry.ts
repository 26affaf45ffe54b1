/**
 * The registry's refusal catalogue: code → HTTP status and wording. The
 * registry answers the municipality's own staff and systems, so its wording
 * is the operator's text; none of these codes reaches a kiosk. Same entry
 * shape as every other catalogue (entry.ts).
 *
 * @module
 */
import type { RefusalEntry } from "./entry.ts";

/** Code → status, Japanese, English. */
export const REGISTRY_REFUSALS = {
  MUNICIPALITY_NOT_FOUND: {
    status: 404,
    ja: "市区町村が登録されていません",
    en: "Municipality not found",
  },
  RESIDENT_NOT_FOUND: {
    status: 404,
    ja: "住民が見つかりません",
    en: "Resident not found",
  },
  HOUSEHOLD_NOT_FOUND: {
    status: 404,
    ja: "世帯が見つかりません",
    en: "Household not found",
  },
  EVENT_NOT_FOUND: {
    status: 404,
    ja: "異動が見つかりません",
    en: "Event not found",
  },
  SEAL_NOT_FOUND: {
    status: 404,
    ja: "印鑑登録が見つかりません",
    en: "Seal registration not found",
  },
  BLOCK_NOT_FOUND: {
    status: 404,
    ja: "交付抑止が見つかりません",
    en: "Issuance block not found",
  },
  CARD_LINK_NOT_FOUND: {
    status: 404,
    ja: "カードの紐付けが見つかりません",
    en: "Card link not found",
  },
  RESIDENT_REMOVED: {
    status: 409,
    ja: "除票された住民です",
    en: "The resident's record has been removed",
  },
  RESIDENT_NOT_ACTIVE: {
    status: 409,
    ja: "住民は異動できる状態ではありません",
    en: "The resident is not in a state that allows this change",
  },
  RESIDENT_NOT_MOVING_OUT: {
    status: 409,
    ja: "転出予定の届出がありません",
    en: "No move-out has been filed for this resident",
  },
  HOUSEHOLD_NOT_ACTIVE: {
    status: 409,
    ja: "世帯が存在しないか消滅しています",
    en: "The household does not exist or has been dissolved",
  },
  NOT_A_MEMBER: {
    status: 409,
    ja: "その世帯の世帯員ではありません",
    en: "The resident is not a member of that household",
  },
  ALREADY_HOUSEHOLDER: {
    status: 409,
    ja: "すでに世帯主です",
    en: "The resident is already the householder",
  },
  EVENT_DATE_IN_FUTURE: {
    status: 400,
    ja: "異動日が未来の日付です",
    en: "The date of the change (異動日) is in the future",
  },
  NOTIFIED_BEFORE_EVENT: {
    status: 400,
    ja: "届出日が異動日より前です",
    en:
      "The notification date (届出日) is before the date of the change (異動日)",
  },
  NOTIFIED_DATE_IN_FUTURE: {
    status: 400,
    ja: "届出日が未来の日付です",
    en: "The notification date (届出日) is in the future",
  },
  DEATH_BEFORE_RESIDENCE: {
    status: 400,
    ja: "死亡日が住民となった日より前です",
    en: "The date of death is before the day the person became a resident",
  },
  NEW_HOUSEHOLDER_REQUIRED: {
    status: 409,
    ja: "世帯主の死亡により、残る世帯員から新しい世帯主を指定してください",
    en:
      "The householder died and several members remain: name the new householder (newHouseholderId)",
  },
  NEW_HOUSEHOLDER_NOT_NEEDED: {
    status: 400,
    ja: "死亡した住民は世帯主ではないため、新しい世帯主は指定できません",
    en:
      "The deceased is not the householder: no new householder or relationships to give",
  },
  RELATIONSHIP_REQUIRED: {
    status: 409,
    ja:
      "新しい世帯主からみた続柄を自動で決められない世帯員がいます。続柄を指定してください",
    en:
      "The relationship to the new householder cannot be derived for some members: give it (relationships)",
  },
  HOUSEHOLDER_CANNOT_SEPARATE: {
    status: 409,
    ja: "世帯主は世帯分離できません（先に世帯主変更が必要です）",
    en: "The householder cannot separate (change the householder first)",
  },
  SAME_HOUSEHOLD: {
    status: 409,
    ja: "同一の世帯です",
    en: "Both households are the same",
  },
  ADDRESS_MISMATCH: {
    status: 409,
    ja: "住所が異なる世帯は合併できません",
    en: "Households at different addresses cannot merge",
  },
  FORMER_SURNAME_EXISTS: {
    status: 409,
    ja: "旧氏はすでに記載されています",
    en: "A former surname is already recorded",
  },
  FORMER_SURNAME_ABSENT: {
    status: 409,
    ja: "旧氏が記載されていません",
    en: "No former surname is recorded",
  },
  FURIGANA_INVALID: {
    status: 400,
    ja:
      "振り仮名は全角カタカナ（長音「ー」を含む）50文字以内で記載してください",
    en:
      "A furigana reading must be full-width katakana (ー included), at most 50 characters",
  },
  NOTHING_TO_CHANGE: {
    status: 400,
    ja: "変更する項目がありません",
    en: "Nothing to change",
  },
  EVENT_ALREADY_CANCELLED: {
    status: 409,
    ja: "この異動はすでに取り消されています",
    en: "The event has already been cancelled",
  },
  EVENT_NOT_CANCELLABLE: {
    status: 409,
    ja: "この異動は取り消せません",
    en: "This event cannot be cancelled",
  },
  CANCEL_CONFLICT: {
    status: 409,
    ja:
      "後続の異動があるため取り消せません（後続の異動を先に取り消してください）",
    en: "Later events touched the same records; cancel those first",
  },
  SEAL_ALREADY_REGISTERED: {
    status: 409,
    ja: "すでに印鑑登録があります",
    en: "A seal is already registered",
  },
  SEAL_NOT_ACTIVE: {
    status: 409,
    ja: "印鑑登録は有効ではありません",
    en: "The seal registration is not active",
  },
  BLOCK_DATES_INVALID: {
    status: 400,
    ja: "交付抑止の終了日が開始日より前です",
    en: "The block's end date is before its start date",
  },
  BLOCK_ALREADY_ENDED: {
    status: 400,
    ja: "終了日が過ぎた交付抑止は設定できません",
    en: "A block cannot be set with an end date already past",
  },
  GAIJI_NOT_PRIVATE_USE: {
    status: 400,
    ja:
      "外字の文字コードが私用領域（U+E000〜U+F8FF、U+F0000〜U+10FFFD）ではありません",
    en:
      "The 外字 code point is not in a private-use area (U+E000–U+F8FF, U+F0000–U+10FFFD)",
  },
  GAIJI_PATH_INVALID: {
    status: 400,
    ja:
      "外字の字形が正しくありません（1000×1000 の枠内の SVG パス、M L H V C Q Z のみ、4096 文字・512 区間まで）",
    en:
      "The 外字 outline is invalid (SVG path data in the 1000 × 1000 box, M L H V C Q Z only, at most 4096 characters and 512 segments)",
  },
  GAIJI_LIMIT: {
    status: 409,
    ja: "登録できる外字の数（2000 字）を超えます",
    en: "The municipality's 外字 would exceed the limit (2000)",
  },
  GAIJI_NOT_FOUND: {
    status: 404,
    ja: "外字が登録されていません",
    en: "No 外字 is registered for this code point",
  },
  SEAL_IMAGE_INVALID: {
    status: 400,
    ja: "印影画像が PNG ではないか、画像として読み取れません",
    en: "The seal impression is not a PNG image, or it does not decode",
  },
  SEAL_IMAGE_TOO_LARGE: {
    status: 413,
    ja: "印影画像のファイルが大きすぎます（256 KB まで）",
    en: "The seal impression file is too large (at most 256 KB)",
  },
  SEAL_IMAGE_DIMENSIONS: {
    status: 400,
    ja: "印影画像の大きさが範囲外です（縦横とも 32〜4096 ピクセル）",
    en:
      "The seal impression's size is out of range (width and height 32 to 4096 pixels)",
  },
  UNDER_AGE_SEAL: {
    status: 409,
    ja: "15歳未満の方は印鑑登録できません",
    en: "Residents under 15 cannot register a seal",
  },
  BLOCK_ALREADY_LIFTED: {
    status: 409,
    ja: "交付抑止はすでに解除されています",
    en: "The block has already been lifted",
  },
  CARD_ALREADY_LINKED: {
    status: 409,
    ja: "このカードはすでに紐付けられています",
    en: "The card is already linked",
  },
  DUPLICATE_RESIDENT_CODE: {
    status: 409,
    ja: "住民票コードが重複しています",
    en: "Duplicate resident code",
  },
  PURPOSE_REQUIRED: {
    status: 400,
    ja: "閲覧目的（X-Purpose）を指定してください",
    en: "State the purpose of the read (X-Purpose header)",
  },
  SEARCH_CRITERION_REQUIRED: {
    status: 400,
    ja:
      "検索条件（氏名・カナ・生年月日・世帯・カード）を一つ以上指定してください",
    en:
      "Give at least one search criterion (name, kana, birthDate, household, cardSerial)",
  },
  DATE_INVALID: {
    status: 400,
    ja: "日付が正しくありません",
    en: "Invalid date",
  },
  ISSUE_NOT_FOUND: {
    status: 404,
    ja: "この市区町村の交付記録が見つかりません",
    en: "No issue of this municipality has that number",
  },
  ISSUE_ALREADY_REVOKED: {
    status: 409,
    ja: "この証明書はすでに無効にされています",
    en: "The certificate has already been revoked",
  },
  CENTER_REFUSED: {
    status: 409,
    ja: "証明書交付センターが要求を拒否しました",
    en: "The issuance center refused the request",
  },
  CENTER_UNAVAILABLE: {
    status: 503,
    ja: "証明書交付センターに接続できません",
    en: "The issuance center cannot be reached",
  },
  RECONCILE_SEQ_AHEAD: {
    status: 409,
    ja: "照合の基準となる連番が台帳の最新連番より先です",
    en: "The reconciliation sequence is ahead of the registry's head",
  },
  RECONCILE_SEQ_UNAVAILABLE: {
    status: 409,
    ja:
      "照合の基準となる連番の時点の台帳を再現できません（遅れが大きすぎます）",
    en:
      "The registry cannot reproduce its state at the reconciliation sequence (too far behind its head)",
  },
} as const satisfies Record<string, RefusalEntry>;

/** A code of the registry. */
export type RegistryCode = keyof typeof REGISTRY_REFUSALS;

/**
 * Whether a string is a code of the registry.
 *
 * @example
 * ```ts
 * isRegistryCode("RESIDENT_REMOVED"); // true
 * ```
 */
export function isRegistryCode(code: string): code is RegistryCode {
  return Object.hasOwn(REGISTRY_REFUSALS, code);
}
