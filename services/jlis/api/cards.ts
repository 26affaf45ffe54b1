/**
 * `/cards`: issuing card certificates (municipal window), reading a card's
 * status, the 24-hour emergency stop, resuming (municipal, with identity
 * verification) and revoking (final).
 *
 * @module
 */
import { createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { CardRecord } from "../../../db/jlis/schema.ts";
import { type JlisClient, requireScope } from "../auth.ts";
import {
  type Actor,
  changeCardStatus,
  findCard,
  IDENTITY_DOCUMENTS,
  registerCard,
} from "../cards/cards.ts";
import { JlisError } from "../errors.ts";
import { updateBinding } from "../cards/binding.ts";
import { BINDING_DIGEST_PATTERN } from "../../../lib/card/identity_binding.ts";
import {
  errorResponses,
  type JlisDeps,
  type JlisEnv,
  SerialParam,
} from "./common.ts";

const CardView = z.object({
  serial: z.string(),
  municipalityCode: z.string(),
  status: z.enum(["valid", "suspended", "revoked"]),
  statusChangedAt: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  issuedAt: z.string(),
}).openapi("Card");

function cardView(card: CardRecord): z.infer<typeof CardView> {
  return {
    serial: card.serial,
    municipalityCode: card.municipalityCode,
    status: card.status as z.infer<typeof CardView>["status"],
    statusChangedAt: card.statusChangedAt.toISOString(),
    notBefore: card.notBefore.toISOString(),
    notAfter: card.notAfter.toISOString(),
    issuedAt: card.issuedAt.toISOString(),
  };
}

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

const Digest = z.string().regex(BINDING_DIGEST_PATTERN);

const Changed = CardView.extend({ changed: z.boolean() }).openapi(
  "CardStatusChange",
);

/** A municipal client acts only for its municipalities; the emergency line for any card. */
function actorOf(client: JlisClient, requestId: string): Actor {
  return {
    client: client.id,
    requestId,
    municipalities: client.scopes.includes("municipal")
      ? client.municipalities
      : undefined,
  };
}

/** The `/cards` sub-app. */
export function createCardsApp(deps: JlisDeps): OpenAPIHono<JlisEnv> {
  const app = createResourceApp<JlisEnv>();
  const municipal = requireScope(deps.clients, "municipal");
  const stopOrMunicipal = requireScope(deps.clients, "stop", "municipal");

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      summary:
        "Issue a card's user-authentication certificate for a PKCS#10 request",
      middleware: [municipal] as const,
      request: body(
        z.object({
          municipalityCode: z.string().regex(/^\d{6}$/),
          csrPem: z.string().max(8192),
          holderBinding: Digest.openapi({
            description:
              "The municipality's keyed digest of the holder's name, birth date and sex (lib/card/identity_binding.ts)",
          }),
        }).strict(),
      ),
      responses: {
        201: json(CardView.extend({ certificatePem: z.string() }), "Issued"),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { municipalityCode, csrPem, holderBinding } = c.req.valid("json");
      const client = c.get("client");
      if (!client.municipalities.includes(municipalityCode)) {
        throw new JlisError("WRONG_MUNICIPALITY", { municipalityCode });
      }
      let issued;
      try {
        issued = await deps.authority.issue(csrPem, { municipalityCode });
      } catch (err) {
        if (err instanceof TypeError) {
          throw new JlisError("CSR_INVALID", { reason: err.message });
        }
        throw err;
      }
      const card = await registerCard(
        deps.db,
        issued,
        municipalityCode,
        holderBinding,
        actorOf(client, c.get("requestId")),
        deps.clock.now(),
      );
      return c.json({
        ...cardView(card),
        certificatePem: issued.certificatePem,
      }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{serial}",
      summary: "A card's status",
      middleware: [stopOrMunicipal] as const,
      request: { params: SerialParam },
      responses: { 200: json(CardView, "The card"), ...errorResponses },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { serial } = c.req.valid("param");
      const card = await findCard(deps.db, serial);
      if (!card) throw new JlisError("CARD_NOT_FOUND", { serial });
      const actor = actorOf(c.get("client"), c.get("requestId"));
      if (
        actor.municipalities &&
        !actor.municipalities.includes(card.municipalityCode)
      ) {
        throw new JlisError("WRONG_MUNICIPALITY", { serial });
      }
      return c.json(cardView(card), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{serial}/suspend",
      summary:
        "Emergency stop (24-hour line): suspends the card; it cannot resume it",
      middleware: [stopOrMunicipal] as const,
      request: {
        params: SerialParam,
        ...body(z.object({ reason: z.string().min(1).max(200) }).strict()),
      },
      responses: {
        200: json(Changed, "Suspended (changed: false if it already was)"),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { serial } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      const r = await changeCardStatus(
        deps.db,
        serial,
        { action: "suspend", reason },
        actorOf(c.get("client"), c.get("requestId")),
        deps.clock.now(),
      );
      return c.json({ ...cardView(r.card), changed: r.changed }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{serial}/resume",
      summary:
        "Resume a suspended card (municipal window, after verifying the holder's identity)",
      middleware: [municipal] as const,
      request: {
        params: SerialParam,
        ...body(
          z.object({
            reason: z.string().max(200).optional(),
            // Optional in the schema so that its absence gets its own code.
            verification: z.object({
              verifiedBy: z.string().max(100),
              method: z.enum(IDENTITY_DOCUMENTS),
              verifiedAt: z.string().max(40),
              windowOfficer: z.string().max(100),
            }).partial().strict().optional(),
          }).strict(),
        ),
      },
      responses: { 200: json(Changed, "Resumed"), ...errorResponses },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { serial } = c.req.valid("param");
      const { reason, verification } = c.req.valid("json");
      const r = await changeCardStatus(
        deps.db,
        serial,
        { action: "resume", reason, verification },
        actorOf(c.get("client"), c.get("requestId")),
        deps.clock.now(),
      );
      return c.json({ ...cardView(r.card), changed: r.changed }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{serial}/revoke",
      summary: "Revoke a card (final)",
      middleware: [municipal] as const,
      request: {
        params: SerialParam,
        ...body(z.object({ reason: z.string().min(1).max(200) }).strict()),
      },
      responses: { 200: json(Changed, "Revoked"), ...errorResponses },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { serial } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      const r = await changeCardStatus(
        deps.db,
        serial,
        { action: "revoke", reason },
        actorOf(c.get("client"), c.get("requestId")),
        deps.clock.now(),
      );
      return c.json({ ...cardView(r.card), changed: r.changed }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/{serial}/binding",
      summary:
        "Keep the card's holder binding current (the municipality, when an event changed the holder's name, birth date or sex)",
      middleware: [municipal] as const,
      request: {
        params: SerialParam,
        ...body(
          z.object({
            previousDigest: Digest,
            digest: Digest,
            reason: z.string().min(1).max(200),
          }).strict(),
        ),
      },
      responses: {
        200: json(
          z.object({ serial: z.string(), changed: z.boolean() }).openapi(
            "CardBindingChange",
          ),
          "Updated (changed: false if it already was)",
        ),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { serial } = c.req.valid("param");
      const r = await updateBinding(
        deps.db,
        serial,
        c.req.valid("json"),
        actorOf(c.get("client"), c.get("requestId")),
        deps.clock.now(),
      );
      return c.json({ serial: serial.toLowerCase(), changed: r.changed }, 200);
    },
  );
  return app;
}
