/**
 * `/tenants/{code}/residents/{id}/issuance-check`,
 * `/tenants/{code}/cards/{serial}` and
 * `/tenants/{code}/cards/{serial}/household`: what the center asks before a
 * request (the last: the names a kiosk offers to choose members by —
 * services/asp/household.ts says what is listed and why). Every one of these
 * reads personal data and is audited (services/asp/read_audit.ts).
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { cardLinks } from "../../../db/asp/tenant_schema.ts";
import { requireScope } from "../auth.ts";
import { AspError } from "../errors.ts";
import { issuanceCheck, STALENESS_REASONS } from "../issuance.ts";
import { readKioskHousehold } from "../household.ts";
import { personalDataRead, readAuditContext } from "../read_audit.ts";
import { writeAudit } from "../tenancy.ts";
import { aspHouseholdSchema } from "../../../lib/contracts/center_asp.ts";
import { component, createResourceApp } from "../../../lib/service/openapi.ts";
import { annotateRequestLog } from "../../../lib/service/app.ts";
import {
  type AspDeps,
  type AspEnv,
  errorResponses,
  TenantParam,
} from "./common.ts";

const Refusal = z.object({
  code: z.string().openapi({ example: "UNDER_15" }),
  details: z.record(z.string(), z.unknown()),
});

/** Operators and tests: the rules' verdict on one resident, with its data. */
const IssuanceCheckView = z.object({
  allowed: z.boolean(),
  refusal: Refusal.optional(),
  replicaSeq: z.number().openapi({ description: "The replica sequence read" }),
  freshness: z.object({
    fresh: z.boolean(),
    reason: z.enum(STALENESS_REASONS).optional(),
    syncState: z.string(),
    appliedSeq: z.number(),
    headSeq: z.number(),
    headSeenAt: z.string().nullable(),
  }),
  applicant: z.object({
    residentId: z.string(),
    status: z.string(),
    deceased: z.boolean(),
    changedToday: z.boolean().openapi({
      description:
        "A change processed today (処理日) holds the record until tomorrow (the municipality's same-day rule)",
    }),
    age: z.number(),
    under15: z.boolean(),
    blocks: z.array(z.string()).openapi({
      description: "Reasons of blocks in force today",
    }),
  }).optional(),
  household: z.object({
    householdId: z.string(),
    householderId: z.string().nullable(),
    householdMoveOutFiled: z.boolean(),
    members: z.array(z.object({
      residentId: z.string(),
      status: z.string(),
      isHouseholder: z.boolean(),
      refusal: z.string().nullable(),
    })),
  }).optional(),
}).openapi("IssuanceCheck");

/** The residents resource (rules data). */
export function createResidentsApp(deps: AspDeps): OpenAPIHono<AspEnv> {
  const app = createResourceApp<AspEnv>();
  app.use(requireScope(deps.clients, "issue"));
  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/issuance-check",
      summary:
        "Whether the resident may be issued a certificate now, with the rules data (audited)",
      request: {
        params: TenantParam.extend({ id: z.string().min(1).max(64) }),
      },
      responses: {
        200: {
          description: "The check (allowed or not, with the refusal code)",
          content: { "application/json": { schema: IssuanceCheckView } },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code, id } = c.req.valid("param");
      const now = deps.clock.now();
      return c.json(
        await issuanceCheck(
          deps.tenancy,
          code,
          id,
          now,
          readAuditContext(c, now),
        ),
        200,
      );
    },
  );
  return app;
}

/** The cards resource (which resident a card serial belongs to). */
export function createCardsApp(deps: AspDeps): OpenAPIHono<AspEnv> {
  const app = createResourceApp<AspEnv>();
  app.use(requireScope(deps.clients, "issue"));
  app.openapi(
    createRoute({
      method: "get",
      path: "/{serial}",
      summary: "The resident an active card serial is linked to (audited)",
      request: {
        params: TenantParam.extend({
          serial: z.string().regex(/^[0-9A-Fa-f]{2,64}$/),
        }),
      },
      responses: {
        200: {
          description: "Linked",
          content: {
            "application/json": {
              schema: z.object({ serial: z.string(), residentId: z.string() }),
            },
          },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code, serial } = c.req.valid("param");
      const s = serial.toLowerCase();
      const who = readAuditContext(c, deps.clock.now());
      // The read and its audit record commit together.
      const rows = await deps.tenancy.withTenant(code, async (tx) => {
        const found = await tx.select().from(cardLinks).where(
          and(eq(cardLinks.serial, s), eq(cardLinks.active, true)),
        );
        await writeAudit(
          tx,
          personalDataRead(
            who,
            "card.resolve",
            code,
            found.map((r) => r.residentId),
            {
              outcome: found.length ? "ok" : "CARD_NOT_FOUND",
              details: { cardSerial: s },
            },
          ),
        );
        return found;
      });
      if (!rows.length) throw new AspError("CARD_NOT_FOUND");
      return c.json({ serial: s, residentId: rows[0].residentId }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/{serial}/household",
      summary:
        "The household of the card's resident as a kiosk may show it: residentId, name and 続柄 of every current member (none left out, none marked), the applicant first; refused like a certificate request when the replica is stale or the applicant cannot be issued (audited)",
      request: {
        params: TenantParam.extend({
          serial: z.string().regex(/^[0-9A-Fa-f]{2,64}$/),
        }),
      },
      responses: {
        200: {
          description: "The household list",
          content: {
            "application/json": {
              schema: component(aspHouseholdSchema, "KioskHouseholdList"),
            },
          },
        },
        ...errorResponses,
      },
      security: [{ bearer: [] }],
    }),
    async (c) => {
      const { code, serial } = c.req.valid("param");
      const h = await readKioskHousehold(
        deps.tenancy,
        code,
        serial,
        readAuditContext(c, deps.clock.now()),
      );
      annotateRequestLog(c, { members: h.members.length });
      return c.json(h, 200);
    },
  );
  return app;
}
