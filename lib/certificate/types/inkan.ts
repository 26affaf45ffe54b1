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

/** The options a 印鑑 sheet carried on the wire before it had none: all false. */
const NO_OPTIONS = {
  honseki: false,
  zokugara: false,
  myNumber: false,
} as const;

/** The registered seal as JSON carries it: plain JSON, the PNG as base64. */
const sealJsonSchema = z.strictObject({
  registrationNumber: z.string(),
  registeredDate: isoDate,
  png: z.base64(),
  printPng: z.base64().optional(),
  printSha256: z.base64().optional(),
});

/**
 * One 印鑑登録証明書 sheet as JSON carries it: plain JSON (seal PNG base64,
 * `options` all false or absent), nothing decoded.
 */
export const inkanWireSchema = z.strictObject({
  ...sheetBaseShape,
  type: z.literal("inkan"),
  /** Sent as all false for compatibility; nothing else is accepted. */
  options: z.strictObject({
    honseki: z.literal(false),
    zokugara: z.literal(false),
    myNumber: z.literal(false),
  }).optional(),
  seal: sealJsonSchema,
});

const inkanMemory = z.strictObject({
  ...sheetBaseShape,
  type: z.literal("inkan"),
  seal: z.strictObject({
    registrationNumber: z.string(),
    registeredDate: isoDate,
    png: bytesSchema,
    printPng: bytesSchema.optional(),
    printSha256: bytesSchema.optional(),
  }),
});

/** The seal with its binary fields (png, printPng, printSha256) mapped. */
function mapSealImages<
  A,
  B,
  S extends { png: A; printPng?: A; printSha256?: A },
>(
  seal: S,
  f: (a: A) => B,
): Omit<S, "png" | "printPng" | "printSha256"> & {
  png: B;
  printPng?: B;
  printSha256?: B;
} {
  const { png, printPng, printSha256, ...rest } = seal;
  return {
    ...rest,
    png: f(png),
    ...(printPng !== undefined ? { printPng: f(printPng) } : {}),
    ...(printSha256 !== undefined ? { printSha256: f(printSha256) } : {}),
  };
}

/**
 * One 印鑑登録証明書 sheet. Wire form: the seal PNG as base64 and
 * `options` all false (what senders have always put there); memory form:
 * PNG bytes and no options. `parse` decodes, `z.encode` encodes.
 *
 * @example
 * ```ts ignore
 * const sheet = inkanSheetSchema.parse(json); // sheet.seal.png: Uint8Array
 * const back = z.encode(inkanSheetSchema, sheet); // back.options: all false
 * ```
 */
export const inkanSheetSchema = z.codec(inkanWireSchema, inkanMemory, {
  decode: ({ options: _options, seal, ...sheet }) => ({
    ...sheet,
    seal: mapSealImages(seal, (b: string) => z.decode(base64Bytes, b)),
  }),
  encode: ({ seal, ...sheet }) => ({
    ...sheet,
    options: { ...NO_OPTIONS },
    seal: mapSealImages(seal, (b: Uint8Array) => z.encode(base64Bytes, b)),
  }),
});

/**
 * The 印鑑登録証明書 in the certificate catalogue. Back side: type code 2;
 * canonical key 6 (options) is always 0; the seal is key 10
 * (registrationNumber 1, registeredDate 2, png 3 as raw bytes — the compact
 * version —, printSha256 4: the SHA-256 of the print version the front
 * draws, which the back side does not carry). From template version 3 the
 * sheet records whether the profile prints 性別 (`form.inkanPrintsSex`).
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
  defaultFeePerCopy: 200,
  household: false,
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
        {
          key: 4,
          name: "printSha256",
          kind: "bytes",
          optional: true,
          digestOf: "printPng",
        },
      ],
    }],
  },
  form: inkanForm,
  sheetForm: (profile) => ({ inkanPrintsSex: profile.inkanPrintsSex }),
} as const satisfies CertificateTypeEntry<"inkan">;
