/**
 * Shared pieces of the registry's HTTP resources: dependencies, error
 * schema, the audited caller, and the audited paged search.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { errorResponse } from "../../../lib/service/openapi.ts";
import { validationError } from "../../../lib/service/errors.ts";
import { RegistryError } from "../errors.ts";
import { audit, loadMunicipality } from "../store.ts";
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

/**
 * The `limit` (1–100, default 20) and `cursor` query fields of a paged
 * search; `cursorMax` is the longest cursor, `same` what the next page
 * keeps (e.g. `"filters"`).
 */
export const pageQuery = (cursorMax: number, same: string) => ({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(cursorMax).optional().openapi({
    description: `\`nextCursor\` of the previous page (same ${same})`,
  }),
});

/**
 * The route of an audited paged search, `GET /` under a municipality:
 * `query` holds the criteria and {@linkcode pageQuery}, the `X-Purpose`
 * header is required, `page` is the answer's schema.
 *
 * @example
 * ```ts ignore
 * const listRoute = auditedPageRoute({ summary, description, query: Query,
 *   page: PageView, pageDescription: "One page" });
 * ```
 */
export const auditedPageRoute = <
  Q extends z.ZodObject,
  P extends z.ZodType,
>(route: {
  summary: string;
  description: string;
  query: Q;
  page: P;
  pageDescription: string;
}) =>
  createRoute({
    method: "get",
    path: "/",
    summary: route.summary,
    description: route.description,
    request: {
      params: MunicipalityParam,
      query: route.query,
      headers: PurposeHeader,
    },
    responses: {
      200: {
        description: route.pageDescription,
        content: { "application/json": { schema: route.page } },
      },
      ...errorResponses,
    },
    security: [{ bearer: [] }],
  });

/** What {@linkcode auditedPage} needs besides the request. */
export interface AuditedPageOptions<P extends { items: unknown[] }> {
  /** The audit action, e.g. `"resident.search"`. */
  action: string;
  municipalityCode: string;
  /** The person searched for, when the search names one. */
  subject?: string;
  /** The stated purpose ({@linkcode purposeOf}). */
  purpose: string;
  /** What was asked (criterion names, limit, …): audited with the page. */
  details: Record<string, unknown>;
  /** Reads the page. */
  search: () => Promise<P>;
  /** What the page lists, added to the audited details (ids, not data). */
  listed: (page: P) => Record<string, unknown>;
}

/**
 * One page of an audited search: refuses an unknown municipality (audited
 * `not_found`), reads the page and writes one audit record with what it
 * lists (`not_found` when it is empty).
 *
 * @example
 * ```ts ignore
 * const page = await auditedPage(deps.db, c, { action: "issuance.search", municipalityCode: code,
 *   purpose, details, search: () => listIssuances(deps.db, code, filter, { limit, cursor }),
 *   listed: (p) => ({ issueNumbers: p.items.map((r) => r.issueNumber) }) });
 * ```
 */
export async function auditedPage<P extends { items: unknown[] }>(
  db: Db,
  c: Context<RegistryEnv>,
  opts: AuditedPageOptions<P>,
): Promise<P> {
  const record = {
    client: c.get("client").id,
    action: opts.action,
    municipalityCode: opts.municipalityCode,
    subject: opts.subject,
    purpose: opts.purpose,
    requestId: c.get("requestId"),
  };
  const details = opts.details;
  try {
    await loadMunicipality(db, opts.municipalityCode);
  } catch (err) {
    await audit(db, { ...record, outcome: "not_found", details });
    throw err;
  }
  const page = await opts.search();
  await audit(db, {
    ...record,
    outcome: page.items.length ? "ok" : "not_found",
    details: { ...details, ...opts.listed(page) },
  });
  return page;
}
