/**
 * `/kiosk/failures`: a kiosk reports an answer it refused to use (nothing
 * printed) — services/jlis/issuance/kiosk_failure.ts.
 *
 * @module
 */
import { component, createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import {
  kioskFailureRecordedSchema,
  kioskFailureReportSchema,
} from "../../../lib/contracts/kiosk_center.ts";
import { silentLogger } from "../../../lib/service/logger.ts";
import { createMetrics } from "../../../lib/service/metrics.ts";
import { requireScope } from "../auth.ts";
import { recordKioskFailure } from "../issuance/kiosk_failure.ts";
import {
  errorResponses,
  type IssuanceRouteDeps,
  type JlisDeps,
  type JlisEnv,
} from "./common.ts";

/** The `/kiosk/failures` sub-app. */
export function createKioskFailuresApp(
  deps: JlisDeps & Partial<Pick<IssuanceRouteDeps, "logger" | "metrics">>,
): OpenAPIHono<JlisEnv> {
  const app = createResourceApp<JlisEnv>();
  app.use(requireScope(deps.clients, "kiosk"));
  const telemetry = {
    db: deps.db,
    logger: deps.logger ?? silentLogger(),
    metrics: deps.metrics ?? createMetrics(),
    failurePolicy: deps.issuance?.failurePolicy,
  };
  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      summary:
        "Report an answer the kiosk refused to use (signature, schema or session check failed): nothing was printed; what the session released is voided",
      request: {
        body: {
          content: {
            "application/json": {
              schema: component(kioskFailureReportSchema, "KioskFailureReport"),
            },
          },
          required: true,
        },
      },
      responses: {
        200: {
          description: "Recorded",
          content: {
            "application/json": {
              schema: component(
                kioskFailureRecordedSchema,
                "KioskFailureRecorded",
              ),
            },
          },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const report = c.req.valid("json");
      const r = await recordKioskFailure(telemetry, {
        kioskId: c.get("client").id,
        at: deps.clock.now(),
        report,
      });
      return c.json(r, 200);
    },
  );
  return app;
}
