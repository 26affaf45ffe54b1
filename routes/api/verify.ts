/**
 * `POST /api/verify` — for banks' systems. The scan goes in the multipart
 * field `scan`; the answer is JSON: `{ verdict, reason_ja, reason_en,
 * certificate, front_image_png, … }` with status 200 for every verdict, or a
 * 4xx refusal (`code`, `message_ja`, `message_en`, and `verdict` when the
 * file itself was refused).
 *
 * @module
 */
import {
  refusalResponse,
  verdictBody,
} from "../../services/portal/api_body.ts";
import type { Handlers } from "../../services/portal/fresh/types.ts";
import type { PortalState } from "../../services/portal/state.ts";

/** The API handler. */
export const handler: Handlers<unknown, PortalState> = {
  async POST(req, ctx) {
    const { portal, requestId } = ctx.state;
    const out = await portal.verifier.verifyRequest(req, {
      channel: "api",
      client: ctx.state.client ?? "anon:unknown",
      requestId,
    });
    if (!out.ok) return refusalResponse(out.refusal, requestId);
    return Response.json(verdictBody(out.result, requestId));
  },
};
