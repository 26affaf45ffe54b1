/**
 * `/kiosk/sessions`: a kiosk gets a single-use nonce, then presents the
 * card's certificate and its signature over the nonce; on the authenticated
 * session it may read the household's names (`GET …/household`, the
 * session not used up) and asks for one certificate.
 *
 * @module
 */
import { component, createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { createBackSideBuilder } from "../../../lib/backside/mod.ts";
import {
  cardAuthenticationRequestSchema,
  cardAuthenticationSchema,
  kioskCertificateRequestSchema,
  kioskHouseholdSchema,
  kioskSessionSchema,
  releasedDocumentSchema,
} from "../../../lib/contracts/kiosk_center.ts";
import {
  backSideToJson,
  sheetToJson,
} from "../../../lib/contracts/sheet_wire.ts";
import { annotateRequestLog } from "../../../lib/service/app.ts";
import { silentLogger } from "../../../lib/service/logger.ts";
import { createMetrics } from "../../../lib/service/metrics.ts";
import { requireScope } from "../auth.ts";
import { assertOpen } from "../issuance/hours.ts";
import { type IssuanceDeps, issueCertificate } from "../issuance/issuance.ts";
import { createDeliveryConfirmer } from "../issuance/delivery.ts";
import { createConformance } from "../issuance/conformance.ts";
import { sessionHousehold } from "../issuance/household.ts";
import { createMessageLog } from "../issuance/message_log.ts";
import { municipalFees } from "../issuance/fee_schedule.ts";
import { jstDate } from "../../../lib/time/clock.ts";
import {
  authenticateCard,
  DEFAULT_SESSION_TTL_MS,
  openKioskSession,
} from "../cards/kiosk_auth.ts";
import {
  errorResponses,
  type IssuanceRouteDeps,
  type JlisDeps,
  type JlisEnv,
} from "./common.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** The certificate a kiosk asks for (lib/contracts/kiosk_center.ts). */
export const CertificateRequestBody = component(
  kioskCertificateRequestSchema,
  "KioskCertificateRequest",
);

const ReleasedDocument = component(releasedDocumentSchema, "ReleasedDocument");

/** Issuance deps from the app's deps (built once per app). */
export function issuanceDepsOf(
  deps: JlisDeps & Partial<Pick<IssuanceRouteDeps, "logger" | "metrics">>,
): IssuanceDeps | null {
  const cfg = deps.issuance;
  if (!cfg) return null;
  let keyList: ReturnType<typeof deps.signer.keyList> | undefined;
  const messages = deps.messages ?? createMessageLog(deps.db);
  const logger = deps.logger ?? silentLogger();
  const deliveryWindowMs = cfg.deliveryWindowMs ?? 0;
  const metrics = deps.metrics ?? createMetrics();
  const conformance = cfg.digestChecks === false
    ? undefined
    : createConformance({
      db: deps.db,
      clock: deps.clock,
      unset: cfg.unsetDigests ?? "accept",
      logger,
      metrics,
    });
  return {
    db: deps.db,
    messages,
    deliveries: createDeliveryConfirmer(
      {
        messages,
        signer: deps.signer,
        clock: deps.clock,
        logger,
        conformance,
        db: deps.db,
        failurePolicy: cfg.failurePolicy,
        metrics,
      },
      { windowMs: deliveryWindowMs },
    ),
    deliveryWindowMs,
    clock: deps.clock,
    signer: deps.signer,
    keyList: () => keyList ??= deps.signer.keyList(),
    contentKey: cfg.contentKey,
    bindingKeys: cfg.bindingKeys,
    backSides: cfg.backSides ??
      createBackSideBuilder({
        signer: deps.signer,
        encryptionKey: cfg.contentKey,
      }),
    directory: cfg.directory,
    logger,
    metrics,
    timeoutMs: cfg.timeoutMs,
    sessionWindowMs: cfg.sessionWindowMs,
    conformance,
    failurePolicy: cfg.failurePolicy,
  };
}

/** The `/kiosk/sessions` sub-app. */
export function createKioskApp(
  deps: JlisDeps & Partial<Pick<IssuanceRouteDeps, "logger" | "metrics">>,
): OpenAPIHono<JlisEnv> {
  const app = createResourceApp<JlisEnv>();
  app.use(requireScope(deps.clients, "kiosk"));

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      summary:
        "Open an authentication session: a single-use nonce bound to this kiosk",
      responses: {
        201: json(
          component(kioskSessionSchema, "KioskSession"),
          "Session opened",
        ),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      assertOpen(deps.clock.now());
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
        "Authenticate the card: certificate + ECDSA signature over the session's nonce; answers the card's municipality and its fee per copy today by type",
      request: {
        params: z.object({
          sessionId: z.uuid().openapi({
            param: { name: "sessionId", in: "path" },
          }),
        }),
        body: {
          content: {
            "application/json": {
              schema: cardAuthenticationRequestSchema,
            },
          },
          required: true,
        },
      },
      responses: {
        200: json(
          component(cardAuthenticationSchema, "CardAuthentication"),
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
      // What a copy of each type costs today, for the screen before printing.
      const fees = deps.issuance
        ? await municipalFees(
          deps.db,
          r.municipalityCode,
          jstDate(deps.clock.now()),
        )
        : undefined;
      return c.json({ ...r, ...(fees ? { fees } : {}) }, 200);
    },
  );

  const issuance = issuanceDepsOf(deps);
  if (!issuance) return app;
  app.openapi(
    createRoute({
      method: "get",
      path: "/{sessionId}/household",
      summary:
        "The authenticated applicant's household, to choose members by name: residentId, name and 続柄 of every current member (protected members listed alike), the applicant first; the session stays usable for one certificate",
      request: {
        params: z.object({
          sessionId: z.uuid().openapi({
            param: { name: "sessionId", in: "path" },
          }),
        }),
      },
      responses: {
        200: json(
          component(kioskHouseholdSchema, "KioskHousehold"),
          "The household's names",
        ),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { sessionId } = c.req.valid("param");
      const h = await sessionHousehold(issuance, {
        sessionId,
        kioskId: c.get("client").id,
      }, {
        signal: c.req.raw.signal,
        logger: c.get("logger"),
        correlationId: c.get("correlationId"),
      });
      return c.json(h, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/{sessionId}/certificates",
      summary:
        "Ask for a certificate on an authenticated session (部数 1–10, each copy its own document with its own 発行番号 and fee): routed to the ASP node of the card's municipality, checked, released with its back sides",
      request: {
        params: z.object({
          sessionId: z.uuid().openapi({
            param: { name: "sessionId", in: "path" },
          }),
        }),
        body: {
          content: { "application/json": { schema: CertificateRequestBody } },
          required: true,
        },
      },
      responses: {
        200: json(ReleasedDocument, "Released: print it, then report"),
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { sessionId } = c.req.valid("param");
      const body = c.req.valid("json");
      const client = c.get("client");
      const doc = await issueCertificate(issuance, {
        sessionId,
        kioskId: client.id,
        storeId: client.store,
        type: body.type,
        members: body.members,
        options: body.options,
        copies: body.copies,
      }, {
        signal: c.req.raw.signal,
        logger: c.get("logger"),
        correlationId: c.get("correlationId"),
        onRecorded: (id) => annotateRequestLog(c, { issuanceRequestId: id }),
      });
      return c.json({
        requestId: doc.requestId,
        issueNumber: doc.issueNumber,
        municipalityCode: doc.municipalityCode,
        sessionId,
        cardSerial: doc.cardSerial,
        applicantResidentId: doc.applicantResidentId,
        pages: doc.pages,
        fee: doc.fee,
        copies: doc.copies,
        sheets: doc.sheets.map(sheetToJson),
        backs: doc.backs.map(backSideToJson),
      }, 200);
    },
  );
  return app;
}
