/**
 * 住民票の写し: one sheet per person (個票式), or from template version 3 up
 * to four members of the household per sheet (世帯連記式), with the
 * optional items the applicant chose (本籍・筆頭者, 世帯主・続柄, 個人番号).
 *
 * @module
 */

import { z } from "zod";
import { juminhyoForm, juminhyoTitle } from "../../render/forms/juminhyo.ts";
import { sheetBaseShape, subjectSchema } from "./common.ts";
import { SUBJECT_SCHEMA } from "../../backside/canonical_subject.ts";
import { MAX_MEMBERS_ON_SHEET } from "../model.ts";
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
  members: z.array(subjectSchema).min(1).max(MAX_MEMBERS_ON_SHEET - 1)
    .optional(),
  wholeHousehold: z.literal(true).optional(),
});

/**
 * The 住民票の写し in the certificate catalogue. Back side: type code 1; the
 * options are the bits of canonical key 6 (本籍 1, 続柄 2, 個人番号 4); its
 * own fields: key 10 the further members on a 世帯連記式 sheet (a list of
 * 1–3 people, each coded as the subject at key 9), key 11 the
 * whole-household 認証文 flag (uint 1; absent when false). From template
 * version 3 the title is the profile's wording (「住民票の写し」 or
 * 「住民票」), recorded in `form.juminhyoTitle`.
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
    fields: [
      {
        key: 10,
        name: "members",
        kind: { list: SUBJECT_SCHEMA, max: MAX_MEMBERS_ON_SHEET - 1 },
        optional: true,
      },
      { key: 11, name: "wholeHousehold", kind: "flag", optional: true },
    ],
  },
  form: juminhyoForm,
  title: juminhyoTitle,
  sheetForm: (profile) => ({ juminhyoTitle: profile.juminhyoTitle }),
} as const satisfies CertificateTypeEntry<"juminhyo">;
