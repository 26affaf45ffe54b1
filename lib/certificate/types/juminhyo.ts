/**
 * 住民票の写し: one sheet per person, with the optional items the applicant
 * chose (本籍・筆頭者, 世帯主・続柄, 個人番号).
 *
 * @module
 */

import { z } from "zod";
import { juminhyoForm, juminhyoTitle } from "../../render/forms/juminhyo.ts";
import { sheetBaseShape } from "./common.ts";
import type { CertificateTypeEntry } from "./mod.ts";

/**
 * The options of a 住民票の写し, all three always present.
 *
 * @example
 * ```ts
 * juminhyoOptionsSchema.parse({ honseki: false, zokugara: true, myNumber: false });
 * ```
 */
export const juminhyoOptionsSchema = z.strictObject({
  honseki: z.boolean(),
  zokugara: z.boolean(),
  myNumber: z.boolean(),
});

/**
 * One sheet of a 住民票の写し (wire and memory forms are the same).
 *
 * @example
 * ```ts ignore
 * juminhyoSheetSchema.parse(JSON.parse(JSON.stringify(makeSheet())));
 * ```
 */
export const juminhyoSheetSchema = z.strictObject({
  ...sheetBaseShape,
  type: z.literal("juminhyo"),
  options: juminhyoOptionsSchema,
});

/**
 * The 住民票の写し in the certificate catalogue. Back side: type code 1; the
 * options are the bits of canonical key 6 (本籍 1, 続柄 2, 個人番号 4); no
 * fields of its own. From template version 3 the title is the profile's
 * wording (「住民票の写し」 or 「住民票」), recorded in `form.juminhyoTitle`.
 *
 * @example
 * ```ts
 * JUMINHYO.nameJa; // "住民票の写し"
 * ```
 */
export const JUMINHYO = {
  type: "juminhyo",
  nameJa: "住民票の写し",
  nameEn: "Copy of the resident record",
  defaultFeePerCopy: 200,
  household: true,
  schema: juminhyoSheetSchema,
  backSide: {
    code: 1,
    optionBits: { honseki: 1, zokugara: 2, myNumber: 4 },
    fields: [],
  },
  form: juminhyoForm,
  title: juminhyoTitle,
  sheetForm: (profile) => ({ juminhyoTitle: profile.juminhyoTitle }),
} as const satisfies CertificateTypeEntry<"juminhyo">;
