/**
 * `POST /municipalities/{code}/events`: change events (異動).
 *
 * @module
 */
import { createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { requireClient } from "../auth.ts";
import { EventInput } from "../event_schemas.ts";
import { applyEvent } from "../events.ts";
import {
  errorResponses,
  MunicipalityParam,
  type RegistryDeps,
  type RegistryEnv,
} from "./common.ts";

const Committed = z.object({
  seq: z.number(),
  eventId: z.string(),
  type: z.string(),
  residentIds: z.array(z.string()),
}).openapi("Committed");

const route = createRoute({
  method: "post",
  path: "/",
  summary: "Apply a change event (異動) in one transaction",
  request: {
    params: MunicipalityParam,
    body: {
      content: { "application/json": { schema: EventInput } },
      required: true,
    },
  },
  responses: {
    201: {
      description: "Committed",
      content: { "application/json": { schema: Committed } },
    },
    ...errorResponses,
  },
  security: [{ bearer: [] }],
});

/** The events resource. */
export function createEventsApp(deps: RegistryDeps): OpenAPIHono<RegistryEnv> {
  const app = createResourceApp<RegistryEnv>();
  app.use(requireClient(deps.clients, "write"));
  app.openapi(route, async (c) => {
    const { code } = c.req.valid("param");
    const ev = c.req.valid("json");
    const committed = await applyEvent(deps.db, code, ev, {
      client: c.get("client").id,
      requestId: c.get("requestId"),
    });
    deps.notifier.notify(code);
    // The municipality updates the center's card binding in the same flow.
    await deps.centerBinding?.afterEvent(code, committed.seq);
    return c.json(committed, 201);
  });
  return app;
}
