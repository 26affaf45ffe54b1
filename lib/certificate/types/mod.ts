/**
 * The certificate catalogue: per certificate type its content schema, its
 * back-side coding, its Japanese and English names, its fee and its form, one module
 * per type (juminhyo.ts, inkan.ts, kisai.ts), collected here in a
 * `Record<CertificateType, …>`.
 *
 * Adding a type: add it to `CERTIFICATE_TYPES` and its sheet to the
 * `SheetContent` union (lib/certificate/model.ts), write its module here,
 * then follow the compiler: this catalogue, {@link sheetContentSchema}, the
 * ASP's sheet builder and the center's subject check (a `switch` ending in `assertNever`) each fail to
 * compile until the new type is handled; the portal's labels, the fee
 * and the kiosk screen's choices come from the entries here.
 *
 * @module
 */

import { z } from "zod";
import type { CanonicalSchema } from "../../backside/canonical.ts";
import type { FormBuilder } from "../../render/form_builder.ts";
import type { FormProfile } from "../../contracts/form_profile.ts";
import {
  assertNever,
  CERTIFICATE_TYPES,
  type CertificateType,
  type SheetContent,
  type SheetForm,
  type SheetOf,
} from "../model.ts";
import { INKAN, inkanSheetSchema, inkanWireSchema } from "./inkan.ts";
import { JUMINHYO, juminhyoSheetSchema } from "./juminhyo.ts";
import { KISAI, kisaiSheetSchema } from "./kisai.ts";

export {
  assertNever,
  CERTIFICATE_TYPES,
  type CertificateType,
  isCertificateType,
  type SheetOf,
} from "../model.ts";

/** How a type is coded on the back side (lib/backside/canonical.ts, envelope.ts). */
export interface BackSideCoding {
  /**
   * The type's code: the envelope header's type byte and canonical key 2.
   * Part of the format: never renumber, never reuse.
   */
  readonly code: number;
  /** Bits of canonical key 6 (`options`) by option name; `{}`: always 0. */
  readonly optionBits: Readonly<Record<string, number>>;
  /** The type's own canonical fields after the common keys 1–9. */
  readonly fields: CanonicalSchema;
}

/** Everything the system knows about one certificate type. */
export interface CertificateTypeEntry<T extends CertificateType> {
  readonly type: T;
  /** Japanese name, also the printed title of the form. */
  readonly nameJa: string;
  /** English name (portal). */
  readonly nameEn: string;
  /**
   * The default fee per copy (通), yen: what the center charges for a copy
   * of this type when the municipality's fee schedule
   * (services/jlis/issuance/fee_schedule.ts) has no entry for that day.
   */
  readonly defaultFeePerCopy: number;
  /**
   * Whether other members of the applicant's household may be on it (住民票),
   * or only the applicant (印鑑, 記載事項証明書: the ASP refuses others,
   * INKAN_SELF_ONLY, KISAI_SELF_ONLY).
   */
  readonly household: boolean;
  /** One sheet of this type: `parse` takes the JSON wire form. */
  readonly schema: z.ZodType<SheetOf<T>>;
  /** Back-side type code and fields. */
  readonly backSide: BackSideCoding;
  /** Draws the sheet's body below the common header. */
  readonly form: (b: FormBuilder, sheet: SheetOf<T>) => void;
  /**
   * The printed title when the sheet decides it (e.g. the 住民票's wording
   * of its form profile, template version 3); `nameJa` when absent.
   */
  readonly title?: (sheet: SheetOf<T>) => string;
  /**
   * What the municipality's form profile makes a sheet of this type print,
   * recorded on the sheet (`form`, template version 3 on); none when absent.
   */
  readonly sheetForm?: (profile: FormProfile) => SheetForm;
}

/**
 * The catalogue, one entry per member of `CERTIFICATE_TYPES`.
 *
 * @example
 * ```ts ignore
 * CERTIFICATE_CATALOGUE[sheet.type].nameJa; // "住民票の写し"
 * ```
 */
export const CERTIFICATE_CATALOGUE: {
  readonly [T in CertificateType]: CertificateTypeEntry<T>;
} = { juminhyo: JUMINHYO, inkan: INKAN, kisai: KISAI };

/**
 * One sheet over JSON, discriminated on `type`. `parse` takes the wire form
 * (the 印鑑's seal PNG as base64 and its legacy all-false `options`) and
 * gives the in-memory {@link SheetContent}; `z.encode(sheetContentSchema,
 * sheet)` gives the wire form back. Unknown fields are refused.
 *
 * @example
 * ```ts ignore
 * const sheet = sheetContentSchema.parse(JSON.parse(body)); // SheetContent
 * const json = z.encode(sheetContentSchema, sheet);          // SheetContentWire
 * ```
 */
export const sheetContentSchema = z.discriminatedUnion("type", [
  juminhyoSheetSchema,
  inkanSheetSchema,
  kisaiSheetSchema,
]);

/** A sheet as JSON carries it (the input of {@link sheetContentSchema}). */
export type SheetContentWire = z.input<typeof sheetContentSchema>;

/**
 * The wire side of {@link sheetContentSchema} alone: plain JSON, no decoding
 * (what a message schema and an OpenAPI document describe).
 *
 * @example
 * ```ts ignore
 * sheetWireSchema.parse(json); // still base64 in seal.png
 * ```
 */
export const sheetWireSchema = z.discriminatedUnion("type", [
  juminhyoSheetSchema,
  inkanWireSchema,
  kisaiSheetSchema,
]);

// Compile-time checks: the schema's output is exactly the model's union,
// and every member of CERTIFICATE_TYPES has a sheet in that union.
type Same<A, B> = [A] extends [B] ? [B] extends [A] ? true : false : false;
const _schemaIsModel: Same<z.output<typeof sheetContentSchema>, SheetContent> =
  true;
const _everyTypeHasASheet: Same<SheetContent["type"], CertificateType> = true;
const _wireIsWire: Same<z.output<typeof sheetWireSchema>, SheetContentWire> =
  true;

/**
 * The type whose back-side code is `code`, or `undefined`.
 *
 * @example
 * ```ts
 * certificateTypeOfCode(2); // "inkan"
 * ```
 */
export function certificateTypeOfCode(
  code: number,
): CertificateType | undefined {
  return CERTIFICATE_TYPES.find((t) =>
    CERTIFICATE_CATALOGUE[t].backSide.code === code
  );
}

/**
 * The catalogue entry of a sheet's type, typed for that sheet (so its form
 * takes it without a cast).
 *
 * @example
 * ```ts ignore
 * const { form } = entryOf(sheet); form(b, sheet);
 * ```
 */
export function entryOf<T extends CertificateType>(
  sheet: SheetOf<T>,
): CertificateTypeEntry<T> {
  const entry = CERTIFICATE_CATALOGUE[sheet.type as T];
  if (!entry) {
    throw new RangeError(`Unknown certificate type ${String(sheet.type)}`);
  }
  return entry;
}

/**
 * The optional items of a subject a sheet may carry, each true when the
 * sheet prints it: 世帯主 and 続柄 (a 住民票 with `zokugara`, a 記載事項証明書
 * with the item), 本籍・筆頭者 (`honseki`), 個人番号 (a 住民票 with
 * `myNumber` only). The ASP fills a subject by it; the center refuses a
 * sheet whose subject carries more.
 */
export interface OptionalSubjectItems {
  householderName: boolean;
  relationship: boolean;
  honseki: boolean;
  myNumber: boolean;
}

/** What {@linkcode optionalSubjectItemsOf} reads of a sheet: its type and options. */
export type SheetOptions =
  | Pick<SheetOf<"juminhyo">, "type" | "options">
  | Pick<SheetOf<"inkan">, "type">
  | Pick<SheetOf<"kisai">, "type" | "options">;

/**
 * The optional subject items a sheet of a type with these options prints.
 *
 * @example
 * ```ts
 * optionalSubjectItemsOf({ type: "inkan" }).honseki; // false
 * ```
 */
export function optionalSubjectItemsOf(
  sheet: SheetOptions,
): OptionalSubjectItems {
  switch (sheet.type) {
    case "juminhyo": {
      const o = sheet.options;
      return {
        householderName: o.zokugara,
        relationship: o.zokugara,
        honseki: o.honseki,
        myNumber: o.myNumber,
      };
    }
    case "inkan":
      return {
        householderName: false,
        relationship: false,
        honseki: false,
        myNumber: false,
      };
    case "kisai": {
      const o = sheet.options;
      return {
        householderName: o.householderName,
        relationship: o.relationship,
        honseki: o.honseki,
        myNumber: false,
      };
    }
    default:
      return assertNever(sheet, "certificate type");
  }
}
