/**
 * `/municipalities/{code}/fee-schedule`: a municipality's fee per copy of
 * each certificate type, in effective-dated entries
 * (services/jlis/issuance/fee_schedule.ts). The municipality sets its own
 * (its window's client, over mutual TLS, acting for that municipality
 * only); it and the center's operators read it.
 *
 * @module
 */
import { component, createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { annotateRequestLog } from "../../../lib/service/app.ts";
import { assertActsFor, requireScope } from "../auth.ts";
import {
  feeScheduleInputSchema,
  feeScheduleSchema,
  readFeeSchedule,
  setFeeSchedule,
} from "../issuance/fee_schedule.ts";
import { errorResponses, type JlisDeps, type JlisEnv } from "./common.ts";

const CodeParam = z.object({
  code: z.string().regex(/^\d{6}$/).openapi({
    param: { name: "code", in: "path" },
    example: "401005",
  }),
});

const FeeSchedule = component(feeScheduleSchema, "FeeSchedule");

/** The `/municipalities` sub-app (fee schedules). */
export function createFeeScheduleApp(deps: JlisDeps): OpenAPIHono<JlisEnv> {
  const app = createResourceApp<JlisEnv>();
  app.on(
    "GET",
    "/:code/fee-schedule",
    requireScope(deps.clients, "municipal", "operator"),
  );
  app.on("PUT", "/:code/fee-schedule", requireScope(deps.clients, "municipal"));
  app.openapi(
    createRoute({
      method: "get",
      path: "/{code}/fee-schedule",
      summary:
        "A municipality's fee schedule: its effective-dated entries (fee per copy by certificate type) and the defaults used where no entry covers a day (the municipality itself, or operators)",
      request: { params: CodeParam },
      responses: {
        200: {
          description: "The schedule",
          content: { "application/json": { schema: FeeSchedule } },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const client = c.get("client");
      if (!client.scopes.includes("operator")) {
        assertActsFor(code, client, "FEE_SCHEDULE_NOT_YOURS");
      }
      return c.json(await readFeeSchedule(deps.db, code), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "put",
      path: "/{code}/fee-schedule",
      summary:
        "Set the municipality's whole fee schedule (its own only): entries { type, fee (yen per copy), from, until? } in JST days; on a day the covering entry with the latest start applies, else the default; an empty list returns to the defaults",
      request: {
        params: CodeParam,
        body: {
          content: {
            "application/json": {
              schema: component(feeScheduleInputSchema, "FeeScheduleInput"),
            },
          },
          required: true,
        },
      },
      responses: {
        200: {
          description: "Stored (the schedule as it now stands)",
          content: { "application/json": { schema: FeeSchedule } },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const { entries } = c.req.valid("json");
      const client = c.get("client");
      const s = await setFeeSchedule(deps.db, code, entries, {
        actor: client.id,
        municipalities: client.municipalities,
        at: deps.clock.now(),
      });
      annotateRequestLog(c, { entries: s.entries.length });
      return c.json(s, 200);
    },
  );
  return app;
}
