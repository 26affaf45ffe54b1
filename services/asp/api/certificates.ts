/**
 * `/tenants/{code}/certificates`: the center asks for a certificate's
 * sheets (and their front PDF), then confirms delivery so the work data is
 * deleted. Each request's log line names the issuance request id (and its
 * refusal code); the center's `X-Correlation-Id` is on it too
 * (lib/service/app.ts).
 *
 * @module
 */
import { component, createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  aspCertificateRequestSchema,
  builtCertificateSchema,
  deliveredManyRequestSchema,
  deliveredManySchema,
  deliveredSchema,
} from "../../../lib/contracts/center_asp.ts";
import { sheetToJson } from "../../../lib/contracts/sheet_wire.ts";
import { annotateRequestLog } from "../../../lib/service/app.ts";
import { requireScope } from "../auth.ts";
import {
  buildCertificate,
  markDelivered,
  markDeliveredMany,
} from "../certificate_builder.ts";
import {
  type AspDeps,
  type AspEnv,
  errorResponses,
  TenantParam,
} from "./common.ts";

/** The request body (lib/contracts/center_asp.ts). */
export const CertificateRequestSchema = component(
  aspCertificateRequestSchema,
  "CertificateRequest",
);

const Built = component(builtCertificateSchema, "BuiltCertificate");

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
      annotateRequestLog(c, {
        issuanceRequestId: req.requestId,
        type: req.type,
      });
      const built = await buildCertificate(deps, code, req, {
        now: deps.clock.now(),
        actor: c.get("client").id,
        includePdf,
      });
      return c.json({
        requestId: built.requestId,
        applicantResidentId: built.applicantResidentId,
        applicant: built.applicant,
        replicaSeq: built.replicaSeq,
        sheets: built.sheets.map(sheetToJson),
        household: built.household,
        ...(built.frontPdf
          ? { frontPdfBase64: built.frontPdf.toBase64() }
          : {}),
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
              schema: deliveredManyRequestSchema,
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
              schema: deliveredManySchema,
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
      annotateRequestLog(
        c,
        requestIds.length === 1
          ? { issuanceRequestId: requestIds[0] }
          : { deliveries: requestIds.length },
      );
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
              schema: deliveredSchema,
            },
          },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code, requestId } = c.req.valid("param");
      annotateRequestLog(c, { issuanceRequestId: requestId });
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
