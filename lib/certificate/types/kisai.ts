/**
 * 住民票記載事項証明書: the applicant alone, certifying only the items of
 * the municipality's form profile (`kisaiItems`,
 * lib/contracts/form_profile.ts) — e.g. 氏名, 生年月日, 性別, 住所 and
 * 住民となった日 for an employer — from the same resident record as the
 * 住民票. The applicant chooses nothing: the items are the municipality's.
 * The sheet records which items it printed, so the portal renders it as
 * printed even after the profile changes.
 *
 * @module
 */

import { z } from "zod";
import { KISAI_ITEMS, type KisaiItem } from "../../contracts/form_profile.ts";
import { TEMPLATE_VERSIONS } from "../model.ts";
import {
  KISAI_FIRST_TEMPLATE_VERSION,
  kisaiForm,
} from "../../render/forms/kisai.ts";
import { sheetBaseShape } from "./common.ts";
import type { CertificateTypeEntry } from "./mod.ts";

/**
 * The items of a 記載事項証明書, one flag per member of `KISAI_ITEMS`, all
 * present, at least one true.
 *
 * @example
 * ```ts ignore
 * kisaiItemsSchema.parse(kisaiItemsOf(["name", "address"]));
 * ```
 */
export const kisaiItemsSchema = z.strictObject(
  Object.fromEntries(KISAI_ITEMS.map((item) => [item, z.boolean()])) as {
    [K in KisaiItem]: z.ZodBoolean;
  },
).refine((items) => KISAI_ITEMS.some((item) => items[item]), {
  message: "a 記載事項証明書 prints at least one item",
});

/**
 * One sheet of a 住民票記載事項証明書 (wire and memory forms are the same).
 *
 * @example
 * ```ts ignore
 * kisaiSheetSchema.parse(JSON.parse(JSON.stringify(makeKisaiSheet())));
 * ```
 */
export const kisaiSheetSchema = z.strictObject({
  ...sheetBaseShape,
  /** From the version current when the type was added (no version 1 form). */
  templateVersion: z.literal(
    TEMPLATE_VERSIONS.filter((v) => v >= KISAI_FIRST_TEMPLATE_VERSION),
  ),
  type: z.literal("kisai"),
  options: kisaiItemsSchema,
});

/**
 * Bits of canonical key 6 by item: part of the back-side format, one bit
 * per member of `KISAI_ITEMS` in its order, never renumbered (a new item
 * takes the next bit, 512).
 */
export const KISAI_ITEM_BITS = {
  name: 1,
  birthDate: 2,
  sex: 4,
  address: 8,
  householderName: 16,
  relationship: 32,
  becameResidentDate: 64,
  addressSetDate: 128,
  honseki: 256,
} as const satisfies Record<KisaiItem, number>;

/**
 * The 住民票記載事項証明書 in the certificate catalogue. Back side: type
 * code 3; the items printed are the bits of canonical key 6
 * ({@linkcode KISAI_ITEM_BITS}: 氏名 1, 生年月日 2, 性別 4, 住所 8, 世帯主 16,
 * 続柄 32, 住民となった日 64, 住所を定めた日 128, 本籍・筆頭者 256); no fields
 * of its own (every item is a field of the subject, keys 9.x). Self only, one
 * sheet per copy.
 *
 * @example
 * ```ts
 * KISAI.backSide.code; // 3
 * ```
 */
export const KISAI = {
  type: "kisai",
  nameJa: "住民票記載事項証明書",
  nameEn: "Certificate of resident record items",
  defaultFeePerCopy: 200,
  household: false,
  schema: kisaiSheetSchema,
  backSide: {
    code: 3,
    optionBits: KISAI_ITEM_BITS,
    fields: [],
  },
  form: kisaiForm,
} as const satisfies CertificateTypeEntry<"kisai">;
