/**
 * The center's refusals. Codes, statuses and the kiosk's messages are the
 * center's part of the issuance chain's catalogue
 * (lib/refusals/issuance.ts, `parties` including "center"); the status
 * table here is derived from it. What a kiosk is told for a protected
 * reason is decided here too ({@linkcode forKiosk}).
 *
 * @module
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  answeredBy,
  type CenterCode,
  ISSUANCE_REFUSALS,
  kioskCode,
} from "../../lib/refusals/issuance.ts";
import { DomainError } from "../../lib/service/errors.ts";

/** A code of the center. */
export type JlisErrorCode = CenterCode;

/**
 * Maps a code to its status; undefined for a code that is not the center's
 * (the error handler then tries the common codes).
 *
 * @example
 * ```ts
 * jlisStatusOf("CARD_SUSPENDED"); // 403
 * ```
 */
export function jlisStatusOf(code: string): ContentfulStatusCode | undefined {
  return answeredBy("center", code)
    ? ISSUANCE_REFUSALS[code].status
    : undefined;
}

/**
 * A refusal of the center.
 *
 * @example
 * ```ts ignore
 * throw new JlisError("CARD_SUSPENDED", { serial });
 * ```
 */
export class JlisError extends DomainError {
  override readonly code: JlisErrorCode;
  constructor(code: JlisErrorCode, details?: unknown) {
    const { ja, en } = ISSUANCE_REFUSALS[code];
    super(code, ja, en, details);
    this.name = "JlisError";
    this.code = code;
  }
}

/**
 * Whether a code is a protected reason the kiosk must not be told.
 *
 * @example
 * ```ts
 * isProtected("OPT_OUT"); // true
 * ```
 */
export function isProtected(code: JlisErrorCode): boolean {
  return kioskCode(code) !== code;
}

/**
 * What the kiosk is told for a refusal: the refusal itself, or for a
 * protected reason (支援措置, opt-out, a municipal block) the one neutral
 * code with no details, so that nobody at the kiosk — a householder asking
 * for the whole household included — learns that a person is protected.
 * The caller records the specific code first.
 *
 * @example
 * ```ts
 * forKiosk(new JlisError("SUPPORT_MEASURE")).code; // "NOT_ISSUABLE_AT_KIOSK"
 * ```
 */
export function forKiosk(err: JlisError): JlisError {
  const shown = kioskCode(err.code);
  return shown === err.code ? err : new JlisError(shown);
}
