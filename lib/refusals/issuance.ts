/**
 * The refusal catalogue of the issuance chain: every code the ASP answers
 * the center and every code the center answers a kiosk or an operator, each
 * spelled once with its HTTP status, the Japanese text the kiosk shows, the
 * English text, the operator's text (the specific reason, for the center's
 * records, the logs and the municipality) and whether the kiosk may be told
 * the specific reason at all.
 *
 * `parties` says who answers a code: `asp` (the issuing system, to the
 * center), `center` (J-LIS, to a kiosk or an operator), or both — an ASP
 * refusal over the replica that the center forwards to the kiosk as itself.
 * The ASP's and the center's status tables and code types are derived from
 * it, so a code missing from either is a compile error, not a silent 400 or
 * 502.
 *
 * Protected reasons (`kiosk: "neutral"`: 支援措置, opt-out, a municipal block)
 * reach the kiosk only as {@linkcode NEUTRAL_CODE}: a householder asking for
 * the whole household must not learn that a member is protected. The
 * specific code stays in the center's request record, metrics and logs.
 *
 * @module
 */
import type { RefusalEntry } from "./entry.ts";

/** Who answers a code. */
export type Party = "asp" | "center";

/** An entry of the issuance catalogue. */
export interface IssuanceEntry extends RefusalEntry {
  /** Japanese: what the kiosk shows (or the operator, for operator-only codes). */
  readonly ja: string;
  /** English. */
  readonly en: string;
  /** For the center's operator and the municipality: the specific reason. */
  readonly operator: string;
  /** Whether the kiosk may be told this reason, or only the neutral one. */
  readonly kiosk: "specific" | "neutral";
  /** Who answers it (see the module doc). */
  readonly parties: readonly Party[];
}

// The neutral wording. Protected entries carry it too, so even their own
// ja/en (the ASP's answer to the center) never name the reason.
const NEUTRAL_JA =
  "この証明書はコンビニでは交付できません。市区町村の窓口にお問い合わせください。";
const NEUTRAL_EN =
  "This certificate cannot be issued at a convenience store. Please ask at your municipal office.";

/** The catalogue: code → status, kiosk text, English, operator text, kiosk rule, parties. */
export const ISSUANCE_REFUSALS = {
  // ── The one neutral answer for protected reasons ──────────────────────
  NOT_ISSUABLE_AT_KIOSK: {
    status: 409,
    ja: NEUTRAL_JA,
    en: NEUTRAL_EN,
    operator:
      "Refused for a protected reason; the specific code is in the center's request record (issuance_requests.outcome), metrics and logs",
    kiosk: "specific",
    parties: ["center"],
  },

  // ── Kiosk authentication (center) ─────────────────────────────────────
  CARD_SUSPENDED: {
    status: 403,
    ja:
      "このカードの電子証明書は一時停止されています。お住まいの市区町村の窓口にお問い合わせください。",
    en: "The card's certificate is suspended",
    operator:
      "The card is suspended (24-hour line or municipality); resuming needs the holder at the window",
    kiosk: "specific",
    parties: ["center"],
  },
  CARD_REVOKED: {
    status: 403,
    ja:
      "このカードの電子証明書は失効しています。お住まいの市区町村の窓口にお問い合わせください。",
    en: "The card's certificate is revoked",
    operator: "The card's certificate is revoked (final)",
    kiosk: "specific",
    parties: ["center"],
  },
  FACE_AUTH_CARD_NOT_USABLE: {
    status: 403,
    ja:
      "顔認証マイナンバーカードはコンビニ交付に利用できません。暗証番号を設定したカードをお使いいただくか、市区町村の窓口でお手続きください。",
    en:
      "A face-authentication-only My Number card (no PIN) cannot be used at a kiosk; set a PIN at the municipal window or apply at the window",
    operator:
      "The card was issued as face-authentication only (顔認証マイナンバーカード, pinless): it has no PIN and is never usable at a kiosk",
    kiosk: "specific",
    parties: ["center"],
  },
  CARD_MOVED_OUT: {
    status: 403,
    ja:
      "このカードは転出により現在コンビニ交付に利用できません。転入先の市区町村の窓口で電子証明書の継続利用の手続をしてください。",
    en:
      "The card's holder moved out of the municipality and the card has not been carried on (継続利用): please carry it on at your new municipality's window",
    operator:
      "The card's municipality reported its holder's 転出確定 (card_route_changes moved_out) and no municipality has carried the card on since",
    kiosk: "specific",
    parties: ["center"],
  },
  CARD_CONTINUATION_PENDING: {
    status: 403,
    ja:
      "このカードは本日、転入先の市区町村で継続利用の手続をされました。明日から利用できます。",
    en:
      "The card was carried on (継続利用) at the new municipality today; it can be used at kiosks from tomorrow",
    operator:
      "The card was carried on to a new municipality today; it routes there from the next day in Japan (cards.routed_from)",
    kiosk: "specific",
    parties: ["center"],
  },
  CARD_UNKNOWN: {
    status: 403,
    ja:
      "このカードはご利用いただけません。お住まいの市区町村の窓口にお問い合わせください。",
    en: "The card is not known to the center",
    operator: "A certificate the center's CA signed, but no card row holds it",
    kiosk: "specific",
    parties: ["center"],
  },
  CERT_INVALID: {
    status: 401,
    ja:
      "カードの電子証明書が有効ではありません（有効期限切れを含みます）。お住まいの市区町村の窓口にお問い合わせください。",
    en:
      "The card's certificate is not valid (untrusted issuer, malformed or outside its validity period)",
    operator:
      "Certificate refused: untrusted issuer, malformed, expired, or not the one issued for that serial",
    kiosk: "specific",
    parties: ["center"],
  },
  SIGNATURE_INVALID: {
    status: 401,
    ja:
      "カードを正しく読み取れませんでした。カードを置き直して、最初からやり直してください。",
    en: "The card's signature does not verify",
    operator: "The card's signature over the session nonce does not verify",
    kiosk: "specific",
    parties: ["center"],
  },
  NONCE_EXPIRED: {
    status: 409,
    ja: "時間切れです。お手数ですが、最初からやり直してください。",
    en: "The authentication session has expired",
    operator: "The session's nonce expired before the card answered",
    kiosk: "specific",
    parties: ["center"],
  },
  NONCE_REUSED: {
    status: 409,
    ja: "この認証はすでに使用されています。最初からやり直してください。",
    en: "The authentication session has already been used",
    operator: "A second authentication on a used session (possible replay)",
    kiosk: "specific",
    parties: ["center"],
  },
  SESSION_NOT_FOUND: {
    status: 404,
    ja: "認証を開始できませんでした。最初からやり直してください。",
    en: "No such authentication session for this kiosk",
    operator: "No session with that id for this kiosk",
    kiosk: "specific",
    parties: ["center"],
  },

  // ── Card management (center, operators and municipalities) ───────────
  CARD_NOT_FOUND: {
    status: 404,
    ja: "カードが見つかりません",
    en: "Card not found",
    operator:
      "No card with that serial (center), or no active link of that serial to a resident (ASP)",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  CSR_INVALID: {
    status: 400,
    ja: "証明書発行要求が正しくありません",
    en:
      "The certificate request is malformed, not P-256, or its signature does not verify",
    operator: "A card CSR that is malformed, not P-256, or not self-signed",
    kiosk: "specific",
    parties: ["center"],
  },
  STATUS_UNCHANGED: {
    status: 409,
    ja: "カードはすでにその状態です",
    en: "The card already has that status",
    operator: "The card already has that status",
    kiosk: "specific",
    parties: ["center"],
  },
  IDENTITY_NOT_VERIFIED: {
    status: 403,
    ja: "利用再開には窓口での本人確認の記録が必要です",
    en:
      "Resuming a card needs the record of an identity verification at the municipal window",
    operator: "Resume asked without a record of the holder's identity check",
    kiosk: "specific",
    parties: ["center"],
  },
  PIN_RESET_NOT_VERIFIED: {
    status: 403,
    ja: "暗証番号の再設定には窓口での本人確認の記録が必要です",
    en:
      "A PIN reset needs the record of an identity verification at the municipal window",
    operator:
      "PIN reset asked without a complete record of the holder's identity check",
    kiosk: "specific",
    parties: ["center"],
  },
  PIN_RESET_UNAVAILABLE: {
    status: 409,
    ja:
      "このカードは窓口で暗証番号を再設定できません（顔認証マイナンバーカード、または再設定に対応しないカード）。カードの再交付をご案内ください。",
    en:
      "This card's PIN cannot be reset (a face-authentication-only card, or a card issued without a reset slot)",
    operator:
      "PIN reset refused: the card is pinless or has no unblock seed (issued before PIN resets existed)",
    kiosk: "specific",
    parties: ["center"],
  },
  PIN_RESET_OUT_OF_STEP: {
    status: 409,
    ja:
      "カードの再設定状態がセンターの記録と一致しません。市区町村の窓口で確認してください。",
    en: "The card's PIN-reset generation does not match the center's record",
    operator:
      "PIN reset refused: the generation the card reports is neither the center's current one nor the one before it (a stale or copied card file)",
    kiosk: "specific",
    parties: ["center"],
  },
  REISSUE_HOLDER_MISMATCH: {
    status: 409,
    ja: "再交付の対象のカードがこの方のカードとして登録されていません",
    en:
      "A card named as replaced by the re-issue is not bound to the same holder",
    operator:
      "Re-issue refused: a replaced serial's holder binding differs from the new card's (another person's card, or a binding out of date)",
    kiosk: "specific",
    parties: ["center"],
  },
  WRONG_MUNICIPALITY: {
    status: 403,
    ja: "他の市区町村のカードは操作できません",
    en: "The card belongs to another municipality",
    operator: "A municipality acted on another municipality's card",
    kiosk: "specific",
    parties: ["center"],
  },

  // ── Issuance: the center's own rules ──────────────────────────────────
  OUTSIDE_HOURS: {
    status: 409,
    ja:
      "ただいまの時間はご利用いただけません。ご利用時間は午前6時30分から午後11時までです。",
    en: "Outside service hours (06:30–23:00 Japan time)",
    operator: "Outside service hours (06:30–23:00 JST)",
    kiosk: "specific",
    parties: ["center"],
  },
  YEAR_END_CLOSED: {
    status: 409,
    ja: "12月29日から1月3日まではご利用いただけません。",
    en: "The service is closed from 29 December to 3 January",
    operator: "Year-end closure (29 Dec – 3 Jan)",
    kiosk: "specific",
    parties: ["center"],
  },
  SESSION_NOT_AUTHENTICATED: {
    status: 409,
    ja: "カードの認証が完了していません。最初からやり直してください。",
    en: "The session has no authenticated card (or it expired)",
    operator:
      "Certificate asked on a session without a recent authenticated card",
    kiosk: "specific",
    parties: ["center"],
  },
  SESSION_ALREADY_USED: {
    status: 409,
    ja: "この操作はすでに受け付けています。最初からやり直してください。",
    en: "A certificate was already requested in this session",
    operator: "A second certificate asked on one session",
    kiosk: "specific",
    parties: ["center"],
  },
  TENANT_HALTED: {
    status: 503,
    ja:
      "お住まいの市区町村の証明書は、現在発行を停止しています。市区町村の窓口をご利用ください。",
    en: "Issuance for this municipality is halted by the center",
    operator:
      "The municipality is halted after an incident; resume it when cleared",
    kiosk: "specific",
    parties: ["center"],
  },
  MUNICIPALITY_NOT_SERVED: {
    status: 409,
    ja:
      "お住まいの市区町村はこのサービスに参加していません。市区町村の窓口をご利用ください。",
    en: "No issuing system serves this municipality",
    operator:
      "No ASP node in the directory hosts the card's municipality (or the node does not know the tenant)",
    kiosk: "specific",
    parties: ["center"],
  },
  CARD_NOT_LINKED: {
    status: 403,
    ja:
      "このカードでは証明書を発行できません。お住まいの市区町村の窓口にお問い合わせください。",
    en: "The card is not linked to a resident of the municipality",
    operator: "The ASP has no active link of the card's serial to a resident",
    kiosk: "specific",
    parties: ["center"],
  },
  CARD_NOT_BOUND: {
    status: 403,
    ja:
      "このカードでは証明書を発行できません。お住まいの市区町村の窓口にお問い合わせください。",
    en: "The card has no holder binding at the center",
    operator:
      "The center holds no binding of the card to its holder (card_bindings): the municipality must set it at its window",
    kiosk: "specific",
    parties: ["center"],
  },
  CONTINUATION_HOLDER_MISMATCH: {
    status: 403,
    ja: "継続利用を申請した住民は、このカードの本人ではありません",
    en:
      "The resident named for the continued use (継続利用) is not the card's holder",
    operator:
      "A municipality asked to carry a card on for a resident whose name, birth date and sex do not match the card's holder binding: it has no resident holding that card",
    kiosk: "specific",
    parties: ["center"],
  },
  BINDING_CONFLICT: {
    status: 409,
    ja: "カードの本人情報の更新が現在の記録と一致しません",
    en: "The binding update does not start from the card's current binding",
    operator:
      "A municipality updated a card's holder binding from a digest that is not the current one (a re-linked card, or a lost update)",
    kiosk: "specific",
    parties: ["center"],
  },

  // ── Issuance: the ASP's rules over the replica, forwarded to the kiosk ─
  UNDER_15: {
    status: 409,
    ja: "15歳未満の方はご利用いただけません。市区町村の窓口をご利用ください。",
    en: "Applicants under 15 cannot use the service",
    operator: "The applicant is under 15",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  RESIDENT_REMOVED: {
    status: 409,
    ja:
      "転出等により、この市区町村の証明書は発行できません。窓口にお問い合わせください。",
    en: "The applicant's record has been removed (moved out)",
    operator: "A person on the certificate has a removed record (除票)",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  MOVE_OUT_FILED: {
    status: 409,
    ja:
      "転出の届出があるため、証明書を発行できません。市区町村の窓口をご利用ください。",
    en: "A move-out has been filed (person or household)",
    operator:
      "A move-out (転出予定) is filed for the person, the householder, or (strict household move-out policy) any member of the household on a household certificate",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  DECEASED: {
    status: 409,
    ja: "証明書を発行できません。市区町村の窓口にお問い合わせください。",
    en: "A person on the certificate is deceased",
    operator: "A person on the certificate is deceased",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  SUPPORT_MEASURE: {
    status: 409,
    ja: NEUTRAL_JA,
    en: NEUTRAL_EN,
    operator:
      "A DV/stalking support measure (支援措置) on a person on the certificate; the kiosk was told only NOT_ISSUABLE_AT_KIOSK",
    kiosk: "neutral",
    parties: ["asp", "center"],
  },
  OPT_OUT: {
    status: 409,
    ja: NEUTRAL_JA,
    en: NEUTRAL_EN,
    operator:
      "The resident asked the municipality to stop kiosk issuance; the kiosk was told only NOT_ISSUABLE_AT_KIOSK",
    kiosk: "neutral",
    parties: ["asp", "center"],
  },
  BLOCKED: {
    status: 409,
    ja: NEUTRAL_JA,
    en: NEUTRAL_EN,
    operator:
      "A municipal issuance block (抑止), or a block of an unknown kind (fail closed); the kiosk was told only NOT_ISSUABLE_AT_KIOSK",
    kiosk: "neutral",
    parties: ["asp", "center"],
  },
  REPLICA_STALE: {
    status: 503,
    ja:
      "ただいま証明書を発行できません。しばらくしてからもう一度お試しください。",
    en: "The issuing system's copy of the registry is not up to date",
    operator:
      "The ASP's replica is behind the registry's head or has not seen it lately",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  REPLICA_MISMATCH: {
    status: 503,
    ja:
      "ただいま証明書を発行できません。市区町村の窓口にお問い合わせください。",
    en:
      "The issuing system's copy of the registry differs from the registry: the municipality is halted",
    operator:
      "Live reconciliation found the ASP's replica differing from the registry (fields and person ids in the ASP's halt and the center's incident); the ASP refuses every issuance of the municipality until an operator lifts its halt",
    kiosk: "specific",
    parties: ["asp"],
  },
  CHANGED_TODAY: {
    status: 409,
    ja:
      "本日処理された住民票の異動は、まだ証明書に反映されていません。明日以降にご利用ください。",
    en: "A change to the record was processed today: issuance from tomorrow",
    operator:
      "A person on the certificate has a change processed today (処理日) of an event type the municipality's same-day policy names (default: every type)",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  FIELD_TOO_LONG: {
    status: 409,
    ja:
      "記載事項が多いため、コンビニでは発行できません。市区町村の窓口をご利用ください。",
    en: "A field does not fit the form (never truncated)",
    operator: "A field does not fit the form; refused rather than truncated",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  GAIJI_NOT_REGISTERED: {
    status: 409,
    ja:
      "氏名等に登録中の文字があるため、コンビニでは交付できません。市区町村の窓口をご利用ください。",
    en:
      "A name or address holds a character still being registered; please apply at your municipal office",
    operator:
      "A printed field holds a private-use character (外字) the municipality has registered no outline for (PUT /municipalities/{code}/gaiji/{codePoint} at the registry); refused rather than printed as a box",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  SEAL_NOT_REGISTERED: {
    status: 409,
    ja: "印鑑登録がないため、印鑑登録証明書を発行できません。",
    en: "No active seal registration",
    operator: "No active seal registration for the applicant",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  MY_NUMBER_NOT_ALLOWED: {
    status: 409,
    ja:
      "個人番号の記載はコンビニではできません。市区町村の窓口をご利用ください。",
    en: "This municipality does not print My Number at kiosks",
    operator: "My Number asked where the municipality's policy forbids it",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  MY_NUMBER_UNAVAILABLE: {
    status: 409,
    ja:
      "個人番号を記載した証明書は発行できません。市区町村の窓口をご利用ください。",
    en: "My Number is not available for a person on the certificate",
    operator: "My Number asked but the replica holds none for a person",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  MEMBER_NOT_IN_HOUSEHOLD: {
    status: 409,
    ja: "選択された方は同じ世帯の方ではありません。",
    en: "A chosen person is not a member of the applicant's household",
    operator: "A requested member is not in the applicant's household",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  INKAN_SELF_ONLY: {
    status: 400,
    ja: "印鑑登録証明書はご本人の分のみ発行できます。",
    en: "A seal certificate is for the applicant only",
    operator: "A seal certificate asked for someone other than the applicant",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  KISAI_SELF_ONLY: {
    status: 400,
    ja: "住民票記載事項証明書はご本人の分のみ発行できます。",
    en: "A certificate of resident record items is for the applicant only",
    operator:
      "A 住民票記載事項証明書 asked for someone other than the applicant",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  KISAI_NO_ITEMS: {
    status: 409,
    ja:
      "この方の住民票記載事項証明書はコンビニでは発行できません。市区町村の窓口をご利用ください。",
    en:
      "None of the municipality's items of this certificate applies to the applicant",
    operator:
      "The municipality's 記載事項 items (form profile kisaiItems) leave nothing to print for this person (e.g. 本籍 alone for a foreign resident)",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  RESIDENT_NOT_FOUND: {
    status: 404,
    ja: "証明書を発行できません。市区町村の窓口にお問い合わせください。",
    en: "The card's resident is not in the issuing system",
    operator:
      "The resident is not in the ASP's replica of this tenant (card link to a missing resident, or another tenant's resident)",
    kiosk: "specific",
    parties: ["asp", "center"],
  },
  CARD_MISMATCH: {
    status: 409,
    ja:
      "このカードでは証明書を発行できません。市区町村の窓口にお問い合わせください。",
    en: "The card is not linked to the applicant",
    operator:
      "The card's active link names another resident than the applicant",
    kiosk: "specific",
    parties: ["asp", "center"],
  },

  // ── The ASP's own (to the center and to its operators) ────────────────
  TENANT_NOT_FOUND: {
    status: 404,
    ja: "市区町村が登録されていません",
    en: "Tenant (municipality) not found",
    operator: "The ASP node hosts no tenant with that code",
    kiosk: "specific",
    parties: ["asp"],
  },
  WORK_NOT_FOUND: {
    status: 404,
    ja: "交付作業データが見つかりません",
    en: "No issuance work data for that request",
    operator: "No issuance work data for that request id in this tenant",
    kiosk: "specific",
    parties: ["asp"],
  },
  REQUEST_ID_REUSED: {
    status: 409,
    ja: "要求番号が重複しています",
    en: "The request id was already used",
    operator: "The center sent a request id the ASP has already built",
    kiosk: "specific",
    parties: ["asp"],
  },
  SNAPSHOT_NOT_NEWER: {
    status: 409,
    ja: "初期データが現在より新しくありません",
    en: "The snapshot is not newer than the replica",
    operator: "An initial-load snapshot not newer than the replica",
    kiosk: "specific",
    parties: ["asp"],
  },
  SNAPSHOT_INVALID: {
    status: 400,
    ja: "初期データが不正です",
    en: "The snapshot is invalid",
    operator: "An initial-load snapshot that fails its checks",
    kiosk: "specific",
    parties: ["asp"],
  },
  SYNC_NOT_STOPPED: {
    status: 409,
    ja: "同期は停止していません",
    en: "Sync is not stopped",
    operator: "A resume of a tenant's sync that is not stopped",
    kiosk: "specific",
    parties: ["asp"],
  },
  RECONCILIATION_UNAVAILABLE: {
    status: 503,
    ja: "台帳との照合を実行できません（台帳に接続できません）",
    en:
      "This node cannot run a reconciliation now (no registry link, or the registry did not answer)",
    operator:
      "A reconciliation could not reach the registry, or got an answer it cannot use, or the node has no registry feed link; nothing was compared and nothing halted",
    kiosk: "specific",
    parties: ["asp"],
  },
  TENANT_NOT_HALTED: {
    status: 409,
    ja: "この市区町村の交付は停止されていません",
    en: "The tenant is not halted",
    operator:
      "A lift of a tenant's reconciliation halt when the tenant is not halted",
    kiosk: "specific",
    parties: ["asp"],
  },
  CENTER_SIGNATURE_MISSING: {
    status: 401,
    ja: "センターの署名がありません",
    en: "The request carries no center signature (X-Center-Signature)",
    operator:
      "A request to the ASP without the center's signature or its X-Request-Id",
    kiosk: "specific",
    parties: ["asp"],
  },
  CENTER_SIGNATURE_INVALID: {
    status: 401,
    ja: "センターの署名を検証できません",
    en:
      "The center signature is malformed, by an unknown key, or does not verify",
    operator:
      "A request whose X-Center-Signature is malformed, made with a key not in the ASP's provisioned list, or not over this request (altered body, path or request id)",
    kiosk: "specific",
    parties: ["asp"],
  },
  CENTER_SIGNATURE_EXPIRED: {
    status: 401,
    ja: "センターの署名の有効期間外です",
    en:
      "The center signature's time is outside the window, or its key was not valid then",
    operator:
      "A request signed too long ago (or ahead), or with a key outside its validity",
    kiosk: "specific",
    parties: ["asp"],
  },
  CENTER_SIGNATURE_REPLAYED: {
    status: 403,
    ja: "同じ署名の要求がすでに処理されています",
    en: "A request with this signature was already received (replay)",
    operator: "The same signed request received twice (a replay)",
    kiosk: "specific",
    parties: ["asp"],
  },

  // ── Issuance: failures at the center (nothing was released) ───────────
  ASP_UNAVAILABLE: {
    status: 502,
    ja:
      "ただいま証明書を発行できません。料金はかかっていません。しばらくしてからもう一度お試しください。",
    en: "The issuing system could not be reached or failed",
    operator:
      "The ASP node could not be reached, failed, or answered a code the center does not forward (logged with the code)",
    kiosk: "specific",
    parties: ["center"],
  },
  ISSUANCE_TIMEOUT: {
    status: 504,
    ja:
      "時間内に処理できませんでした。料金はかかっていません。もう一度お試しください。",
    en: "The request timed out and was aborted as a whole; nothing was issued",
    operator: "The request's deadline passed; aborted as a whole",
    kiosk: "specific",
    parties: ["center"],
  },
  ISSUANCE_WITHHELD: {
    status: 500,
    ja:
      "証明書を発行できませんでした。料金はかかっていません。市区町村の窓口をご利用ください。",
    en:
      "The document failed the center's check before release and was withheld (incident recorded)",
    operator:
      "The document failed the center's check before release: incident recorded, tenant halted",
    kiosk: "specific",
    parties: ["center"],
  },

  ASP_NOT_CONFORMING: {
    status: 503,
    ja:
      "ただいま証明書を発行できません。料金はかかっていません。市区町村の窓口をご利用ください。",
    en:
      "The issuing system does not run the build or configuration the center expects; nothing was issued",
    operator:
      "The ASP node's signed answer stated a build digest or tenant configuration digest other than the expected one (or none is set where the center refuses unset ones): refused, incident recorded (a mismatch halts the tenant)",
    kiosk: "specific",
    parties: ["center"],
  },
  // ── Copies (部数) and the municipalities' fee schedules (center) ──────
  COPIES_OUT_OF_RANGE: {
    status: 400,
    ja:
      "部数は1部から10部までの範囲で指定してください。料金はかかっていません。",
    en: "The number of copies must be from 1 to 10; nothing was issued",
    operator:
      "A kiosk asked for a number of copies outside 1..10 (refused before the request was recorded)",
    kiosk: "specific",
    parties: ["center"],
  },
  TOO_MANY_CERTIFICATES: {
    status: 400,
    ja:
      "一度に交付できる証明書の数（300通）を超えます。部数を減らしてください。料金はかかっていません。",
    en:
      "More certificates than one request can issue (300): ask for fewer copies; nothing was issued",
    operator:
      "The copies asked for times the certificates of one copy (個票式: one per person) exceed MAX_CERTIFICATES (refused after the build, before numbering: nothing released)",
    kiosk: "specific",
    parties: ["center"],
  },
  FEE_SCHEDULE_INVALID: {
    status: 400,
    ja:
      "手数料表の内容に誤りがあります（終了日が開始日より前、または同じ証明書・同じ開始日の項目が重複しています）",
    en:
      "The fee schedule is inconsistent: an entry ends before it starts, or two entries of one certificate type start on the same day",
    operator:
      "A municipality sent a fee schedule with an entry ending before its start or two entries of one type starting the same day; nothing was changed",
    kiosk: "specific",
    parties: ["center"],
  },
  FEE_SCHEDULE_NOT_YOURS: {
    status: 403,
    ja: "他の市区町村の手数料表は変更できません",
    en: "A municipality may set only its own fee schedule",
    operator:
      "A client asked to set or read a fee schedule of a municipality it does not act for",
    kiosk: "specific",
    parties: ["center"],
  },

  // ── After release (kiosks and operators) ──────────────────────────────
  REQUEST_NOT_FOUND: {
    status: 404,
    ja: "受付が見つかりません",
    en: "No released request with that id for this kiosk",
    operator: "A print report for no released request of this kiosk",
    kiosk: "specific",
    parties: ["center"],
  },
  OUTCOME_ALREADY_REPORTED: {
    status: 409,
    ja: "印刷結果はすでに報告されています",
    en: "The print outcome was already reported",
    operator: "A second print report for one request",
    kiosk: "specific",
    parties: ["center"],
  },
  JAMMED_PAGE_OUT_OF_RANGE: {
    status: 400,
    ja: "詰まったページの番号が印刷したページの範囲外です",
    en: "The jammed page is not one of the document's pages",
    operator: "A print report named a jammed page outside 1..pages",
    kiosk: "specific",
    parties: ["center"],
  },
  FAILED_PAGE_OUT_OF_RANGE: {
    status: 400,
    ja: "印刷できなかったページの番号が証明書のページの範囲外です",
    en: "The page the kiosk could not print is not one of the document's pages",
    operator:
      "A print report named a failed page outside 1..pages (in print order over all copies)",
    kiosk: "specific",
    parties: ["center"],
  },
  ISSUE_NOT_FOUND: {
    status: 404,
    ja: "発行番号が見つかりません",
    en: "No such issue number",
    operator: "No ledger entry with that issue number",
    kiosk: "specific",
    parties: ["center"],
  },
  ALREADY_REVOKED: {
    status: 409,
    ja: "この証明書はすでに失効しています",
    en: "The certificate is already revoked",
    operator: "The certificate is already revoked in the ledger",
    kiosk: "specific",
    parties: ["center"],
  },
  INCIDENT_NOT_FOUND: {
    status: 404,
    ja: "インシデントが見つかりません",
    en: "No incident with that id",
    operator: "An acknowledgement of an incident that does not exist",
    kiosk: "specific",
    parties: ["center"],
  },
  INCIDENT_ALREADY_ACKNOWLEDGED: {
    status: 409,
    ja: "このインシデントはすでに確認済みです",
    en: "The incident was already acknowledged",
    operator: "A second acknowledgement of one incident",
    kiosk: "specific",
    parties: ["center"],
  },
  NOT_HALTED: {
    status: 409,
    ja: "この市区町村は停止されていません",
    en: "The municipality is not halted",
    operator: "A resume of a municipality that is not halted",
    kiosk: "specific",
    parties: ["center"],
  },
} as const satisfies Record<string, IssuanceEntry>;

/** A code of the issuance chain. */
export type IssuanceCode = keyof typeof ISSUANCE_REFUSALS;

/** The codes a party answers. */
export type CodeOf<P extends Party> = {
  [K in IssuanceCode]: P extends
    (typeof ISSUANCE_REFUSALS)[K]["parties"][number] ? K
    : never;
}[IssuanceCode];

/** A code the ASP answers. */
export type AspCode = CodeOf<"asp">;

/** A code the center answers. */
export type CenterCode = CodeOf<"center">;

/** The one code a kiosk is told for every protected reason. */
export const NEUTRAL_CODE = "NOT_ISSUABLE_AT_KIOSK" satisfies CenterCode;

/** Every code, in catalogue order. */
export const ISSUANCE_CODES = Object.keys(ISSUANCE_REFUSALS) as IssuanceCode[];

/**
 * Whether a string is a code of the catalogue.
 *
 * @example
 * ```ts
 * isIssuanceCode("DECEASED"); // true
 * ```
 */
export function isIssuanceCode(code: string): code is IssuanceCode {
  return Object.hasOwn(ISSUANCE_REFUSALS, code);
}

/**
 * Whether a code is one `party` answers.
 *
 * @example
 * ```ts
 * answeredBy("center", "UNDER_15"); // true: forwarded from the ASP
 * answeredBy("center", "SNAPSHOT_INVALID"); // false: the ASP's own
 * ```
 */
export function answeredBy<P extends Party>(
  party: P,
  code: string,
): code is CodeOf<P> {
  return isIssuanceCode(code) &&
    (ISSUANCE_REFUSALS[code].parties as readonly Party[]).includes(party);
}

/**
 * The code the kiosk is told for `code`: itself, or {@linkcode NEUTRAL_CODE}
 * for a protected reason.
 *
 * @example
 * ```ts
 * kioskCode("SUPPORT_MEASURE"); // "NOT_ISSUABLE_AT_KIOSK"
 * kioskCode("UNDER_15"); // "UNDER_15"
 * ```
 */
export function kioskCode(code: CenterCode): CenterCode {
  return ISSUANCE_REFUSALS[code].kiosk === "neutral" ? NEUTRAL_CODE : code;
}
