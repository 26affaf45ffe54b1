import assert from "node:assert/strict";
import {
  makeForeignSubject,
  makeFormerSurnameSubject,
  makeKisaiSheet,
  makeSheet,
} from "../../../tests/fixtures/certificate.ts";
import { KISAI_ITEMS } from "../../contracts/form_profile.ts";
import type { SheetContent } from "../../certificate/model.ts";
import { SEAL_BLACK } from "../official_seal.ts";
import { createRenderContext } from "../context.ts";
import { layoutSheet } from "../layout.ts";
import type { PageLayout, TextOp } from "../ops.ts";
import { SEAL_NOTE } from "./common.ts";
import { JUMINHYO_ATTESTATION } from "./juminhyo.ts";
import { KISAI_ATTESTATION, KISAI_ITEM_LABELS } from "./kisai.ts";

const context = createRenderContext();
const layout = (s: SheetContent) => layoutSheet(s, { context });

function texts(l: PageLayout): TextOp[] {
  return l.ops.filter((op): op is TextOp => op.kind === "text");
}
function fieldText(l: PageLayout, field: string): string {
  return texts(l).filter((t) => t.field === field).map((t) => t.text).join("");
}
/** The labels of the table (not the header's and footer's). */
function labels(l: PageLayout): string[] {
  return texts(l).filter((t) =>
    t.field === "label" && t.text !== "発行番号" &&
    t.text !== "発行日時"
  ).map((t) => t.text);
}

Deno.test("the 記載事項証明書 prints its title, the 認証文, the issue number and date", () => {
  const l = layout(makeKisaiSheet());
  assert.equal(fieldText(l, "title"), "住民票記載事項証明書");
  assert.equal(fieldText(l, "attestation"), KISAI_ATTESTATION);
  assert.equal(
    KISAI_ATTESTATION,
    "上記の事項は、住民票に記載されていることを証明する。",
  );
  assert.notEqual(fieldText(l, "attestation"), JUMINHYO_ATTESTATION);
  assert.equal(fieldText(l, "issueDate"), "令和８年１１月２６日");
  assert.ok(fieldText(l, "issueNumber").includes("401005-20261126-000125"));
  assert.equal(fieldText(l, "remarks"), "以下余白");
  assert.equal(fieldText(l, "page"), "1/1");
});

Deno.test("the 記載事項証明書 prints the official title and the black 公印 as the 住民票's version 2", () => {
  const kisai = layout(makeKisaiSheet());
  const jumin = layout(makeSheet());
  assert.equal(
    fieldText(kisai, "municipality.mayor"),
    fieldText(jumin, "municipality.mayor"),
  );
  assert.match(fieldText(kisai, "municipality.mayor"), /^福岡県北九州市長/);
  assert.equal(fieldText(kisai, "sealNote"), SEAL_NOTE);
  const seal = kisai.ops.find((op) =>
    op.kind === "path" && op.role === "official-seal"
  );
  assert.ok(seal && seal.kind === "path");
  assert.deepEqual(seal.fill, SEAL_BLACK);
});

Deno.test("the 記載事項証明書 prints exactly the items of its sheet, in KISAI_ITEMS order", () => {
  const defaults = layout(makeKisaiSheet());
  assert.deepEqual(labels(defaults), [
    "氏名",
    "生年月日",
    "性別",
    "住所",
    "方書",
    "住民となった日",
    "備考",
  ]);
  assert.equal(fieldText(defaults, "name"), "山田　太郎");
  assert.equal(fieldText(defaults, "birthDate"), "昭和５０年４月１２日");
  assert.equal(fieldText(defaults, "sex"), "男");
  assert.equal(
    fieldText(defaults, "address"),
    "福岡県北九州市小倉北区城内１番１号",
  );
  assert.equal(fieldText(defaults, "nameKana"), "", "no furigana line");
  for (const absent of ["householderName", "relationship", "honseki"]) {
    assert.equal(fieldText(defaults, absent), "", absent);
  }

  const few = layout(makeKisaiSheet({ items: ["address", "name"] }));
  assert.deepEqual(labels(few), ["氏名", "住所", "方書", "備考"]);
  assert.equal(fieldText(few, "birthDate"), "");
  assert.equal(fieldText(few, "sex"), "");

  const all = layout(makeKisaiSheet({ items: [...KISAI_ITEMS] }));
  for (const item of KISAI_ITEMS) {
    assert.ok(labels(all).includes(KISAI_ITEM_LABELS[item]), item);
  }
  assert.ok(labels(all).includes("筆頭者"));
  assert.equal(fieldText(all, "householderName"), "山田　太郎");
  assert.equal(fieldText(all, "relationship"), "世帯主");
  assert.equal(fieldText(all, "honseki"), "福岡県北九州市小倉北区城内１番");
  assert.equal(fieldText(all, "myNumber"), "", "never a 個人番号");
});

Deno.test("the 記載事項証明書 prints 旧氏, a foreign resident's alphabetic name and Western birth date with 氏名", () => {
  const former = layout(
    makeKisaiSheet({ subject: makeFormerSurnameSubject() }),
  );
  assert.notEqual(fieldText(former, "formerSurname"), "");
  const foreign = makeForeignSubject();
  const l = layout(
    makeKisaiSheet({ subject: foreign, items: ["name", "birthDate"] }),
  );
  assert.equal(
    fieldText(l, "foreign.alphabeticName"),
    foreign.foreign!.alphabeticName,
  );
  assert.match(fieldText(l, "birthDate"), /^[１２]\d*/u);
  assert.ok(!/[昭平令]/.test(fieldText(l, "birthDate")), "j90: Western");
  assert.equal(fieldText(l, "alias"), foreign.alias);
});

Deno.test("the 記載事項証明書 form refuses no item and template version 1", () => {
  const none = makeKisaiSheet();
  for (const item of KISAI_ITEMS) none.options[item] = false;
  assert.throws(() => layout(none), RangeError);
  const v1 = { ...makeKisaiSheet(), templateVersion: 1 } as SheetContent;
  assert.throws(() => layout(v1), /template version 1/);
});
