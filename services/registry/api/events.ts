/**
 * `POST /municipalities/{code}/events`: change events (異動).
 *
 * @module
 */
import { jstDate } from "../../../lib/time/clock.ts";
import { createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { requireClient } from "../auth.ts";
import { EventInput } from "../event_schemas.ts";
import { applyEvent } from "../events.ts";
import { eventCommitter, mayConcernCards } from "../store.ts";
import type { MetricsRegistry } from "../../../lib/service/metrics.ts";
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

/** Buckets of the group-size histogram (events committed together). */
export const GROUP_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32];

/** The events resource (with `metrics`: the histogram of group sizes). */
export function createEventsApp(
  deps: RegistryDeps & { metrics?: MetricsRegistry },
): OpenAPIHono<RegistryEnv> {
  const app = createResourceApp<RegistryEnv>();
  if (deps.metrics) {
    const sizes = deps.metrics.histogram(
      "registry_event_group_size",
      "Events committed together in one transaction (group commit), per group",
      GROUP_SIZE_BUCKETS,
    );
    eventCommitter(deps.db).onGroup(
      "metrics",
      (n, code) => sizes.observe(n, { municipality: code }),
    );
  }
  app.use(requireClient(deps.clients, "write"));
  app.openapi(route, async (c) => {
    const { code } = c.req.valid("param");
    const ev = c.req.valid("json");
    const committed = await applyEvent(deps.db, code, ev, {
      client: c.get("client").id,
      requestId: c.get("requestId"),
      today: jstDate(deps.clock.now()),
    });
    // Answered after the group's commit; the hooks run per event.
    deps.notifier.notify(code);
    // The municipality updates the center's card records in the same flow
    // (skipped, with its read of the event, when no card can be concerned).
    if (mayConcernCards(committed)) {
      await deps.centerBinding?.afterEvent(code, committed.seq);
    }
    return c.json(committed, 201);
  });
  return app;
}
