/**
 * The correlation id: one id for one run across parties, so that following
 * a kiosk's request through the center to an ASP node and back is a search
 * for one value, not a match of timestamps.
 *
 * Who starts a run makes the id ({@linkcode newCorrelationId}): the kiosk
 * for each applicant's run, the ASP sync worker for each feed round. It
 * travels as {@linkcode CORRELATION_HEADER} on every call of the run; each
 * service keeps a well-formed incoming id ({@linkcode isWellFormedId}),
 * writes it on every log line of the request (lib/service/app.ts) and
 * passes it on when it calls further (the center to the ASP node; the
 * center's message log keeps it on each row).
 *
 * It is for logs only: a caller chooses it, so it is never used to
 * authorize, to look up a record or as a key, and it is not signed.
 *
 * @module
 */

/** The header that carries a run's correlation id between parties. */
export const CORRELATION_HEADER = "X-Correlation-Id";

const ID_PATTERN = /^[\w=-]{1,100}$/;

/**
 * Whether a request or correlation id from outside may be kept: 1 to 100 of
 * `A-Z a-z 0-9 _ - =` (what Hono's request-id middleware accepts, shorter).
 *
 * @example
 * ```ts
 * import { isWellFormedId } from "./correlation.ts";
 * isWellFormedId("run-0f6c2a1e"); // true
 * isWellFormedId("a b"); // false
 * ```
 */
export function isWellFormedId(id: string | null | undefined): id is string {
  return typeof id === "string" && ID_PATTERN.test(id);
}

/**
 * A new correlation id, `<prefix>-<uuid>` (the prefix says who started the
 * run: `run` for a kiosk run, `sync` for a feed round).
 *
 * @example
 * ```ts
 * import { newCorrelationId } from "./correlation.ts";
 * newCorrelationId("run"); // "run-5f0c…"
 * ```
 */
export function newCorrelationId(prefix: string): string {
  if (!/^[a-z]{1,16}$/.test(prefix)) {
    throw new TypeError(`Correlation id prefix '${prefix}' is not 1–16 a-z`);
  }
  return `${prefix}-${crypto.randomUUID()}`;
}
