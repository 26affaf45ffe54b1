import assert from "node:assert/strict";
import {
  makeKisaiSheet,
  makeSheet,
  makeSubject,
} from "../../../tests/fixtures/certificate.ts";
import {
  KISAI_ITEMS,
  type KisaiItem,
} from "../../../lib/contracts/form_profile.ts";
import type { SheetContent } from "../../../lib/certificate/model.ts";
import { checkSubjects, type SubjectExpectation } from "./subject_check.ts";

const NONE = { honseki: false, zokugara: false, myNumber: false };

function sheetFor(id: string, page: number, pages: number): SheetContent {
  const s = makeSheet();
  return {
    ...s,
    issueNumber: "401005-20261126-0000001",
    municipality: { ...s.municipality, code: "401005" },
    options: NONE,
    page,
    pages,
    subject: {
      ...makeSubject(),
      residentId: id,
      honseki: undefined,
      hittousha: undefined,
      relationship: undefined,
      householderName: undefined,
      myNumber: undefined,
    },
  };
}

const want = (over: Partial<SubjectExpectation> = {}): SubjectExpectation => ({
  requestId: "req-1",
  issueNumber: "401005-20261126-0000001",
  municipalityCode: "401005",
  type: "juminhyo",
  members: "self",
  options: NONE,
  applicantId: "A",
  ...over,
});

const household = { householdId: "H", memberIds: ["A", "B", "C"] };

Deno.test("checkSubjects() passes the applicant, the household, chosen members", () => {
  assert.deepEqual(
    checkSubjects(want(), {
      requestId: "req-1",
      replicaSeq: 1,
      sheets: [sheetFor("A", 1, 1)],
      household,
    }),
    [],
  );
  const all = ["A", "B", "C"].map((id, i) => sheetFor(id, i + 1, 3));
  assert.deepEqual(
    checkSubjects(want({ members: "all" }), {
      requestId: "req-1",
      replicaSeq: 1,
      sheets: all,
      household,
    }),
    [],
  );
  assert.deepEqual(
    checkSubjects(want({ members: ["C", "A"] }), {
      requestId: "req-1",
      replicaSeq: 1,
      sheets: [sheetFor("A", 1, 2), sheetFor("C", 2, 2)],
      household,
    }),
    [],
  );
});

Deno.test("checkSubjects() finds another person, another request, a missing or repeated member", () => {
  const check = (
    w: SubjectExpectation,
    sheets: SheetContent[],
    requestId = "req-1",
  ) => checkSubjects(w, { requestId, replicaSeq: 1, sheets, household });
  assert.ok(
    check(want(), [sheetFor("X", 1, 1)]).some((p) =>
      p.includes("not in the applicant's household")
    ),
  );
  assert.ok(
    check(want(), [sheetFor("B", 1, 1)]).some((p) =>
      p.includes("not the applicant alone")
    ),
  );
  assert.ok(
    check(want(), [sheetFor("A", 1, 1)], "req-2").some((p) =>
      p.includes("request req-2")
    ),
  );
  assert.ok(
    check(want({ members: "all" }), [sheetFor("A", 1, 2), sheetFor("B", 2, 2)])
      .some((p) => p.includes("whole household")),
  );
  assert.ok(
    check(want({ members: ["A", "B"] }), [
      sheetFor("A", 1, 2),
      sheetFor("A", 2, 2),
    ]).length > 0,
  );
  const leaky = sheetFor("A", 1, 1);
  leaky.subject.myNumber = "123456789012";
  assert.ok(check(want(), [leaky]).some((p) => p.includes("My Number")));
  assert.ok(
    checkSubjects(want(), {
      requestId: "req-1",
      replicaSeq: 1,
      sheets: [sheetFor("A", 1, 1)],
      household: { householdId: "H", memberIds: ["B"] },
    })
      .some((p) => p.includes("applicant is not in the household")),
  );
});

Deno.test("checkSubjects() holds a 記載事項証明書 to its items: the applicant alone, at least one item, no optional item it does not print", () => {
  const kisai = (items: readonly KisaiItem[], subject = {}): SheetContent => {
    const s = makeKisaiSheet({ items });
    return {
      ...s,
      issueNumber: "401005-20261126-0000001",
      municipality: { ...s.municipality, code: "401005" },
      subject: { ...s.subject, residentId: "A", ...subject },
    };
  };
  const answer = (sheets: SheetContent[]) => ({
    requestId: "req-1",
    replicaSeq: 1,
    sheets,
    household,
  });
  const asked = want({ type: "kisai" });
  // Its items are the municipality's: whatever the request's options say.
  for (const items of [["name"], [...KISAI_ITEMS]] as const) {
    assert.deepEqual(checkSubjects(asked, answer([kisai(items)])), []);
  }
  assert.deepEqual(
    checkSubjects(
      want({ type: "kisai", options: { ...NONE, honseki: true } }),
      answer([kisai(["name", "honseki"])]),
    ),
    [],
  );
  const none = kisai(["name"]);
  assert.ok(none.type === "kisai");
  none.options.name = false;
  assert.ok(
    checkSubjects(asked, answer([none])).some((p) =>
      p.includes("options differ")
    ),
  );
  assert.ok(
    checkSubjects(
      asked,
      answer([kisai(["name"], { honseki: "福岡県", hittousha: "山田" })]),
    ).some((p) => p.includes("本籍 printed")),
  );
  assert.ok(
    checkSubjects(
      asked,
      answer([kisai(["householderName"], { relationship: "妻" })]),
    ).some((p) => p.includes("続柄 printed")),
  );
  assert.ok(
    checkSubjects(
      asked,
      answer([kisai([...KISAI_ITEMS], { myNumber: "123456789012" })]),
    ).some((p) => p.includes("My Number")),
  );
  // Self only, even when the kiosk asked for the household.
  const b = kisai(["name"], { residentId: "B" });
  assert.ok(
    checkSubjects(
      want({ type: "kisai", members: "all" }),
      answer([kisai(["name"]), { ...b, page: 2, pages: 2 }].map((s, i) => ({
        ...s,
        page: i + 1,
        pages: 2,
      }))),
    ).some((p) => p.includes("not the applicant alone")),
  );
});

/** A 世帯連記式 sheet: `ids[0]` its subject, the rest its further members. */
function renkiSheet(
  ids: string[],
  page: number,
  pages: number,
  wholeHousehold = false,
): SheetContent {
  const [first, ...more] = ids.map((id) => sheetFor(id, page, pages).subject);
  return {
    ...sheetFor(ids[0], page, pages),
    subject: first,
    ...(more.length ? { members: more } : {}),
    ...(wholeHousehold ? { wholeHousehold: true as const } : {}),
  } as SheetContent;
}

Deno.test("checkSubjects(): 個票式 certificates (each 1/1) and a 世帯連記式 certificate pass; every member on a sheet is checked", () => {
  const check = (w: SubjectExpectation, sheets: SheetContent[]) =>
    checkSubjects(w, { requestId: "req-1", replicaSeq: 1, sheets, household });
  const all = want({ members: "all" });
  assert.deepEqual(
    check(all, ["A", "B", "C"].map((id) => sheetFor(id, 1, 1))),
    [],
  );
  assert.deepEqual(
    check(all, [renkiSheet(["A", "B"], 1, 2), renkiSheet(["C"], 2, 2, true)]),
    [],
  );
  // A stranger among the members of a sheet.
  assert.ok(
    check(all, [renkiSheet(["A", "B", "X"], 1, 2), renkiSheet(["C"], 2, 2)])
      .some((p) => p.includes("X is not in the applicant's household")),
  );
  // A member twice, once as a further member.
  assert.ok(
    check(all, [renkiSheet(["A", "B"], 1, 2), renkiSheet(["C", "B"], 2, 2)])
      .some((p) => p.includes("B appears twice")),
  );
  // A further member printing My Number without the option.
  const leaky = renkiSheet(["A", "B", "C"], 1, 1, true);
  assert.ok(leaky.type === "juminhyo" && leaky.members);
  leaky.members[1] = { ...leaky.members[1], myNumber: "123456789012" };
  assert.ok(check(all, [leaky]).some((p) => p.includes("My Number")));
  // Pages: a certificate's pages 1/n…n/n.
  assert.ok(
    check(all, [renkiSheet(["A", "B"], 1, 2), renkiSheet(["C"], 3, 3)])
      .some((p) => p.includes("page 3/3")),
  );
});

Deno.test("checkSubjects(): the whole-household 認証文 only on the last page of a certificate of every member", () => {
  const check = (w: SubjectExpectation, sheets: SheetContent[]) =>
    checkSubjects(w, { requestId: "req-1", replicaSeq: 1, sheets, household });
  const whole = (p: string[]) =>
    p.some((x) => x.includes("whole-household 認証文"));
  assert.ok(whole(check(want({ members: ["A", "B"] }), [
    renkiSheet(["A", "B"], 1, 1, true),
  ])));
  assert.ok(whole(check(want({ members: "all" }), [
    renkiSheet(["A", "B"], 1, 2, true),
    renkiSheet(["C"], 2, 2),
  ])));
  assert.ok(
    !whole(check(want({ members: "all" }), [
      renkiSheet(["A", "B"], 1, 2),
      renkiSheet(["C"], 2, 2, true),
    ])),
  );
});
