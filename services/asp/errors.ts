/**
 * The ASP's refusals. Codes, statuses and messages are the ASP's part of
 * the issuance chain's catalogue (lib/refusals/issuance.ts, `parties`
 * including "asp"), shared with the center that forwards them; the status
 * table here is derived from it.
 *
 * @module
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  answeredBy,
  type AspCode,
  ISSUANCE_REFUSALS,
} from "../../lib/refusals/issuance.ts";
import { DomainError } from "../../lib/service/errors.ts";

export type { AspCode };

/**
 * Maps a code to its status; undefined for a code that is not the ASP's
 * (the error handler then tries the common codes).
 *
 * @example
 * ```ts
 * aspStatusOf("REPLICA_STALE"); // 503
 * ```
 */
export function aspStatusOf(code: string): ContentfulStatusCode | undefined {
  return answeredBy("asp", code) ? ISSUANCE_REFUSALS[code].status : undefined;
}

/**
 * A refusal of the ASP.
 *
 * @example
 * ```ts ignore
 * throw new AspError("REPLICA_STALE", { appliedSeq: 10, headSeq: 12 });
 * ```
 */
export class AspError extends DomainError {
  override readonly code: AspCode;
  constructor(code: AspCode, details?: unknown) {
    const { ja, en } = ISSUANCE_REFUSALS[code];
    super(code, ja, en, details);
    this.name = "AspError";
    this.code = code;
  }
}
