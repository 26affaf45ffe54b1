/**
 * Plain reasons for every verification outcome, in Japanese and English,
 * each with a stable machine code. Users of comparable systems complain most
 * about a bare "verification failed": every verdict here says what was found
 * and, where it helps, what to do next.
 *
 * @module
 */

/** A reason shown to the person verifying, with a stable code. */
export interface Reason {
  code: ReasonCode;
  ja: string;
  en: string;
}

/** Stable reason codes. */
export type ReasonCode =
  | "GENUINE"
  | "SIGNATURE_VALID"
  | "SIGNATURE_INVALID"
  | "SYMBOLS_MIXED"
  | "SYMBOLS_INCONSISTENT"
  | "ENVELOPE_MALFORMED"
  | "CONTENT_MISMATCH"
  | "ISSUE_NUMBER_MISMATCH"
  | "KEY_UNKNOWN"
  | "KEY_EXPIRED"
  | "KEY_NOT_YET_VALID"
  | "DECRYPTION_KEY_UNKNOWN"
  | "NOT_AN_IMAGE"
  | "NO_CERTIFICATE_SYMBOLS"
  | "FOREIGN_SYMBOLS"
  | "BLANK_IMAGE"
  | "TOO_BLURRY"
  | "SYMBOLS_UNREADABLE"
  | "TOO_FEW_SYMBOLS";

/**
 * Builds the reason for a code; some codes take details (counts, key ids).
 *
 * @example
 * ```ts
 * const r = reason("TOO_FEW_SYMBOLS", { have: 1, need: 2 });
 * console.log(r.en); // "Only 1 of the 2 codes needed could be read. ..."
 * ```
 */
export function reason(
  code: ReasonCode,
  d: {
    have?: number;
    need?: number;
    keyId?: string;
    notAfter?: string;
    notBefore?: string;
    detail?: string;
  } = {},
): Reason {
  const key = d.keyId ?? "";
  switch (code) {
    case "GENUINE":
      return {
        code,
        ja: "署名を確認しました。裏面の内容は発行時から変更されていません。" +
          "表示された表面と、お手元の用紙の表面が一致することを確認してください。",
        en: "Signature verified: the back side holds the content as issued. " +
          "Check that the front shown here matches the front of the paper.",
      };
    case "SIGNATURE_VALID":
      return {
        code,
        ja: "署名と発行番号を確認しました（内容は復号していません）。",
        en: "Signature and issue number verified (content not decrypted).",
      };
    case "SIGNATURE_INVALID":
      return {
        code,
        ja: "署名が一致しません。裏面のコードが改ざんされています。",
        en: "The signature does not match: the codes on the back were altered.",
      };
    case "SYMBOLS_MIXED":
      return {
        code,
        ja: "2枚以上の証明書のコードが混在しています。" +
          "別の証明書の裏面を貼り合わせた可能性があります。",
        en: "The back carries codes of more than one certificate mixed " +
          "together, as if parts of another certificate were pasted on.",
      };
    case "SYMBOLS_INCONSISTENT":
      return {
        code,
        ja:
          "裏面のコードどうしの内容が一致しません。コードが改ざんされています。",
        en:
          "The codes on the back disagree with each other: a code was altered.",
      };
    case "ENVELOPE_MALFORMED":
      return {
        code,
        ja:
          "裏面のデータの形式が正しくありません。改ざんされた可能性があります。",
        en: "The data on the back is malformed; it may have been altered.",
      };
    case "CONTENT_MISMATCH":
      return {
        code,
        ja: "署名された発行情報と、暗号化された内容が一致しません。" +
          "別の証明書の内容に差し替えられています。",
        en: "The encrypted content does not match the signed issue data: " +
          "it was swapped for another certificate's content.",
      };
    case "ISSUE_NUMBER_MISMATCH":
      return {
        code,
        ja: "署名された発行番号が、指定された発行番号と一致しません。",
        en: "The signed issue number differs from the one given.",
      };
    case "KEY_UNKNOWN":
      return {
        code,
        ja: `署名鍵（${key}）が公開鍵一覧にありません。` +
          "公開鍵一覧を更新して再度お試しください。",
        en: `The signing key (${key}) is not in the public key list. ` +
          "Update the key list and try again.",
      };
    case "KEY_EXPIRED":
      return {
        code,
        ja: `署名鍵（${key}）の有効期限（${d.notAfter ?? ""}）が` +
          "発行日時より前に切れています。",
        en: `The signing key (${key}) had expired (${
          d.notAfter ?? ""
        }) before the issue time.`,
      };
    case "KEY_NOT_YET_VALID":
      return {
        code,
        ja: `署名鍵（${key}）は発行日時にはまだ有効ではありません（${
          d.notBefore ?? ""
        }から有効）。`,
        en: `The signing key (${key}) was not yet valid at the issue time ` +
          `(valid from ${d.notBefore ?? ""}).`,
      };
    case "DECRYPTION_KEY_UNKNOWN":
      return {
        code,
        ja: `署名は正しいですが、内容の復号鍵（${key}）を保有していません。`,
        en:
          `The signature is valid, but the content key (${key}) is not held ` +
          "here, so the content cannot be shown.",
      };
    case "NOT_AN_IMAGE":
      return {
        code,
        ja:
          "画像またはPDFとして読み込めません。PNG、JPEG、TIFF、PDFでアップロードしてください。",
        en:
          "The file is not a readable image or PDF. Upload PNG, JPEG, TIFF or PDF.",
      };
    case "NO_CERTIFICATE_SYMBOLS":
      return {
        code,
        ja:
          "証明書の裏面のコードが見つかりません。コンビニ交付の証明書の裏面ではありません。",
        en: "No certificate codes found: this is not the back of a " +
          "convenience-store certificate.",
      };
    case "FOREIGN_SYMBOLS":
      return {
        code,
        ja: "2次元コードはありますが、証明書のコードではありません。",
        en: "2D codes were found, but they are not a certificate's codes.",
      };
    case "BLANK_IMAGE":
      return {
        code,
        ja:
          "画像が白紙（または真っ黒）です。証明書の裏面を読み取ってください。",
        en: "The image is blank. Scan the back side of the certificate.",
      };
    case "TOO_BLURRY":
      return {
        code,
        ja: "画像がぼやけていてコードを読み取れません。" +
          "300dpi程度で、ピントを合わせて再度読み取ってください。",
        en: "The image is too blurry to read the codes. Rescan at about " +
          "300 dpi, in focus.",
      };
    case "SYMBOLS_UNREADABLE":
      return {
        code,
        ja:
          "コードは見つかりましたが読み取れません。汚れ・かすれ・ピントを確認し、再度読み取ってください。",
        en: "Codes were found but could not be read. Check for stains, " +
          "fading or focus and rescan.",
      };
    case "TOO_FEW_SYMBOLS":
      return {
        code,
        ja: `必要な${d.need ?? "?"}個のコードのうち${
          d.have ?? 0
        }個しか読み取れませんでした。汚れや折れを避けて再度読み取ってください。`,
        en: `Only ${d.have ?? 0} of the ${
          d.need ?? "?"
        } codes needed could be read. Rescan avoiding stains and folds.`,
      };
  }
}
