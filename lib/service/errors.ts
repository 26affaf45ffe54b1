/**
 * Domain errors and their HTTP mapping. Every refusal carries a stable
 * machine code and a Japanese and an English message; each service maps codes
 * to statuses in one table.
 *
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "./logger.ts";

/** The JSON body of every error response. */
export interface ErrorBody {
  code: string;
  message_ja: string;
  message_en: string;
  details?: unknown;
}

/**
 * A refusal a caller can act on (bad input, a rule of the domain, a missing
 * record). Thrown anywhere; turned into a response by {@linkcode errorHandler}.
 *
 * @example
 * ```ts ignore
 * throw new DomainError("RESIDENT_NOT_FOUND", "住民が見つかりません", "Resident not found");
 * ```
 */
export class DomainError extends Error {
  /** Stable machine-readable code, e.g. `RESIDENT_REMOVED`. */
  readonly code: string;
  /** Japanese message. */
  readonly ja: string;
  /** English message. */
  readonly en: string;
  /** Optional structured details (never personal data). */
  readonly details?: unknown;

  constructor(code: string, ja: string, en: string, details?: unknown) {
    super(`${code}: ${en}`);
    this.name = "DomainError";
    this.code = code;
    this.ja = ja;
    this.en = en;
    this.details = details;
  }

  /** The response body for this error. */
  toBody(): ErrorBody {
    const body: ErrorBody = {
      code: this.code,
      message_ja: this.ja,
      message_en: this.en,
    };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

/** Codes every service shares, with their statuses. */
export const COMMON_STATUS: Record<string, ContentfulStatusCode> = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  INVALID_TEXT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

/** Builds the validation error for a body or query that failed its schema. */
export function validationError(issues: unknown): DomainError {
  return new DomainError(
    "VALIDATION_FAILED",
    "入力内容に誤りがあります",
    "The request failed validation",
    issues,
  );
}

/**
 * Builds the `app.onError` handler of a service: maps DomainError codes to
 * statuses through `statusOf`, then the common codes; a code neither maps
 * and everything else is logged (naming the code) and answered with a
 * generic 500 carrying the request id. The code answered is set on the
 * context (`errorCode`) for the request's log line, and lines written here
 * go to the request's logger (its request and correlation ids).
 *
 * @example
 * ```ts ignore
 * app.onError(errorHandler({ logger, statusOf: (code) => STATUS[code] }));
 * ```
 */
export function errorHandler(
  opts: {
    logger: Logger;
    statusOf: (code: string) => ContentfulStatusCode | undefined;
  },
): (err: Error, c: Context) => Response {
  return (err, c) => {
    const requestId = c.get("requestId" as never) as string | undefined;
    const log = (c.get("logger" as never) as Logger | undefined) ??
      opts.logger.child({ requestId });
    const answer = (code: string) => c.set("errorCode", code);
    if (err instanceof DomainError) {
      const status = opts.statusOf(err.code) ?? COMMON_STATUS[err.code];
      if (status !== undefined) {
        answer(err.code);
        return c.json(err.toBody(), status);
      }
      // A code no table maps is a programming error, never a silent 400.
      log.error(`unmapped error code ${err.code}`, {
        code: err.code,
        error: err,
      });
      answer("INTERNAL");
      return c.json(internalBody(requestId), 500);
    }
    // Hono's own HTTP errors (body limit, bad JSON …)
    const maybe = err as { status?: number; getResponse?: () => Response };
    if (
      typeof maybe.status === "number" && maybe.status >= 400 &&
      maybe.status < 500
    ) {
      const code = maybe.status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST";
      answer(code);
      return c.json(
        {
          code,
          message_ja: maybe.status === 413
            ? "送信データが大きすぎます"
            : "要求の形式が正しくありません",
          message_en: maybe.status === 413
            ? "The request body is too large"
            : "The request is malformed",
        } satisfies ErrorBody,
        maybe.status as ContentfulStatusCode,
      );
    }
    log.error("unhandled error", {
      error: err instanceof Error ? err : new Error("non-error thrown"),
    });
    answer("INTERNAL");
    return c.json(internalBody(requestId), 500);
  };
}

/** The generic body of a 500: the log carries the rest. */
function internalBody(requestId: string | undefined): ErrorBody {
  return {
    code: "INTERNAL",
    message_ja: "内部エラーが発生しました",
    message_en: "Internal error",
    details: { requestId },
  };
}
