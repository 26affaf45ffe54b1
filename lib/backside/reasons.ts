/**
 * Plain reasons for every verification outcome, in Japanese and English,
 * each with a stable machine code. The wording is one table in the reasons
 * catalogue (lib/refusals/verification.ts); this builds a reason from it.
 *
 * @module
 */
import { say } from "../refusals/entry.ts";
import {
  type ReasonCode,
  type ReasonDetail,
  VERIFICATION_REASONS,
} from "../refusals/verification.ts";

export type { ReasonCode, ReasonDetail };

/** A reason shown to the person verifying, with a stable code. */
export interface Reason {
  code: ReasonCode;
  ja: string;
  en: string;
}

/**
 * Builds the reason for a code; some codes take details (counts, key ids).
 *
 * @example
 * ```ts
 * const r = reason("TOO_FEW_SYMBOLS", { have: 1, need: 2 });
 * console.log(r.en); // "Only 1 of the 2 codes needed could be read. ..."
 * ```
 */
export function reason(code: ReasonCode, d: ReasonDetail = {}): Reason {
  return { code, ...say<ReasonDetail>(VERIFICATION_REASONS[code], d) };
}
