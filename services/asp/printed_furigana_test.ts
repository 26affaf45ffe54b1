import assert from "node:assert/strict";
import { printedFurigana } from "./printed_furigana.ts";

const r = {
  nameKana: "やまだ　はなこ",
  formerSurname: "佐藤",
  formerSurnameKana: "さとう",
  furiganaSurname: "ヤマダ",
  furiganaGivenName: "ハナコ",
  formerSurnameFurigana: "サトウ",
};
const none = {
  ...r,
  furiganaSurname: null,
  furiganaGivenName: null,
  formerSurnameFurigana: null,
};

Deno.test("printedFurigana(): version 3 prints the recorded legal reading in katakana, mask or not", () => {
  assert.deepEqual(printedFurigana(r, 3, null), {
    nameKana: "ヤマダ　ハナコ",
    formerSurnameKana: "サトウ",
  });
  assert.deepEqual(printedFurigana(r, 3, "********"), {
    nameKana: "ヤマダ　ハナコ",
    formerSurnameKana: "サトウ",
  });
});

Deno.test("printedFurigana(): nothing recorded prints blank, or the municipality's mask once; never the free reading", () => {
  assert.deepEqual(printedFurigana(none, 3, null), { nameKana: "" });
  assert.deepEqual(printedFurigana(none, 3, "********"), {
    nameKana: "********",
  });
});

Deno.test("printedFurigana(): half recorded prints the recorded part and the mask (or nothing) for the other", () => {
  const surnameOnly = { ...none, furiganaSurname: "ヤマダ" };
  assert.equal(printedFurigana(surnameOnly, 3, null).nameKana, "ヤマダ");
  assert.equal(
    printedFurigana(surnameOnly, 3, "＊＊＊").nameKana,
    "ヤマダ　＊＊＊",
  );
  const givenOnly = { ...none, furiganaGivenName: "ハナコ" };
  // The given name keeps its place after the space.
  assert.equal(printedFurigana(givenOnly, 3, null).nameKana, "　ハナコ");
  assert.equal(
    printedFurigana(givenOnly, 3, "＊＊＊").nameKana,
    "＊＊＊　ハナコ",
  );
});

Deno.test("printedFurigana(): 旧氏の振り仮名 only when recorded and only beside a 旧氏", () => {
  assert.equal(
    printedFurigana({ ...r, formerSurnameFurigana: null }, 3, "****")
      .formerSurnameKana,
    undefined,
  );
  assert.equal(
    printedFurigana({ ...r, formerSurname: null }, 3, null).formerSurnameKana,
    undefined,
  );
});

Deno.test("printedFurigana(): versions 1 and 2 print the free reading as before", () => {
  for (const v of [1, 2] as const) {
    assert.deepEqual(printedFurigana(none, v, "********"), {
      nameKana: "やまだ　はなこ",
      formerSurnameKana: "さとう",
    });
    assert.deepEqual(printedFurigana(r, v, null), {
      nameKana: "やまだ　はなこ",
      formerSurnameKana: "さとう",
    });
  }
});
