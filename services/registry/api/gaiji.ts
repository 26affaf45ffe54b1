/**
 * `/municipalities/{code}/gaiji`: the municipality's 外字 — the outline of
 * each private-use character it uses, drawn on kiosk certificates (see
 * ../gaiji.ts).
 *
 * @module
 */
import { createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { requireClient } from "../auth.ts";
import {
  checkGaijiPath,
  deleteGaiji,
  gaijiSet,
  parseGaijiCodePoint,
  putGaiji,
} from "../gaiji.ts";
import {
  errorResponses,
  MunicipalityParam,
  type RegistryDeps,
  type RegistryEnv,
} from "./common.ts";

const CodePointParam = MunicipalityParam.extend({
  codePoint: z.string().max(16).openapi({
    param: { name: "codePoint", in: "path" },
    example: "E02A",
    description:
      "The private-use code point, hex (`E02A` or `U+E02A`): U+E000–U+F8FF or U+F0000–U+10FFFD, else GAIJI_NOT_PRIVATE_USE",
  }),
});

const Body = z.object({
  path: z.string().max(65536).openapi({
    description:
      "The outline: SVG path data (M L H V C Q Z, absolute or relative) in a 1000 × 1000 em box, y down, at most 4096 characters and 512 segments; anything else is refused GAIJI_PATH_INVALID",
    example: "M100 80H900V920H100ZM200 180V820H800V180Z",
  }),
}).strict().openapi("GaijiGlyphBody");

const Version = z.object({
  version: z.number().int().openapi({
    description: "The set's version after the change (the feed carries it)",
  }),
}).openapi("GaijiVersion");

const GaijiSetView = z.object({
  version: z.number().int(),
  glyphs: z.array(z.object({
    codePoint: z.number().int(),
    path: z.string(),
  })),
}).openapi("GaijiSet");

/** The 外字 resource: list (read), register or replace (write), remove (write). */
export function createGaijiApp(deps: RegistryDeps): OpenAPIHono<RegistryEnv> {
  const app = createResourceApp<RegistryEnv>();
  app.on(
    ["PUT", "DELETE"],
    "/:codePoint",
    requireClient(deps.clients, "write"),
  );
  app.on(["GET"], "/", requireClient(deps.clients, "read"));
  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "The municipality's 外字 and the set's version",
      request: { params: MunicipalityParam },
      responses: {
        200: {
          description: "Every registered 外字, in code-point order",
          content: { "application/json": { schema: GaijiSetView } },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const set = await gaijiSet(deps.db, code);
      return c.json({ version: set.version, glyphs: set.glyphs ?? [] }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "put",
      path: "/{codePoint}",
      summary: "Register or replace the outline of a 外字",
      request: {
        params: CodePointParam,
        body: {
          content: { "application/json": { schema: Body } },
          required: true,
        },
      },
      responses: {
        200: {
          description: "Saved; the ASP receives it on its next feed answer",
          content: { "application/json": { schema: Version } },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code, codePoint } = c.req.valid("param");
      const cp = parseGaijiCodePoint(codePoint);
      const path = checkGaijiPath(c.req.valid("json").path);
      const r = await putGaiji(deps.db, code, cp, path, {
        client: c.get("client").id,
        requestId: c.get("requestId"),
      });
      deps.notifier.notify(code);
      return c.json(r, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "delete",
      path: "/{codePoint}",
      summary: "Remove a 外字 (certificates printing it are then refused)",
      request: { params: CodePointParam },
      responses: {
        200: {
          description: "Removed",
          content: { "application/json": { schema: Version } },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code, codePoint } = c.req.valid("param");
      const r = await deleteGaiji(
        deps.db,
        code,
        parseGaijiCodePoint(codePoint),
        {
          client: c.get("client").id,
          requestId: c.get("requestId"),
        },
      );
      deps.notifier.notify(code);
      return c.json(r, 200);
    },
  );
  return app;
}
