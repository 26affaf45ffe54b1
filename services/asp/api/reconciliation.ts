/**
 * `/tenants/{code}/reconciliation` and `/tenants/{code}/halt` (operators):
 * run a tenant's live reconciliation now, see its recent runs and halt, and
 * lift a halt (with a reason, audited) once the replica was repaired.
 *
 * @module
 */
import { createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { requireScope } from "../auth.ts";
import { AspError } from "../errors.ts";
import { liftHalt, recentRuns } from "../reconciliation.ts";
import {
  type AspDeps,
  type AspEnv,
  errorResponses,
  TenantParam,
} from "./common.ts";

const DifferenceView = z.object({
  subject: z.string().openapi({
    description: "Person (or household) id",
    example: "401005-00000012",
  }),
  kind: z.enum(["resident", "household", "seal", "block", "card"]),
  key: z.string().openapi({ description: "Record id or card serial" }),
  field: z.string().openapi({
    description: "Field that differs; `(record)`: present on one side only",
    example: "katagaki",
  }),
}).openapi("ReconcileDifference");

const RunView = z.object({
  tenant: z.string(),
  seq: z.number().openapi({ description: "Sequence compared at" }),
  outcome: z.enum(["clean", "mismatch", "skipped"]),
  records: z.number(),
  requests: z.number(),
  durationMs: z.number(),
  differences: z.array(DifferenceView),
  reason: z.string().optional(),
}).openapi("ReconcileRun");

const RunRowView = z.object({
  id: z.number(),
  at: z.string(),
  seq: z.number(),
  outcome: z.string(),
  trigger: z.string(),
  records: z.number(),
  requests: z.number(),
  durationMs: z.number(),
  details: z.unknown(),
}).openapi("ReconcileRunRecord");

const HaltView = z.object({
  haltedAt: z.string().nullable(),
  reason: z.string().nullable(),
  details: z.unknown(),
}).openapi("TenantHalt");

/** The reconciliation and halt resources (operators, `admin` scope). */
export function createReconciliationApp(deps: AspDeps): OpenAPIHono<AspEnv> {
  const app = createResourceApp<AspEnv>();
  // Mounted at /tenants/:code beside the center's resources: guard only these paths.
  const admin = requireScope(deps.clients, "admin");
  app.use("/reconciliation", admin);
  app.use("/halt/*", admin);
  app.openapi(
    createRoute({
      method: "post",
      path: "/reconciliation",
      summary: "Reconcile the tenant's replica with the registry now",
      description:
        "Compares every kept field of the replica with the registry at the replica's applied sequence, narrowing by ranges of person ids. A difference halts the tenant (issuance refused REPLICA_MISMATCH) and raises a RECONCILE_MISMATCH alert naming the fields and person ids.",
      request: { params: TenantParam },
      responses: {
        200: {
          description: "The run",
          content: { "application/json": { schema: RunView } },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      await deps.tenancy.get(code);
      if (!deps.reconciler) {
        throw new AspError("RECONCILIATION_UNAVAILABLE", { tenant: code });
      }
      const run = await deps.reconciler.run(code, c.get("client").id);
      return c.json(run, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/reconciliation",
      summary: "The tenant's recent reconciliation runs and its halt",
      request: { params: TenantParam },
      responses: {
        200: {
          description: "Runs, newest first, and the halt",
          content: {
            "application/json": {
              schema: z.object({
                halt: HaltView,
                runs: z.array(RunRowView),
              }),
            },
          },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const t = await deps.tenancy.get(code);
      const runs = await recentRuns(deps.tenancy, code);
      return c.json({
        halt: {
          haltedAt: t.haltedAt,
          reason: t.haltReason,
          details: t.haltDetails,
        },
        runs: runs.map((r) => ({ ...r, seq: Number(r.seq) })),
      }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/halt/lift",
      summary: "Lift the tenant's reconciliation halt (after the repair)",
      request: {
        params: TenantParam,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.object({ reason: z.string().min(1).max(500) }),
            },
          },
        },
      },
      responses: {
        200: {
          description: "Lifted",
          content: { "application/json": { schema: HaltView } },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      await liftHalt(deps.tenancy, deps.metrics, code, {
        actor: c.get("client").id,
        reason,
        at: deps.clock.now(),
      });
      return c.json({ haltedAt: null, reason: null, details: null }, 200);
    },
  );
  return app;
}
