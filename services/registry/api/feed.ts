/**
 * `GET /municipalities/{code}/feed?after=<seq>`: events in order; when there
 * are none yet, the request waits (long poll) up to `wait` seconds. A poll
 * that ends with no events is logged at debug: each ASP tenant polls every
 * 20 s or so, and those lines would drown the rest.
 *
 * @module
 */
import { component, createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { feedResponseSchema } from "../../../lib/contracts/registry_feed.ts";
import { quietRequestLog } from "../../../lib/service/app.ts";
import { requireClient } from "../auth.ts";
import { headSeq, loadMunicipality, readFeed } from "../store.ts";
import { audit } from "../store.ts";
import {
  errorResponses,
  MunicipalityParam,
  type RegistryDeps,
  type RegistryEnv,
} from "./common.ts";

const FeedResponseView = component(feedResponseSchema, "FeedResponse");

const Query = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  wait: z.coerce.number().min(0).max(60).default(0).openapi({
    description: "Seconds to wait when empty",
  }),
});

const route = createRoute({
  method: "get",
  path: "/",
  summary: "Change feed in sequence order (long-polling)",
  request: { params: MunicipalityParam, query: Query },
  responses: {
    200: {
      description: "Events after `after`, and the head sequence",
      content: { "application/json": { schema: FeedResponseView } },
    },
    ...errorResponses,
  },
  security: [{ bearer: [] }],
});

/** The feed resource. */
export function createFeedApp(deps: RegistryDeps): OpenAPIHono<RegistryEnv> {
  const app = createResourceApp<RegistryEnv>();
  app.use(requireClient(deps.clients, "feed"));
  app.openapi(route, async (c) => {
    const { code } = c.req.valid("param");
    const { after, limit, wait } = c.req.valid("query");
    await loadMunicipality(deps.db, code);
    const deadline = Date.now() +
      Math.min(wait * 1000, deps.maxFeedWaitMs ?? 25_000);
    let events = await readFeed(deps.db, code, after, limit);
    while (!events.length && Date.now() < deadline) {
      await deps.notifier.wait(
        code,
        Math.min(250, deadline - Date.now()),
        c.req.raw.signal,
      );
      if (c.req.raw.signal.aborted) break;
      events = await readFeed(deps.db, code, after, limit);
    }
    const head = await headSeq(deps.db, code);
    if (!events.length) quietRequestLog(c);
    else {
      await audit(deps.db, {
        client: c.get("client").id,
        action: "feed.read",
        municipalityCode: code,
        requestId: c.get("requestId"),
        details: { from: events[0].seq, to: events[events.length - 1].seq },
      });
    }
    return c.json({ municipalityCode: code, head, events }, 200);
  });
  return app;
}
