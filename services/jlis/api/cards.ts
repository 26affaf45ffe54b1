/**
 * `/cards`: issuing card certificates (municipal window; a re-issue revokes
 * the cards it replaces; face-authentication-only cards are marked pinless),
 * reading a card's status, the 24-hour emergency stop, resuming (municipal,
 * with identity verification), PIN reset authorisations (municipal, with
 * identity verification), revoking (final), and the card's routing: a
 * holder's move-out reported by the card's municipality and the carrying on
 * (継続利用) by the new one (cards/routing.ts).
 *
 * @module
 */
import { createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Db } from "../../../lib/db/database.ts";
import type { CardRecord } from "../../../db/jlis/schema.ts";
import { assertActsFor, type JlisClient, requireScope } from "../auth.ts";
import {
  type Actor,
  changeCardStatus,
  findCard,
  IDENTITY_DOCUMENTS,
  registerCard,
} from "../cards/cards.ts";
import { JlisError } from "../errors.ts";
import { updateBinding } from "../cards/binding.ts";
import { authorizePinReset, unblockKey } from "../cards/pin_reset.ts";
import { continueCard, reportMovedOut } from "../cards/routing.ts";
import { BINDING_DIGEST_PATTERN } from "../../../lib/card/identity_binding.ts";
import {
  errorResponses,
  type JlisDeps,
  type JlisEnv,
  SerialParam,
} from "./common.ts";

const CardView = z.object({
  serial: z.string(),
  municipalityCode: z.string().openapi({
    description:
      "The card's current municipality: the center's routing (the certificate names none)",
  }),
  routedFrom: z.string().nullable().openapi({
    description:
      "When the card routes to municipalityCode from (after a 継続利用: the next day in Japan); null: since issuance",
  }),
  movedOut: z.boolean().openapi({
    description:
      "The municipality reported its holder's 転出確定 and nobody has carried the card on since (refused at kiosks)",
  }),
  status: z.enum(["valid", "suspended", "revoked"]),
  statusChangedAt: z.string(),
  pinless: z.boolean(),
  notBefore: z.string(),
  notAfter: z.string(),
  issuedAt: z.string(),
}).openapi("Card");

function cardView(card: CardRecord): z.infer<typeof CardView> {
  return {
    serial: card.serial,
    municipalityCode: card.municipalityCode,
    routedFrom: card.routedFrom?.toISOString() ?? null,
    movedOut: card.movedOutAt !== null,
    status: card.status as z.infer<typeof CardView>["status"],
    statusChangedAt: card.statusChangedAt.toISOString(),
    pinless: card.pinless,
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

/** The record of the identity check at the window (partial: what is missing gets its own code). */
const VerificationBody = z.object({
  verifiedBy: z.string().max(100),
  method: z.enum(IDENTITY_DOCUMENTS),
  verifiedAt: z.string().max(40),
  windowOfficer: z.string().max(100),
}).partial().strict();

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

/**
 * A route on one card, `/{serial}/…`: the serial in the path, a JSON body,
 * one answer and the center's errors, for the clients `scope` admits.
 */
function cardRoute<B extends z.ZodType, A extends z.ZodType>(r: {
  method: "post" | "put";
  path: string;
  summary: string;
  scope: ReturnType<typeof requireScope>;
  body: B;
  answer: A;
  description: string;
}) {
  return createRoute({
    method: r.method,
    path: r.path,
    summary: r.summary,
    middleware: [r.scope] as const,
    request: { params: SerialParam, ...body(r.body) },
    responses: { 200: json(r.answer, r.description), ...errorResponses },
    security: [{ bearer: [] }],
  });
}

/** A change of one card: its own transaction and refusals. */
type CardChange<I, R> = (
  db: Db,
  serial: string,
  input: I,
  actor: Actor,
  at: Date,
) => Promise<R>;

/** A changed card's answer: its view and whether it changed. */
function changedView(
  r: { card: CardRecord; changed: boolean },
): z.infer<typeof Changed> {
  return { ...cardView(r.card), changed: r.changed };
}

/** The `/cards` sub-app. */
export function createCardsApp(deps: JlisDeps): OpenAPIHono<JlisEnv> {
  const app = createResourceApp<JlisEnv>();
  const municipal = requireScope(deps.clients, "municipal");
  const stopOrMunicipal = requireScope(deps.clients, "stop", "municipal");
  /** Runs `change` on the card `serial` as the calling client, now. */
  const onCard = <I, R>(
    c: Context<JlisEnv>,
    change: CardChange<I, R>,
    serial: string,
    input: I,
  ): Promise<R> =>
    change(
      deps.db,
      serial,
      input,
      actorOf(c.get("client"), c.get("requestId")),
      deps.clock.now(),
    );

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
          pinless: z.boolean().optional().openapi({
            description:
              "A face-authentication-only card (顔認証マイナンバーカード): no PIN, never usable at a kiosk",
          }),
          replaces: z.array(z.string().regex(/^[0-9a-fA-F]{2,64}$/)).max(8)
            .optional().openapi({
              description:
                "A re-issue (再交付): the holder's previous cards, revoked in the same transaction (reason reissued); each must be bound to the same holder digest",
            }),
        }).strict(),
      ),
      responses: {
        201: json(
          CardView.extend({
            certificatePem: z.string(),
            unblockKey: z.string().nullable().openapi({
              description:
                "The unblock key of the card's reset slot (generation 0), for the card file only; null for a pinless card",
            }),
            revoked: z.array(z.string()).openapi({
              description: "Serials this re-issue revoked",
            }),
          }),
          "Issued",
        ),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { municipalityCode, csrPem, holderBinding, pinless, replaces } = c
        .req.valid("json");
      const client = c.get("client");
      assertActsFor(municipalityCode, client);
      let issued;
      try {
        issued = await deps.authority.issue(csrPem);
      } catch (err) {
        if (err instanceof TypeError) {
          throw new JlisError("CSR_INVALID", { reason: err.message });
        }
        throw err;
      }
      const { card, revoked } = await registerCard(
        deps.db,
        issued,
        { municipalityCode, holderBinding, pinless, replaces },
        actorOf(client, c.get("requestId")),
        deps.clock.now(),
      );
      return c.json({
        ...cardView(card),
        certificatePem: issued.certificatePem,
        unblockKey: card.unblockSeed
          ? unblockKey(card.unblockSeed, card.serial, 0)
          : null,
        revoked,
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
    cardRoute({
      method: "post",
      path: "/{serial}/suspend",
      summary:
        "Emergency stop (24-hour line): suspends the card; it cannot resume it",
      scope: stopOrMunicipal,
      body: z.object({ reason: z.string().min(1).max(200) }).strict(),
      answer: Changed,
      description: "Suspended (changed: false if it already was)",
    }),
    async (c) => {
      const { serial } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      const r = await onCard(c, changeCardStatus, serial, {
        action: "suspend",
        reason,
      });
      return c.json(changedView(r), 200);
    },
  );

  app.openapi(
    cardRoute({
      method: "post",
      path: "/{serial}/resume",
      summary:
        "Resume a suspended card (municipal window, after verifying the holder's identity)",
      scope: municipal,
      body: z.object({
        reason: z.string().max(200).optional(),
        // Optional in the schema so that its absence gets its own code.
        verification: VerificationBody.optional(),
      }).strict(),
      answer: Changed,
      description: "Resumed",
    }),
    async (c) => {
      const { serial } = c.req.valid("param");
      const { reason, verification } = c.req.valid("json");
      const r = await onCard(c, changeCardStatus, serial, {
        action: "resume",
        reason,
        verification,
      });
      return c.json(changedView(r), 200);
    },
  );

  app.openapi(
    cardRoute({
      method: "post",
      path: "/{serial}/revoke",
      summary: "Revoke a card (final)",
      scope: municipal,
      body: z.object({ reason: z.string().min(1).max(200) }).strict(),
      answer: Changed,
      description: "Revoked",
    }),
    async (c) => {
      const { serial } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      const r = await onCard(c, changeCardStatus, serial, {
        action: "revoke",
        reason,
      });
      return c.json(changedView(r), 200);
    },
  );

  app.openapi(
    cardRoute({
      method: "post",
      path: "/{serial}/pin-reset",
      summary:
        "Authorise one PIN reset (municipal window, after checking the holder's identity): records the check, answers the card's unblock keys",
      scope: municipal,
      body: z.object({
        cardGeneration: z.number().int().min(0).max(1_000_000).openapi({
          description: "The reset generation the card file reports",
        }),
        // Optional in the schema so that its absence gets its own code.
        verification: VerificationBody.optional(),
      }).strict(),
      answer: z.object({
        resetId: z.string(),
        serial: z.string(),
        generation: z.number(),
        unblockKey: z.string(),
        nextUnblockKey: z.string(),
        retry: z.boolean(),
      }).openapi("PinResetAuthorization"),
      description:
        "The one-time authorisation for the card (resetPin in lib/card/card.ts)",
    }),
    async (c) => {
      const { serial } = c.req.valid("param");
      const r = await onCard(c, authorizePinReset, serial, c.req.valid("json"));
      return c.json(r, 200);
    },
  );

  app.openapi(
    cardRoute({
      method: "post",
      path: "/{serial}/moved-out",
      summary:
        "Report the holder's move-out (転出確定; the card's current municipality): the card is refused at kiosks until carried on",
      scope: municipal,
      body: z.object({ reason: z.string().min(1).max(200) }).strict(),
      answer: Changed,
      description:
        "Recorded (changed: false if already reported, or the card was carried on from the caller's municipality)",
    }),
    async (c) => {
      const { serial } = c.req.valid("param");
      const r = await onCard(c, reportMovedOut, serial, c.req.valid("json"));
      return c.json(changedView(r), 200);
    },
  );

  app.openapi(
    cardRoute({
      method: "post",
      path: "/{serial}/continuation",
      summary:
        "Carry the card on (継続利用) to the caller's municipality after its 転入: the holder, as its registry records its resident, must match the card's holder binding; usable from the next day",
      scope: municipal,
      body: z.object({
        municipalityCode: z.string().regex(/^\d{6}$/).openapi({
          description: "The new municipality (one the caller acts for)",
        }),
        holder: z.object({
          name: z.string().min(1).max(100),
          birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
          sex: z.enum(["male", "female"]),
        }).strict().openapi({
          description:
            "The resident's name, birth date and sex as the new municipality's registry records them: checked against the card's holder binding, then bound under the new municipality's key; not kept",
        }),
        reason: z.string().min(1).max(200).optional(),
        // Optional in the schema so that its absence gets its own code.
        verification: VerificationBody.optional(),
      }).strict(),
      answer: CardView.extend({
        changed: z.boolean(),
        from: z.string().openapi({
          description: "The municipality the card came from",
        }),
        effectiveFrom: z.string().openapi({
          description: "When the card routes to the new municipality from",
        }),
      }).openapi("CardContinuation"),
      description:
        "Carried on (changed: false if the card already routes there)",
    }),
    async (c) => {
      const { serial } = c.req.valid("param");
      const keys = deps.issuance?.bindingKeys;
      const body = c.req.valid("json");
      if (!keys) {
        throw new JlisError("MUNICIPALITY_NOT_SERVED", {
          municipalityCode: body.municipalityCode,
        });
      }
      const r = await continueCard(
        deps.db,
        keys,
        serial,
        body,
        actorOf(c.get("client"), c.get("requestId")),
        deps.clock.now(),
      );
      return c.json({
        ...cardView(r.card),
        changed: r.changed,
        from: r.from,
        effectiveFrom: r.effectiveFrom.toISOString(),
      }, 200);
    },
  );

  app.openapi(
    cardRoute({
      method: "put",
      path: "/{serial}/binding",
      summary:
        "Keep the card's holder binding current (the municipality, when an event changed the holder's name, birth date or sex)",
      scope: municipal,
      body: z.object({
        previousDigest: Digest,
        digest: Digest,
        reason: z.string().min(1).max(200),
      }).strict(),
      answer: z.object({ serial: z.string(), changed: z.boolean() }).openapi(
        "CardBindingChange",
      ),
      description: "Updated (changed: false if it already was)",
    }),
    async (c) => {
      const { serial } = c.req.valid("param");
      const r = await onCard(c, updateBinding, serial, c.req.valid("json"));
      return c.json({ serial: serial.toLowerCase(), changed: r.changed }, 200);
    },
  );
  return app;
}
