import assert from "node:assert/strict";
import { makeSheet, makeSubject } from "../../tests/fixtures/certificate.ts";
import { sheetToJson } from "../../lib/contracts/sheet_wire.ts";
import type { ReleasedDocumentJson } from "../../lib/contracts/kiosk_center.ts";
import { documentProblems, type SessionExpectation } from "./document_check.ts";

const ISSUE = "401005-20261126-000123";

function doc(subjects: string[], over: Partial<ReleasedDocumentJson> = {}) {
  const pages = subjects.length;
  return {
    requestId: "req-1",
    issueNumber: ISSUE,
    municipalityCode: "401005",
    sessionId: "s-1",
    cardSerial: "abcd01",
    applicantResidentId: subjects[0],
    pages,
    fee: 300,
    copies: [{ copy: 1, issueNumber: ISSUE, pages, fee: 300 }],
    sheets: subjects.map((id, i) =>
      sheetToJson(
        makeSheet({ page: i + 1, pages, subject: { residentId: id } }),
      )
    ),
    backs: subjects.map(() => ({
      keyId: "k",
      issueNumber: ISSUE,
      symbols: [],
    })),
    ...over,
  } as ReleasedDocumentJson;
}

const session: SessionExpectation = {
  sessionId: "s-1",
  cardSerial: "ABCD01",
  municipalityCode: "401005",
  type: "juminhyo",
  members: "self",
};

Deno.test("documentProblems(): the document of this session, this card, the applicant alone passes", () => {
  assert.deepEqual(documentProblems(doc(["R1"]), session), []);
});

Deno.test("documentProblems(): another session's or another card's document is refused, naming codes only", () => {
  assert.deepEqual(
    documentProblems(
      doc(["R1"], { sessionId: "s-2", cardSerial: "ffff" }),
      session,
    )
      .toSorted(),
    ["card-serial", "session"],
  );
  assert.deepEqual(
    documentProblems(doc(["R1"], { municipalityCode: "401307" }), session),
    ["municipality", "issue-number"],
  );
});

Deno.test("documentProblems(): an issue number differing between sheets or back sides, and page gaps, are refused", () => {
  const d = doc(["R1", "R2"]);
  d.backs[1].issueNumber = "401005-20261126-000999";
  assert.deepEqual(
    documentProblems(d, { ...session, members: ["R1", "R2"] }),
    ["issue-number"],
  );
  const p = doc(["R1", "R2"]);
  p.sheets[1] = sheetToJson(
    makeSheet({ page: 3, pages: 2, subject: { residentId: "R2" } }),
  );
  assert.deepEqual(
    documentProblems(p, { ...session, members: ["R1", "R2"] }),
    ["pages"],
  );
});

Deno.test("documentProblems(): every subject is one asked for — self, chosen members, or the household the center listed", () => {
  // self: a second person is not asked for.
  assert.deepEqual(documentProblems(doc(["R1", "R2"]), session), ["subject"]);
  // chosen members: exactly those.
  assert.deepEqual(
    documentProblems(doc(["R1", "R3"]), { ...session, members: ["R1", "R2"] }),
    ["subject"],
  );
  // the whole household: the listed members, the applicant first.
  const all = { ...session, members: "all" as const, household: ["R1", "R2"] };
  assert.deepEqual(documentProblems(doc(["R1", "R2"]), all), []);
  assert.deepEqual(documentProblems(doc(["R9", "R2"]), all).toSorted(), [
    "applicant",
    "subject",
  ]);
  // a person twice is refused too
  assert.deepEqual(
    documentProblems(doc(["R1", "R1"]), { ...session, members: ["R1"] }),
    ["subject"],
  );
});

const ISSUE_2 = "401005-20261126-000124";

/** Two copies of one document, each with its own issue number. */
function twoCopies(subjects: string[]): ReleasedDocumentJson {
  const one = doc(subjects);
  const n = subjects.length;
  return {
    ...one,
    pages: 2 * n,
    fee: 600,
    copies: [
      { copy: 1, issueNumber: ISSUE, pages: n, fee: 300 },
      { copy: 2, issueNumber: ISSUE_2, pages: n, fee: 300 },
    ],
    sheets: [
      ...one.sheets,
      ...subjects.map((id, i) =>
        sheetToJson(
          makeSheet({
            issueNumber: ISSUE_2,
            page: i + 1,
            pages: n,
            subject: { residentId: id },
          }),
        )
      ),
    ],
    backs: [
      ...one.backs,
      ...subjects.map(() => ({
        keyId: "k",
        issueNumber: ISSUE_2,
        symbols: [],
      })),
    ],
  };
}

Deno.test("documentProblems(): copies — each its own issue number on its sheets and backs, pages from 1, the same people; the number asked for", () => {
  const members = { ...session, members: ["R1", "R2"], copies: 2 };
  assert.deepEqual(documentProblems(twoCopies(["R1", "R2"]), members), []);
  // One copy asked for, two sent (and so the same people twice).
  assert.deepEqual(
    documentProblems(twoCopies(["R1", "R2"]), { ...members, copies: 1 }),
    ["copies", "subject"],
  );
  // Both copies under one number.
  const shared = twoCopies(["R1"]);
  shared.copies[1].issueNumber = ISSUE;
  assert.ok(
    documentProblems(shared, { ...session, copies: 2 }).includes(
      "issue-number",
    ),
  );
  // A back of copy 2 carrying copy 1's number.
  const back = twoCopies(["R1"]);
  back.backs[1].issueNumber = ISSUE;
  assert.deepEqual(documentProblems(back, { ...session, copies: 2 }), [
    "issue-number",
  ]);
  // Copy 2 is someone else.
  const other = twoCopies(["R1", "R2"]);
  other.sheets[3] = sheetToJson(
    makeSheet({
      issueNumber: ISSUE_2,
      page: 2,
      pages: 2,
      subject: { residentId: "R3" },
    }),
  );
  assert.deepEqual(documentProblems(other, members), ["subject"]);
});

/** 個票式: one certificate of one sheet per person, per copy. */
function kohyo(subjects: string[], copies: number): ReleasedDocumentJson {
  const one = doc(subjects);
  const certs = Array.from({ length: copies }, () => subjects).flat();
  const number = (i: number) =>
    `401005-20261126-${String(123 + i).padStart(6, "0")}`;
  return {
    ...one,
    pages: certs.length,
    fee: 300 * certs.length,
    copies: certs.map((_, i) => ({
      copy: i + 1,
      issueNumber: number(i),
      pages: 1,
      fee: 300,
    })),
    sheets: certs.map((id, i) =>
      sheetToJson(makeSheet({
        issueNumber: number(i),
        subject: { residentId: id },
      }))
    ),
    backs: certs.map((_, i) => ({
      keyId: "k",
      issueNumber: number(i),
      symbols: [],
    })),
  };
}

Deno.test("documentProblems(): 個票式 — a certificate per person, each its own number, every copy the same people", () => {
  const members = { ...session, members: ["R1", "R2", "R3"] };
  assert.deepEqual(documentProblems(kohyo(["R1", "R2", "R3"], 1), members), []);
  assert.deepEqual(
    documentProblems(kohyo(["R1", "R2", "R3"], 2), { ...members, copies: 2 }),
    [],
  );
  // Three certificates where two copies were asked for.
  assert.ok(
    documentProblems(kohyo(["R1", "R2", "R3"], 1), { ...members, copies: 2 })
      .includes("copies"),
  );
  // Copy 2 of the second person is someone else.
  const other = kohyo(["R1", "R2", "R3"], 2);
  other.sheets[4] = sheetToJson(makeSheet({
    issueNumber: other.copies[4].issueNumber,
    subject: { residentId: "R9" },
  }));
  assert.deepEqual(
    documentProblems(other, { ...members, copies: 2 }),
    ["subject"],
  );
});

Deno.test("documentProblems(): 世帯連記式 — every member on a sheet is one asked for, once", () => {
  const one = doc(["R1"]);
  const sheet = makeSheet({
    issueNumber: ISSUE,
    subject: { residentId: "R1" },
    members: [makeSubject({ residentId: "R2" })],
    wholeHousehold: true,
  });
  const renki = { ...one, sheets: [sheetToJson(sheet)] };
  const asked = { ...session, members: ["R1", "R2"] };
  assert.deepEqual(documentProblems(renki, asked), []);
  assert.deepEqual(
    documentProblems(renki, { ...session, members: ["R1"] }),
    ["subject"],
  );
  const twice = makeSheet({
    ...sheet,
    subject: { residentId: "R1" },
    members: [makeSubject({ residentId: "R1" })],
  });
  assert.deepEqual(
    documentProblems({ ...one, sheets: [sheetToJson(twice)] }, asked),
    ["subject"],
  );
});
