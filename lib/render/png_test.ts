import assert from "node:assert/strict";
import {
  makeGaijiSubject,
  makeInkanSheet,
  makeSheet,
} from "../../tests/fixtures/certificate.ts";
import { createRenderContext } from "./context.ts";
import { FieldTooLongError } from "./errors.ts";
import { layoutSheet } from "./layout.ts";
import { renderSheetPng } from "./png.ts";
import { decodePng, type RasterImage } from "./png_codec.ts";
import { layoutToSvg } from "./svg.ts";

const context = createRenderContext();

/** Share of pixels in a box (mm) that match a test. */
function share(
  img: RasterImage,
  box: [number, number, number, number],
  test: (r: number, g: number, b: number) => boolean,
) {
  const k = img.width / 210;
  let hit = 0, all = 0;
  for (
    let y = Math.round(box[1] * k);
    y < Math.round((box[1] + box[3]) * k);
    y++
  ) {
    for (
      let x = Math.round(box[0] * k);
      x < Math.round((box[0] + box[2]) * k);
      x++
    ) {
      const o = (y * img.width + x) * img.channels;
      if (test(img.data[o], img.data[o + 1], img.data[o + 2])) hit++;
      all++;
    }
  }
  return hit / all;
}

Deno.test("renderSheetPng() makes a decodable PNG of the requested width and A4 height", () => {
  const img = decodePng(
    renderSheetPng(makeSheet(), { widthPx: 1000, context }),
  );
  assert.equal(img.width, 1000);
  assert.equal(img.height, 1414);
  const small = decodePng(
    renderSheetPng(makeSheet(), { widthPx: 600, context }),
  );
  assert.equal(small.height, Math.round((600 * 297) / 210));
});

Deno.test("renderSheetPng() draws the same layout: text, rules and the black official seal", () => {
  const img = decodePng(renderSheetPng(makeInkanSheet(), { context }));
  const dark = (r: number, g: number, b: number) =>
    r < 110 && g < 110 && b < 110;
  const red = (r: number, g: number, b: number) => r > 150 && g < 90 && b < 90;
  // the official seal sits at the right of the mayor line
  const layout = layoutSheet(makeInkanSheet(), { context });
  const seal = layout.ops.find((op) => op.kind === "path")!;
  assert.ok(seal.kind === "path");
  assert.ok(share(img, [seal.x, seal.y, 24, 24], dark) > 0.15, "seal drawn");
  assert.equal(share(img, [seal.x, seal.y, 24, 24], red), 0, "seal is black");
  // the title is drawn (dark pixels), the empty margin is not
  assert.ok(share(img, [70, 16, 70, 10], dark) > 0.03, "title drawn");
  assert.equal(share(img, [1, 100, 8, 50], dark), 0, "margin stays light");
  // the impression image is there
  const impression = layout.ops.find((op) => op.kind === "image")!;
  assert.ok(impression.kind === "image");
  assert.ok(
    share(img, [impression.x, impression.y, impression.w, impression.h], red) >
      0.1,
  );
});

Deno.test("renderSheetPng() draws a template version 1 sheet as it was printed: the red official seal", () => {
  const sheet = makeInkanSheet({ templateVersion: 1 });
  const img = decodePng(renderSheetPng(sheet, { context }));
  const red = (r: number, g: number, b: number) => r > 150 && g < 90 && b < 90;
  const seal = layoutSheet(sheet, { context }).ops.find((op) =>
    op.kind === "path"
  )!;
  assert.ok(share(img, [seal.x, seal.y, 24, 24], red) > 0.15, "seal is red");
});

Deno.test("renderSheetPng() renders IVS and PUA characters without throwing", () => {
  const png = renderSheetPng(makeSheet({ subject: makeGaijiSubject() }), {
    widthPx: 400,
    context,
  });
  assert.equal(decodePng(png).width, 400);
  const svg = layoutToSvg(
    layoutSheet(makeSheet({ subject: makeGaijiSubject() }), { context }),
    context,
  );
  const ivs = context.fonts.mincho.glyphForCluster("葛\u{E0100}");
  assert.ok(svg.includes(`id="m${ivs}"`), "the IVS glyph is drawn");
});

Deno.test("renderSheetPng() refuses bad sizes and too-long fields", () => {
  assert.throws(
    () => renderSheetPng(makeSheet(), { widthPx: 10, context }),
    RangeError,
  );
  assert.throws(
    () =>
      renderSheetPng(makeSheet({ subject: { address: "あ".repeat(300) } }), {
        context,
      }),
    FieldTooLongError,
  );
});
