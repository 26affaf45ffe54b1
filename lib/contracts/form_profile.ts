/**
 * A municipality's **form profile**: how its certificates are printed at
 * kiosks where the national standard (住民記録システム標準仕様書) leaves the
 * choice to the municipality. One source of truth: the registry's
 * municipality record (`PUT /municipalities/{code}`, field `formProfile`),
 * carried to the ASP on every feed answer (`policy.formProfile`,
 * lib/contracts/registry_feed.ts), applied by the ASP's sheet builder, and
 * what a sheet printed with it records on its back side so the portal
 * renders it as printed.
 *
 * @module
 */
import { z } from "zod";

/**
 * How a whole-household 住民票 is printed (standard j1000):
 * - `kohyo` (個票式): each member's sheet is a certificate of its own — its
 *   own 発行番号, its own 認証文 in the single-person wording, its own fee;
 * - `renki` (世帯連記式): the household is one certificate — several members
 *   per sheet (j1010 order, at most `membersPerSheet`), one 発行番号 with
 *   page x/n, the 認証文 once, on the last page, in the whole-household
 *   wording, one fee.
 */
export const HOUSEHOLD_FORMATS = ["kohyo", "renki"] as const;

/** A household format (see {@linkcode HOUSEHOLD_FORMATS}). */
export type HouseholdFormat = typeof HOUSEHOLD_FORMATS[number];

/**
 * A household format on the wire (see {@linkcode HOUSEHOLD_FORMATS}): the
 * profile's field, and what the household answers to a kiosk carry
 * (lib/contracts/center_asp.ts, lib/contracts/kiosk_center.ts).
 */
export const householdFormatSchema = z.enum(HOUSEHOLD_FORMATS);

/** The printed title of the 住民票: most print 「住民票の写し」, some 「住民票」. */
export const JUMINHYO_TITLES = ["住民票の写し", "住民票"] as const;

/** A 住民票 title wording (see {@linkcode JUMINHYO_TITLES}). */
export type JuminhyoTitle = typeof JUMINHYO_TITLES[number];

/**
 * Items a 住民票記載事項証明書 may certify; the municipality's profile
 * chooses which (in this order on the form).
 */
export const KISAI_ITEMS = [
  "name",
  "birthDate",
  "sex",
  "address",
  "householderName",
  "relationship",
  "becameResidentDate",
  "addressSetDate",
  "honseki",
] as const;

/** An item of a 住民票記載事項証明書 (see {@linkcode KISAI_ITEMS}). */
export type KisaiItem = typeof KISAI_ITEMS[number];

/** Most members a 世帯連記式 sheet holds (standard practice: up to four). */
export const MAX_MEMBERS_PER_SHEET = 4;

/**
 * The form profile as the registry's API accepts it and the feed carries it;
 * every field has a default, so `{}` is the default profile.
 */
export const formProfileSchema = z.object({
  /** 世帯連記式 or 個票式 (default 個票式, what most municipalities offer at kiosks). */
  householdFormat: householdFormatSchema.default("kohyo"),
  /** Members per sheet in 世帯連記式 (1–4, default 4); ignored in 個票式. */
  membersPerSheet: z.number().int().min(1).max(MAX_MEMBERS_PER_SHEET)
    .default(MAX_MEMBERS_PER_SHEET),
  /** The 住民票's printed title. */
  juminhyoTitle: z.enum(JUMINHYO_TITLES).default("住民票の写し"),
  /** Whether the 印鑑登録証明書 prints 性別 (more and more municipalities omit it). */
  inkanPrintsSex: z.boolean().default(true),
  /**
   * What the 振り仮名 field prints while the legal reading (令和5年法律第48号)
   * is not recorded: null leaves it blank, a text such as `********` is
   * printed in its place.
   */
  furiganaMask: z.string().min(1).max(20).nullable().default(null),
  /** The items of the 住民票記載事項証明書, in print order (at least one). */
  kisaiItems: z.array(z.enum(KISAI_ITEMS)).min(1).max(KISAI_ITEMS.length)
    .refine((a) => new Set(a).size === a.length, {
      message: "items must not repeat",
    })
    .default(["name", "birthDate", "sex", "address", "becameResidentDate"]),
}).strict();

/** A municipality's form profile, every field present (see {@linkcode formProfileSchema}). */
export type FormProfile = z.output<typeof formProfileSchema>;

/**
 * The default profile: 個票式, 「住民票の写し」, 性別 printed, a blank
 * furigana while not recorded.
 *
 * @example
 * ```ts
 * DEFAULT_FORM_PROFILE.householdFormat; // "kohyo"
 * ```
 */
export const DEFAULT_FORM_PROFILE: FormProfile = formProfileSchema.parse({});
