/**
 * 印鑑登録証明書: the registrant alone, with the registered seal impression.
 * No options: nothing on it is optional.
 *
 * @module
 */

import { z } from "zod";
import { inkanForm } from "../../render/forms/inkan.ts";
import { base64Bytes, bytesSchema, isoDate, sheetBaseShape } from "./common.ts";
import type { CertificateTypeEntry } from "./mod.ts";

/**
 * The registered seal; on the wire its `png` is base64.
 *
 * @example
 * ```ts
 * sealImpressionSchema.parse({ registrationNumber: "12345", registeredDate: "2016-01-20", png: "iVBORw0K…" });
 * ```
 */
export const sealImpressionSchema = z.strictObject({
  registrationNumber: z.string(),
  registeredDate: isoDate,
  png: base64Bytes,
});

/** The options a 印鑑 sheet carried on the wire before it had none: all false. */
const NO_OPTIONS = {
  honseki: false,
  zokugara: false,
  myNumber: false,
} as const;

const inkanWire = z.strictObject({
  ...sheetBaseShape,
  type: z.literal("inkan"),
  /** Sent as all false for compatibility; nothing else is accepted. */
  options: z.strictObject({
    honseki: z.literal(false),
    zokugara: z.literal(false),
    myNumber: z.literal(false),
  }).optional(),
  seal: sealImpressionSchema,
});

const inkanMemory = z.strictObject({
  ...sheetBaseShape,
  type: z.literal("inkan"),
  seal: z.strictObject({
    registrationNumber: z.string(),
    registeredDate: isoDate,
    png: bytesSchema,
  }),
});

/**
 * One 印鑑登録証明書 sheet. Wire form: the seal PNG as base64 and
 * `options` all false (what senders have always put there); memory form:
 * PNG bytes and no options. `parse` decodes, `z.encode` encodes.
 *
 * @example
 * ```ts
 * const sheet = inkanSheetSchema.parse(json); // sheet.seal.png: Uint8Array
 * const back = z.encode(inkanSheetSchema, sheet); // back.options: all false
 * ```
 */
export const inkanSheetSchema = z.codec(inkanWire, inkanMemory, {
  decode: ({ options: _options, ...sheet }) => sheet,
  encode: (sheet) => ({ ...sheet, options: { ...NO_OPTIONS } }),
});

/**
 * The 印鑑登録証明書 in the certificate catalogue. Back side: type code 2;
 * canonical key 6 (options) is always 0; the seal is key 10
 * (registrationNumber 1, registeredDate 2, png 3 as raw bytes).
 *
 * @example
 * ```ts
 * INKAN.nameEn; // "Seal registration certificate"
 * ```
 */
export const INKAN = {
  type: "inkan",
  nameJa: "印鑑登録証明書",
  nameEn: "Seal registration certificate",
  schema: inkanSheetSchema,
  backSide: {
    code: 2,
    optionBits: {},
    fields: [{
      key: 10,
      name: "seal",
      kind: [
        { key: 1, name: "registrationNumber", kind: "text" },
        { key: 2, name: "registeredDate", kind: "text" },
        { key: 3, name: "png", kind: "bytes" },
      ],
    }],
  },
  form: inkanForm,
} as const satisfies CertificateTypeEntry<"inkan">;
