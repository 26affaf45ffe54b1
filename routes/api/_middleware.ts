/**
 * Admission to the API: a bank's system presents its API key
 * (`Authorization: Bearer …` or `X-API-Key`) and draws on its own rate;
 * callers without a key share the strict anonymous rate per address. A key
 * that is presented but wrong is refused, never downgraded to anonymous.
 *
 * @module
 */
import { refusalResponse } from "../../services/portal/api_body.ts";
import { apiKeyOf } from "../../services/portal/clients.ts";
import type { FreshContext } from "../../services/portal/fresh/types.ts";
import { refusal } from "../../services/portal/refusals.ts";
import type { PortalState } from "../../services/portal/state.ts";

/** The API middleware. */
export async function handler(
  req: Request,
  ctx: FreshContext<PortalState>,
): Promise<Response> {
  const { portal, requestId } = ctx.state;
  const key = apiKeyOf(req.headers);
  let decision;
  if (key !== undefined) {
    const client = key ? await portal.apiKeys.authenticate(key) : undefined;
    if (!client) {
      await req.body?.cancel().catch(() => {});
      return refusalResponse(refusal("API_KEY_INVALID"), requestId);
    }
    ctx.state.client = `key:${client.id}`;
    decision = portal.limitApiClient(client);
  } else {
    ctx.state.client = await portal.anonymize(ctx.state.remoteAddress);
    decision = portal.anonymousLimiter.take(ctx.state.client);
  }
  if (!decision.ok) {
    await req.body?.cancel().catch(() => {});
    return refusalResponse(
      refusal("RATE_LIMITED", { retryAfter: decision.retryAfterSeconds }),
      requestId,
    );
  }
  return await ctx.next();
}
