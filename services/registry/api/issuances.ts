/**
 * `/municipalities/{code}/issuances`: the municipality's 交付履歴 — each
 * certificate issued at a kiosk with the standard's items (date and time,
 * place and terminal, person by id, type, items, sheets, issue number,
 * 処分情報 of voided sheets, revocation), searched by person, date range,
 * issue number and status, paged; every page read is one audit record with
 * its stated purpose. The city revokes an issue from here: the registry
 * asks the center over the municipality's own link.
 *
 * Scopes: `issuances` reads, `revoke` revokes (services/registry/auth.ts).
 *
 * @module
 */
import { createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { issueStatusSchema } from "../../../lib/contracts/ledger_status.ts";
import { requireClient } from "../auth.ts";
import { RegistryError } from "../errors.ts";
import { isoDate } from "../event_schemas.ts";
import {
  ISSUANCE_STATUSES,
  listIssuances,
  revokeAtCenter,
} from "../issuances.ts";
import { audit } from "../store.ts";
import {
  ISSUE_NUMBER_PATTERN,
  municipalityOfIssueNumber,
} from "../../../lib/contracts/issue_number.ts";
import {
  auditedPage,
  auditedPageRoute,
  errorResponses,
  MunicipalityParam,
  pageQuery,
  purposeOf,
  type RegistryDeps,
  type RegistryEnv,
} from "./common.ts";

const dateOrInstant = z.union([
  isoDate,
  z.string().datetime({ offset: true }),
]);

const Query = z.object({
  person: z.string().min(1).max(40).optional().openapi({
    description:
      "A resident id: certificates the person applied for or appears on",
  }),
  from: dateOrInstant.optional().openapi({
    description: "Issued on or after (date, JST, or instant)",
  }),
  to: dateOrInstant.optional().openapi({
    description:
      "Issued up to (a date: through that day, JST; an instant: before it)",
  }),
  issueNumber: z.string().regex(ISSUE_NUMBER_PATTERN).optional().openapi({
    example: "20261126-401005-kiosk-0001-01-0000012",
  }),
  status: z.enum(ISSUANCE_STATUSES).optional().openapi({
    description:
      "issued (print not yet reported), delivered, voided (sheets destroyed: see disposal), revoked",
  }),
  ...pageQuery(500, "filters"),
});

const DisposalView = z.object({
  at: z.string(),
  pages: z.array(z.number()),
  reason: z.string().openapi({ example: "paper_jam" }),
  jammedPage: z.number().optional(),
  failedPage: z.number().optional().openapi({
    description:
      "`print_failed`: the sheet the kiosk could not print, in this copy (on the copy it hit)",
  }),
  printFailure: z.string().optional().openapi({
    description: "`print_failed`: why (`RENDER_FAILED`, `WRITE_FAILED`)",
    example: "RENDER_FAILED",
  }),
  kioskReason: z.string().optional(),
  refund: z.number(),
}).openapi("IssuanceDisposal");

const IssuanceView = z.object({
  issueNumber: z.string(),
  municipalityCode: z.string(),
  issuedAt: z.string(),
  storeId: z.string().openapi({ description: "Place: the store" }),
  kioskId: z.string().openapi({ description: "Terminal: the kiosk" }),
  applicantId: z.string().nullable(),
  cardSerial: z.string().nullable(),
  type: z.string(),
  members: z.unknown(),
  options: z.unknown(),
  subjects: z.array(z.string()).openapi({
    description: "The residents on the sheets (ids)",
  }),
  pages: z.number(),
  fee: z.number().openapi({ description: "Yen, after refunds" }),
  status: z.enum(ISSUANCE_STATUSES),
  deliveredPages: z.array(z.number()),
  voidedPages: z.array(z.number()),
  disposal: z.array(DisposalView).openapi({
    description: "処分情報: each voiding of sheets",
  }),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
  lastSeq: z.number(),
}).openapi("Issuance");

const PageView = z.object({
  items: z.array(IssuanceView),
  nextCursor: z.string().nullable(),
}).openapi("IssuancePage");

const listRoute = auditedPageRoute({
  summary:
    "The municipality's 交付履歴: certificates issued at kiosks, newest first (audited)",
  description:
    "Filters combine with AND. Each page read is one audit record (filter names, the issue numbers listed) with the stated X-Purpose.",
  query: Query,
  page: PageView,
  pageDescription: "One page",
});

const revokeRoute = createRoute({
  method: "post",
  path: "/{issueNumber}/revoke",
  summary:
    "Revoke a certificate issued in error: the center revokes it (the municipality's own issues only)",
  request: {
    params: MunicipalityParam.extend({
      issueNumber: z.string().regex(ISSUE_NUMBER_PATTERN).openapi({
        param: { name: "issueNumber", in: "path" },
        example: "20261126-401005-kiosk-0001-01-0000012",
      }),
    }),
    body: {
      content: {
        "application/json": {
          schema: z.object({ reason: z.string().min(1).max(500) }).strict(),
        },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: "Revoked at the center",
      content: {
        "application/json": {
          schema: z.object({
            issueNumber: z.string(),
            status: issueStatusSchema,
          }).openapi("IssuanceRevoked"),
        },
      },
    },
    ...errorResponses,
    503: {
      description: "The center cannot be reached",
      content: {
        "application/json": {
          schema: z.object({ code: z.string() }).passthrough(),
        },
      },
    },
  },
  security: [{ bearer: [] }],
});

/** The center's refusal codes → the registry's. */
const CENTER_REFUSALS: Record<
  string,
  "ISSUE_NOT_FOUND" | "ISSUE_ALREADY_REVOKED"
> = {
  ISSUE_NOT_FOUND: "ISSUE_NOT_FOUND",
  WRONG_MUNICIPALITY: "ISSUE_NOT_FOUND",
  ALREADY_REVOKED: "ISSUE_ALREADY_REVOKED",
};

/** The 交付履歴 resource. */
export function createIssuancesApp(
  deps: RegistryDeps,
): OpenAPIHono<RegistryEnv> {
  const app = createResourceApp<RegistryEnv>();
  app.on(["GET"], "*", requireClient(deps.clients, "issuances"));
  app.on(["POST"], "*", requireClient(deps.clients, "revoke"));

  app.openapi(listRoute, async (c) => {
    const { code } = c.req.valid("param");
    const purpose = purposeOf(c.req.valid("header")["x-purpose"]);
    const { limit, cursor, ...filter } = c.req.valid("query");
    const page = await auditedPage(deps.db, c, {
      action: "issuance.search",
      municipalityCode: code,
      subject: filter.person,
      purpose,
      details: {
        filters: Object.keys(filter).filter((k) =>
          filter[k as keyof typeof filter] !== undefined
        ),
        limit,
        continued: cursor !== undefined,
      },
      search: () => listIssuances(deps.db, code, filter, { limit, cursor }),
      listed: (p) => ({ issueNumbers: p.items.map((r) => r.issueNumber) }),
    });
    return c.json(page as z.infer<typeof PageView>, 200);
  });

  app.openapi(revokeRoute, async (c) => {
    const { code, issueNumber } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const record = {
      client: c.get("client").id,
      action: "issuance.revoke",
      municipalityCode: code,
      purpose: reason,
      requestId: c.get("requestId"),
      details: { issueNumber },
    };
    // An issue number carries its municipality's code.
    if (municipalityOfIssueNumber(issueNumber) !== code) {
      await audit(deps.db, { ...record, outcome: "not_found" });
      throw new RegistryError("ISSUE_NOT_FOUND", { issueNumber });
    }
    const answer = deps.center
      ? await revokeAtCenter(deps.center, code, issueNumber, reason)
      : { ok: false as const, httpStatus: 0, code: "NO_CENTER_LINK" };
    if (!answer.ok) {
      const mapped = answer.code ? CENTER_REFUSALS[answer.code] : undefined;
      const refusal = mapped ??
        (answer.httpStatus === 0 || answer.httpStatus >= 500
          ? "CENTER_UNAVAILABLE"
          : "CENTER_REFUSED");
      await audit(deps.db, {
        ...record,
        outcome: "refused",
        details: { issueNumber, code: refusal, centerCode: answer.code },
      });
      throw new RegistryError(refusal, {
        issueNumber,
        centerCode: answer.code,
      });
    }
    await audit(deps.db, record);
    // The revocation reaches the history through the center's feed.
    await deps.issuancePull?.tick(code).catch(() => {});
    const status = issueStatusSchema.safeParse(answer.status);
    return c.json({
      issueNumber,
      status: status.success
        ? status.data
        : { issueNumber, status: "revoked" as const, pages: [] },
    }, 200);
  });
  return app;
}
