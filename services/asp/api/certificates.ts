/**
 * `/tenants/{code}/certificates`: the center asks for a certificate's
 * sheets (and their front PDF), then confirms delivery so the work data is
 * deleted.
 *
 * @module
 */
import { createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { requireScope } from "../auth.ts";
import {
  buildCertificate,
  markDelivered,
  markDeliveredMany,
} from "../certificate_builder.ts";
import { sheetToJson, toBase64 } from "../sheet_json.ts";
import { CERTIFICATE_TYPES } from "../../../lib/certificate/model.ts";
import {
  type AspDeps,
  type AspEnv,
  errorResponses,
  TenantParam,
} from "./common.ts";

const Id = z.string().min(1).max(64);

/** The request body. */
export const CertificateRequestSchema = z.object({
  requestId: z.string().regex(/^[A-Za-z0-9._:-]{8,100}$/).openapi({
    example: "req-0f6c2a1e-2026",
  }),
  /** The applicant; absent: the resident `cardSerial` is linked to. */
  applicantResidentId: Id.optional(),
  type: z.enum(CERTIFICATE_TYPES),
  members: z.union([
    z.literal("self"),
    z.literal("all"),
    z.array(Id).min(1).max(30),
  ]).default("self"),
  options: z.object({
    honseki: z.boolean().default(false),
    zokugara: z.boolean().default(false),
    myNumber: z.boolean().default(false),
  }).strict().default({ honseki: false, zokugara: false, myNumber: false }),
  issueNumber: z.string().min(1).max(64),
  issuedAt: z.string().regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/,
  ),
  cardSerial: z.string().regex(/^[0-9A-Fa-f]{2,64}$/).optional(),
  includePdf: z.boolean().default(true),
}).strict().refine((r) => r.applicantResidentId || r.cardSerial, {
  message: "give applicantResidentId or cardSerial",
}).openapi("CertificateRequest");

const Built = z.object({
  requestId: z.string(),
  applicantResidentId: z.string(),
  replicaSeq: z.number(),
  sheets: z.array(z.object({}).passthrough()).openapi({
    description: "SheetContent[]; seal.png is base64",
  }),
  household: z.object({
    householdId: z.string(),
    householderId: z.string().nullable(),
    memberIds: z.array(z.string()),
  })
    .openapi({
      description:
        "The applicant's household at replicaSeq (read in the build's transaction)",
    }),
  frontPdfBase64: z.string().optional(),
}).openapi("BuiltCertificate");

/** The certificates resource. */
export function createCertificatesApp(deps: AspDeps): OpenAPIHono<AspEnv> {
  const app = createResourceApp<AspEnv>();
  app.use(requireScope(deps.clients, "issue"));
  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      summary:
        "Build a certificate's sheets from the replica (or refuse with a code)",
      request: {
        params: TenantParam,
        body: {
          content: { "application/json": { schema: CertificateRequestSchema } },
          required: true,
        },
      },
      responses: {
        201: {
          description: "Built",
          content: { "application/json": { schema: Built } },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const { includePdf, ...req } = c.req.valid("json");
      const built = await buildCertificate(deps, code, req, {
        now: deps.clock.now(),
        actor: c.get("client").id,
        includePdf,
      });
      return c.json({
        requestId: built.requestId,
        applicantResidentId: built.applicantResidentId,
        replicaSeq: built.replicaSeq,
        sheets: built.sheets.map(sheetToJson),
        household: built.household,
        ...(built.frontPdf ? { frontPdfBase64: toBase64(built.frontPdf) } : {}),
      }, 201);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/delivered",
      summary:
        "Confirm several deliveries at once: their work data is deleted (one transaction, one audit record each)",
      request: {
        params: TenantParam,
        body: {
          content: {
            "application/json": {
              schema: z.object({
                requestIds: z.array(z.string().min(8).max(100)).min(1).max(
                  1000,
                ),
              }),
            },
          },
          required: true,
        },
      },
      responses: {
        200: {
          description: "Deleted; request ids without work data are listed",
          content: {
            "application/json": {
              schema: z.object({
                delivered: z.array(z.object({
                  requestId: z.string(),
                  replicaSeq: z.number(),
                })),
                notFound: z.array(z.string()),
              }),
            },
          },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const { requestIds } = c.req.valid("json");
      return c.json(
        await markDeliveredMany(deps.tenancy, code, requestIds, {
          actor: c.get("client").id,
          now: deps.clock.now(),
        }),
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/{requestId}/delivered",
      summary: "Confirm delivery: the request's work data is deleted",
      request: {
        params: TenantParam.extend({ requestId: z.string().min(8).max(100) }),
      },
      responses: {
        200: {
          description: "Deleted",
          content: {
            "application/json": {
              schema: z.object({
                requestId: z.string(),
                replicaSeq: z.number(),
              }),
            },
          },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code, requestId } = c.req.valid("param");
      return c.json(
        await markDelivered(deps.tenancy, code, requestId, {
          actor: c.get("client").id,
          now: deps.clock.now(),
        }),
        200,
      );
    },
  );
  return app;
}
