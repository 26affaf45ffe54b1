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
};

/**
 * A refusal of the center.
 *
 * @example
 * ```ts
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
