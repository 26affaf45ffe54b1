/**
 * The portal's two languages. Japanese is the default; `?lang=en` (or the
 * `portal_lang` cookie it sets) switches to English. Every text of the
 * pages is here, as `{ ja, en }` pairs.
 *
 * @module
 */
import {
  CERTIFICATE_CATALOGUE,
  CERTIFICATE_TYPES,
  type CertificateType,
} from "../../lib/certificate/types/mod.ts";
import type { Bilingual } from "./verdicts.ts";

/** A page language. */
export type Lang = "ja" | "en";

/** Name of the language cookie. */
export const LANG_COOKIE = "portal_lang";

/**
 * Picks a language: `?lang=` first, then the cookie, else Japanese.
 *
 * @example
 * ```ts
 * langOf(new URL("http://x/?lang=en"), undefined); // "en"
 * langOf(new URL("http://x/"), "portal_lang=en"); // "en"
 * ```
 */
export function langOf(
  url: URL,
  cookieHeader: string | undefined | null,
): Lang {
  const q = url.searchParams.get("lang");
  if (q === "en" || q === "ja") return q;
  const m = /(?:^|;\s*)portal_lang=(ja|en)(?:;|$)/.exec(cookieHeader ?? "");
  return (m?.[1] as Lang | undefined) ?? "ja";
}

/**
 * The text of a pair in a language.
 *
 * @example
 * ```ts
 * t("en", T.siteName); // "Certificate Verification"
 * ```
 */
export function t(lang: Lang, text: Bilingual): string {
  return text[lang];
}

/** Every text of the pages. */
export const T = {
  siteName: {
    ja: "コンビニ交付証明書 照合サービス",
    en: "Certificate Verification",
  },
  siteOwner: {
    ja: "証明書コンビニ交付",
    en: "Convenience-store certificate issuance",
  },
  skip: { ja: "本文へ移動", en: "Skip to main content" },
  otherLang: { ja: "English", en: "日本語" },
  otherLangCode: { ja: "en", en: "ja" },
  home: { ja: "ホーム", en: "Home" },
  uploadTitle: {
    ja: "証明書の裏面を照合する",
    en: "Verify the back of a certificate",
  },
  uploadLead: {
    ja:
      "コンビニエンスストアで交付された住民票の写し・印鑑登録証明書の裏面をスキャンしてアップロードすると、" +
      "裏面のコードに暗号化された発行時の表面を復元し、改ざんの有無と交付記録（取消・無効）を確認します。",
    en: "Upload a scan of the back of a resident record copy or seal " +
      "registration certificate issued at a convenience store. The codes on " +
      "the back hold the front as issued, encrypted and signed: the service " +
      "restores it, checks it was not altered, and checks the issuance " +
      "ledger for voiding or revocation.",
  },
  stepsTitle: { ja: "照合の手順", en: "How it works" },
  step1: {
    ja: "証明書の裏面を、A4・300dpi・グレースケールでスキャンします。",
    en: "Scan the back of the certificate: A4, 300 dpi, grayscale.",
  },
  step2: {
    ja: "スキャンしたファイルを下の欄からアップロードします。",
    en: "Upload the scanned file below.",
  },
  step3: {
    ja: "表示された表面の画像と、お手元の用紙の表面を見比べます。",
    en: "Compare the front shown with the front of the paper in hand.",
  },
  formTitle: { ja: "ファイルのアップロード", en: "Upload the scan" },
  fileLabel: { ja: "裏面のスキャン画像", en: "Scan of the back side" },
  required: { ja: "必須", en: "Required" },
  fileHint: {
    ja: "PNG・JPEG・TIFF・PDF、{mb}MBまで",
    en: "PNG, JPEG, TIFF or PDF, up to {mb} MB",
  },
  dropHere: {
    ja: "ここにファイルをドラッグ＆ドロップ",
    en: "Drag and drop the file here",
  },
  or: { ja: "または", en: "or" },
  choose: { ja: "ファイルを選択", en: "Choose a file" },
  chosen: { ja: "選択中のファイル", en: "Selected file" },
  submit: { ja: "照合する", en: "Verify" },
  uploading: { ja: "アップロード中", en: "Uploading" },
  verifying: {
    ja: "照合しています（数秒かかります）",
    en: "Verifying (this takes a few seconds)",
  },
  tooLarge: {
    ja: "ファイルが大きすぎます（{mb}MBまで）。",
    en: "The file is too large ({mb} MB at most).",
  },
  wrongType: {
    ja: "PNG・JPEG・TIFF・PDFのファイルを選んでください。",
    en: "Choose a PNG, JPEG, TIFF or PDF file.",
  },
  failed: {
    ja: "送信できませんでした。通信状態を確認して、もう一度お試しください。",
    en: "The upload failed. Check the connection and try again.",
  },
  notesTitle: { ja: "ご注意", en: "Please note" },
  notePrivacy: {
    ja:
      "アップロードされた画像は照合の後ただちに破棄し、保存しません。照合の記録として、日時・利用者の区分・発行番号・結果のみを保存します。",
    en:
      "Uploaded images are discarded as soon as the check is done and never " +
      "stored. Only the time, the kind of client, the issue number and the " +
      "result are recorded.",
  },
  noteSearch: {
    ja:
      "このサービスでは、氏名などから証明書を検索することはできません。内容を確認できるのは、用紙をお持ちの方だけです。",
    en: "No certificate can be looked up by name or any other detail: only " +
      "the holder of the paper can see its content.",
  },
  noteOriginal: {
    ja:
      "照合は内容が改ざんされていないことを確認するものです。原本であること（複写でないこと）は用紙の地紋で確認してください。",
    en: "The check proves the content was not altered; whether the sheet is " +
      "an original (not a photocopy) shows in the paper's copy-evident background.",
  },
  resultTitle: { ja: "照合結果", en: "Verification result" },
  sheetsTitle: { ja: "用紙ごとの照合結果", en: "Each sheet" },
  sheetsSummary: {
    ja: "全体の結果は、最も問題のある用紙の結果です。",
    en: "The overall result is the worst sheet's.",
  },
  sheetNo: { ja: "枚目", en: "Sheet" },
  filePage: { ja: "ファイルの", en: "file page" },
  frontsSkipped: {
    ja: "表面のページは照合の対象外として読み飛ばしました：",
    en: "Pages skipped as fronts:",
  },
  frontCaption: {
    ja: "発行時の表面（縮小表示）",
    en: "The front as issued (reduced)",
  },
  frontMissing: {
    ja: "表面の画像は表示できません。",
    en: "No front image can be shown.",
  },
  frontNotice: {
    ja:
      "この画像は照合のためにのみ表示しています。保存・印刷しないでください。",
    en: "Shown for this check only. Do not save or print it.",
  },
  reasonTitle: { ja: "理由", en: "Reason" },
  nextTitle: { ja: "次に行うこと", en: "What to do next" },
  factsTitle: { ja: "証明書の情報", en: "Certificate" },
  issueNumber: { ja: "発行番号", en: "Issue number" },
  certType: { ja: "証明書の種類", en: "Type" },
  municipality: { ja: "発行市区町村", en: "Issued by" },
  issueDate: { ja: "発行日", en: "Issue date" },
  sheet: { ja: "ページ", en: "Sheet" },
  ledger: { ja: "交付記録", en: "Issuance ledger" },
  checkedAt: { ja: "照合日時", en: "Checked at" },
  keyId: { ja: "署名鍵ID", en: "Signing key" },
  otherLanguageReason: { ja: "English", en: "日本語" },
  again: { ja: "別の証明書を照合する", en: "Verify another certificate" },
  refusedTitle: {
    ja: "照合できませんでした",
    en: "The file could not be checked",
  },
  apiTitle: { ja: "金融機関向けAPI", en: "API for banks" },
  apiText: {
    ja:
      "業務システムから一括で照合する場合は POST /api/verify（multipart の scan 欄）をご利用ください。" +
      "オフラインで署名を確認するための公開鍵一覧を公開しています。",
    en: "For bulk checks from your systems use POST /api/verify (multipart " +
      "field scan). The public signing keys are published for offline checks.",
  },
  keysLink: { ja: "公開鍵一覧（JSON）", en: "Public key list (JSON)" },
  privacyTitle: { ja: "個人情報の取扱い", en: "Privacy" },
  footerNote: {
    ja:
      "アップロードされた画像も照合結果も保存しません。照合結果の画面を後から表示することはできません。",
    en: "Neither the uploaded image nor the result is stored: a result page " +
      "cannot be shown again later.",
  },
  notFoundTitle: {
    ja: "ページが見つかりません",
    en: "Page not found",
  },
  notFoundText: {
    ja:
      "お探しのページは見つかりませんでした。照合結果は保存されないため、後から表示することはできません。",
    en: "The page you are looking for does not exist. Results are never " +
      "stored, so a past result cannot be shown again.",
  },
  errorTitle: { ja: "エラーが発生しました", en: "Something went wrong" },
  errorText: {
    ja: "ご不便をおかけしています。時間をおいて再度お試しください。",
    en: "Sorry for the trouble. Please try again later.",
  },
  requestId: { ja: "問い合わせ番号", en: "Reference" },
  toStart: { ja: "トップページへ", en: "Back to the start page" },
} as const satisfies Record<string, Bilingual>;

/** Names of the certificate types, from the certificate catalogue. */
export const CERT_TYPE: Readonly<Record<CertificateType, Bilingual>> = Object
  .fromEntries(
    CERTIFICATE_TYPES.map((type) => {
      const { nameJa: ja, nameEn: en } = CERTIFICATE_CATALOGUE[type];
      return [type, { ja, en }];
    }),
  ) as Record<CertificateType, Bilingual>;

/** Labels of the ledger status. */
export const STATUS_LABEL: Record<string, Bilingual> = {
  valid: { ja: "取消・無効の記録なし", en: "Not voided or revoked" },
  voided: { ja: "無効", en: "Voided" },
  revoked: { ja: "取消", en: "Revoked" },
  unknown: {
    ja: "記録なし（未反映の可能性）",
    en: "Not found (may not be recorded yet)",
  },
  unavailable: { ja: "確認できませんでした", en: "Could not be checked" },
  "not-checked": { ja: "—", en: "—" },
};
