/**
 * `/municipalities/{code}`: the municipality's name, mayor, kiosk policy and
 * form profile — the one source of each: the feed carries them to the ASP.
 *
 * @module
 */
import { createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { municipalities, outboxHeads } from "../../../db/registry/schema.ts";
import { requireClient } from "../auth.ts";
import { feedPolicyOf, headSeq, loadMunicipality } from "../store.ts";
import { EVENT_TYPES } from "../event_schemas.ts";
import { HOUSEHOLD_MOVE_OUT_POLICIES } from "../../../lib/contracts/registry_feed.ts";
import {
  DEFAULT_FORM_PROFILE,
  formProfileSchema,
} from "../../../lib/contracts/form_profile.ts";
import {
  errorResponses,
  MunicipalityParam,
  type RegistryDeps,
  type RegistryEnv,
} from "./common.ts";
import { MunicipalityView } from "./views.ts";

const Body = z.object({
  name: z.string().min(1).max(50),
  mayor: z.string().min(1).max(100).openapi({
    description:
      "The mayor's title and name, e.g. 北九州市長　武内　和久; the forms (template version 2) print the title with the prefecture of the code's first two digits, 福岡県北九州市長 (standard j1050), unless it already names it",
  }),
  printMyNumberAtKiosk: z.boolean().default(false),
  sameDayEventTypes: z.array(z.enum(EVENT_TYPES)).nullable().default(null)
    .openapi({
      description:
        "Event types whose change, processed today (処理日), reaches kiosks only tomorrow; null (default): every type",
    }),
  householdMoveOutPolicy: z.enum(HOUSEHOLD_MOVE_OUT_POLICIES).default(
    "strict",
  ).openapi({
    description:
      "strict (default): a household certificate is refused while any member has filed a move-out (転出予定), the applicant's own still issues; lenient: only the householder's or a printed member's move-out refuses",
  }),
  formProfile: formProfileSchema.default(DEFAULT_FORM_PROFILE).describe(
    "How the certificates are printed (lib/contracts/form_profile.ts): household format (kohyo 個票式 | renki 世帯連記式, membersPerSheet), juminhyoTitle (住民票の写し | 住民票), inkanPrintsSex, furiganaMask, kisaiItems; every field defaults, absent: the default profile. Carried to the ASP on every feed answer (policy.formProfile)",
  ),
}).strict().openapi("Municipality");

/** The record's columns of a PUT body. */
function rowOf(body: z.output<typeof Body>) {
  return {
    ...body,
    sameDayEventTypes: body.sameDayEventTypes === null
      ? null
      : [...new Set(body.sameDayEventTypes)].join(","),
  };
}

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
      const row = rowOf(body);
      await deps.db.transaction(async (tx) => {
        await tx.insert(municipalities).values({ code, ...row })
          .onConflictDoUpdate({
            target: municipalities.code,
            set: row,
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
      const p = feedPolicyOf(m);
      return c.json({
        code: m.code,
        name: m.name,
        mayor: m.mayor,
        printMyNumberAtKiosk: m.printMyNumberAtKiosk,
        sameDayEventTypes: p.sameDayEventTypes,
        householdMoveOutPolicy: p.householdMoveOut,
        formProfile: p.formProfile!,
        head: await headSeq(deps.db, code),
      }, 200);
    },
  );
  return app;
}
