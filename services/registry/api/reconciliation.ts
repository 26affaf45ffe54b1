/**
 * `POST /municipalities/{code}/reconciliation`: the ASP's live
 * reconciliation (lib/contracts/reconciliation.ts) asks, over its feed link
 * and with the feed's scope, for digests of the registry's records as of
 * its applied sequence, by ranges of subject ids. The answer carries
 * digests, counts and ids only; each request is audited (no values).
 *
 * @module
 */
import { component, createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import {
  reconcileRequestSchema,
  reconcileResponseSchema,
} from "../../../lib/contracts/reconciliation.ts";
import { requireClient } from "../auth.ts";
import { reconcile } from "../reconciliation.ts";
import { audit } from "../store.ts";
import {
  errorResponses,
  MunicipalityParam,
  type RegistryDeps,
  type RegistryEnv,
} from "./common.ts";

const RequestView = component(reconcileRequestSchema, "ReconcileRequest");
const ResponseView = component(reconcileResponseSchema, "ReconcileResponse");

const route = createRoute({
  method: "post",
  path: "/",
  summary:
    "Digests of the records as of a sequence, by ranges of subject ids (the ASP's reconciliation)",
  description:
    "The registry's state as of `seq` (its current rows with the later events undone) is digested per range of subject ids (person or household) over the fields the replica names; with `detail`, each record's per-field digests too. Digests are salted with `nonce`; no value is ever returned. 409 RECONCILE_SEQ_AHEAD when `seq` is past the head, RECONCILE_SEQ_UNAVAILABLE when the state as of `seq` cannot be reproduced.",
  request: {
    params: MunicipalityParam,
    body: {
      required: true,
      content: { "application/json": { schema: RequestView } },
    },
  },
  responses: {
    200: {
      description: "Range digests (and per-field digests on `detail`)",
      content: { "application/json": { schema: ResponseView } },
    },
    ...errorResponses,
  },
  security: [{ bearer: [] }],
});

/** The reconciliation resource (feed scope). */
export function createReconciliationApp(
  deps: RegistryDeps,
): OpenAPIHono<RegistryEnv> {
  const app = createResourceApp<RegistryEnv>();
  app.use(requireClient(deps.clients, "feed"));
  app.openapi(route, async (c) => {
    const { code } = c.req.valid("param");
    const req = c.req.valid("json");
    const answer = await reconcile(deps.db, code, req);
    await audit(deps.db, {
      client: c.get("client").id,
      action: "reconciliation.read",
      municipalityCode: code,
      requestId: c.get("requestId"),
      details: {
        seq: req.seq,
        head: answer.head,
        ranges: req.ranges.length,
        detail: req.detail,
        records: answer.records?.length ?? 0,
      },
    });
    return c.json(answer, 200);
  });
  return app;
}
