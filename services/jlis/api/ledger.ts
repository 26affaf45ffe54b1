/**
 * After release: the kiosk's print report (`/kiosk/requests`), the ledger's
 * status of a certificate for the portal, revocation by the municipality and
 * the ledger's signed checkpoints (`/ledger`), and the operators' incidents and tenant halts
 * (`/operations`).
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
import { requireScope } from "../auth.ts";
import {
  listHalts,
  listIncidents,
  resumeTenant,
} from "../issuance/incidents.ts";
import {
  issueStatus,
  recordPrintOutcome,
  revokeIssue,
} from "../issuance/ledger.ts";
import {
  createLedgerCheckpoint,
  listLedgerCheckpoints,
} from "../issuance/checkpoints.ts";
import {
  checkpointListSchema,
  checkpointSchema,
} from "../../../lib/ledger/checkpoint.ts";
import { errorResponses, type JlisDeps, type JlisEnv } from "./common.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

const IssueNumberParam = z.object({
  issueNumber: z.string().regex(/^\d{6}-\d{8}-\d{7,}$/).openapi({
    param: { name: "issueNumber", in: "path" },
    example: "401005-20261126-0000012",
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
        "Report the print: all pages delivered, the page that jammed, or the first page the kiosk could not print (`printFailure`: render or write failed) — it and later pages are voided and refunded",
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
  mountCheckpoints(app, deps);
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

/** An incident: a document withheld before release (operators only). */
const IncidentView = z.object({
  id: z.number(),
  at: z.string(),
  kind: z.string().openapi({ example: "SUBJECT_MISMATCH" }),
  municipalityCode: z.string(),
  requestId: z.string(),
  kioskId: z.string(),
  aspNode: z.string().nullable(),
  details: z.unknown(),
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

/** `/operations`: incidents and tenant halts. */
export function createOperationsApp(deps: JlisDeps): OpenAPIHono<JlisEnv> {
  const app = createResourceApp<JlisEnv>();
  app.use(requireScope(deps.clients, "operator"));
  app.openapi(
    createRoute({
      method: "get",
      path: "/incidents",
      summary: "Recent incidents (documents withheld before release)",
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
      request: {
        params: z.object({
          code: z.string().regex(/^\d{6}$/).openapi({
            param: { name: "code", in: "path" },
          }),
        }),
        ...body(z.object({ reason: z.string().min(1).max(500) }).strict()),
      },
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
  return app;
}
