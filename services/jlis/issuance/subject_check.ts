/**
 * The center's check of a built certificate before anything is released:
 * bound to this request (request id, issue number, type, options,
 * municipality, page numbering: each certificate's pages 1/n…n/n), and every
 * person on it — every member on a 世帯連記式 sheet — is the
 * authenticated applicant or a member of the applicant's household as of
 * the replica sequence the ASP read — exactly the people the kiosk asked
 * for, each once. Pure: no I/O, no state.
 *
 * @module
 */
import {
  certificatesOf,
  type CertificateType,
  type JuminhyoOptions,
  peopleOf,
  type SheetContent,
} from "../../../lib/certificate/model.ts";
import {
  assertNever,
  type OptionalSubjectItems,
  optionalSubjectItemsOf,
} from "../../../lib/certificate/types/mod.ts";
import { KISAI_ITEMS } from "../../../lib/contracts/form_profile.ts";
import type { HolderIdentity } from "../../../lib/card/identity_binding.ts";

/** What the center asked for and knows independently of the answer. */
export interface SubjectExpectation {
  requestId: string;
  issueNumber: string;
  municipalityCode: string;
  type: CertificateType;
  members: "self" | "all" | string[];
  options: JuminhyoOptions;
  /** The resident the authenticated card is linked to. */
  applicantId: string;
}

const NO_OPTIONS: JuminhyoOptions = {
  honseki: false,
  zokugara: false,
  myNumber: false,
};

/**
 * What a certificate of a type may print: the 住民票's options as asked
 * (none on the others: a 記載事項証明書's items are the municipality's, not
 * the applicant's) and whether it is for the applicant alone.
 *
 * @example
 * ```ts ignore
 * certificateRules("inkan", asked); // { options: all false, selfOnly: true }
 * ```
 */
export function certificateRules(
  type: CertificateType,
  asked: JuminhyoOptions,
): { options: JuminhyoOptions; selfOnly: boolean } {
  switch (type) {
    case "juminhyo":
      return { options: asked, selfOnly: false };
    case "inkan":
    case "kisai":
      return { options: NO_OPTIONS, selfOnly: true };
    default:
      return assertNever(type, "certificate type");
  }
}

/**
 * Whether a sheet prints what was asked: a 住民票 exactly the options asked,
 * a 記載事項証明書 at least one item (which ones is the municipality's
 * profile), a 印鑑 nothing to choose; false for an unknown type.
 */
function printsAsAsked(sheet: SheetContent, asked: JuminhyoOptions): boolean {
  switch (sheet.type) {
    case "juminhyo": {
      const o = sheet.options;
      return o?.honseki === asked.honseki && o?.zokugara === asked.zokugara &&
        o?.myNumber === asked.myNumber;
    }
    case "inkan":
      return true;
    case "kisai":
      return KISAI_ITEMS.some((item) => sheet.options?.[item] === true);
    default: {
      const _unknown: never = sheet;
      return false;
    }
  }
}

const CARRIES_NOTHING = optionalSubjectItemsOf({ type: "inkan" });

/**
 * The optional subject items a sheet may carry: a 住民票's as the request
 * asked (`asked`: none when the request was not for a 住民票), a
 * 記載事項証明書's the items it prints, a 印鑑's none.
 */
function mayCarry(
  sheet: SheetContent,
  asked: JuminhyoOptions,
): OptionalSubjectItems {
  switch (sheet.type) {
    case "juminhyo":
      return optionalSubjectItemsOf({ type: sheet.type, options: asked });
    case "inkan":
      return CARRIES_NOTHING;
    case "kisai":
      return sheet.options ? optionalSubjectItemsOf(sheet) : CARRIES_NOTHING;
    default: {
      const _unknown: never = sheet;
      return CARRIES_NOTHING;
    }
  }
}

/** The ASP's answer, as parsed. */
export interface BuiltAnswer {
  requestId: string;
  replicaSeq: number;
  sheets: SheetContent[];
  household: { householdId: string; memberIds: string[] };
}

/**
 * Problems found (empty: the document may be released).
 *
 * @example
 * ```ts ignore
 * const problems = checkSubjects(expected, built);
 * if (problems.length) withhold(problems);
 * ```
 */
export function checkSubjects(
  want: SubjectExpectation,
  got: BuiltAnswer,
): string[] {
  const problems: string[] = [];
  if (got.requestId !== want.requestId) {
    problems.push(`answer is for request ${got.requestId}`);
  }
  const household = new Set(got.household?.memberIds ?? []);
  if (!household.has(want.applicantId)) {
    problems.push("the applicant is not in the household the answer gives");
  }
  const sheets = got.sheets ?? [];
  if (sheets.length === 0) problems.push("no sheets");
  const { options, selfOnly } = certificateRules(want.type, want.options);
  const seen = new Set<string>();
  // Each certificate's pages numbered 1/n…n/n.
  const certificates = certificatesOf(sheets);
  const pagesOk = certificates.every((c) =>
    c.every((s, j) => s.page === j + 1 && s.pages === c.length)
  );
  sheets.forEach((s, i) => {
    const at = `sheet ${i + 1}`;
    if (s.issueNumber !== want.issueNumber) {
      problems.push(`${at}: issue number ${s.issueNumber}`);
    }
    if (s.type !== want.type) problems.push(`${at}: type ${s.type}`);
    if (s.municipality?.code !== want.municipalityCode) {
      problems.push(`${at}: municipality ${s.municipality?.code}`);
    }
    if (!pagesOk) problems.push(`${at}: page ${s.page}/${s.pages}`);
    if (s.type !== want.type || !printsAsAsked(s, options)) {
      problems.push(`${at}: options differ from the request`);
    }
    if (typeof s?.subject?.residentId !== "string") {
      problems.push(`${at}: no subject`);
      return;
    }
    const may = mayCarry(s, options);
    // Every person on the sheet (a 世帯連記式 sheet holds several).
    for (const subj of peopleOf(s)) {
      const id = subj.residentId;
      if (seen.has(id)) problems.push(`${at}: ${id} appears twice`);
      seen.add(id);
      if (!household.has(id)) {
        problems.push(`${at}: ${id} is not in the applicant's household`);
      }
      if (!may.myNumber && subj.myNumber !== undefined) {
        problems.push(`${at}: My Number printed without the option`);
      }
      if (!may.honseki && (subj.honseki ?? subj.hittousha) !== undefined) {
        problems.push(`${at}: 本籍 printed without the option`);
      }
      if (
        (!may.relationship && subj.relationship !== undefined) ||
        (!may.householderName && subj.householderName !== undefined)
      ) problems.push(`${at}: 続柄 printed without the option`);
    }
  });
  const ids = [...seen];
  const sameSet = (expected: string[]) =>
    expected.length === ids.length && expected.every((x) => seen.has(x));
  // The whole-household 認証文: on the last page of a certificate of every
  // member, never elsewhere.
  certificates.forEach((c, n) => {
    c.forEach((s, i) => {
      if (s.type !== "juminhyo" || !s.wholeHousehold) return;
      const people = new Set(c.flatMap((x) => peopleOf(x)));
      const ids = [...people].map((p) => p.residentId);
      if (
        i !== c.length - 1 || ids.length !== household.size ||
        !ids.every((id) => household.has(id))
      ) {
        problems.push(
          `certificate ${
            n + 1
          }: the whole-household 認証文 on a page that is not the whole household's last`,
        );
      }
    });
  });
  if (selfOnly || want.members === "self") {
    if (!sameSet([want.applicantId])) {
      problems.push(`subjects ${ids.join(",")} are not the applicant alone`);
    }
  } else if (want.members === "all") {
    if (!sameSet([...household])) {
      problems.push("subjects are not the whole household");
    }
  } else if (!sameSet([...new Set(want.members)])) {
    problems.push("subjects are not the members chosen");
  }
  return problems;
}

/**
 * Every rendering of the applicant's basic identity an answer carries: the
 * subject of each sheet that is the applicant's, and the answer's own
 * applicant item when the node sends one (a request for other members
 * only has no sheet of the applicant). The center checks each against the
 * card's holder binding; an answer that carries none fails that check.
 *
 * @example
 * ```ts ignore
 * const ids = applicantIdentities(answer.applicantResidentId, sheets, answer.applicant);
 * ```
 */
export function applicantIdentities(
  applicantId: string,
  sheets: SheetContent[],
  applicant?: HolderIdentity,
): HolderIdentity[] {
  const out: HolderIdentity[] = sheets
    .flatMap((s) => peopleOf(s))
    .filter((p) => p?.residentId === applicantId)
    .map((p) => ({ name: p.name, birthDate: p.birthDate, sex: p.sex }));
  if (applicant) {
    out.push({
      name: applicant.name,
      birthDate: applicant.birthDate,
      sex: applicant.sex,
    });
  }
  return out;
}
