/**
 * Response schemas of the registry's own resources (the municipality's
 * staff and operators; the feed to the ASP is a protocol between parties
 * and lives in lib/contracts/registry_feed.ts).
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { formProfileSchema } from "../../../lib/contracts/form_profile.ts";

/** A committed change event (異動). */
export const CommittedView = z.object({
  seq: z.number(),
  eventId: z.string(),
  type: z.string().openapi({ example: "tennyu" }),
  residentIds: z.array(z.string()),
}).openapi("Committed");

/** A card link row. */
export const CardLinkView = z.object({
  serial: z.string(),
  municipalityCode: z.string(),
  residentId: z.string(),
  linkedAt: z.string(),
  unlinkedAt: z.string().nullable(),
}).openapi("CardLink");

/** A municipality, its kiosk policy, its form profile and its feed head. */
export const MunicipalityView = z.object({
  code: z.string(),
  name: z.string(),
  mayor: z.string(),
  printMyNumberAtKiosk: z.boolean(),
  sameDayEventTypes: z.array(z.string()).nullable().openapi({
    description:
      "Event types held on their 処理日 (the same-day rule); null: every type",
  }),
  householdMoveOutPolicy: z.enum(["strict", "lenient"]),
  formProfile: formProfileSchema.describe(
    "How the certificates are printed (the default profile when none was set)",
  ),
  head: z.number().openapi({ description: "The feed's head sequence" }),
}).openapi("MunicipalityState");

/** An issuance block row (抑止). */
const BlockView = z.object({
  id: z.string(),
  municipalityCode: z.string(),
  residentId: z.string(),
  reason: z.string(),
  startDate: z.string(),
  endDate: z.string().nullable(),
  liftedAt: z.string().nullable(),
  liftedReason: z.string().nullable(),
});

/**
 * A resident's current record with seals (impression PNG as base64),
 * blocks and card links. The record's own columns are those of
 * db/registry/schema.ts `residents`; the ones every reader relies on are
 * listed.
 */
export const ResidentRecordView = z.looseObject({
  id: z.string(),
  municipalityCode: z.string(),
  historyNo: z.number(),
  status: z.string().openapi({ example: "active" }),
  name: z.string(),
  nameKana: z.string(),
  birthDate: z.string(),
  sex: z.string(),
  householdId: z.string(),
  address: z.string(),
  updatedSeq: z.number(),
  seals: z.array(z.record(z.string(), z.unknown())),
  blocks: z.array(BlockView),
  cardLinks: z.array(CardLinkView),
}).openapi("ResidentRecord");

/** A resident's history snapshots, oldest first. */
export const ResidentHistoryView = z.object({
  residentId: z.string(),
  history: z.array(z.object({
    residentId: z.string(),
    historyNo: z.number(),
    municipalityCode: z.string(),
    seq: z.number(),
    eventType: z.string(),
    snapshot: z.unknown(),
    recordedAt: z.string(),
  })),
}).openapi("ResidentHistory");

/** A resident as a search lists them: never 個人番号 nor 住民票コード. */
export const ResidentListItemView = z.object({
  id: z.string(),
  status: z.string().openapi({
    description: "active | moving_out (転出予定) | removed (除票)",
    example: "active",
  }),
  name: z.string().openapi({ example: "山田　太郎" }),
  nameKana: z.string().openapi({ example: "やまだ　たろう" }),
  birthDate: z.string().openapi({ example: "1980-04-01" }),
  sex: z.string().openapi({ example: "male" }),
  householdId: z.string(),
  relationship: z.string().openapi({ example: "世帯主" }),
  address: z.string(),
  katagaki: z.string().nullable(),
}).openapi("ResidentListItem");

/** One page of a resident search. */
export const ResidentSearchPageView = z.object({
  items: z.array(ResidentListItemView),
  nextCursor: z.string().nullable().openapi({
    description: "Pass as `cursor` for the next page; null on the last page",
  }),
}).openapi("ResidentSearchPage");
