/**
 * `/kiosk/sessions`: a kiosk gets a single-use nonce, then presents the
 * card's certificate and its signature over the nonce.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { requireScope } from "../auth.ts";
import {
  authenticateCard,
  DEFAULT_SESSION_TTL_MS,
  openKioskSession,
} from "../kiosk_auth.ts";
import { errorResponses, hook, type JlisDeps, type JlisEnv } from "./common.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** The `/kiosk/sessions` sub-app. */
export function createKioskApp(deps: JlisDeps): OpenAPIHono<JlisEnv> {
  const app = new OpenAPIHono<JlisEnv>(hook());
  app.use(requireScope(deps.clients, "kiosk"));

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      summary:
        "Open an authentication session: a single-use nonce bound to this kiosk",
      responses: {
        201: json(
          z.object({
            sessionId: z.string(),
            nonce: z.string(),
            expiresAt: z.string(),
          }).openapi("KioskSession"),
          "Session opened",
        ),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const offer = await openKioskSession(
        deps.db,
        c.get("client").id,
        deps.clock.now(),
        deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
      );
      return c.json(
        { ...offer, expiresAt: offer.expiresAt.toISOString() },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{sessionId}/authenticate",
      summary:
        "Authenticate the card: certificate + ECDSA signature over the session's nonce",
      request: {
        params: z.object({
          sessionId: z.uuid().openapi({
            param: { name: "sessionId", in: "path" },
          }),
        }),
        body: {
          content: {
            "application/json": {
              schema: z.object({
                certificatePem: z.string().max(8192),
                /** base64 (or base64url) of the 64-byte r‖s signature. */
                signature: z.string().max(200),
              }).strict(),
            },
          },
          required: true,
        },
      },
      responses: {
        200: json(
          z.object({
            sessionId: z.string(),
            municipalityCode: z.string(),
            cardSerial: z.string(),
          })
            .openapi("CardAuthentication"),
          "Authenticated",
        ),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { sessionId } = c.req.valid("param");
      const { certificatePem, signature } = c.req.valid("json");
      let sig: Uint8Array;
      try {
        sig = Uint8Array.fromBase64(
          signature.replaceAll("-", "+").replaceAll("_", "/"),
        );
      } catch {
        sig = new Uint8Array(0); // still consumes the session, refused as SIGNATURE_INVALID
      }
      const r = await authenticateCard(deps.db, deps.authority, {
        sessionId,
        kioskId: c.get("client").id,
        certificatePem,
        signature: sig,
        at: deps.clock.now(),
      });
      return c.json(r, 200);
    },
  );
  return app;
}
