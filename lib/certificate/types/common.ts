/**
 * Schema parts every certificate type's sheet shares: the subject, the
 * issuing municipality and the sheet's common fields, as zod schemas that
 * parse a sheet's JSON wire form (see {@link sheetBaseShape}).
 *
 * @module
 */

import { z } from "zod";
import { TEMPLATE_VERSIONS } from "../model.ts";
import { JUMINHYO_TITLES } from "../../contracts/form_profile.ts";

/**
 * Bytes in memory (any `Uint8Array`).
 *
 * @example
 * ```ts
 * bytesSchema.parse(new Uint8Array(4));
 * ```
 */
export const bytesSchema = z.custom<Uint8Array>(
  (value) => value instanceof Uint8Array,
  { message: "expected bytes (Uint8Array)" },
);

/**
 * PNG (or any) bytes as they travel over JSON: base64 on the wire, a
 * `Uint8Array` in memory. `parse` decodes, `z.encode` encodes.
 *
 * @example
 * ```ts ignore
 * base64Bytes.parse("iVBORw0K"); // Uint8Array [0x89, 0x50, …]
 * z.encode(base64Bytes, Uint8Array.of(1, 2)); // "AQI="
 * ```
 */
export const base64Bytes = z.codec(z.base64(), bytesSchema, {
  decode: (text) => Uint8Array.fromBase64(text),
  encode: (bytes) => bytes.toBase64(),
});

/**
 * A date, ISO `YYYY-MM-DD` by convention. Not checked here: the schemas
 * describe the wire's structure, so that every sheet the canonical form can
 * carry (lib/backside/canonical.ts) also round-trips through JSON; the
 * renderer refuses a date it cannot print.
 *
 * @example
 * ```ts
 * isoDate.parse("2026-11-26");
 * ```
 */
export const isoDate = z.string();

/**
 * Foreign-resident items of a subject.
 *
 * @example
 * ```ts ignore
 * foreignResidentSchema.parse(makeForeignSubject().foreign);
 * ```
 */
export const foreignResidentSchema = z.strictObject({
  alphabeticName: z.string(),
  nationality: z.string(),
  residenceStatus: z.string(),
  periodOfStay: z.string(),
  expiryDate: isoDate,
  cardNumber: z.string(),
});

/**
 * The one person on a sheet (see `SubjectEntry`).
 *
 * @example
 * ```ts ignore
 * subjectSchema.parse(makeSubject());
 * ```
 */
export const subjectSchema = z.strictObject({
  residentId: z.string(),
  name: z.string(),
  nameKana: z.string(),
  formerSurname: z.string().optional(),
  formerSurnameKana: z.string().optional(),
  alias: z.string().optional(),
  birthDate: isoDate,
  sex: z.enum(["male", "female"]),
  householderName: z.string().optional(),
  relationship: z.string().optional(),
  honseki: z.string().optional(),
  hittousha: z.string().optional(),
  myNumber: z.string().optional(),
  address: z.string(),
  katagaki: z.string().optional(),
  becameResidentDate: isoDate,
  addressSetDate: isoDate,
  notifiedDate: isoDate,
  previousAddress: z.string().optional(),
  foreign: foreignResidentSchema.optional(),
});

/**
 * The issuing municipality (see `IssuingMunicipality`).
 *
 * @example
 * ```ts ignore
 * municipalitySchema.parse(makeMunicipality());
 * ```
 */
export const municipalitySchema = z.strictObject({
  code: z.string(),
  name: z.string(),
  mayor: z.string(),
});

/**
 * What the form profile made a sheet print (see `SheetForm`).
 *
 * @example
 * ```ts
 * sheetFormSchema.parse({ juminhyoTitle: "住民票" });
 * ```
 */
export const sheetFormSchema = z.strictObject({
  juminhyoTitle: z.enum(JUMINHYO_TITLES).optional(),
  inkanPrintsSex: z.boolean().optional(),
});

/**
 * Fields every sheet has besides `type` (see `SheetBase`); each type's
 * schema spreads this shape and adds its own fields.
 *
 * @example
 * ```ts ignore
 * z.strictObject({ ...sheetBaseShape, type: z.literal("juminhyo"), options });
 * ```
 */
export const sheetBaseShape = {
  templateVersion: z.literal(TEMPLATE_VERSIONS),
  issueNumber: z.string(),
  issuedAt: z.string(),
  municipality: municipalitySchema,
  page: z.int().min(1),
  pages: z.int().min(1),
  subject: subjectSchema,
  gaiji: z.string().max(65536).optional(),
  form: sheetFormSchema.optional(),
};
