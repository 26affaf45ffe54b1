/**
 * `/municipalities/{code}/residents`: searching (a page of list items,
 * audited with a purpose like a read), reading a record (always audited,
 * with a stated purpose), its history, and registering seals and blocks on
 * it.
 *
 * @module
 */
import { jstDate } from "../../../lib/time/clock.ts";
import { createResourceApp } from "../../../lib/service/openapi.ts";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, asc, eq } from "drizzle-orm";
import {
  cardLinks,
  issuanceBlocks,
  residentHistory,
  residents,
  sealRegistrations,
} from "../../../db/registry/schema.ts";
import { requireClient } from "../auth.ts";
import { RegistryError } from "../errors.ts";
import { isoDate } from "../event_schemas.ts";
import { registerSeal, setBlock } from "../records.ts";
import { audit, replicaSeal } from "../store.ts";
import { criteriaGiven, searchResidents } from "../search.ts";
import {
  auditedPage,
  auditedPageRoute,
  errorResponses,
  fromBase64,
  MunicipalityParam,
  pageQuery,
  PurposeHeader,
  purposeOf,
  type RegistryDeps,
  type RegistryEnv,
} from "./common.ts";
import {
  CommittedView,
  ResidentHistoryView,
  ResidentRecordView,
  ResidentSearchPageView,
} from "./views.ts";

const Params = MunicipalityParam.extend({
  id: z.string().min(1).max(40).openapi({ param: { name: "id", in: "path" } }),
});

const text = (max: number, description: string) =>
  z.string().min(1).max(max).optional().openapi({ description });

const SearchQuery = z.object({
  name: text(
    100,
    "Prefix of 氏名; spaces (half- or full-width) are ignored on both sides, other characters compared as stored",
  ).openapi({ example: "山田" }),
  kana: text(
    100,
    "Prefix of the ふりがな: hiragana and katakana alike, spaces ignored, half-width カナ accepted",
  ).openapi({ example: "やまだ" }),
  birthDate: isoDate.optional().openapi({ description: "Exact birth date" }),
  household: text(40, "Household id: its members"),
  cardSerial: z.string().regex(/^[0-9A-Fa-f]{2,64}$/).optional().openapi({
    description:
      "Serial (hex) of a card's user-authentication certificate: the resident it is linked to now",
  }),
  status: z.enum(["current", "removed", "all"]).default("current").openapi({
    description:
      "current: active and 転出予定 (the default); removed: 除票 only; all",
  }),
  ...pageQuery(1000, "criteria"),
});

const searchRoute = auditedPageRoute({
  summary:
    "Search residents (audited; no 個人番号 or 住民票コード in the list)",
  description:
    "At least one of name, kana, birthDate, household, cardSerial; criteria combine with AND. Pages in kana order when kana is given, else name order, else id order. Each page is one audit record (criterion names, the ids listed).",
  query: SearchQuery,
  page: ResidentSearchPageView,
  pageDescription: "One page of residents",
});

const getRoute = createRoute({
  method: "get",
  path: "/{id}",
  summary: "Read a resident's current record (audited)",
  request: { params: Params, headers: PurposeHeader },
  responses: {
    200: {
      description: "The record",
      content: { "application/json": { schema: ResidentRecordView } },
    },
    ...errorResponses,
  },
  security: [{ bearer: [] }],
});

const historyRoute = createRoute({
  method: "get",
  path: "/{id}/history",
  summary: "Read a resident's history snapshots (audited)",
  request: { params: Params, headers: PurposeHeader },
  responses: {
    200: {
      description: "Snapshots",
      content: { "application/json": { schema: ResidentHistoryView } },
    },
    ...errorResponses,
  },
  security: [{ bearer: [] }],
});

const SealBody = z.object({
  impressionPng: z.string().min(1).max(400_000).openapi({
    description:
      "PNG, base64: at most 256 KB, 32–4096 pixels a side, decodable " +
      "(else SEAL_IMAGE_TOO_LARGE, SEAL_IMAGE_DIMENSIONS, SEAL_IMAGE_INVALID)",
  }),
  date: isoDate,
  registrationNumber: z.string().max(20).optional(),
}).strict().openapi("SealRegistration");

const sealRoute = createRoute({
  method: "post",
  path: "/{id}/seals",
  summary: "Register a seal (印鑑登録)",
  description:
    "The impression is decoded and checked (a PNG within the size and " +
    "dimension limits); the registration keeps it with a print version " +
    "(600 px, ≥ 300 dpi in the certificate's 印影 box) and a compact one " +
    "(≤ 2 KB, for the back side), both carried to the ASP by the feed.",
  request: {
    params: Params,
    body: {
      content: { "application/json": { schema: SealBody } },
      required: true,
    },
  },
  responses: {
    201: {
      description: "Registered",
      content: {
        "application/json": {
          schema: CommittedView.extend({ sealId: z.string() }),
        },
      },
    },
    ...errorResponses,
  },
  security: [{ bearer: [] }],
});

const BlockBody = z.object({
  reason: z.enum(["opt_out", "support_measure", "municipal"]),
  startDate: isoDate,
  endDate: isoDate.nullable().optional(),
}).strict().openapi("IssuanceBlock");

const blockRoute = createRoute({
  method: "post",
  path: "/{id}/blocks",
  summary: "Set an issuance block (抑止)",
  request: {
    params: Params,
    body: {
      content: { "application/json": { schema: BlockBody } },
      required: true,
    },
  },
  responses: {
    201: {
      description: "Set",
      content: {
        "application/json": {
          schema: CommittedView.extend({ blockId: z.string() }),
        },
      },
    },
    ...errorResponses,
  },
  security: [{ bearer: [] }],
});

/** The residents resource. */
export function createResidentsApp(
  deps: RegistryDeps,
): OpenAPIHono<RegistryEnv> {
  const app = createResourceApp<RegistryEnv>();
  app.on(["POST"], "*", requireClient(deps.clients, "write"));
  app.on(["GET"], "*", requireClient(deps.clients, "read"));

  app.openapi(searchRoute, async (c) => {
    const { code } = c.req.valid("param");
    const purpose = purposeOf(c.req.valid("header")["x-purpose"]);
    const { limit, cursor, ...criteria } = c.req.valid("query");
    const given = criteriaGiven(criteria);
    if (!given.length) throw new RegistryError("SEARCH_CRITERION_REQUIRED");
    const page = await auditedPage(deps.db, c, {
      action: "resident.search",
      municipalityCode: code,
      purpose,
      details: {
        criteria: given,
        status: criteria.status,
        limit,
        continued: cursor !== undefined,
      },
      search: () => searchResidents(deps.db, code, criteria, { limit, cursor }),
      listed: (p) => ({ residentIds: p.items.map((r) => r.id) }),
    });
    return c.json(page, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { code, id } = c.req.valid("param");
    const purpose = purposeOf(c.req.valid("header")["x-purpose"]);
    const client = c.get("client").id;
    const rows = await deps.db.select().from(residents)
      .where(and(eq(residents.id, id), eq(residents.municipalityCode, code)));
    await audit(deps.db, {
      client,
      action: "resident.read",
      municipalityCode: code,
      subject: id,
      purpose,
      requestId: c.get("requestId"),
      outcome: rows.length ? "ok" : "not_found",
    });
    if (!rows.length) throw new RegistryError("RESIDENT_NOT_FOUND");
    const seals = await deps.db.select().from(sealRegistrations).where(
      eq(sealRegistrations.residentId, id),
    );
    const blocks = await deps.db.select().from(issuanceBlocks).where(
      eq(issuanceBlocks.residentId, id),
    );
    const cards = await deps.db.select().from(cardLinks).where(
      eq(cardLinks.residentId, id),
    );
    return c.json({
      ...rows[0],
      seals: seals.map(replicaSeal),
      blocks,
      cardLinks: cards,
    }, 200);
  });

  app.openapi(historyRoute, async (c) => {
    const { code, id } = c.req.valid("param");
    const purpose = purposeOf(c.req.valid("header")["x-purpose"]);
    const rows = await deps.db.select().from(residentHistory)
      .where(
        and(
          eq(residentHistory.residentId, id),
          eq(residentHistory.municipalityCode, code),
        ),
      )
      .orderBy(asc(residentHistory.historyNo));
    await audit(deps.db, {
      client: c.get("client").id,
      action: "resident.history",
      municipalityCode: code,
      subject: id,
      purpose,
      requestId: c.get("requestId"),
      outcome: rows.length ? "ok" : "not_found",
    });
    if (!rows.length) throw new RegistryError("RESIDENT_NOT_FOUND");
    return c.json({
      residentId: id,
      history: rows.map((r) => ({ ...r, seq: Number(r.seq) })),
    }, 200);
  });

  app.openapi(sealRoute, async (c) => {
    const { code, id } = c.req.valid("param");
    const body = c.req.valid("json");
    const png = fromBase64(body.impressionPng);
    if (!png) throw new RegistryError("SEAL_IMAGE_INVALID");
    const r = await registerSeal(deps.db, code, id, {
      ...body,
      impressionPng: png,
    }, {
      client: c.get("client").id,
      requestId: c.get("requestId"),
    });
    deps.notifier.notify(code);
    return c.json(r, 201);
  });

  app.openapi(blockRoute, async (c) => {
    const { code, id } = c.req.valid("param");
    const body = c.req.valid("json");
    const today = jstDate(deps.clock.now());
    const r = await setBlock(deps.db, code, id, { ...body, today }, {
      client: c.get("client").id,
      requestId: c.get("requestId"),
    });
    deps.notifier.notify(code);
    return c.json(r, 201);
  });
  return app;
}
