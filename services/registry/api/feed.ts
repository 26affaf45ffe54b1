/**
 * `GET /municipalities/{code}/feed?after=<seq>`: events in order; when there
 * are none yet, the request waits (long poll) up to `wait` seconds, but never
 * longer than the heartbeat interval (`feedHeartbeatMs`, default 1 s): an
 * idle poll answers `{events: [], head, heartbeatAt}`, the heartbeat that
 * tells the replica the head is still where it heard it. Events wake a
 * waiting poll at once (the notifier), so the heartbeat costs the sync lag
 * nothing; an idle replica simply asks again within a second.
 *
 * A poll that ends with no events (a heartbeat) is logged at debug: each ASP
 * tenant polls every second, and those lines would drown the rest.
 *
 * @module
 */
import { component, createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { feedResponseSchema } from "../../../lib/contracts/registry_feed.ts";
import { quietRequestLog } from "../../../lib/service/app.ts";
import { requireClient } from "../auth.ts";
import { feedPolicyOf, headSeq, loadMunicipality, readFeed } from "../store.ts";
import { audit } from "../store.ts";
import { gaijiSet } from "../gaiji.ts";
import {
  errorResponses,
  MunicipalityParam,
  type RegistryDeps,
  type RegistryEnv,
} from "./common.ts";

/** Default heartbeat interval of the feed (ms): the longest an idle poll waits. */
export const FEED_HEARTBEAT_MS = 1000;

const FeedResponseView = component(feedResponseSchema, "FeedResponse");

const Query = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  wait: z.coerce.number().min(0).max(60).default(0).openapi({
    description: "Seconds to wait when empty",
  }),
  gaijiVersion: z.coerce.number().int().min(0).optional().openapi({
    description:
      "The version of the 外字 set the replica holds: the answer's `gaiji` carries the whole set only when the registry's differs",
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
    const { after, limit, wait, gaijiVersion } = c.req.valid("query");
    await loadMunicipality(deps.db, code);
    const deadline = Date.now() +
      Math.min(
        wait * 1000,
        deps.maxFeedWaitMs ?? 25_000,
        deps.feedHeartbeatMs ?? FEED_HEARTBEAT_MS,
      );
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
    // Read after the wait: the policy as it stands when answering.
    const policy = feedPolicyOf(await loadMunicipality(deps.db, code));
    const gaiji = await gaijiSet(deps.db, code, gaijiVersion);
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
    return c.json({
      municipalityCode: code,
      head,
      heartbeatAt: deps.clock.now().toISOString(),
      policy,
      gaiji,
      events,
    }, 200);
  });
  return app;
}
