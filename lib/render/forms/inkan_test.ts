import assert from "node:assert/strict";
import {
  makeInkanSheet,
  makeSealImpressionPng,
} from "../../../tests/fixtures/certificate.ts";
import type { SheetContent } from "../../certificate/model.ts";
import { encodePng } from "../png_codec.ts";
import { createRenderContext } from "../context.ts";
import { layoutSheet } from "../layout.ts";
import type { PageLayout, TextOp } from "../ops.ts";
import { INKAN_ATTESTATION, pngSize } from "./inkan.ts";

const context = createRenderContext();
const layout = (s: SheetContent) => layoutSheet(s, { context });

function texts(l: PageLayout): TextOp[] {
  return l.ops.filter((op): op is TextOp => op.kind === "text");
}
function fieldText(l: PageLayout, field: string): string {
  return texts(l).filter((t) => t.field === field).map((t) => t.text).join("");
}

Deno.test("layoutSheet() lays out a 印鑑登録証明書 of template version 2 with the registered impression, its 登録番号, ふりがな and 性別", () => {
  const png = makeSealImpressionPng({ seed: 3 });
  const l = layout(
    makeInkanSheet({
      templateVersion: 2,
      seal: { registrationNumber: "777", registeredDate: "2020-01-01", png },
    }),
  );
  assert.equal(fieldText(l, "nameKana"), "やまだ　たろう");
  assert.equal(fieldText(l, "sex"), "男");
  assert.equal(fieldText(l, "title"), "印鑑登録証明書");
  assert.equal(fieldText(l, "attestation"), INKAN_ATTESTATION);
  assert.equal(fieldText(l, "seal.registrationNumber"), "第777号");
  const image = l.ops.find((op) => op.kind === "image");
  assert.ok(
    image && image.kind === "image" && image.png === png &&
      image.role === "seal-impression",
  );
  assert.ok(
    image.w > 20 && image.w <= 48 && Math.abs(image.w - image.h) < 1e-9,
  );
  assert.equal(fieldText(l, "myNumber"), "");
  const { seal: _seal, ...withoutSeal } = makeInkanSheet();
  assert.throws(
    () => layout(withoutSeal as unknown as SheetContent),
    TypeError,
  );
});

Deno.test("pngSize() reads a PNG's width and height and refuses anything else", () => {
  const png = encodePng({
    width: 3,
    height: 5,
    channels: 3,
    data: new Uint8Array(45),
  });
  assert.deepEqual(pngSize(png), [3, 5]);
  assert.deepEqual(pngSize(makeSealImpressionPng()), [240, 240]);
  assert.throws(() => pngSize(new Uint8Array(30)), TypeError);
  assert.throws(() => pngSize(png.subarray(0, 20)), TypeError);
});

Deno.test("layoutSheet() draws the seal's print version when there is one, at ≥ 300 dpi in the 印影 box", () => {
  const png = makeSealImpressionPng({ seed: 3 });
  const printPng = encodePng({
    width: 600,
    height: 600,
    channels: 3,
    data: new Uint8Array(600 * 600 * 3).fill(255),
  });
  const l = layout(
    makeInkanSheet({
      seal: {
        registrationNumber: "777",
        registeredDate: "2020-01-01",
        png,
        printPng,
      },
    }),
  );
  const image = l.ops.find((op) => op.kind === "image");
  assert.ok(image && image.kind === "image" && image.png === printPng);
  assert.ok(600 / (image.w / 25.4) >= 300, `${600 / (image.w / 25.4)} dpi`);
});

Deno.test("layoutSheet() prints a version-3 印鑑登録証明書's items: 印影, 氏名, 生年月日, 住所 — no 登録番号, no ふりがな; 性別 as the profile says", () => {
  for (
    const [form, sex] of [
      [undefined, "男"],
      [{ inkanPrintsSex: true }, "男"],
      [{ inkanPrintsSex: false }, ""],
    ] as const
  ) {
    const l = layout(makeInkanSheet({ templateVersion: 3, form }));
    assert.equal(fieldText(l, "seal.registrationNumber"), "");
    assert.equal(fieldText(l, "nameKana"), "");
    assert.ok(!texts(l).some((t) => t.text.includes("ふりがな")));
    assert.ok(!texts(l).some((t) => t.text === "登録番号"));
    assert.equal(fieldText(l, "name"), "山田　太郎");
    assert.equal(fieldText(l, "birthDate"), "昭和５０年４月１２日");
    assert.equal(fieldText(l, "address"), "福岡県北九州市小倉北区城内１番１号");
    assert.equal(fieldText(l, "sex"), sex, JSON.stringify(form));
    assert.equal(texts(l).some((t) => t.text === "性別"), sex !== "");
    const image = l.ops.find((op) => op.kind === "image");
    assert.ok(image && image.kind === "image");
    // The 印影 comes first, above the name.
    const name = texts(l).find((t) => t.field === "name")!;
    assert.ok(image.y < name.y);
  }
});

Deno.test("layoutSheet() prints a version-3 印鑑登録証明書's 旧氏 and 通称 where registered, without their ふりがな", () => {
  const l = layout(
    makeInkanSheet({
      templateVersion: 3,
      subject: {
        formerSurname: "佐藤",
        formerSurnameKana: "さとう",
        alias: "鈴木　次郎",
      },
    }),
  );
  assert.equal(fieldText(l, "formerSurname"), "佐藤");
  assert.equal(fieldText(l, "alias"), "鈴木　次郎");
  assert.equal(fieldText(l, "formerSurnameKana"), "");
  const plain = layout(makeInkanSheet({ templateVersion: 3 }));
  assert.ok(!texts(plain).some((t) => t.text === "旧氏" || t.text === "通称"));
});
