/**
 * The kiosk's own check of a released document before anything is printed:
 * the document must be the one its session asked for — this session, the
 * card it authenticated, that card's municipality, one issue number on
 * every sheet and back side, pages numbered in order, the certificate type
 * asked for, and every person on it one the kiosk asked for (the applicant
 * alone, the chosen members, or the household the center listed for this
 * session). It holds even if the link to the center, or a key of the
 * center, is not to be trusted: a genuine document of another run does not
 * pass. Pure: no I/O.
 *
 * @module
 */
import type {
  DOCUMENT_PROBLEMS,
  ReleasedDocumentJson,
} from "../../lib/contracts/kiosk_center.ts";

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
  /**
   * The household the center listed for this session (resident ids, the
   * applicant first), when the kiosk read it (without it, 世帯全員 is held
   * to the applicant being on it and no one twice).
   */
  household?: string[];
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
  problem(
    "issue-number",
    !doc.issueNumber.startsWith(`${doc.municipalityCode}-`) ||
      doc.backs.some((b) => b.issueNumber !== doc.issueNumber),
  );
  const applicant = doc.applicantResidentId;
  problem(
    "applicant",
    want.household !== undefined && want.household[0] !== applicant,
  );
  const allowed = want.members === "self" || want.type === "inkan"
    ? new Set([applicant])
    : want.members === "all"
    ? want.household && new Set(want.household)
    : new Set(want.members);
  const seen = new Set<string>();
  doc.sheets.forEach((s, i) => {
    problem("issue-number", s.issueNumber !== doc.issueNumber);
    problem("municipality", s.municipality.code !== doc.municipalityCode);
    problem("pages", s.page !== i + 1 || s.pages !== doc.pages);
    problem("type", s.type !== want.type);
    const id = s.subject.residentId;
    problem("subject", (allowed && !allowed.has(id)) || seen.has(id));
    seen.add(id);
  });
  problem("pages", doc.sheets.length !== doc.pages || doc.pages === 0);
  // Without the household list: at least the applicant is on it.
  problem("subject", !allowed && !seen.has(applicant));
  return [...found];
}
