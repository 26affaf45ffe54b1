import assert from "node:assert/strict";
import {
  makeForeignSubject,
  makeFormerSurnameSubject,
  makeGaijiSubject,
  makeHouseholdOfSix,
  makeRenkiDocument,
  makeSheet,
  PUA_GAIJI,
} from "../../../tests/fixtures/certificate.ts";
import type { SheetContent } from "../../certificate/model.ts";
import { createRenderContext } from "../context.ts";
import { FieldTooLongError } from "../errors.ts";
import { checkSheetFits, layoutSheet } from "../layout.ts";
import type { PageLayout, TextOp } from "../ops.ts";
import {
  formatMyNumber,
  householdSheetsOf,
  JUMINHYO_ATTESTATION,
  JUMINHYO_HOUSEHOLD_ATTESTATION,
  juminhyoTitle,
  memberBlockHeight,
} from "./juminhyo.ts";

const context = createRenderContext();
const layout = (s: SheetContent) => layoutSheet(s, { context });

function texts(l: PageLayout): TextOp[] {
  return l.ops.filter((op): op is TextOp => op.kind === "text");
}
function fieldText(l: PageLayout, field: string): string {
  return texts(l).filter((t) => t.field === field).map((t) => t.text).join("");
}
function allText(l: PageLayout): string {
  return texts(l).map((t) => t.text).join("\n");
}

const ALL_ON = { honseki: true, zokugara: true, myNumber: true };

Deno.test("layoutSheet() prints optional items only when their option is on", () => {
  const off = layout(makeSheet());
  for (
    const field of [
      "householderName",
      "relationship",
      "honseki",
      "hittousha",
      "myNumber",
    ]
  ) {
    assert.equal(fieldText(off, field), "", `${field} must be absent`);
  }
  const labelsOff = texts(off).filter((t) => t.field === "label").map((t) =>
    t.text
  );
  for (const label of ["世帯主", "続柄", "本籍", "筆頭者", "個人番号"]) {
    assert.ok(!labelsOff.includes(label), `label ${label} must be absent`);
  }
  const on = layout(makeSheet({ options: ALL_ON }));
  assert.equal(fieldText(on, "householderName"), "山田　太郎");
  assert.equal(fieldText(on, "relationship"), "世帯主");
  assert.equal(fieldText(on, "honseki"), "福岡県北九州市小倉北区城内１番");
  assert.equal(fieldText(on, "hittousha"), "山田　太郎");
  assert.equal(fieldText(on, "myNumber"), "1234 5678 9018");

  const onlyHonseki = layout(makeSheet({ options: { honseki: true } }));
  assert.notEqual(fieldText(onlyHonseki, "honseki"), "");
  assert.equal(fieldText(onlyHonseki, "myNumber"), "");
  assert.equal(fieldText(onlyHonseki, "relationship"), "");
});

Deno.test("layoutSheet() never prints a 住民票コード, even when the data carries one", () => {
  const sheet = makeSheet({ options: ALL_ON });
  const withCode = {
    ...sheet,
    subject: { ...sheet.subject, juminhyoCode: "98765432109" },
  } as unknown as SheetContent;
  const all = allText(layout(withCode));
  assert.ok(!all.includes("住民票コード"));
  assert.ok(!all.includes("98765432109"));
});

Deno.test("layoutSheet() prints the core items, 認証文, date, mayor, issue number and page", () => {
  const l = layout(makeSheet({ page: 3, pages: 3 }));
  assert.equal(fieldText(l, "name"), "山田　太郎");
  assert.equal(fieldText(l, "nameKana"), "やまだ　たろう");
  assert.equal(fieldText(l, "address"), "福岡県北九州市小倉北区城内１番１号");
  assert.equal(fieldText(l, "katagaki"), "城内ハイツ１０１号");
  assert.equal(fieldText(l, "birthDate"), "昭和５０年４月１２日");
  assert.equal(fieldText(l, "sex"), "男");
  assert.equal(fieldText(l, "attestation"), JUMINHYO_ATTESTATION);
  assert.equal(fieldText(l, "issueDate"), "令和８年１１月２６日");
  assert.equal(fieldText(l, "issuedAt"), "令和8年11月26日 10時15分");
  assert.equal(
    fieldText(l, "municipality.mayor"),
    "福岡県北九州市長　北橋　健治",
  );
  // the header with the page (template version 3, j1040), the footer as stored
  assert.equal(
    fieldText(l, "issueNumber"),
    "401005-20261126-000123 3/3" + "401005-20261126-000123",
  );
  assert.equal(fieldText(l, "page"), "3/3");
  assert.equal(fieldText(l, "title"), "住民票の写し");
  assert.ok(
    l.ops.some((op) => op.kind === "path" && op.role === "official-seal"),
  );
  assert.equal(l.ops[0].kind, "copyGuard");
  for (const op of texts(l)) {
    assert.ok(
      op.x >= 0 && op.x <= 210 && op.y >= 0 && op.y <= 297,
      `${op.field} on the page`,
    );
  }
});

Deno.test("layoutSheet() refuses a field that does not fit, with FIELD_TOO_LONG and the field name", () => {
  const address = "福岡県北九州市小倉北区城内一丁目".repeat(10);
  const sheet = makeSheet({ subject: { address } });
  assert.throws(
    () => layout(sheet),
    (e: unknown) =>
      e instanceof FieldTooLongError && e.code === "FIELD_TOO_LONG" &&
      e.field === "address" &&
      e.messageJa.includes("住所"),
  );
  const problems = checkSheetFits(sheet, { context });
  assert.deepEqual(problems.map((p) => p.field), ["address"]);

  const name =
    "寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末食う寝る処に住む処";
  assert.throws(
    () => layout(makeSheet({ subject: { name } })),
    (e: unknown) => e instanceof FieldTooLongError && e.field === "name",
  );
  assert.throws(
    () => layout(makeSheet({ options: ALL_ON, subject: { honseki: address } })),
    (e: unknown) => e instanceof FieldTooLongError && e.field === "honseki",
  );
  // an option that is off is not checked: its value is not printed
  assert.deepEqual(
    checkSheetFits(makeSheet({ subject: { honseki: address } }), { context }),
    [],
  );
});

Deno.test("layoutSheet() shrinks and wraps a long field but never truncates it", () => {
  const address =
    "福岡県北九州市小倉北区城内一丁目二番三号北九州市役所本庁舎内特別区画"
      .repeat(3);
  const l = layout(makeSheet({ subject: { address } }));
  const ops = texts(l).filter((t) => t.field === "address");
  assert.equal(ops.map((t) => t.text).join(""), address);
  assert.equal(ops.length, 2, "wrapped onto two lines");
  assert.ok(ops[0].sizePt < 11.5, "shrunk below the preferred size");
  assert.ok(ops[0].sizePt >= 7, "not below the minimum");
  const katagaki = "グランドメゾン北九州小倉北ステーションタワー東棟";
  const k = texts(layout(makeSheet({ subject: { katagaki } }))).filter((t) =>
    t.field === "katagaki"
  );
  assert.equal(k.map((t) => t.text).join(""), katagaki);
});

Deno.test("layoutSheet() prints 旧氏, 通称 and foreign-resident items", () => {
  const former = layout(makeSheet({ subject: makeFormerSurnameSubject() }));
  assert.equal(fieldText(former, "formerSurname"), "佐藤");
  assert.equal(fieldText(former, "formerSurnameKana"), "さとう");
  const plain = layout(makeSheet());
  assert.equal(fieldText(plain, "formerSurname"), "");
  assert.equal(fieldText(plain, "alias"), "");

  const foreign = layout(
    makeSheet({ subject: makeForeignSubject(), options: ALL_ON }),
  );
  assert.equal(fieldText(foreign, "alias"), "鈴木　次郎");
  assert.equal(fieldText(foreign, "foreign.alphabeticName"), "SMITH JOHN");
  assert.equal(fieldText(foreign, "foreign.nationality"), "アメリカ合衆国");
  assert.equal(
    fieldText(foreign, "foreign.residenceStatus"),
    "技術・人文知識・国際業務",
  );
  assert.equal(fieldText(foreign, "foreign.cardNumber"), "AB12345678CD");
  assert.equal(
    fieldText(foreign, "foreign.expiryDate"),
    "２０２７年３月３１日",
  );
  assert.equal(
    fieldText(foreign, "honseki"),
    "",
    "foreign residents have no 本籍",
  );
});

Deno.test("layoutSheet() keeps IVS and 外字 characters and records glyph substitutions", () => {
  const l = layout(makeSheet({ subject: makeGaijiSubject() }));
  const name = texts(l).find((t) => t.field === "name")!;
  assert.equal(name.text, "葛\u{E0100}城　\uE02A子");
  assert.equal(name.clusters[0], "葛\u{E0100}");
  assert.notEqual(name.glyphs[0], context.fonts.mincho.glyphForCluster("葛"));
  assert.equal(name.glyphs[3], 0, "the PUA character has no glyph");
  assert.ok(
    l.glyphIssues.some((g) =>
      g.field === "name" && g.cluster === PUA_GAIJI && g.status === "missing"
    ),
  );
  const unknown = layout(makeSheet({ subject: { name: "葛\u{E0105}城" } }));
  assert.deepEqual(unknown.glyphIssues, [
    { field: "name", cluster: "葛\u{E0105}", status: "unknown-variation" },
  ]);
});

Deno.test("formatMyNumber() groups 12 digits in fours and leaves anything else as is", () => {
  assert.equal(formatMyNumber("123456789018"), "1234 5678 9018");
  assert.equal(formatMyNumber("12345"), "12345");
  assert.equal(formatMyNumber(""), "");
});

Deno.test("layoutSheet() titles a 住民票 with its profile's wording from template version 3, 「住民票の写し」 before", () => {
  const cases = [
    [{ templateVersion: 3, form: { juminhyoTitle: "住民票" } }, "住民票"],
    [
      { templateVersion: 3, form: { juminhyoTitle: "住民票の写し" } },
      "住民票の写し",
    ],
    [{ templateVersion: 3 }, "住民票の写し"],
    // Frozen versions print as they always did, whatever a sheet says.
    [{ templateVersion: 2, form: { juminhyoTitle: "住民票" } }, "住民票の写し"],
    [{ templateVersion: 1 }, "住民票の写し"],
  ] as const;
  for (const [over, title] of cases) {
    assert.equal(
      fieldText(layout(makeSheet(over)), "title"),
      title,
      JSON.stringify(over),
    );
  }
  assert.throws(
    () =>
      juminhyoTitle(
        makeSheet({
          templateVersion: 3,
          form: { juminhyoTitle: "住民票謄本" as "住民票" },
        }),
      ),
    RangeError,
  );
});

const hasSeal = (l: PageLayout) =>
  l.ops.some((op) => op.kind === "path" && op.role === "official-seal");

Deno.test("世帯連記式 (v3): a household of six is two sheets, 4 + 2, in the standard's order, every member's items under members.N", () => {
  const doc = makeRenkiDocument();
  assert.deepEqual(doc.sheets.map((s) => [s.page, s.pages]), [[1, 2], [2, 2]]);
  const [first, second] = doc.sheets.map(layout);
  assert.deepEqual(
    ["name", "members.0.name", "members.1.name", "members.2.name"].map((f) =>
      fieldText(first, f)
    ),
    ["山田　太郎", "山田　花子", "山田　一郎", "山田　桜"],
  );
  assert.deepEqual(
    ["name", "members.0.name", "members.1.name"].map((f) =>
      fieldText(second, f)
    ),
    ["山田　ハナ", "鈴木　健", ""],
  );
  assert.equal(fieldText(first, "members.0.relationship"), "妻");
  assert.equal(fieldText(first, "members.0.formerSurname"), "佐藤（さとう）");
  assert.equal(
    fieldText(second, "members.0.honseki"),
    "熊本県熊本市中央区手取本町１番",
  );
  // The household's 住所 and 世帯主 once a sheet.
  assert.equal(
    fieldText(first, "address"),
    "福岡県北九州市小倉北区城内１番１号",
  );
  assert.equal(fieldText(first, "householderName"), "山田　太郎");
  assert.deepEqual([fieldText(first, "page"), fieldText(second, "page")], [
    "1/2",
    "2/2",
  ]);
  // One 発行番号, each page printing its own page / total beside it (j1040).
  assert.equal(
    fieldText(first, "issueNumber").replace(" 1/2", " 2/2"),
    fieldText(second, "issueNumber"),
  );
});

Deno.test("世帯連記式 (v3): the 認証文 and 公印 on the last page only, in the whole-household wording; a selection keeps the single wording", () => {
  const doc = makeRenkiDocument();
  const [first, second] = doc.sheets.map(layout);
  assert.equal(fieldText(first, "attestation"), "");
  assert.equal(fieldText(first, "municipality.mayor"), "");
  assert.equal(hasSeal(first), false);
  assert.equal(
    fieldText(second, "attestation"),
    "この写しは、世帯全員の住民票の原本と相違ないことを証明する。",
  );
  assert.equal(
    JUMINHYO_HOUSEHOLD_ATTESTATION,
    fieldText(second, "attestation"),
  );
  assert.equal(hasSeal(second), true);
  assert.equal(
    fieldText(second, "municipality.mayor"),
    "福岡県北九州市長　北橋　健治",
  );
  // Members chosen (not the whole household): the single wording.
  const chosen = { ...doc.sheets[1], wholeHousehold: undefined };
  assert.equal(fieldText(layout(chosen), "attestation"), JUMINHYO_ATTESTATION);
});

Deno.test("個票式 (v3): each member's sheet is 1/1 with its own 認証文 in the single wording; versions 1 and 2 keep a 認証文 on every page", () => {
  for (const subject of makeHouseholdOfSix()) {
    const l = layout(makeSheet({ subject }));
    assert.equal(fieldText(l, "attestation"), JUMINHYO_ATTESTATION);
    assert.equal(fieldText(l, "page"), "1/1");
    assert.ok(hasSeal(l));
  }
  for (const templateVersion of [1, 2] as const) {
    const l = layout(makeSheet({ templateVersion, page: 2, pages: 3 }));
    assert.equal(fieldText(l, "attestation"), JUMINHYO_ATTESTATION);
    assert.ok(hasSeal(l));
    assert.throws(
      () =>
        layout(
          makeSheet({ templateVersion, members: [makeHouseholdOfSix()[1]] }),
        ),
      RangeError,
    );
  }
});

Deno.test("householdSheetsOf(): at most membersPerSheet a sheet, and a new sheet before a block would not fit", () => {
  const six = makeHouseholdOfSix();
  const o = { honseki: true, zokugara: true, myNumber: true };
  const sizes = (perSheet: number, people = six) =>
    householdSheetsOf(people, o, perSheet).map((g) => g.length);
  assert.deepEqual(sizes(4), [4, 2]);
  assert.deepEqual(sizes(2), [2, 2, 2]);
  assert.deepEqual(sizes(1), [1, 1, 1, 1, 1, 1]);
  // Four foreign residents with 通称 and 旧氏 do not fit one sheet.
  const foreign = [1, 2, 3, 4].map((n) =>
    makeForeignSubject({
      residentId: `F${n}`,
      formerSurname: "佐藤",
      formerSurnameKana: "さとう",
    })
  );
  assert.ok(memberBlockHeight(foreign[0], o) > memberBlockHeight(six[0], o));
  assert.deepEqual(sizes(4, foreign), [2, 2]);
  // Whatever the grouping, every sheet renders without overflow.
  for (const people of [six, foreign]) {
    for (const g of householdSheetsOf(people, o, 4)) {
      const [subject, ...members] = g;
      layout(makeSheet({ options: o, subject, members, page: 1, pages: 2 }));
    }
  }
});
