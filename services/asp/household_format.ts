/**
 * How the people of one 住民票 request become certificates and sheets, by
 * the municipality's household format (its form profile, standard j1000):
 *
 * - 個票式 (`kohyo`): each person's sheet is a certificate of its own (page
 *   1/1, the single-person 認証文);
 * - 世帯連記式 (`renki`): the people are one certificate, several to a sheet
 *   (at most `membersPerSheet`, fewer when a member's block would not fit:
 *   lib/render/forms/juminhyo.ts `householdSheetsOf`), pages 1/n…n/n, the
 *   last sheet marked `wholeHousehold` when the people are every member of
 *   the household (its 認証文 then reads 「この写しは、世帯全員の…」; a
 *   selection of members keeps the single wording).
 *
 * The people come in the household's order (j1010), and the certificates and
 * sheets keep it. A 印鑑登録証明書 is always one certificate of one sheet.
 * Every sheet carries the request's 発行番号: the center gives each further
 * certificate its own (services/jlis/issuance/issuance.ts). Pure.
 *
 * @module
 */
import type {
  JuminhyoOptions,
  SubjectEntry,
} from "../../lib/certificate/model.ts";
import type { FormProfile } from "../../lib/contracts/form_profile.ts";
import { householdSheetsOf } from "../../lib/render/forms/juminhyo.ts";

/** One sheet's people and its place in its certificate. */
export interface SheetPlan<P> {
  /** The people on the sheet, in print order (the first is its subject). */
  people: P[];
  page: number;
  pages: number;
  /** The last sheet of a whole-household 世帯連記式 certificate. */
  wholeHousehold: boolean;
}

/**
 * The sheets of a request, certificate after certificate (a certificate
 * starts at page 1).
 *
 * @example
 * ```ts ignore
 * planSheets(six, { format: "renki", perSheet: 4, options, wholeHousehold: true })
 *   .map((s) => [s.people.length, s.page, s.pages]); // [[4, 1, 2], [2, 2, 2]]
 * ```
 */
export function planSheets<P extends SubjectEntry>(
  people: readonly P[],
  opts: {
    format: FormProfile["householdFormat"];
    perSheet: number;
    options: JuminhyoOptions;
    /** The people are every member of the household. */
    wholeHousehold: boolean;
  },
): SheetPlan<P>[] {
  if (opts.format === "kohyo") {
    return people.map((p) => ({
      people: [p],
      page: 1,
      pages: 1,
      wholeHousehold: false,
    }));
  }
  const groups = householdSheetsOf(people, opts.options, opts.perSheet);
  return groups.map((g, i) => ({
    people: g,
    page: i + 1,
    pages: groups.length,
    wholeHousehold: opts.wholeHousehold && i === groups.length - 1,
  }));
}
