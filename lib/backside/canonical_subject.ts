/**
 * The canonical fields of one person on a sheet, apart from
 * lib/backside/canonical.ts so that a certificate type's own fields
 * (lib/certificate/types/) can hold people too (the 住民票's further
 * members) without an import cycle through the catalogue.
 *
 * @module
 */
import type { CanonicalSchema } from "./canonical.ts";

const FOREIGN: CanonicalSchema = [
  { key: 1, name: "alphabeticName", kind: "text" },
  { key: 2, name: "nationality", kind: "text" },
  { key: 3, name: "residenceStatus", kind: "text" },
  { key: 4, name: "periodOfStay", kind: "text" },
  { key: 5, name: "expiryDate", kind: "text" },
  { key: 6, name: "cardNumber", kind: "text" },
];

const SEX_CODES = { male: 1, female: 2 } as const;

/**
 * The fields of one person on a sheet (`SubjectEntry`): canonical key 9
 * (the sheet's subject) and each item of a list of further people (the
 * 住民票's `members`, key 10).
 */
export const SUBJECT_SCHEMA: CanonicalSchema = [
  { key: 1, name: "residentId", kind: "text" },
  { key: 2, name: "name", kind: "text" },
  { key: 3, name: "nameKana", kind: "text" },
  { key: 4, name: "formerSurname", kind: "text", optional: true },
  { key: 5, name: "formerSurnameKana", kind: "text", optional: true },
  { key: 6, name: "alias", kind: "text", optional: true },
  { key: 7, name: "birthDate", kind: "text" },
  { key: 8, name: "sex", kind: { codes: SEX_CODES } },
  { key: 9, name: "householderName", kind: "text", optional: true },
  { key: 10, name: "relationship", kind: "text", optional: true },
  { key: 11, name: "honseki", kind: "text", optional: true },
  { key: 12, name: "hittousha", kind: "text", optional: true },
  { key: 13, name: "myNumber", kind: "text", optional: true },
  { key: 14, name: "address", kind: "text" },
  { key: 15, name: "katagaki", kind: "text", optional: true },
  { key: 16, name: "becameResidentDate", kind: "text" },
  { key: 17, name: "addressSetDate", kind: "text" },
  { key: 18, name: "notifiedDate", kind: "text" },
  { key: 19, name: "previousAddress", kind: "text", optional: true },
  { key: 20, name: "foreign", kind: FOREIGN, optional: true },
];
