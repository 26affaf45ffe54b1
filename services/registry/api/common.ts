/**
 * Shared pieces of the registry's HTTP resources: dependencies, error
 * schema, and the audited caller.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { errorResponse } from "../../../lib/service/openapi.ts";
import { validationError } from "../../../lib/service/errors.ts";
import { RegistryError } from "../errors.ts";
import type { Db } from "../../../lib/db/database.ts";
import type { Clock } from "../../../lib/time/clock.ts";
import type { ServiceEnv } from "../../../lib/service/app.ts";
import type { AuthEnv, ClientCredential } from "../auth.ts";
import type { FeedNotifier } from "../feed_notifier.ts";
import type { CenterBindingPusher } from "../center_binding.ts";
import type { CenterLink, IssuancePull } from "../issuances.ts";

/** What the registry's resources need. */
export interface RegistryDeps {
  db: Db;
  clock: Clock;
  clients: ClientCredential[];
  notifier: FeedNotifier;
  /** Keeps the center's card bindings current after events (absent: not sent). */
  centerBinding?: CenterBindingPusher;
  /**
   * Each municipality's link to the center (its certificate): revocations
   * from the 交付履歴 go over it (absent: refused CENTER_UNAVAILABLE).
   */
  center?: CenterLink;
  /** The 交付履歴 pull, run at once after a revocation (absent: next tick). */
  issuancePull?: IssuancePull;
  /** Longest a feed request may wait, ms (default 25 s). */
  maxFeedWaitMs?: number;
  /**
   * Heartbeat interval of the feed, ms (default 1000): a long poll with no
   * events answers `{events: [], head, heartbeatAt}` after at most this
   * long, so a replica hears the head every second also when idle.
   */
  feedHeartbeatMs?: number;
}

/** Hono env of the registry's routes. */
export type RegistryEnv = {
  Variables: ServiceEnv["Variables"] & AuthEnv["Variables"];
};

/** Standard error responses for a route. */
export const errorResponses = {
  400: errorResponse("Invalid input"),
  401: errorResponse("No or bad credential"),
  403: errorResponse(
    "Scope missing, or a municipality the client does not act for",
  ),
  404: errorResponse("Not found"),
  409: errorResponse("Refused by a rule"),
} as const;

/** Path parameter: municipality code. */
export const MunicipalityParam = z.object({
  code: z.string().regex(/^\d{6}$/).openapi({
    param: { name: "code", in: "path" },
    example: "401005",
  }),
});

/** Decodes base64 into bytes, or null when malformed (the caller answers 400). */
export function fromBase64(s: string): Uint8Array | null {
  try {
    return Uint8Array.fromBase64(s);
  } catch {
    return null;
  }
}

/** The `X-Purpose` header of an audited read. */
export const PurposeHeader = z.object({
  "x-purpose": z.string().min(1).max(200).optional().openapi({
    param: { name: "x-purpose", in: "header" },
    description: "Why the record is read (written to the audit log)",
  }),
});

/**
 * The stated purpose of a read (percent-decoded); refuses PURPOSE_REQUIRED
 * without one.
 *
 * @example
 * ```ts ignore
 * const purpose = purposeOf(c.req.valid("header")["x-purpose"]);
 * ```
 */
export function purposeOf(p: string | undefined): string {
  if (!p) throw new RegistryError("PURPOSE_REQUIRED");
  try {
    return decodeURIComponent(p);
  } catch {
    throw validationError([{ path: ["x-purpose"], message: "bad %-escape" }]);
  }
}
