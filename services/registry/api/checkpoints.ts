/**
 * `/ledger-checkpoints`: the copies of the center's signed ledger
 * checkpoints this registry pulled (services/registry/checkpoints.ts), for
 * `ledger:verify --registry` — signed heads of the center's chain, no
 * personal data.
 *
 * @module
 */
import { component, createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { checkpointListSchema } from "../../../lib/ledger/checkpoint.ts";
import { requireClient } from "../auth.ts";
import { listCheckpointCopies } from "../checkpoints.ts";
import {
  errorResponses,
  type RegistryDeps,
  type RegistryEnv,
} from "./common.ts";

/** The checkpoint copies resource. */
export function createCheckpointCopiesApp(
  deps: RegistryDeps,
): OpenAPIHono<RegistryEnv> {
  const app = createResourceApp<RegistryEnv>();
  // The center's checkpoints cover every municipality's issuances and hold
  // no personal data: any reader of the registry may take them.
  app.use(requireClient(deps.clients, "read", { municipalityWide: true }));
  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      summary:
        "Copies of the center's signed ledger checkpoints, oldest first, after a number",
      request: {
        query: z.object({
          after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
            .default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(1000),
        }),
      },
      responses: {
        200: {
          description: "Copies",
          content: {
            "application/json": {
              schema: component(
                checkpointListSchema,
                "LedgerCheckpointCopies",
              ),
            },
          },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { after, limit } = c.req.valid("query");
      return c.json(
        { checkpoints: await listCheckpointCopies(deps.db, after, limit) },
        200,
      );
    },
  );
  return app;
}
