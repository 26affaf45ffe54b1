/**
 * The furigana a sheet prints. From template version 3 it is the legal
 * 氏名の振り仮名 (令和5年法律第48号, since 2025-05-26) in katakana, taken from
 * the 戸籍 and printed only once recorded: each part (surname, given name)
 * as recorded, a part not yet recorded as the municipality's mask (e.g.
 * `********`) or nothing when it has none; 旧氏の振り仮名 beside the 旧氏 only
 * once recorded. Sheets of versions 1 and 2 print the registry's free
 * reading, as they always did.
 *
 * @module
 */
import type { TemplateVersion } from "../../lib/certificate/model.ts";
import type { ReplicaResident } from "./replica.ts";

/** The first template version that prints the legal reading. */
export const LEGAL_FURIGANA_FROM: TemplateVersion = 3;

/** The readings a sheet prints: beside the name, and beside the 旧氏 (absent: none). */
export interface PrintedFurigana {
  nameKana: string;
  formerSurnameKana?: string;
}

/**
 * The furigana of one resident on a sheet of `templateVersion`, with the
 * municipality's `mask` for an unrecorded part (null: blank).
 *
 * @example
 * ```ts ignore
 * printedFurigana(r, 3, "********").nameKana; // "ヤマダ　********" (given name not recorded)
 * ```
 */
export function printedFurigana(
  r: Pick<
    ReplicaResident,
    | "nameKana"
    | "formerSurname"
    | "formerSurnameKana"
    | "furiganaSurname"
    | "furiganaGivenName"
    | "formerSurnameFurigana"
  >,
  templateVersion: TemplateVersion,
  mask: string | null,
): PrintedFurigana {
  if (templateVersion < LEGAL_FURIGANA_FROM) {
    return {
      nameKana: r.nameKana,
      ...(r.formerSurname && r.formerSurnameKana
        ? { formerSurnameKana: r.formerSurnameKana }
        : {}),
    };
  }
  return {
    nameKana: legalReading(r.furiganaSurname, r.furiganaGivenName, mask),
    ...(r.formerSurname && r.formerSurnameFurigana
      ? { formerSurnameKana: r.formerSurnameFurigana }
      : {}),
  };
}

/**
 * The legal reading of a name: nothing recorded prints the mask once (or
 * nothing); otherwise surname and given name separated by a full-width
 * space, an unrecorded one as the mask — or left blank, the given name
 * keeping its place after the space.
 */
function legalReading(
  surname: string | null,
  given: string | null,
  mask: string | null,
): string {
  if (surname === null && given === null) return mask ?? "";
  const s = surname ?? mask ?? "";
  const g = given ?? mask ?? "";
  return g ? `${s}　${g}` : s;
}
