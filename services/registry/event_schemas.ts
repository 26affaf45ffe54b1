/**
 * Request bodies of the registry's change events (異動), validated with zod
 * and published in the OpenAPI document.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine(
  (s) => {
    const t = Date.parse(s + "T00:00:00Z");
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
  },
  {
    message: "invalid date",
  },
).openapi({ example: "2026-11-26" });

const text = (max: number) => z.string().min(1).max(max);

/**
 * A part of the legal 氏名の振り仮名 as the API takes it: any text up to 200
 * characters here; the planner refuses what is not full-width katakana (ー
 * included) or longer than 50 characters with its own code,
 * FURIGANA_INVALID (services/registry/planners/furigana.ts).
 */
const furigana = z.string().max(200).openapi({ example: "ヤマダ" });

/**
 * How a reading reaches the record: `notified` (届出, the default) or
 * `ex_officio` (職権: the 戸籍 entered the presumed reading, from 2026-05-26).
 */
const furiganaRecordedBy = z.enum(["notified", "ex_officio"]);

/** Items of a person entering the registry (転入・出生). */
export const PersonInput = z.object({
  name: text(200),
  nameKana: text(200),
  formerSurname: text(100).optional(),
  formerSurnameKana: text(100).optional(),
  birthDate: isoDate,
  sex: z.enum(["male", "female"]),
  honseki: text(300).optional(),
  hittousha: text(200).optional(),
  myNumber: z.string().regex(/^\d{12}$/).optional(),
  residentCode: z.string().regex(/^\d{11}$/),
  /**
   * The legal 氏名の振り仮名 already recorded: given in the 出生届, or carried
   * by the 転出証明書 of a person moving in.
   */
  furigana: z.object({
    surname: furigana.optional(),
    givenName: furigana.optional(),
    formerSurname: furigana.optional(),
    recordedBy: furiganaRecordedBy.default("notified"),
  }).strict().optional(),
  foreign: z.object({
    alphabeticName: text(200),
    alias: text(200).optional(),
    aliasKana: text(200).optional(),
    nationality: text(100),
    residenceStatus: text(100),
    periodOfStay: text(50),
    stayExpiry: isoDate,
    residenceCardNumber: z.string().regex(/^[A-Z]{2}\d{8}[A-Z]{2}$/),
  }).optional(),
}).openapi("PersonInput");

/**
 * Every event's dates: `date` is the 異動日 (the day the change took
 * effect); `notifiedDate` the 届出日 (the day it was notified; default: the
 * 異動日, as for a 職権 change). The 処理日 is the registry's own date when it
 * commits the event.
 */
const base = {
  date: isoDate.openapi({
    description: "異動日: the day the change took effect",
  }),
  notifiedDate: isoDate.optional().openapi({
    description: "届出日: the day it was notified (default: the 異動日)",
  }),
};

/** Fields that 職権修正 and 誤記修正 may change. */
export const CorrectableFields = z.object({
  name: text(200),
  nameKana: text(200),
  birthDate: isoDate,
  sex: z.enum(["male", "female"]),
  honseki: text(300).nullable(),
  hittousha: text(200).nullable(),
  katagaki: text(200).nullable(),
  previousAddress: text(300).nullable(),
  relationship: text(50),
  alphabeticName: text(200).nullable(),
  alias: text(200).nullable(),
  aliasKana: text(200).nullable(),
  nationality: text(100).nullable(),
  residenceStatus: text(100).nullable(),
  periodOfStay: text(50).nullable(),
  stayExpiry: isoDate.nullable(),
  residenceCardNumber: z.string().regex(/^[A-Z]{2}\d{8}[A-Z]{2}$/).nullable(),
  myNumber: z.string().regex(/^\d{12}$/).nullable(),
  // The legal 氏名の振り仮名: null removes a reading (and its status with it).
  furiganaSurname: furigana.nullable(),
  furiganaGivenName: furigana.nullable(),
  formerSurnameFurigana: furigana.nullable(),
}).partial().strict();

/** Every change event, discriminated by `type`. */
export const EventInput = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("tennyu"),
    ...base,
    person: PersonInput,
    previousAddress: text(300),
    /** Join an existing household, or start a new one at `address`. */
    householdId: z.string().optional(),
    relationship: text(50).optional(),
    address: text(300).optional(),
    katagaki: text(200).optional(),
  }).strict().refine((v) => v.householdId ? !!v.relationship : !!v.address, {
    message:
      "give householdId with relationship, or address for a new household",
  }),
  z.object({
    type: z.literal("shussei"),
    ...base,
    person: PersonInput,
    householdId: z.string(),
    relationship: text(50),
  }).strict(),
  z.object({
    type: z.literal("tenshutsu_yotei"),
    ...base,
    residentId: z.string(),
    plannedDate: isoDate,
    destinationAddress: text(300),
  }).strict(),
  z.object({
    type: z.literal("tenshutsu_kakutei"),
    ...base,
    residentId: z.string(),
  }).strict(),
  z.object({
    type: z.literal("tenkyo"),
    ...base,
    householdId: z.string(),
    address: text(300),
    katagaki: text(200).optional(),
  }).strict(),
  z.object({
    type: z.literal("shibou"),
    ...base,
    residentId: z.string(),
    /**
     * The householder's death: the remaining member who becomes 世帯主
     * (required when several remain; one remaining member becomes it).
     */
    newHouseholderId: z.string().optional().openapi({
      description:
        "When the householder dies and members remain: the new 世帯主 (required when more than one remains)",
    }),
    relationships: z.record(z.string(), text(50)).optional().openapi({
      description:
        "The remaining members' 続柄 to the new householder, where the registry cannot derive it",
    }),
  }).strict(),
  z.object({ type: z.literal("setai_bunri"), ...base, residentId: z.string() })
    .strict(),
  z.object({
    type: z.literal("setai_gappei"),
    ...base,
    householdId: z.string(),
    intoHouseholdId: z.string(),
    relationships: z.record(z.string(), text(50)),
  }).strict(),
  z.object({
    type: z.literal("setainushi_henko"),
    ...base,
    householdId: z.string(),
    newHouseholderId: z.string(),
    relationships: z.record(z.string(), text(50)).optional(),
  }).strict(),
  z.object({
    type: z.literal("kyuuji_kisai"),
    ...base,
    residentId: z.string(),
    formerSurname: text(100),
    formerSurnameKana: text(100),
    /** 旧氏の振り仮名 (legal, katakana); absent: none recorded. */
    formerSurnameFurigana: furigana.optional(),
  }).strict(),
  z.object({
    type: z.literal("kyuuji_henko"),
    ...base,
    residentId: z.string(),
    formerSurname: text(100),
    formerSurnameKana: text(100),
    /** 旧氏の振り仮名 (legal, katakana); absent: none recorded. */
    formerSurnameFurigana: furigana.optional(),
  }).strict(),
  z.object({
    type: z.literal("kyuuji_sakujo"),
    ...base,
    residentId: z.string(),
  }).strict(),
  z.object({
    type: z.literal("furigana_kisai"),
    ...base,
    residentId: z.string(),
    /** 氏の振り仮名 (katakana). */
    surname: furigana.optional(),
    /** 名の振り仮名 (katakana). */
    givenName: furigana.optional(),
    /** 旧氏の振り仮名 (katakana; the resident must have a 旧氏). */
    formerSurname: furigana.optional(),
    recordedBy: furiganaRecordedBy.default("notified").openapi({
      description:
        "notified (届出) or ex_officio (職権: the presumed reading entered by the 戸籍)",
    }),
  }).strict().refine(
    (v) =>
      v.surname !== undefined || v.givenName !== undefined ||
      v.formerSurname !== undefined,
    { message: "give at least one of surname, givenName, formerSurname" },
  ),
  z.object({
    type: z.literal("shokken_shusei"),
    ...base,
    residentId: z.string(),
    changes: CorrectableFields,
    reason: text(500),
  }).strict(),
  z.object({
    type: z.literal("gokisai_shusei"),
    ...base,
    residentId: z.string(),
    changes: CorrectableFields,
    reason: text(500),
  }).strict(),
  z.object({
    type: z.literal("torikeshi"),
    ...base,
    seq: z.number().int().positive(),
    reason: text(500),
  }).strict(),
]).openapi("EventInput");

/** A validated change event. */
export type EventInput = z.infer<typeof EventInput>;

/** The event types (異動事由). */
export const EVENT_TYPES = [
  "tennyu",
  "shussei",
  "tenshutsu_yotei",
  "tenshutsu_kakutei",
  "tenkyo",
  "shibou",
  "setai_bunri",
  "setai_gappei",
  "setainushi_henko",
  "kyuuji_kisai",
  "kyuuji_henko",
  "kyuuji_sakujo",
  "furigana_kisai",
  "shokken_shusei",
  "gokisai_shusei",
  "torikeshi",
] as const;

export { isoDate };
