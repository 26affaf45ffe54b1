/**
 * Seal abolition, block lifting and card links:
 * `/municipalities/{code}/seals`, `/blocks`, `/card-links`.
 *
 * @module
 */
import { createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import { cardLinks } from "../../../db/registry/schema.ts";
import { requireClient } from "../auth.ts";
import { RegistryError } from "../errors.ts";
import { isoDate } from "../event_schemas.ts";
import { abolishSeal, liftBlock, linkCard, unlinkCard } from "../records.ts";
import { audit } from "../store.ts";
import {
  errorResponses,
  MunicipalityParam,
  type RegistryDeps,
  type RegistryEnv,
} from "./common.ts";
import { CardLinkView, CommittedView } from "./views.ts";

const ok = {
  description: "Committed",
  content: { "application/json": { schema: CommittedView } },
};

/** `/seals/{sealId}/abolish` */
export function createSealsApp(deps: RegistryDeps): OpenAPIHono<RegistryEnv> {
  const app = createResourceApp<RegistryEnv>();
  app.use(requireClient(deps.clients, "write"));
  app.openapi(
    createRoute({
      method: "post",
      path: "/{sealId}/abolish",
      summary: "Abolish a seal registration (廃止)",
      request: {
        params: MunicipalityParam.extend({
          sealId: z.string().openapi({ param: { name: "sealId", in: "path" } }),
        }),
        body: {
          content: {
            "application/json": {
              schema: z.object({ date: isoDate }).strict(),
            },
          },
          required: true,
        },
      },
      responses: { 200: ok, ...errorResponses },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code, sealId } = c.req.valid("param");
      const r = await abolishSeal(deps.db, code, sealId, c.req.valid("json"), {
        client: c.get("client").id,
        requestId: c.get("requestId"),
      });
      deps.notifier.notify(code);
      return c.json(r, 200);
    },
  );
  return app;
}

/** `/blocks/{blockId}/lift` */
export function createBlocksApp(deps: RegistryDeps): OpenAPIHono<RegistryEnv> {
  const app = createResourceApp<RegistryEnv>();
  app.use(requireClient(deps.clients, "write"));
  app.openapi(
    createRoute({
      method: "post",
      path: "/{blockId}/lift",
      summary: "Lift an issuance block explicitly",
      request: {
        params: MunicipalityParam.extend({
          blockId: z.string().openapi({
            param: { name: "blockId", in: "path" },
          }),
        }),
        body: {
          content: {
            "application/json": {
              schema: z.object({ reason: z.string().min(1).max(500) }).strict(),
            },
          },
          required: true,
        },
      },
      responses: { 200: ok, ...errorResponses },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code, blockId } = c.req.valid("param");
      const r = await liftBlock(deps.db, code, blockId, {
        ...c.req.valid("json"),
        at: deps.clock.now(),
      }, {
        client: c.get("client").id,
        requestId: c.get("requestId"),
      });
      deps.notifier.notify(code);
      return c.json(r, 200);
    },
  );
  return app;
}

const SerialParam = MunicipalityParam.extend({
  serial: z.string().regex(/^[0-9A-Fa-f]{2,64}$/).openapi({
    param: { name: "serial", in: "path" },
  }),
});

/** `/card-links`: link, look up, unlink. */
export function createCardLinksApp(
  deps: RegistryDeps,
): OpenAPIHono<RegistryEnv> {
  const app = createResourceApp<RegistryEnv>();
  app.use(requireClient(deps.clients, "card_link"));
  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      summary:
        "Link a card's user-authentication certificate serial to a resident",
      request: {
        params: MunicipalityParam,
        body: {
          content: {
            "application/json": {
              schema: z.object({
                serial: z.string().regex(/^[0-9A-Fa-f]{2,64}$/),
                residentId: z.string(),
                replaces: z.array(z.string().regex(/^[0-9A-Fa-f]{2,64}$/))
                  .max(8).optional().openapi({
                    description:
                      "A re-issue: the resident's previous cards, unlinked in the same event",
                  }),
              }).strict(),
            },
          },
          required: true,
        },
      },
      responses: { 201: ok, ...errorResponses },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const body = c.req.valid("json");
      const r = await linkCard(deps.db, code, {
        ...body,
        serial: body.serial.toLowerCase(),
        // As the registry lists them (links recorded before serials were
        // kept in lower case are matched as written).
        replaces: body.replaces,
        at: deps.clock.now(),
      }, {
        client: c.get("client").id,
        requestId: c.get("requestId"),
      });
      deps.notifier.notify(code);
      return c.json(r, 201);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/{serial}",
      summary: "Which resident a card serial belongs to (audited)",
      request: { params: SerialParam },
      responses: {
        200: {
          description: "The link",
          content: { "application/json": { schema: CardLinkView } },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code, serial } = c.req.valid("param");
      const rows = await deps.db.select().from(cardLinks)
        .where(
          and(
            eq(cardLinks.serial, serial.toLowerCase()),
            eq(cardLinks.municipalityCode, code),
            isNull(cardLinks.unlinkedAt),
          ),
        );
      await audit(deps.db, {
        client: c.get("client").id,
        action: "card_link.read",
        municipalityCode: code,
        subject: rows[0]?.residentId,
        requestId: c.get("requestId"),
        outcome: rows.length ? "ok" : "not_found",
        details: { serial },
      });
      if (!rows.length) throw new RegistryError("CARD_LINK_NOT_FOUND");
      return c.json(rows[0], 200);
    },
  );
  app.openapi(
    createRoute({
      method: "delete",
      path: "/{serial}",
      summary: "Unlink a card",
      request: { params: SerialParam },
      responses: { 200: ok, ...errorResponses },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code, serial } = c.req.valid("param");
      const r = await unlinkCard(deps.db, code, {
        serial: serial.toLowerCase(),
        at: deps.clock.now(),
      }, {
        client: c.get("client").id,
        requestId: c.get("requestId"),
      });
      deps.notifier.notify(code);
      return c.json(r, 200);
    },
  );
  return app;
}
