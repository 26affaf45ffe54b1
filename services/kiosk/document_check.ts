/**
 * The kiosk's own check of a released document before anything is printed:
 * the document must be the one its session asked for — this session, the
 * card it authenticated, that card's municipality, the number of copies
 * asked for (each copy the same certificates: one, or 個票式 one per person),
 * each certificate's own issue number on every sheet and back side of it (no
 * two sharing one), each certificate's pages numbered in order, the same
 * people on every copy, the certificate type asked for, and every person on
 * it — every member on a 世帯連記式 sheet — one the kiosk asked for (the applicant
 * alone, the chosen members, or the household the center listed for this
 * session). It holds even if the link to the center, or a key of the
 * center, is not to be trusted: a genuine document of another run does not
 * pass. Pure: no I/O.
 *
 * @module
 */
import {
  CERTIFICATE_CATALOGUE,
  isCertificateType,
} from "../../lib/certificate/types/mod.ts";
import type {
  DOCUMENT_PROBLEMS,
  ReleasedDocumentJson,
} from "../../lib/contracts/kiosk_center.ts";
import { municipalityOfIssueNumber } from "../../lib/contracts/issue_number.ts";

/** One kind of mismatch (a code only: no personal data). */
export type DocumentProblem = typeof DOCUMENT_PROBLEMS[number];

/** What the kiosk knows of its session, independently of the document. */
export interface SessionExpectation {
  sessionId: string;
  /** The serial read from the card itself (and confirmed by the center's signed authentication). */
  cardSerial: string;
  /** The municipality of the card (the center's signed authentication). */
  municipalityCode: string;
  /** The certificate type asked for. */
  type: string;
  /** Who was asked for. */
  members: "self" | "all" | string[];
  /** How many copies were asked for (default 1). */
  copies?: number;
  /**
   * The household the center listed for this session (resident ids, the
   * applicant first), when the kiosk read it (without it, 世帯全員 is held
   * to the applicant being on it and no one twice).
   */
  household?: string[];
}

/** The people on a sheet: its subject and (世帯連記式) its further members. */
function idsOn(s: ReleasedDocumentJson["sheets"][number]): string[] {
  const more = s.type === "juminhyo" ? s.members ?? [] : [];
  return [s.subject, ...more].map((p) => p.residentId);
}

/**
 * The document's mismatches with the session (empty: it may be printed).
 *
 * @example
 * ```ts ignore
 * const problems = documentProblems(doc, { sessionId, cardSerial, municipalityCode, type: "juminhyo", members: "self" });
 * if (problems.length) refuseToPrint(problems);
 * ```
 */
export function documentProblems(
  doc: ReleasedDocumentJson,
  want: SessionExpectation,
): DocumentProblem[] {
  const found = new Set<DocumentProblem>();
  const problem = (p: DocumentProblem, when: boolean) => {
    if (when) found.add(p);
  };
  problem("session", doc.sessionId !== want.sessionId);
  problem(
    "card-serial",
    doc.cardSerial.toLowerCase() !== want.cardSerial.toLowerCase(),
  );
  problem("municipality", doc.municipalityCode !== want.municipalityCode);
  // Every copy (部数) is the same certificates: one (世帯連記式, one
  // person, a 印鑑) or one per person (個票式).
  const perCopy = doc.copies.length / (want.copies ?? 1);
  problem(
    "copies",
    !Number.isInteger(perCopy) || perCopy < 1 ||
      // Several certificates a copy only 個票式: one sheet each.
      (perCopy > 1 && doc.copies.some((c) => c.pages !== 1)),
  );
  // Each sheet's certificate: the certificates' pages follow one another.
  const copyOf: (typeof doc.copies)[number][] = doc.copies.flatMap((c) =>
    Array.from({ length: c.pages }, () => c)
  );
  const numbers = doc.copies.map((c) => c.issueNumber);
  problem(
    "issue-number",
    doc.copies[0]?.issueNumber !== doc.issueNumber ||
      new Set(numbers).size !== numbers.length ||
      numbers.some((n) =>
        municipalityOfIssueNumber(n) !== doc.municipalityCode
      ) ||
      doc.backs.some((b, i) => b.issueNumber !== copyOf[i]?.issueNumber),
  );
  const applicant = doc.applicantResidentId;
  problem(
    "applicant",
    want.household !== undefined && want.household[0] !== applicant,
  );
  // A type without household members (印鑑, 記載事項): the applicant alone.
  const household = isCertificateType(want.type) &&
    CERTIFICATE_CATALOGUE[want.type].household;
  const allowed = want.members === "self" || !household
    ? new Set([applicant])
    : want.members === "all"
    ? want.household && new Set(want.household)
    : new Set(want.members);
  const seen = new Set<string>();
  // The sheets of the first copy: every further copy repeats them.
  const firstCopyPages = doc.copies.slice(0, Math.max(1, perCopy | 0))
    .reduce((n, c) => n + c.pages, 0);
  let start = 0;
  doc.sheets.forEach((s, i) => {
    const copy = copyOf[i];
    if (i > 0 && copy !== copyOf[i - 1]) start = i;
    const page = i - start + 1;
    problem("issue-number", s.issueNumber !== copy?.issueNumber);
    problem("municipality", s.municipality.code !== doc.municipalityCode);
    problem("pages", s.page !== page || s.pages !== copy?.pages);
    problem("type", s.type !== want.type);
    const ids = idsOn(s);
    if (i < firstCopyPages) {
      for (const id of ids) {
        problem("subject", (allowed && !allowed.has(id)) || seen.has(id));
        seen.add(id);
      }
    } else {
      // Every further copy: the first copy's people, in the same order.
      const same = doc.sheets[i % firstCopyPages];
      problem("subject", !same || idsOn(same).join() !== ids.join());
    }
  });
  problem(
    "pages",
    doc.sheets.length !== doc.pages || doc.pages === 0 ||
      doc.copies.some((c, k) =>
        c.pages !== doc.copies[k % Math.max(1, perCopy | 0)].pages
      ),
  );
  // Without the household list: at least the applicant is on it.
  problem("subject", !allowed && !seen.has(applicant));
  return [...found];
}
