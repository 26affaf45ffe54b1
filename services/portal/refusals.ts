/**
 * Every way the portal refuses an upload or a request before (or instead
 * of) giving a verdict, with its HTTP status, a stable code, and a plain
 * Japanese and English message that says what to do. Refusals of the file
 * itself also carry the verdict a bank's system should record
 * (`not-a-certificate` for a file of the wrong kind, `unreadable` for a
 * damaged or oversized one).
 *
 * @module
 */

/** Stable refusal codes. */
export type RefusalCode =
  | "NOT_MULTIPART"
  | "MALFORMED_UPLOAD"
  | "SCAN_MISSING"
  | "SCAN_EMPTY"
  | "SCAN_TOO_LARGE"
  | "UNSUPPORTED_TYPE"
  | "AMBIGUOUS_FILE"
  | "DAMAGED_FILE"
  | "IMAGE_TOO_LARGE"
  | "RESOLUTION_TOO_LOW"
  | "PDF_TOO_MANY_PAGES"
  | "PDF_PAGE_TOO_LARGE"
  | "PDF_UNREADABLE"
  | "UNDECODABLE"
  | "CSRF_FAILED"
  | "RATE_LIMITED"
  | "API_KEY_INVALID"
  | "BUSY"
  | "AUDIT_UNAVAILABLE";

/** A refusal: status, code, messages, and the verdict it implies if any. */
export interface Refusal {
  code: RefusalCode;
  status: 400 | 401 | 403 | 413 | 415 | 422 | 429 | 503;
  /** For refusals of the file itself: the verdict to record. */
  verdict?: "not-a-certificate" | "unreadable";
  ja: string;
  en: string;
  /** Seconds to wait, for 429 and 503. */
  retryAfter?: number;
}

/** Details some refusals mention. */
export interface RefusalDetail {
  maxMb?: number;
  width?: number;
  height?: number;
  maxSide?: number;
  maxMegapixels?: number;
  minSide?: number;
  pages?: number;
  maxPages?: number;
  retryAfter?: number;
  kind?: string;
}

/**
 * Builds a refusal.
 *
 * @example
 * ```ts
 * const r = refusal("SCAN_TOO_LARGE", { maxMb: 20 });
 * r.status; // 413
 * ```
 */
export function refusal(code: RefusalCode, d: RefusalDetail = {}): Refusal {
  const dims = d.width && d.height ? `${d.width}×${d.height}` : "";
  switch (code) {
    case "NOT_MULTIPART":
      return {
        code,
        status: 415,
        ja: "ファイルは multipart/form-data の「scan」欄で送ってください。",
        en: 'Send the file as multipart/form-data in the field "scan".',
      };
    case "MALFORMED_UPLOAD":
      return {
        code,
        status: 400,
        ja:
          "送信データの形式が正しくありません。もう一度アップロードしてください。",
        en: "The upload is malformed. Please upload the file again.",
      };
    case "SCAN_MISSING":
      return {
        code,
        status: 400,
        ja:
          "ファイルが選択されていません。証明書の裏面の画像またはPDFを選んでください。",
        en:
          'No file was sent. Choose an image or PDF of the back side (field "scan").',
      };
    case "SCAN_EMPTY":
      return {
        code,
        status: 400,
        verdict: "unreadable",
        ja:
          "ファイルが空です（0バイト）。スキャンしたファイルを選び直してください。",
        en: "The file is empty (0 bytes). Choose the scanned file again.",
      };
    case "SCAN_TOO_LARGE":
      return {
        code,
        status: 413,
        verdict: "unreadable",
        ja: `ファイルが大きすぎます（上限${d.maxMb ?? "?"}MB）。` +
          "300dpi・グレースケールで読み取り直すと小さくなります。",
        en: `The file is too large (limit ${d.maxMb ?? "?"} MB). A 300 dpi ` +
          "grayscale scan is much smaller.",
      };
    case "UNSUPPORTED_TYPE":
      return {
        code,
        status: 415,
        verdict: "not-a-certificate",
        ja: "対応していないファイル形式です。PNG、JPEG、TIFF、PDFのいずれかで" +
          "アップロードしてください（ファイル名ではなく中身で判定しています）。",
        en:
          "Unsupported file type. Upload PNG, JPEG, TIFF or PDF (the type is " +
          "read from the file's content, not its name).",
      };
    case "AMBIGUOUS_FILE":
      return {
        code,
        status: 422,
        verdict: "not-a-certificate",
        ja:
          "画像とPDFの両方として読めるファイルは受け付けません。スキャナーが保存した" +
          "ファイルをそのままアップロードしてください。",
        en:
          "A file that reads both as an image and as a PDF is not accepted. " +
          "Upload the file exactly as the scanner saved it.",
      };
    case "DAMAGED_FILE":
      return {
        code,
        status: 422,
        verdict: "unreadable",
        ja: `${d.kind ?? ""}ファイルが壊れているか、途中で切れています。` +
          "もう一度スキャンして保存し直してください。",
        en: `The ${d.kind ?? ""} file is damaged or cut short. Scan and save ` +
          "it again.",
      };
    case "IMAGE_TOO_LARGE":
      return {
        code,
        status: 422,
        verdict: "unreadable",
        ja: `画像の寸法が大きすぎます（${dims}ピクセル。上限は一辺${
          d.maxSide ?? "?"
        }ピクセル、${
          d.maxMegapixels ?? "?"
        }メガピクセル）。300dpiで読み取ってください。`,
        en: `The image is too large (${dims} pixels; limits ${
          d.maxSide ?? "?"
        } pixels a side, ${
          d.maxMegapixels ?? "?"
        } megapixels). Scan at 300 dpi.`,
      };
    case "RESOLUTION_TOO_LOW":
      return {
        code,
        status: 422,
        verdict: "unreadable",
        ja: `画像が小さすぎます（${dims}ピクセル。短辺${
          d.minSide ?? "?"
        }ピクセル以上が必要）。A4全体を300dpi程度で読み取ってください。`,
        en: `The image is too small (${dims} pixels; the short side needs at ` +
          `least ${
            d.minSide ?? "?"
          } pixels). Scan the whole A4 sheet at about 300 dpi.`,
      };
    case "PDF_TOO_MANY_PAGES":
      return {
        code,
        status: 422,
        verdict: "unreadable",
        ja: `PDFのページ数が多すぎます（${d.pages ?? "?"}ページ。上限${
          d.maxPages ?? "?"
        }ページ）。証明書の裏面のページだけを保存してください。`,
        en: `The PDF has too many pages (${d.pages ?? "?"}; limit ${
          d.maxPages ?? "?"
        }). Save only the page with the back side.`,
      };
    case "PDF_PAGE_TOO_LARGE":
      return {
        code,
        status: 422,
        verdict: "unreadable",
        ja: "PDFのページ寸法が大きすぎます（A3まで）。A4で読み取ってください。",
        en: "A PDF page is too large (A3 at most). Scan at A4 size.",
      };
    case "PDF_UNREADABLE":
      return {
        code,
        status: 422,
        verdict: "unreadable",
        ja: "PDFを読み込めません（破損、またはパスワード保護）。保護のない" +
          "PDFで保存し直してください。",
        en: "The PDF cannot be read (damaged or password-protected). Save it " +
          "again without protection.",
      };
    case "UNDECODABLE":
      return {
        code,
        status: 422,
        verdict: "unreadable",
        ja:
          "画像を読み込めませんでした。ファイルが壊れている可能性があります。" +
          "もう一度スキャンして保存し直してください。",
        en:
          "The image could not be decoded; the file may be damaged. Scan and " +
          "save it again.",
      };
    case "CSRF_FAILED":
      return {
        code,
        status: 403,
        ja: "ページの有効期限が切れたか、別のサイトから送信されました。" +
          "トップページを開き直してからアップロードしてください（Cookieを有効にしてください）。",
        en: "The page expired or the form was sent from another site. Reload " +
          "the start page and upload again (cookies must be enabled).",
      };
    case "RATE_LIMITED":
      return {
        code,
        status: 429,
        retryAfter: d.retryAfter,
        ja: `照合の回数が上限に達しました。${
          d.retryAfter ?? 60
        }秒ほど待ってから再度お試しください。大量に照合する場合はAPIキーをお申し込みください。`,
        en: `Too many verifications. Try again in about ${
          d.retryAfter ?? 60
        } seconds. For bulk use, apply for an API key.`,
      };
    case "API_KEY_INVALID":
      return {
        code,
        status: 401,
        ja: "APIキーが正しくありません。",
        en: "The API key is not valid.",
      };
    case "BUSY":
      return {
        code,
        status: 503,
        retryAfter: d.retryAfter ?? 5,
        ja: "ただいま混み合っています。しばらく待ってから再度お試しください。",
        en: "The service is busy. Please try again shortly.",
      };
    case "AUDIT_UNAVAILABLE":
      return {
        code,
        status: 503,
        retryAfter: 30,
        ja:
          "照合記録を保存できないため、照合を行えません。しばらく待ってから再度お試しください。",
        en: "The verification record cannot be written, so no verification " +
          "can be given. Please try again later.",
      };
  }
}
