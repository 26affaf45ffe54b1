/**
 * The registry's change feed to the ASP, one definition for both sides:
 * `GET /municipalities/{code}/feed?after=<seq>` answers (within a second
 * when idle: the heartbeat)
 * {@linkcode feedResponseSchema} (the registry's OpenAPI response schema);
 * the ASP's sync worker parses the envelope with
 * {@linkcode parseFeedEnvelope} and each event with
 * {@linkcode parseFeedEvent} as it applies them, so a bad event stops the
 * tenant at that event after the good ones before it.
 *
 * An event carries the state after it of every row it touched; the rows
 * themselves are checked field by field by the replica's projection (the
 * ASP's own rules), so here they are open records.
 *
 * @module
 */
import { z } from "zod";
import { ContractError, parseMessage } from "./wire.ts";
import { formProfileSchema } from "./form_profile.ts";
import {
  GaijiPathError,
  isPrivateUse,
  MAX_GAIJI_PATH_CHARS,
  parseGlyphPath,
} from "../render/gaiji.ts";

const rows = z.array(z.record(z.string(), z.unknown()));
const ids = z.array(z.string());

/** What an event carries: the state after it of everything it touched. */
export const feedPayloadSchema = z.object({
  residents: rows.default([]),
  deletedResidents: ids.default([]),
  households: rows.default([]),
  deletedHouseholds: ids.default([]),
  seals: rows.default([]),
  deletedSeals: ids.default([]),
  blocks: rows.default([]),
  cardLinks: rows.default([]),
  /** The seq a 取消 event cancels. */
  cancelsSeq: z.number().int().optional(),
}).strict();

/** One event as the feed serves it. */
export const feedEventSchema = z.object({
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  eventId: z.string().min(1),
  type: z.string(),
  /** 異動日: the day the change took effect. */
  effectiveDate: z.string().nullable(),
  /** 届出日: the day it was notified (absent from registries before issue 14). */
  notifiedDate: z.string().nullable().optional(),
  /** 処理日: the registry's date (Japan) when it processed the change. */
  processedDate: z.string().nullable().optional(),
  recordedAt: z.string(),
  payload: feedPayloadSchema,
});

/** How a municipality's household certificates treat a member's 転出予定. */
export const HOUSEHOLD_MOVE_OUT_POLICIES = ["strict", "lenient"] as const;

/**
 * The municipality's kiosk policy, as its registry record holds it (the one
 * source: `PUT /municipalities/{code}`), carried on every feed answer so the
 * replica follows it:
 * - `printMyNumberAtKiosk`: whether kiosks may print 個人番号;
 * - `sameDayEventTypes`: the event types whose change, processed today
 *   (処理日), is issued only from tomorrow; null: every type;
 * - `householdMoveOut`: strict — a household certificate is refused while
 *   any member has filed a move-out (転出予定), the applicant's own still
 *   issues; lenient — only the householder's or a printed member's does;
 * - `formProfile`: the form profile (lib/contracts/form_profile.ts);
 * - `name`, `mayor`: the municipality's official name and its mayor's title
 *   and name, as its record holds them — what the forms print (the ASP
 *   prints nothing of its own start-up configuration).
 */
export const municipalityPolicySchema = z.object({
  printMyNumberAtKiosk: z.boolean(),
  sameDayEventTypes: z.array(z.string()).nullable(),
  householdMoveOut: z.enum(HOUSEHOLD_MOVE_OUT_POLICIES),
  /**
   * How the municipality's certificates are printed
   * (lib/contracts/form_profile.ts); absent from older registries: the
   * default profile.
   */
  formProfile: formProfileSchema.optional(),
  /** The municipality's name, e.g. 北九州市 (absent from older registries). */
  name: z.string().min(1).max(50).optional(),
  /**
   * The mayor's title and name as recorded, e.g. 北九州市長　武内　和久
   * (absent from older registries).
   */
  mayor: z.string().min(1).max(100).optional(),
}).strict();

/** A municipality's kiosk policy (see {@linkcode municipalityPolicySchema}). */
export type MunicipalityFeedPolicy = z.output<typeof municipalityPolicySchema>;

/** Most 外字 a municipality may register. */
export const MAX_GAIJI_PER_MUNICIPALITY = 2000;

/**
 * One registered 外字: a private-use code point and its outline (SVG path
 * data in a 1000 × 1000 em box, y down; lib/render/gaiji.ts), checked here
 * on both sides.
 */
export const gaijiGlyphSchema = z.object({
  codePoint: z.number().int().refine(isPrivateUse, {
    message: "not a private-use code point",
  }),
  path: z.string().min(1).max(MAX_GAIJI_PATH_CHARS).superRefine((d, ctx) => {
    try {
      parseGlyphPath(d);
    } catch (err) {
      if (!(err instanceof GaijiPathError)) throw err;
      ctx.addIssue({ code: "custom", message: err.message });
    }
  }),
}).strict();

/** One registered 外字 (see {@linkcode gaijiGlyphSchema}). */
export type GaijiGlyph = z.output<typeof gaijiGlyphSchema>;

/**
 * The municipality's 外字 as a feed answer carries them: the set's
 * `version` (it grows with every registration or removal) on every answer,
 * and the whole set in `glyphs` only when the replica asked with another
 * version (`gaijiVersion` in the query), so the heartbeat stays small.
 */
export const gaijiSetSchema = z.object({
  version: z.number().int().min(0),
  glyphs: z.array(gaijiGlyphSchema).max(MAX_GAIJI_PER_MUNICIPALITY)
    .optional(),
}).strict();

/** The 外字 part of a feed answer (see {@linkcode gaijiSetSchema}). */
export type FeedGaijiSet = z.output<typeof gaijiSetSchema>;

/**
 * Events after `after` in sequence order, and the head sequence. An answer
 * with no events is the feed's heartbeat (at least one a second while a
 * replica polls): `head` is the registry's head when it answered, and
 * `heartbeatAt` the registry's time then — for logs only: the replica
 * measures a heartbeat's age with its own clock, from when it received it.
 */
export const feedResponseSchema = z.object({
  municipalityCode: z.string(),
  head: z.number().int().min(0),
  heartbeatAt: z.string().optional(),
  /** The municipality's policy when it answered (absent from older registries). */
  policy: municipalityPolicySchema.optional(),
  /** The municipality's registered 外字 (absent from older registries). */
  gaiji: gaijiSetSchema.optional(),
  events: z.array(feedEventSchema),
});

/** What an event carries (after parsing: every list present). */
export type FeedPayload = z.output<typeof feedPayloadSchema>;
/** One event of the feed (after parsing). */
export type FeedEvent = z.output<typeof feedEventSchema>;
/** A feed answer (after parsing). */
export type FeedResponse = z.output<typeof feedResponseSchema>;

/** The feed answer's envelope, its events not yet checked. */
const feedEnvelopeSchema = feedResponseSchema.extend({
  events: z.array(z.unknown()),
});

/** A feed answer whose envelope was checked; each event is checked on use. */
export type FeedEnvelope = z.output<typeof feedEnvelopeSchema>;

/**
 * Parses a feed answer's envelope (municipality, head, a list of events);
 * throws {@linkcode ContractError} when it does not match. The events are
 * left for {@linkcode parseFeedEvent}, one by one, so the good ones before a
 * bad one can still be applied.
 *
 * @example
 * ```ts ignore
 * const feed = parseFeedEnvelope(await res.json());
 * ```
 */
export function parseFeedEnvelope(json: unknown): FeedEnvelope {
  return parseMessage(feedEnvelopeSchema, json, "The feed answer");
}

/**
 * Parses one feed event; throws {@linkcode ContractError} whose message
 * names the event and the problem, e.g. `unknown payload key 'bloodTypes'`.
 *
 * @example
 * ```ts ignore
 * const ev = parseFeedEvent(feed.events[0]);
 * ```
 */
export function parseFeedEvent(json: unknown): FeedEvent {
  const r = feedEventSchema.safeParse(json);
  if (r.success) return r.data;
  const seq = (json as { seq?: unknown } | null)?.seq;
  const what = Number.isSafeInteger(seq) ? `Event ${seq}` : "An event";
  throw new ContractError(
    what,
    r.error.issues.slice(0, 5).map((issue) => {
      const path = issue.path.map(String).join(".");
      if (issue.code === "unrecognized_keys" && path === "payload") {
        return issue.keys.map((k) => `unknown payload key '${k}'`).join(", ");
      }
      if (path === "seq") return "no valid seq";
      if (path === "eventId") return "no eventId";
      return `${path || "(root)"}: ${issue.message}`;
    }),
  );
}

/**
 * Fields of the registry's rows that never travel to the replica (feed and
 * initial-load media alike): what no kiosk certificate prints and what a
 * protected resident must never have leave the registry — 住民票コード, the
 * 通称's furigana, the planned move-out date and the 転出先 address, the
 * household's address (each resident carries their own), and the free-text
 * reason a block was lifted. 個人番号 leaves only where the municipality's
 * policy prints it (the registry decides per event).
 */
export const WITHHELD_FROM_REPLICA = {
  resident: [
    "residentCode",
    "aliasKana",
    "plannedMoveOutDate",
    "destinationAddress",
  ],
  household: ["address", "katagaki"],
  block: ["liftedReason"],
} as const;

/**
 * A row without the fields in `withheld`.
 *
 * @example
 * ```ts
 * import { WITHHELD_FROM_REPLICA, withhold } from "./registry_feed.ts";
 * withhold({ id: "h1", address: "…" }, WITHHELD_FROM_REPLICA.household); // { id: "h1" }
 * ```
 */
export function withhold<T extends Record<string, unknown>>(
  row: T,
  withheld: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row };
  for (const k of withheld) delete out[k];
  return out;
}
