/**
 * After release: the kiosk's print report (`/kiosk/requests`), the ledger's
 * status of a certificate for the portal, revocation by the municipality and
 * the ledger's signed checkpoints (`/ledger`), the operators' incidents,
 * tenant halts and expected ASP digests (`/operations`), and a
 * municipality's own incidents and halts (`/municipalities/{code}`).
 *
 * @module
 */
import { component, createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { issueStatusSchema } from "../../../lib/contracts/ledger_status.ts";
import {
  printOutcomeSchema,
  printReportSchema,
} from "../../../lib/contracts/kiosk_center.ts";
import { annotateRequestLog } from "../../../lib/service/app.ts";
import { assertActsFor, requireScope } from "../auth.ts";
import {
  acknowledgeIncident,
  listHalts,
  listIncidents,
  resumeTenant,
} from "../issuance/incidents.ts";
import { digestsOf, setExpectedDigests } from "../issuance/conformance.ts";
import {
  issueStatus,
  municipalLedgerPage,
  recordPrintOutcome,
  revokeIssue,
} from "../issuance/ledger.ts";
import { ledgerFeedPageSchema } from "../../../lib/contracts/ledger_feed.ts";
import {
  createLedgerCheckpoint,
  listLedgerCheckpoints,
} from "../issuance/checkpoints.ts";
import {
  checkpointListSchema,
  checkpointSchema,
} from "../../../lib/ledger/checkpoint.ts";
import { errorResponses, type JlisDeps, type JlisEnv } from "./common.ts";
import { ISSUE_NUMBER_PATTERN } from "../../../lib/contracts/issue_number.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

const IssueNumberParam = z.object({
  issueNumber: z.string().regex(ISSUE_NUMBER_PATTERN).openapi({
    param: { name: "issueNumber", in: "path" },
    example: "20261126-401005-kiosk-0001-01-0000012",
  }),
});

const IssueStatusView = component(issueStatusSchema, "IssueStatus");

const CheckpointView = component(checkpointSchema, "LedgerCheckpoint");
const CheckpointListView = component(
  checkpointListSchema.extend({ checkpoints: z.array(CheckpointView) }),
  "LedgerCheckpointList",
);

/** Routes of the ledger's signed checkpoints (mounted inside `/ledger`). */
function mountCheckpoints(app: OpenAPIHono<JlisEnv>, deps: JlisDeps): void {
  app.on(
    "GET",
    "/checkpoints",
    requireScope(deps.clients, "municipal", "operator"),
  );
  app.on("POST", "/checkpoints", requireScope(deps.clients, "operator"));
  app.openapi(
    createRoute({
      method: "get",
      path: "/checkpoints",
      summary:
        "Signed checkpoints of the ledger's head (number, seq, hash, time, key id), oldest first, after a number — municipalities keep copies",
      request: {
        query: z.object({
          after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
            .default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(500),
        }),
      },
      responses: {
        200: json(CheckpointListView, "Checkpoints"),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { after, limit } = c.req.valid("query");
      const checkpoints = await listLedgerCheckpoints(deps.db, after, limit);
      annotateRequestLog(c, { checkpoints: checkpoints.length });
      return c.json({ checkpoints }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/checkpoints",
      summary: "Sign a checkpoint of the ledger's head now (operators)",
      responses: {
        201: json(CheckpointView, "Signed and stored"),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const cp = await createLedgerCheckpoint(
        deps.db,
        deps.signer,
        deps.clock,
      );
      return c.json(cp!, 201);
    },
  );
}

/** `/kiosk/requests`: the kiosk reports what it printed. */
export function createPrintReportApp(deps: JlisDeps): OpenAPIHono<JlisEnv> {
  const app = createResourceApp<JlisEnv>();
  app.use(requireScope(deps.clients, "kiosk"));
  app.openapi(
    createRoute({
      method: "post",
      path: "/{requestId}/outcome",
      summary:
        "Report the print: all pages delivered, the page that jammed (its copy voided and refunded, the other copies delivered), or the first page the kiosk could not print (`printFailure`: render or write failed) — the print stops: its copy and every later copy voided and refunded (`WRITE_FAILED`: every copy), earlier copies delivered; pages in print order over all copies",
      request: {
        params: z.object({
          requestId: z.string().regex(/^req-[0-9a-f-]{36}$/).openapi({
            param: { name: "requestId", in: "path" },
          }),
        }),
        ...body(printReportSchema),
      },
      responses: {
        200: json(
          component(printOutcomeSchema, "PrintOutcome"),
          "Recorded in the ledger",
        ),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { requestId } = c.req.valid("param");
      const { jammedPage, printFailure } = c.req.valid("json");
      annotateRequestLog(c, { issuanceRequestId: requestId });
      const out = await recordPrintOutcome(deps.db, {
        requestId,
        kioskId: c.get("client").id,
        jammedPage,
        printFailure,
        at: deps.clock.now(),
      });
      return c.json(out, 200);
    },
  );
  return app;
}

/** `/ledger`: status for the portal (no personal data), revocation. */
export function createLedgerApp(deps: JlisDeps): OpenAPIHono<JlisEnv> {
  const app = createResourceApp<JlisEnv>();
  app.use(
    "/:issueNumber/status",
    requireScope(deps.clients, "portal", "operator", "municipal"),
  );
  app.use("/:issueNumber/revoke", requireScope(deps.clients, "municipal"));
  app.use(
    "/municipalities/:code/entries",
    requireScope(deps.clients, "municipal"),
  );
  mountCheckpoints(app, deps);
  app.openapi(
    createRoute({
      method: "get",
      path: "/municipalities/{code}/entries",
      summary:
        "A municipality's ledger entries (its 交付履歴 feed), numbered 1, 2, 3, … without gaps in the ledger's order, after a number; with its head number (the municipality itself only)",
      request: {
        params: z.object({
          code: z.string().regex(/^\d{6}$/).openapi({
            param: { name: "code", in: "path" },
            example: "401005",
          }),
        }),
        query: z.object({
          after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
            .default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(500),
        }),
      },
      responses: {
        200: json(
          component(ledgerFeedPageSchema, "MunicipalLedgerPage"),
          "Entries",
        ),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const { after, limit } = c.req.valid("query");
      assertActsFor(code, c.get("client"));
      const page = await municipalLedgerPage(deps.db, code, after, limit);
      annotateRequestLog(c, { entries: page.entries.length });
      return c.json(page, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/{issueNumber}/status",
      summary:
        "A certificate's status from the ledger: valid, voided (a sheet lost to a jam), revoked, unknown",
      request: { params: IssueNumberParam },
      responses: { 200: json(IssueStatusView, "Status"), ...errorResponses },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { issueNumber } = c.req.valid("param");
      const s = await issueStatus(deps.db, issueNumber);
      return c.json(
        { issueNumber: s.issueNumber, status: s.status, pages: s.pages },
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/{issueNumber}/revoke",
      summary: "Revoke a certificate issued in error (its municipality)",
      request: {
        params: IssueNumberParam,
        ...body(z.object({ reason: z.string().min(1).max(500) }).strict()),
      },
      responses: { 200: json(IssueStatusView, "Revoked"), ...errorResponses },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { issueNumber } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      const client = c.get("client");
      const s = await revokeIssue(deps.db, issueNumber, {
        actor: client.id,
        municipalities: client.municipalities,
        reason,
        at: deps.clock.now(),
      });
      return c.json(
        { issueNumber: s.issueNumber, status: s.status, pages: s.pages },
        200,
      );
    },
  );
  return app;
}

/** An incident (see services/jlis/issuance/incidents.ts `INCIDENT_KINDS`). */
const IncidentView = z.object({
  id: z.number(),
  at: z.string(),
  kind: z.string().openapi({ example: "REPEATED_ASP_TIMEOUT" }),
  municipalityCode: z.string(),
  requestId: z.string(),
  kioskId: z.string(),
  aspNode: z.string().nullable(),
  details: z.unknown(),
  acknowledgedAt: z.string().nullable().openapi({
    description:
      "null while open: only an operator's acknowledgement closes it",
  }),
  acknowledgedBy: z.string().nullable(),
  acknowledgeReason: z.string().nullable(),
}).openapi("Incident");

/** A tenant halt; current while `resumedAt` is null. */
const HaltView = z.object({
  id: z.number(),
  municipalityCode: z.string(),
  haltedAt: z.string(),
  reason: z.string(),
  incidentId: z.number().nullable(),
  resumedAt: z.string().nullable(),
  resumedBy: z.string().nullable(),
  resumeReason: z.string().nullable(),
}).openapi("TenantHalt");

const CodeParam = z.object({
  code: z.string().regex(/^\d{6}$/).openapi({
    param: { name: "code", in: "path" },
    example: "401005",
  }),
});

const Digest = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/);

/** What the center expects of the node serving a municipality, and what nodes stated. */
const DigestsView = z.object({
  municipalityCode: z.string(),
  expected: z.object({
    buildDigest: z.string().nullable(),
    configDigest: z.string().nullable(),
    setAt: z.string(),
    setBy: z.string(),
    reason: z.string(),
  }).nullable(),
  seen: z.array(z.object({
    aspNode: z.string(),
    buildDigest: z.string(),
    configDigest: z.string(),
    firstSeenAt: z.string(),
  })),
}).openapi("AspDigests");

const ReasonBody = z.object({ reason: z.string().min(1).max(500) }).strict();

/** `/operations`: incidents, tenant halts and the ASP digests expected. */
export function createOperationsApp(deps: JlisDeps): OpenAPIHono<JlisEnv> {
  const app = createResourceApp<JlisEnv>();
  app.use(requireScope(deps.clients, "operator"));
  app.openapi(
    createRoute({
      method: "get",
      path: "/incidents",
      summary:
        "Recent incidents, open and acknowledged (withheld documents, nodes not running the expected build or configuration, repeated failures)",
      responses: {
        200: json(z.object({ incidents: z.array(IncidentView) }), "Incidents"),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => c.json({ incidents: await listIncidents(deps.db) }, 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/incidents/{id}/acknowledge",
      summary:
        "Acknowledge an incident with a reason (closes it; a halted municipality is resumed separately)",
      request: {
        params: z.object({
          id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER)
            .openapi({ param: { name: "id", in: "path" }, example: 12 }),
        }),
        ...body(ReasonBody),
      },
      responses: {
        200: json(IncidentView, "Acknowledged"),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      const row = await acknowledgeIncident(deps.db, id, {
        by: c.get("client").id,
        reason,
        at: deps.clock.now(),
      });
      annotateRequestLog(c, { incidentId: id });
      return c.json(row, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/halts",
      summary: "Tenant halts, current (resumedAt null) and past",
      responses: {
        200: json(z.object({ halts: z.array(HaltView) }), "Halts"),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => c.json({ halts: await listHalts(deps.db) }, 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/halts/{code}/resume",
      summary: "Resume a halted municipality once its incident was dealt with",
      request: { params: CodeParam, ...body(ReasonBody) },
      responses: {
        200: json(
          z.object({ municipalityCode: z.string(), halted: z.boolean() }),
          "Resumed",
        ),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      await resumeTenant(deps.db, code, {
        by: c.get("client").id,
        reason,
        at: deps.clock.now(),
      });
      return c.json({ municipalityCode: code, halted: false }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/digests/{code}",
      summary:
        "The build and tenant-configuration digests expected of the ASP node serving a municipality, and every pair its nodes stated (first seen)",
      request: { params: CodeParam },
      responses: { 200: json(DigestsView, "Digests"), ...errorResponses },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const d = await digestsOf(deps.db, code);
      return c.json({
        municipalityCode: code,
        expected: d.expected
          ? {
            buildDigest: d.expected.buildDigest,
            configDigest: d.expected.configDigest,
            setAt: d.expected.setAt.toISOString(),
            setBy: d.expected.setBy,
            reason: d.expected.reason,
          }
          : null,
        seen: d.seen.map((s) => ({
          aspNode: s.aspNode,
          buildDigest: s.buildDigest,
          configDigest: s.configDigest,
          firstSeenAt: s.firstSeenAt.toISOString(),
        })),
      }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "put",
      path: "/digests/{code}",
      summary:
        "Set the digests expected of the node serving a municipality (null: not set); any other stated value refuses the request and records an incident",
      request: {
        params: CodeParam,
        ...body(
          z.object({
            buildDigest: Digest.nullable(),
            configDigest: Digest.nullable(),
            reason: z.string().min(1).max(500),
          }).strict(),
        ),
      },
      responses: { 200: json(DigestsView, "Set"), ...errorResponses },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const { buildDigest, configDigest, reason } = c.req.valid("json");
      const at = deps.clock.now();
      const by = c.get("client").id;
      await setExpectedDigests(deps.db, code, {
        build: buildDigest,
        config: configDigest,
        by,
        reason,
        at,
      });
      const d = await digestsOf(deps.db, code);
      return c.json({
        municipalityCode: code,
        expected: {
          buildDigest,
          configDigest,
          setAt: at.toISOString(),
          setBy: by,
          reason,
        },
        seen: d.seen.map((s) => ({
          aspNode: s.aspNode,
          buildDigest: s.buildDigest,
          configDigest: s.configDigest,
          firstSeenAt: s.firstSeenAt.toISOString(),
        })),
      }, 200);
    },
  );
  return app;
}

/** The lists of incidents and halts: each one's view, query and description. */
const ASSURANCE_LISTS = {
  incidents: { view: IncidentView, list: listIncidents, what: "Incidents" },
  halts: { view: HaltView, list: listHalts, what: "Halts" },
};

/**
 * Mounts `GET /{code}/incidents` or `GET /{code}/halts`: the municipality's
 * own list, newest first (another municipality's code: WRONG_MUNICIPALITY).
 */
function mountOwnList(
  app: OpenAPIHono<JlisEnv>,
  deps: JlisDeps,
  key: keyof typeof ASSURANCE_LISTS,
  summary: string,
): void {
  const { view, list, what } = ASSURANCE_LISTS[key];
  app.openapi(
    createRoute({
      method: "get",
      path: `/{code}/${key}`,
      summary,
      request: { params: CodeParam },
      responses: {
        200: json(z.object({ [key]: z.array(view) }), what),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      assertActsFor(code, c.get("client"));
      const rows = await list(deps.db, { municipalityCode: code });
      return c.json({ [key]: rows }, 200);
    },
  );
}

/**
 * `/municipalities/{code}`: a municipality reads its own incidents and
 * halts over its mutual-TLS identity (a municipal client; another
 * municipality's code is refused, WRONG_MUNICIPALITY).
 */
export function createMunicipalAssuranceApp(
  deps: JlisDeps,
): OpenAPIHono<JlisEnv> {
  const app = createResourceApp<JlisEnv>();
  // Only this app's own paths: other apps share the `/municipalities` mount
  // (the fee schedules, readable by operators too).
  for (const path of ["/:code/incidents", "/:code/halts"]) {
    app.use(path, requireScope(deps.clients, "municipal"));
  }
  mountOwnList(
    app,
    deps,
    "incidents",
    "The municipality's own incidents, open and acknowledged, newest first",
  );
  mountOwnList(
    app,
    deps,
    "halts",
    "The municipality's own halts, current and past, newest first",
  );
  return app;
}
