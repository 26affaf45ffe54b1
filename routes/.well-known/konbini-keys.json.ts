/**
 * `GET /.well-known/konbini-keys.json` — the center's public signing keys,
 * for verifiers that check back sides offline (lib/backside
 * `verifyOffline`). Public data: cacheable and readable from any origin.
 *
 * @module
 */
import type { Handlers } from "../../services/portal/fresh/types.ts";
import type { PortalState } from "../../services/portal/state.ts";

/** The key list handler. */
export const handler: Handlers<unknown, PortalState> = {
  GET(_req, ctx) {
    return Response.json({ keys: ctx.state.portal.keyList.keys }, {
      headers: {
        "Cache-Control": "public, max-age=3600",
        "Access-Control-Allow-Origin": "*",
      },
    });
  },
};
