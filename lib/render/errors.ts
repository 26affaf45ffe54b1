/**
 * Errors the renderer raises for conditions callers handle.
 *
 * @module
 */

/**
 * A field does not fit its box on the form even at the smallest allowed font
 * size. The kiosk must refuse the request: text is never truncated.
 *
 * @example
 * ```ts ignore
 * try {
 *   layoutSheet(sheet);
 * } catch (e) {
 *   if (e instanceof FieldTooLongError) console.log(e.code, e.field); // "FIELD_TOO_LONG" "address"
 * }
 * ```
 */
export class FieldTooLongError extends Error {
  /** Stable machine code. */
  readonly code = "FIELD_TOO_LONG" as const;
  /** The field that does not fit, e.g. "address", "name", "foreign.alphabeticName". */
  readonly field: string;
  /** Message for residents and staff, in Japanese. */
  readonly messageJa: string;

  constructor(field: string, detail: string) {
    super(`Field "${field}" does not fit its box on the form: ${detail}`);
    this.name = "FieldTooLongError";
    this.field = field;
    this.messageJa = `「${
      FIELD_LABELS_JA[field] ?? field
    }」が長すぎるため、この証明書は交付できません。`;
  }
}

/**
 * A back side does not belong to the sheet it would be printed on (another
 * issue number, or a different number of back sides than sheets).
 *
 * @example
 * ```ts
 * new BackSideMismatchError("sheet 1: back side is for 401005-X").code; // "BACKSIDE_MISMATCH"
 * ```
 */
export class BackSideMismatchError extends Error {
  /** Stable machine code. */
  readonly code = "BACKSIDE_MISMATCH" as const;

  constructor(detail: string) {
    super(`Back side does not match its sheet: ${detail}`);
    this.name = "BackSideMismatchError";
  }
}

/**
 * One page of a document could not be rendered: its front or its back
 * failed to lay out or to be written (an image that does not decode, a
 * field that does not fit, …). `page` is the sheet's 1-based number; the
 * original error is the `cause`. A printer that meets it stops at that
 * sheet, as at a paper jam (services/kiosk).
 *
 * @example
 * ```ts ignore
 * try {
 *   renderer.pdf(doc, backs);
 * } catch (e) {
 *   if (e instanceof PageRenderError) console.log(e.code, e.page, e.side); // "PAGE_NOT_RENDERED" 2 "front"
 * }
 * ```
 */
export class PageRenderError extends Error {
  /** Stable machine code. */
  readonly code = "PAGE_NOT_RENDERED" as const;

  constructor(
    /** The sheet (1-based, over the whole PDF) that could not be rendered. */
    readonly page: number,
    /** Which side of it. */
    readonly side: "front" | "back",
    cause: unknown,
  ) {
    super(
      `Sheet ${page} (${side}) cannot be rendered: ${
        cause instanceof Error ? cause.name : typeof cause
      }`,
      { cause },
    );
    this.name = "PageRenderError";
  }
}

/**
 * Japanese names of the fields that can be too long.
 *
 * @example
 * ```ts
 * FIELD_LABELS_JA.address; // "住所"
 * ```
 */
export const FIELD_LABELS_JA: Readonly<Record<string, string>> = {
  name: "氏名",
  nameKana: "ふりがな",
  formerSurname: "旧氏",
  formerSurnameKana: "旧氏のふりがな",
  alias: "通称",
  address: "住所",
  katagaki: "方書",
  householderName: "世帯主",
  relationship: "続柄",
  honseki: "本籍",
  hittousha: "筆頭者",
  previousAddress: "前住所",
  myNumber: "個人番号",
  "foreign.alphabeticName": "氏名（英字）",
  "foreign.nationality": "国籍・地域",
  "foreign.residenceStatus": "在留資格",
  "foreign.periodOfStay": "在留期間",
  "foreign.cardNumber": "在留カード等番号",
  "seal.registrationNumber": "登録番号",
  "municipality.mayor": "市区町村長名",
  issueNumber: "発行番号",
};
