/**
 * `/municipalities/{code}`: the municipality's name, mayor and kiosk policy.
 *
 * @module
 */
import { createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { municipalities, outboxHeads } from "../../../db/registry/schema.ts";
import { requireClient } from "../auth.ts";
import { headSeq, loadMunicipality } from "../store.ts";
import {
  errorResponses,
  MunicipalityParam,
  type RegistryDeps,
  type RegistryEnv,
} from "./common.ts";
import { MunicipalityView } from "./views.ts";

const Body = z.object({
  name: z.string().min(1).max(50),
  mayor: z.string().min(1).max(100),
  printMyNumberAtKiosk: z.boolean().default(false),
}).strict().openapi("Municipality");

/** The municipalities resource. */
export function createMunicipalitiesApp(
  deps: RegistryDeps,
): OpenAPIHono<RegistryEnv> {
  const app = createResourceApp<RegistryEnv>();
  app.on(["PUT"], "/:code", requireClient(deps.clients, "admin"));
  app.on(["GET"], "/:code", requireClient(deps.clients, "read"));
  app.openapi(
    createRoute({
      method: "put",
      path: "/{code}",
      summary: "Create or update a municipality and its kiosk policy",
      request: {
        params: MunicipalityParam,
        body: {
          content: { "application/json": { schema: Body } },
          required: true,
        },
      },
      responses: {
        200: {
          description: "Saved",
          content: { "application/json": { schema: Body } },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const body = c.req.valid("json");
      await deps.db.transaction(async (tx) => {
        await tx.insert(municipalities).values({ code, ...body })
          .onConflictDoUpdate({
            target: municipalities.code,
            set: body,
          });
        await tx.insert(outboxHeads).values({
          municipalityCode: code,
          lastSeq: 0,
        }).onConflictDoNothing();
      });
      return c.json(body, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/{code}",
      summary: "A municipality, its policy and its feed head",
      request: { params: MunicipalityParam },
      responses: {
        200: {
          description: "The municipality",
          content: { "application/json": { schema: MunicipalityView } },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const m = await loadMunicipality(deps.db, code);
      return c.json({ ...m, head: await headSeq(deps.db, code) }, 200);
    },
  );
  return app;
}
