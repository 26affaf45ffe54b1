/**
 * The reasons of every verification outcome of a back side, in Japanese and
 * English, each with a stable machine code. Not refusals: a reason explains
 * a verdict that is itself the answer (given with a 200), so its entries are
 * the wording alone — the same entry shape as every other catalogue
 * (entry.ts) without a status. Users of comparable systems complain most
 * about a bare "verification failed": every reason here says what was found
 * and, where it helps, what to do next.
 *
 * @module
 */
import type { Wording } from "./entry.ts";

/** Details some reasons mention. */
export interface ReasonDetail {
  have?: number;
  need?: number;
  keyId?: string;
  notAfter?: string;
  notBefore?: string;
  detail?: string;
}

const key = (d: ReasonDetail) => d.keyId ?? "";

/** Code → wording. */
export const VERIFICATION_REASONS = {
  GENUINE: {
    ja: "署名を確認しました。裏面の内容は発行時から変更されていません。" +
      "表示された表面と、お手元の用紙の表面が一致することを確認してください。",
    en: "Signature verified: the back side holds the content as issued. " +
      "Check that the front shown here matches the front of the paper.",
  },
  SIGNATURE_VALID: {
    ja: "署名と発行番号を確認しました（内容は復号していません）。",
    en: "Signature and issue number verified (content not decrypted).",
  },
  SIGNATURE_INVALID: {
    ja: "署名が一致しません。裏面のコードが改ざんされています。",
    en: "The signature does not match: the codes on the back were altered.",
  },
  SYMBOLS_MIXED: {
    ja: "2枚以上の証明書のコードが混在しています。" +
      "別の証明書の裏面を貼り合わせた可能性があります。",
    en: "The back carries codes of more than one certificate mixed " +
      "together, as if parts of another certificate were pasted on.",
  },
  SYMBOLS_INCONSISTENT: {
    ja: "裏面のコードどうしの内容が一致しません。コードが改ざんされています。",
    en: "The codes on the back disagree with each other: a code was altered.",
  },
  ENVELOPE_MALFORMED: {
    ja: "裏面のデータの形式が正しくありません。改ざんされた可能性があります。",
    en: "The data on the back is malformed; it may have been altered.",
  },
  CONTENT_MISMATCH: {
    ja: "署名された発行情報と、暗号化された内容が一致しません。" +
      "別の証明書の内容に差し替えられています。",
    en: "The encrypted content does not match the signed issue data: " +
      "it was swapped for another certificate's content.",
  },
  ISSUE_NUMBER_MISMATCH: {
    ja: "署名された発行番号が、指定された発行番号と一致しません。",
    en: "The signed issue number differs from the one given.",
  },
  KEY_UNKNOWN: {
    ja: (d) =>
      `署名鍵（${key(d)}）が公開鍵一覧にありません。` +
      "公開鍵一覧を更新して再度お試しください。",
    en: (d) =>
      `The signing key (${key(d)}) is not in the public key list. ` +
      "Update the key list and try again.",
  },
  KEY_EXPIRED: {
    ja: (d) =>
      `署名鍵（${key(d)}）の有効期限（${d.notAfter ?? ""}）が` +
      "発行日時より前に切れています。",
    en: (d) =>
      `The signing key (${key(d)}) had expired (${
        d.notAfter ?? ""
      }) before the issue time.`,
  },
  KEY_NOT_YET_VALID: {
    ja: (d) =>
      `署名鍵（${key(d)}）は発行日時にはまだ有効ではありません（${
        d.notBefore ?? ""
      }から有効）。`,
    en: (d) =>
      `The signing key (${key(d)}) was not yet valid at the issue time ` +
      `(valid from ${d.notBefore ?? ""}).`,
  },
  DECRYPTION_KEY_UNKNOWN: {
    ja: (d) =>
      `署名は正しいですが、内容の復号鍵（${key(d)}）を保有していません。`,
    en: (d) =>
      `The signature is valid, but the content key (${key(d)}) is not held ` +
      "here, so the content cannot be shown.",
  },
  NOT_AN_IMAGE: {
    ja:
      "画像またはPDFとして読み込めません。PNG、JPEG、TIFF、PDFでアップロードしてください。",
    en:
      "The file is not a readable image or PDF. Upload PNG, JPEG, TIFF or PDF.",
  },
  NO_CERTIFICATE_SYMBOLS: {
    ja:
      "証明書の裏面のコードが見つかりません。コンビニ交付の証明書の裏面ではありません。",
    en: "No certificate codes found: this is not the back of a " +
      "convenience-store certificate.",
  },
  FRONT_SIDE_ONLY: {
    ja:
      "これは証明書の表面です。照合には裏面（2次元コードが並んだ面）が必要です。" +
      "用紙を裏返して裏面を読み取り、アップロードしてください。",
    en: "This is the front of a certificate. Verification needs the back " +
      "side (the side covered in 2D codes): turn the sheet over, scan the " +
      "back and upload it.",
  },
  FOREIGN_SYMBOLS: {
    ja: "2次元コードはありますが、証明書のコードではありません。",
    en: "2D codes were found, but they are not a certificate's codes.",
  },
  BLANK_IMAGE: {
    ja: "画像が白紙（または真っ黒）です。証明書の裏面を読み取ってください。",
    en: "The image is blank. Scan the back side of the certificate.",
  },
  TOO_BLURRY: {
    ja: "画像がぼやけていてコードを読み取れません。" +
      "300dpi程度で、ピントを合わせて再度読み取ってください。",
    en: "The image is too blurry to read the codes. Rescan at about " +
      "300 dpi, in focus.",
  },
  SYMBOLS_UNREADABLE: {
    ja:
      "コードは見つかりましたが読み取れません。汚れ・かすれ・ピントを確認し、再度読み取ってください。",
    en: "Codes were found but could not be read. Check for stains, " +
      "fading or focus and rescan.",
  },
  TOO_FEW_SYMBOLS: {
    ja: (d) =>
      `必要な${d.need ?? "?"}個のコードのうち${
        d.have ?? 0
      }個しか読み取れませんでした。汚れや折れを避けて再度読み取ってください。`,
    en: (d) =>
      `Only ${d.have ?? 0} of the ${
        d.need ?? "?"
      } codes needed could be read. Rescan avoiding stains and folds.`,
  },
} as const satisfies Record<string, Wording<ReasonDetail>>;

/** A verification reason's code. */
export type ReasonCode = keyof typeof VERIFICATION_REASONS;
