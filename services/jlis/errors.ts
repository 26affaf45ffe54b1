/**
 * The center's refusals and their one status mapping. Kiosk-facing codes
 * carry the Japanese message the kiosk shows.
 *
 * @module
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError } from "../../lib/service/errors.ts";

/** Center error codes → HTTP status (the service's one table). */
export const JLIS_STATUS = {
  // Kiosk authentication
  CARD_SUSPENDED: 403,
  CARD_REVOKED: 403,
  CARD_UNKNOWN: 403,
  CERT_INVALID: 401,
  SIGNATURE_INVALID: 401,
  NONCE_EXPIRED: 409,
  NONCE_REUSED: 409,
  SESSION_NOT_FOUND: 404,
  // Card management
  CARD_NOT_FOUND: 404,
  CSR_INVALID: 400,
  STATUS_UNCHANGED: 409,
  IDENTITY_NOT_VERIFIED: 403,
  WRONG_MUNICIPALITY: 403,
  // Issuance: the center's own rules
  OUTSIDE_HOURS: 409,
  YEAR_END_CLOSED: 409,
  SESSION_NOT_AUTHENTICATED: 409,
  SESSION_ALREADY_USED: 409,
  TENANT_HALTED: 503,
  MUNICIPALITY_NOT_SERVED: 409,
  CARD_NOT_LINKED: 403,
  // Issuance: the ASP's rules over the replica (same codes as the ASP)
  UNDER_15: 409,
  RESIDENT_REMOVED: 409,
  MOVE_OUT_FILED: 409,
  DECEASED: 409,
  SUPPORT_MEASURE: 409,
  OPT_OUT: 409,
  BLOCKED: 409,
  REPLICA_STALE: 503,
  MOVED_IN_TODAY: 409,
  FIELD_TOO_LONG: 409,
  SEAL_NOT_REGISTERED: 409,
  MY_NUMBER_NOT_ALLOWED: 409,
  MY_NUMBER_UNAVAILABLE: 409,
  MEMBER_NOT_IN_HOUSEHOLD: 409,
  INKAN_SELF_ONLY: 400,
  RESIDENT_NOT_FOUND: 409,
  CARD_MISMATCH: 409,
  // Issuance: failures (nothing was released)
  ASP_UNAVAILABLE: 502,
  ISSUANCE_TIMEOUT: 504,
  ISSUANCE_WITHHELD: 500,
  // After release
  REQUEST_NOT_FOUND: 404,
  OUTCOME_ALREADY_REPORTED: 409,
  ISSUE_NOT_FOUND: 404,
  ALREADY_REVOKED: 409,
  NOT_HALTED: 409,
} as const satisfies Record<string, ContentfulStatusCode>;

/** A code of the center. */
export type JlisErrorCode = keyof typeof JLIS_STATUS;

/** Maps a code to its status. */
export function jlisStatusOf(code: string): ContentfulStatusCode | undefined {
  return (JLIS_STATUS as Record<string, ContentfulStatusCode>)[code];
}

/**
 * What the kiosk shows for each refusal of card authentication by the
 * center, Japanese and English. The card's own refusals (PIN_WRONG with the
 * tries left, PIN_LOCKED) carry their messages on `CardError` (lib/card).
 */
export const KIOSK_MESSAGES: Record<string, [string, string]> = {
  CARD_SUSPENDED: [
    "このカードの電子証明書は一時停止されています。お住まいの市区町村の窓口にお問い合わせください。",
    "The card's certificate is suspended",
  ],
  CARD_REVOKED: [
    "このカードの電子証明書は失効しています。お住まいの市区町村の窓口にお問い合わせください。",
    "The card's certificate is revoked",
  ],
  CARD_UNKNOWN: [
    "このカードはご利用いただけません。お住まいの市区町村の窓口にお問い合わせください。",
    "The card is not known to the center",
  ],
  CERT_INVALID: [
    "カードの電子証明書が有効ではありません（有効期限切れを含みます）。お住まいの市区町村の窓口にお問い合わせください。",
    "The card's certificate is not valid (untrusted issuer, malformed or outside its validity period)",
  ],
  SIGNATURE_INVALID: [
    "カードを正しく読み取れませんでした。カードを置き直して、最初からやり直してください。",
    "The card's signature does not verify",
  ],
  NONCE_EXPIRED: [
    "時間切れです。お手数ですが、最初からやり直してください。",
    "The authentication session has expired",
  ],
  NONCE_REUSED: [
    "この認証はすでに使用されています。最初からやり直してください。",
    "The authentication session has already been used",
  ],
  SESSION_NOT_FOUND: [
    "認証を開始できませんでした。最初からやり直してください。",
    "No such authentication session for this kiosk",
  ],
  // Issuance refusals: what the kiosk shows (no fee is charged for any of them).
  OUTSIDE_HOURS: [
    "ただいまの時間はご利用いただけません。ご利用時間は午前6時30分から午後11時までです。",
    "Outside service hours (06:30–23:00 Japan time)",
  ],
  YEAR_END_CLOSED: [
    "12月29日から1月3日まではご利用いただけません。",
    "The service is closed from 29 December to 3 January",
  ],
  SESSION_NOT_AUTHENTICATED: [
    "カードの認証が完了していません。最初からやり直してください。",
    "The session has no authenticated card (or it expired)",
  ],
  SESSION_ALREADY_USED: [
    "この操作はすでに受け付けています。最初からやり直してください。",
    "A certificate was already requested in this session",
  ],
  TENANT_HALTED: [
    "お住まいの市区町村の証明書は、現在発行を停止しています。市区町村の窓口をご利用ください。",
    "Issuance for this municipality is halted by the center",
  ],
  MUNICIPALITY_NOT_SERVED: [
    "お住まいの市区町村はこのサービスに参加していません。市区町村の窓口をご利用ください。",
    "No issuing system serves this municipality",
  ],
  CARD_NOT_LINKED: [
    "このカードでは証明書を発行できません。お住まいの市区町村の窓口にお問い合わせください。",
    "The card is not linked to a resident of the municipality",
  ],
  UNDER_15: [
    "15歳未満の方はご利用いただけません。市区町村の窓口をご利用ください。",
    "Applicants under 15 cannot use the service",
  ],
  RESIDENT_REMOVED: [
    "転出等により、この市区町村の証明書は発行できません。窓口にお問い合わせください。",
    "The applicant's record has been removed (moved out)",
  ],
  MOVE_OUT_FILED: [
    "転出の届出があるため、証明書を発行できません。市区町村の窓口をご利用ください。",
    "A move-out has been filed (person or household)",
  ],
  DECEASED: [
    "証明書を発行できません。市区町村の窓口にお問い合わせください。",
    "A person on the certificate is deceased",
  ],
  SUPPORT_MEASURE: [
    "証明書を発行できません。市区町村の窓口にお問い合わせください。",
    "Issuance is blocked by a support measure (支援措置)",
  ],
  OPT_OUT: [
    "コンビニ交付の利用停止のお申し出があるため、発行できません。市区町村の窓口をご利用ください。",
    "The resident opted out of kiosk issuance",
  ],
  BLOCKED: [
    "証明書の発行が停止されています。市区町村の窓口にお問い合わせください。",
    "Issuance is blocked by the municipality (抑止)",
  ],
  REPLICA_STALE: [
    "ただいま証明書を発行できません。しばらくしてからもう一度お試しください。",
    "The issuing system's copy of the registry is not up to date",
  ],
  MOVED_IN_TODAY: [
    "本日届出のあった内容は、まだ証明書に反映されていません。明日以降にご利用ください。",
    "A change was filed today: issuance from tomorrow",
  ],
  FIELD_TOO_LONG: [
    "記載事項が多いため、コンビニでは発行できません。市区町村の窓口をご利用ください。",
    "A field does not fit the form (never truncated)",
  ],
  SEAL_NOT_REGISTERED: [
    "印鑑登録がないため、印鑑登録証明書を発行できません。",
    "No active seal registration",
  ],
  MY_NUMBER_NOT_ALLOWED: [
    "個人番号の記載はコンビニではできません。市区町村の窓口をご利用ください。",
    "This municipality does not print My Number at kiosks",
  ],
  MY_NUMBER_UNAVAILABLE: [
    "個人番号を記載した証明書は発行できません。市区町村の窓口をご利用ください。",
    "My Number is not available for a person on the certificate",
  ],
  MEMBER_NOT_IN_HOUSEHOLD: [
    "選択された方は同じ世帯の方ではありません。",
    "A chosen person is not a member of the applicant's household",
  ],
  INKAN_SELF_ONLY: [
    "印鑑登録証明書はご本人の分のみ発行できます。",
    "A seal certificate is for the applicant only",
  ],
  RESIDENT_NOT_FOUND: [
    "証明書を発行できません。市区町村の窓口にお問い合わせください。",
    "The card's resident is not in the issuing system",
  ],
  CARD_MISMATCH: [
    "このカードでは証明書を発行できません。市区町村の窓口にお問い合わせください。",
    "The card is not linked to the applicant",
  ],
  ASP_UNAVAILABLE: [
    "ただいま証明書を発行できません。料金はかかっていません。しばらくしてからもう一度お試しください。",
    "The issuing system could not be reached or failed",
  ],
  ISSUANCE_TIMEOUT: [
    "時間内に処理できませんでした。料金はかかっていません。もう一度お試しください。",
    "The request timed out and was aborted as a whole; nothing was issued",
  ],
  ISSUANCE_WITHHELD: [
    "証明書を発行できませんでした。料金はかかっていません。市区町村の窓口をご利用ください。",
    "The document failed the center's check before release and was withheld (incident recorded)",
  ],
};

const OTHER_MESSAGES: Record<string, [string, string]> = {
  CARD_NOT_FOUND: ["カードが見つかりません", "Card not found"],
  CSR_INVALID: [
    "証明書発行要求が正しくありません",
    "The certificate request is malformed, not P-256, or its signature does not verify",
  ],
  STATUS_UNCHANGED: [
    "カードはすでにその状態です",
    "The card already has that status",
  ],
  IDENTITY_NOT_VERIFIED: [
    "利用再開には窓口での本人確認の記録が必要です",
    "Resuming a card needs the record of an identity verification at the municipal window",
  ],
  WRONG_MUNICIPALITY: [
    "他の市区町村のカードは操作できません",
    "The card belongs to another municipality",
  ],
  REQUEST_NOT_FOUND: [
    "受付が見つかりません",
    "No released request with that id for this kiosk",
  ],
  OUTCOME_ALREADY_REPORTED: [
    "印刷結果はすでに報告されています",
    "The print outcome was already reported",
  ],
  ISSUE_NOT_FOUND: ["発行番号が見つかりません", "No such issue number"],
  ALREADY_REVOKED: [
    "この証明書はすでに失効しています",
    "The certificate is already revoked",
  ],
  NOT_HALTED: [
    "この市区町村は停止されていません",
    "The municipality is not halted",
  ],
};

/**
 * A refusal of the center.
 *
 * @example
 * ```ts ignore
 * throw new JlisError("CARD_SUSPENDED", { serial });
 * ```
 */
export class JlisError extends DomainError {
  constructor(code: JlisErrorCode, details?: unknown) {
    const [ja, en] = KIOSK_MESSAGES[code] ?? OTHER_MESSAGES[code] ??
      ["エラーが発生しました", code];
    super(code, ja, en, details);
    this.name = "JlisError";
  }
}
