/**
 * The JSON bodies of `POST /api/verify`: a verdict, or a refusal carrying
 * the common error shape (`code`, `message_ja`, `message_en`) plus the
 * verdict it implies when the file itself was refused.
 *
 * @module
 */
import { type SheetJson, sheetToJson } from "../../lib/contracts/sheet_wire.ts";
import type { Refusal } from "./refusals.ts";
import type { SheetResult, VerificationResult } from "./verify.ts";

/** One sheet of a verdict's body. */
export interface SheetBody {
  /** The page of the uploaded file the back side was on. */
  file_page: number;
  verdict: string;
  reason_code: string;
  reason_ja: string;
  reason_en: string;
  status: string;
  status_note_ja: string | null;
  status_note_en: string | null;
  issue_number: string | null;
  key_id: string | null;
  certificate: SheetJson | null;
  front_image_png: string | null;
}

/** Body of a verdict: the overall (the worst sheet's) and every sheet's. */
export interface VerdictBody extends Omit<SheetBody, "file_page"> {
  /** Every back side of the upload, each with its own verdict and front. */
  sheets: SheetBody[];
  /** Pages skipped as fronts. */
  front_pages: number[];
  request_id: string;
}

/** The body of one sheet. */
function sheetBody(s: SheetResult): SheetBody {
  return {
    file_page: s.filePage,
    verdict: s.verdict,
    reason_code: s.reason.code,
    reason_ja: s.reason.ja,
    reason_en: s.reason.en,
    status: s.status,
    status_note_ja: s.statusNote?.ja ?? null,
    status_note_en: s.statusNote?.en ?? null,
    issue_number: s.issueNumber ?? null,
    key_id: s.keyId ?? null,
    certificate: s.certificate ? sheetToJson(s.certificate) : null,
    front_image_png: s.frontImagePng?.toBase64() ?? null,
  };
}

/**
 * The body of a verdict.
 *
 * @example
 * ```ts ignore
 * return c.json(verdictBody(result, requestId));
 * ```
 */
export function verdictBody(
  result: VerificationResult,
  requestId: string,
): VerdictBody {
  return {
    verdict: result.verdict,
    reason_code: result.reason.code,
    reason_ja: result.reason.ja,
    reason_en: result.reason.en,
    status: result.status,
    status_note_ja: result.statusNote?.ja ?? null,
    status_note_en: result.statusNote?.en ?? null,
    issue_number: result.issueNumber ?? null,
    key_id: result.keyId ?? null,
    certificate: result.certificate ? sheetToJson(result.certificate) : null,
    front_image_png: result.frontImagePng?.toBase64() ?? null,
    sheets: result.sheets.map(sheetBody),
    front_pages: result.frontPages,
    request_id: requestId,
  };
}

/**
 * The body of a refusal.
 *
 * @example
 * ```ts ignore
 * return c.json(refusalBody(refusal("SCAN_EMPTY"), requestId), 400);
 * ```
 */
export function refusalBody(r: Refusal, requestId: string) {
  return {
    code: r.code,
    message_ja: r.ja,
    message_en: r.en,
    ...(r.verdict
      ? {
        verdict: r.verdict,
        reason_code: r.code,
        reason_ja: r.ja,
        reason_en: r.en,
        certificate: null,
        front_image_png: null,
      }
      : {}),
    request_id: requestId,
  };
}

/**
 * A refusal as a JSON response, with Retry-After when it has one.
 *
 * @example
 * ```ts ignore
 * return refusalResponse(refusal("RATE_LIMITED", { retryAfter: 30 }), requestId);
 * ```
 */
export function refusalResponse(r: Refusal, requestId: string): Response {
  const headers = new Headers({
    "Content-Type": "application/json; charset=utf-8",
  });
  if (r.retryAfter) headers.set("Retry-After", String(r.retryAfter));
  return new Response(JSON.stringify(refusalBody(r, requestId)), {
    status: r.status,
    headers,
  });
}
