/**
 * The portal's refusal catalogue: every way the verification portal refuses
 * an upload or a request before (or instead of) giving a verdict, with its
 * HTTP status and a plain Japanese and English message that says what to do.
 * Refusals of the file itself also carry the verdict a bank's system should
 * record (`not-a-certificate` for a file of the wrong kind, `unreadable` for
 * a damaged or oversized one). Same entry shape as every other catalogue
 * (entry.ts); messages that quote a limit are functions of the details.
 *
 * @module
 */
import type { RefusalEntry } from "./entry.ts";

/** Details some portal refusals mention. */
export interface PortalRefusalDetail {
  maxMb?: number;
  width?: number;
  height?: number;
  maxSide?: number;
  maxMegapixels?: number;
  minSide?: number;
  pages?: number;
  maxPages?: number;
  maxSheets?: number;
  retryAfter?: number;
  kind?: string;
  seconds?: number;
}

/** The statuses the portal refuses with. */
export type PortalStatus = 400 | 401 | 403 | 413 | 415 | 422 | 429 | 503;

/** An entry of the portal's catalogue. */
export interface PortalEntry extends RefusalEntry<PortalRefusalDetail> {
  readonly status: PortalStatus;
  /** For refusals of the file itself: the verdict to record. */
  readonly verdict?: "not-a-certificate" | "unreadable";
  /** Seconds to wait, for 429 and 503. */
  readonly retryAfter?: (d: PortalRefusalDetail) => number | undefined;
}

const dims = (d: PortalRefusalDetail) =>
  d.width && d.height ? `${d.width}×${d.height}` : "";

/** Code → status, verdict, wording (and the wait for 429/503). */
export const PORTAL_REFUSALS = {
  NOT_MULTIPART: {
    status: 415,
    ja: "ファイルは multipart/form-data の「scan」欄で送ってください。",
    en: 'Send the file as multipart/form-data in the field "scan".',
  },
  MALFORMED_UPLOAD: {
    status: 400,
    ja:
      "送信データの形式が正しくありません。もう一度アップロードしてください。",
    en: "The upload is malformed. Please upload the file again.",
  },
  SCAN_MISSING: {
    status: 400,
    ja:
      "ファイルが選択されていません。証明書の裏面の画像またはPDFを選んでください。",
    en:
      'No file was sent. Choose an image or PDF of the back side (field "scan").',
  },
  SCAN_EMPTY: {
    status: 400,
    verdict: "unreadable",
    ja:
      "ファイルが空です（0バイト）。スキャンしたファイルを選び直してください。",
    en: "The file is empty (0 bytes). Choose the scanned file again.",
  },
  SCAN_TOO_LARGE: {
    status: 413,
    verdict: "unreadable",
    ja: (d) =>
      `ファイルが大きすぎます（上限${d.maxMb ?? "?"}MB）。` +
      "300dpi・グレースケールで読み取り直すと小さくなります。",
    en: (d) =>
      `The file is too large (limit ${d.maxMb ?? "?"} MB). A 300 dpi ` +
      "grayscale scan is much smaller.",
  },
  UNSUPPORTED_TYPE: {
    status: 415,
    verdict: "not-a-certificate",
    ja: "対応していないファイル形式です。PNG、JPEG、TIFF、PDFのいずれかで" +
      "アップロードしてください（ファイル名ではなく中身で判定しています）。",
    en: "Unsupported file type. Upload PNG, JPEG, TIFF or PDF (the type is " +
      "read from the file's content, not its name).",
  },
  AMBIGUOUS_FILE: {
    status: 422,
    verdict: "not-a-certificate",
    ja:
      "画像とPDFの両方として読めるファイルは受け付けません。スキャナーが保存した" +
      "ファイルをそのままアップロードしてください。",
    en: "A file that reads both as an image and as a PDF is not accepted. " +
      "Upload the file exactly as the scanner saved it.",
  },
  DAMAGED_FILE: {
    status: 422,
    verdict: "unreadable",
    ja: (d) =>
      `${d.kind ?? ""}ファイルが壊れているか、途中で切れています。` +
      "もう一度スキャンして保存し直してください。",
    en: (d) =>
      `The ${d.kind ?? ""} file is damaged or cut short. Scan and save ` +
      "it again.",
  },
  IMAGE_TOO_LARGE: {
    status: 422,
    verdict: "unreadable",
    ja: (d) =>
      `画像の寸法が大きすぎます（${dims(d)}ピクセル。上限は一辺${
        d.maxSide ?? "?"
      }ピクセル、${
        d.maxMegapixels ?? "?"
      }メガピクセル）。300dpiで読み取ってください。`,
    en: (d) =>
      `The image is too large (${dims(d)} pixels; limits ${
        d.maxSide ?? "?"
      } pixels a side, ${d.maxMegapixels ?? "?"} megapixels). Scan at 300 dpi.`,
  },
  RESOLUTION_TOO_LOW: {
    status: 422,
    verdict: "unreadable",
    ja: (d) =>
      `画像が小さすぎます（${dims(d)}ピクセル。短辺${
        d.minSide ?? "?"
      }ピクセル以上が必要）。A4全体を300dpi程度で読み取ってください。`,
    en: (d) =>
      `The image is too small (${dims(d)} pixels; the short side needs at ` +
      `least ${
        d.minSide ?? "?"
      } pixels). Scan the whole A4 sheet at about 300 dpi.`,
  },
  TOO_MANY_SHEETS: {
    status: 413,
    verdict: "unreadable",
    ja: (d) =>
      `ページ数が多すぎます（${d.pages ?? "?"}ページ）。一度に照合できるのは${
        d.maxSheets ?? "?"
      }枚（表面と裏面で${
        (d.maxSheets ?? 0) * 2 || "?"
      }ページ）までです。ファイルを分けてアップロードしてください。`,
    en: (d) =>
      `Too many pages (${d.pages ?? "?"}). One upload may hold up to ${
        d.maxSheets ?? "?"
      } sheets (${
        (d.maxSheets ?? 0) * 2 || "?"
      } pages with their fronts): split the file and upload each part.`,
  },
  PDF_PAGE_TOO_LARGE: {
    status: 422,
    verdict: "unreadable",
    ja: "PDFのページ寸法が大きすぎます（A3まで）。A4で読み取ってください。",
    en: "A PDF page is too large (A3 at most). Scan at A4 size.",
  },
  PDF_UNREADABLE: {
    status: 422,
    verdict: "unreadable",
    ja: "PDFを読み込めません（破損、またはパスワード保護）。保護のない" +
      "PDFで保存し直してください。",
    en: "The PDF cannot be read (damaged or password-protected). Save it " +
      "again without protection.",
  },
  UNDECODABLE: {
    status: 422,
    verdict: "unreadable",
    ja: "画像を読み込めませんでした。ファイルが壊れている可能性があります。" +
      "もう一度スキャンして保存し直してください。",
    en: "The image could not be decoded; the file may be damaged. Scan and " +
      "save it again.",
  },
  DECODE_TIMEOUT: {
    status: 422,
    verdict: "unreadable",
    ja: (d) =>
      `読み取りに時間がかかりすぎたため中止しました（上限${
        d.seconds ?? "?"
      }秒）。300dpi・グレースケールで読み取り直し、PNGまたはPDFで保存してください。`,
    en: (d) =>
      `Reading the file took too long and was stopped (limit ${
        d.seconds ?? "?"
      } s). Scan again at 300 dpi in grayscale and save as PNG or PDF.`,
  },
  DECODER_CRASHED: {
    status: 422,
    verdict: "unreadable",
    ja: "このファイルを読み取る途中で読み取り処理が停止しました。ファイルが" +
      "壊れている可能性があります。もう一度スキャンして保存し直してください。",
    en: "The reader stopped while reading this file; the file may be " +
      "damaged. Scan and save it again.",
  },
  CSRF_FAILED: {
    status: 403,
    ja: "ページの有効期限が切れたか、別のサイトから送信されました。" +
      "トップページを開き直してからアップロードしてください（Cookieを有効にしてください）。",
    en: "The page expired or the form was sent from another site. Reload " +
      "the start page and upload again (cookies must be enabled).",
  },
  RATE_LIMITED: {
    status: 429,
    retryAfter: (d) => d.retryAfter,
    ja: (d) =>
      `照合の回数が上限に達しました。${
        d.retryAfter ?? 60
      }秒ほど待ってから再度お試しください。大量に照合する場合はAPIキーをお申し込みください。`,
    en: (d) =>
      `Too many verifications. Try again in about ${
        d.retryAfter ?? 60
      } seconds. For bulk use, apply for an API key.`,
  },
  API_KEY_INVALID: {
    status: 401,
    ja: "APIキーが正しくありません。",
    en: "The API key is not valid.",
  },
  BUSY: {
    status: 503,
    retryAfter: (d) => d.retryAfter ?? 5,
    ja: "ただいま混み合っています。しばらく待ってから再度お試しください。",
    en: "The service is busy. Please try again shortly.",
  },
  AUDIT_UNAVAILABLE: {
    status: 503,
    retryAfter: () => 30,
    ja:
      "照合記録を保存できないため、照合を行えません。しばらく待ってから再度お試しください。",
    en: "The verification record cannot be written, so no verification " +
      "can be given. Please try again later.",
  },
} as const satisfies Record<string, PortalEntry>;

/** A code of the portal's refusals. */
export type PortalRefusalCode = keyof typeof PORTAL_REFUSALS;
