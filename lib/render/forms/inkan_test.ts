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

Deno.test("layoutSheet() lays out a 印鑑登録証明書 with the registered impression", () => {
  const png = makeSealImpressionPng({ seed: 3 });
  const l = layout(
    makeInkanSheet({
      seal: { registrationNumber: "777", registeredDate: "2020-01-01", png },
    }),
  );
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
