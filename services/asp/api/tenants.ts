/**
 * `/tenants`: operators see each tenant's sync state, freshness and alerts,
 * and resume a stopped sync.
 *
 * @module
 */
import { createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { desc, eq } from "drizzle-orm";
import { alerts, type Tenant } from "../../../db/asp/schema.ts";
import { requireScope } from "../auth.ts";
import { freshnessOf, STALENESS_REASONS } from "../issuance.ts";
import { resumeSync } from "../sync_worker.ts";
import { formProfileOf } from "../tenancy.ts";
import { formProfileSchema } from "../../../lib/contracts/form_profile.ts";
import {
  type AspDeps,
  type AspEnv,
  errorResponses,
  TenantParam,
} from "./common.ts";

/** A tenant as operators see it. */
const TenantView = z.object({
  code: z.string(),
  name: z.string().nullable().openapi({
    description:
      "From the registry's feed: the municipality's name (null until its record was heard)",
  }),
  mayor: z.string().nullable().openapi({
    description:
      "From the registry's feed: the mayor's title and name the forms print (null until heard)",
  }),
  schemaName: z.string(),
  snapshotSeq: z.number().nullable(),
  appliedSeq: z.number(),
  appliedAt: z.string().nullable(),
  headSeq: z.number(),
  headSeenAt: z.string().nullable(),
  syncState: z.string().openapi({ example: "running" }),
  stopReason: z.string().nullable(),
  freshness: z.object({
    fresh: z.boolean(),
    reason: z.enum(STALENESS_REASONS).optional(),
    syncState: z.string(),
    appliedSeq: z.number(),
    headSeq: z.number(),
    headSeenAt: z.string().nullable(),
  }),
  policy: z.object({
    printMyNumber: z.boolean(),
    retentionYears: z.number(),
    stalenessMaxEvents: z.number(),
    stalenessMaxSeconds: z.number(),
    sameDayEventTypes: z.array(z.string()).nullable().openapi({
      description:
        "From the registry's feed: event types whose change, processed today (処理日), is issued only from tomorrow; null: every type",
    }),
    householdMoveOutPolicy: z.enum(["strict", "lenient"]).openapi({
      description:
        "From the registry's feed: strict refuses a household certificate while any member filed a move-out",
    }),
    formProfile: formProfileSchema.describe(
      "From the registry's feed: how the certificates are printed (the default profile until heard)",
    ),
  }),
}).openapi("Tenant");

/** An alert raised for a tenant (sync stopped, integrity). */
const AlertView = z.object({
  id: z.number(),
  at: z.string(),
  tenantCode: z.string().nullable(),
  kind: z.string().openapi({ example: "SYNC_GAP" }),
  message: z.string(),
  details: z.unknown(),
  acknowledgedAt: z.string().nullable(),
}).openapi("TenantAlert");

function view(t: Tenant, now: Date) {
  return {
    code: t.code,
    name: t.name,
    mayor: t.mayor,
    schemaName: t.schemaName,
    snapshotSeq: t.snapshotSeq === null ? null : Number(t.snapshotSeq),
    appliedSeq: Number(t.appliedSeq),
    appliedAt: t.appliedAt,
    headSeq: Number(t.headSeq),
    headSeenAt: t.headSeenAt,
    syncState: t.syncState,
    stopReason: t.stopReason,
    freshness: freshnessOf(t, now),
    policy: {
      printMyNumber: t.printMyNumber,
      retentionYears: t.retentionYears,
      stalenessMaxEvents: t.stalenessMaxEvents,
      stalenessMaxSeconds: t.stalenessMaxSeconds,
      sameDayEventTypes: t.sameDayEventTypes === null
        ? null
        : t.sameDayEventTypes.split(",").filter(Boolean),
      householdMoveOutPolicy: t.householdMoveOutPolicy === "lenient"
        ? "lenient" as const
        : "strict" as const,
      formProfile: formProfileOf(t),
    },
  };
}

/** The tenants resource (operators). */
export function createTenantsApp(deps: AspDeps): OpenAPIHono<AspEnv> {
  const app = createResourceApp<AspEnv>();
  // Mounted at /tenants beside the per-tenant resources: guard only these paths.
  const admin = requireScope(deps.clients, "admin");
  app.use("/", admin);
  app.use("/:code", admin);
  app.use("/:code/sync/*", admin);
  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "All tenants with their sync state",
      responses: {
        200: {
          description: "Tenants",
          content: {
            "application/json": {
              schema: z.object({ tenants: z.array(TenantView) }),
            },
          },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const now = deps.clock.now();
      return c.json({
        tenants: (await deps.tenancy.list()).map((t) => view(t, now)),
      }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/{code}",
      summary: "A tenant's sync state, freshness, policy and recent alerts",
      request: { params: TenantParam },
      responses: {
        200: {
          description: "Tenant",
          content: {
            "application/json": {
              schema: TenantView.extend({ alerts: z.array(AlertView) }),
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
      const recent = await deps.tenancy.db.select().from(alerts).where(
        eq(alerts.tenantCode, code),
      )
        .orderBy(desc(alerts.id)).limit(20);
      return c.json({ ...view(t, deps.clock.now()), alerts: recent }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/{code}/sync/resume",
      summary: "Resume a stopped sync (after the cause was dealt with)",
      request: { params: TenantParam },
      responses: {
        200: {
          description: "Resumed",
          content: { "application/json": { schema: TenantView } },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      await resumeSync(deps.tenancy, code, {
        actor: c.get("client").id,
        at: deps.clock.now(),
      });
      return c.json(view(await deps.tenancy.get(code), deps.clock.now()), 200);
    },
  );
  return app;
}
