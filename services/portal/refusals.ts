/**
 * Every way the portal refuses an upload or a request before (or instead
 * of) giving a verdict. The codes, statuses, verdicts and messages are one
 * table in the portal's catalogue (lib/refusals/portal.ts); this builds a
 * refusal from it with its details filled in.
 *
 * @module
 */
import { say } from "../../lib/refusals/entry.ts";
import {
  PORTAL_REFUSALS,
  type PortalEntry,
  type PortalRefusalCode,
  type PortalRefusalDetail,
  type PortalStatus,
} from "../../lib/refusals/portal.ts";

/** Stable refusal codes. */
export type RefusalCode = PortalRefusalCode;

/** Details some refusals mention. */
export type RefusalDetail = PortalRefusalDetail;

/** A refusal: status, code, messages, and the verdict it implies if any. */
export interface Refusal {
  code: RefusalCode;
  status: PortalStatus;
  /** For refusals of the file itself: the verdict to record. */
  verdict?: "not-a-certificate" | "unreadable";
  ja: string;
  en: string;
  /** Seconds to wait, for 429 and 503. */
  retryAfter?: number;
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
  const entry: PortalEntry = PORTAL_REFUSALS[code];
  const out: Refusal = { code, status: entry.status, ...say(entry, d) };
  if (entry.verdict) out.verdict = entry.verdict;
  if (entry.retryAfter) out.retryAfter = entry.retryAfter(d);
  return out;
}
