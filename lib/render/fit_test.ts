import assert from "node:assert/strict";
import { fitText, wrapShaped } from "./fit.ts";
import { loadFontSet, shapeText } from "./font.ts";
import { MM_PER_PT } from "./ops.ts";

const fonts = loadFontSet();
const em = fonts.mincho.unitsPerEm;

Deno.test("wrapShaped() breaks at characters and keeps closing punctuation off a line start", () => {
  const lines = wrapShaped(shapeText(fonts.mincho, "あいう、えお"), 3 * em)!;
  assert.deepEqual(lines.map((l) => l.clusters.join("")), [
    "あい",
    "う、え",
    "お",
  ]);
  assert.equal(wrapShaped(shapeText(fonts.mincho, "あ"), em / 2), null);
});

Deno.test("fitText() keeps the preferred size when the text fits", () => {
  const f = fitText(fonts.mincho, "山田太郎", { x: 0, y: 0, w: 80, h: 10 }, {
    face: "mincho",
    sizePt: 16,
    minSizePt: 9,
    maxLines: 1,
  });
  assert.equal(f?.sizePt, 16);
  assert.equal(f?.lines.length, 1);
});

Deno.test("fitText() shrinks in 0.5 pt steps to the largest size that fits", () => {
  // 10 full-width characters in 40 mm: 4 mm each = 11.34 pt, so 11 pt fits
  const f = fitText(fonts.mincho, "一二三四五六七八九十", {
    x: 0,
    y: 0,
    w: 40,
    h: 10,
  }, {
    face: "mincho",
    sizePt: 16,
    minSizePt: 6,
    maxLines: 1,
  });
  assert.equal(f?.sizePt, 11);
  assert.ok(10 * 11 * MM_PER_PT <= 40);
  assert.ok(10 * 11.5 * MM_PER_PT > 40);
});

Deno.test("fitText() returns null below the minimum size instead of cutting", () => {
  const style = {
    face: "mincho" as const,
    sizePt: 12,
    minSizePt: 8,
    maxLines: 2,
  };
  const box = { x: 0, y: 0, w: 30, h: 12 };
  // at 8 pt (2.82 mm) a line holds 10 characters: 20 fit, 21 do not
  assert.equal(
    fitText(fonts.mincho, "あ".repeat(20), box, style)?.lines.length,
    2,
  );
  assert.equal(fitText(fonts.mincho, "あ".repeat(21), box, style), null);
  assert.deepEqual(fitText(fonts.mincho, "", box, style), {
    sizePt: 12,
    lines: [],
  });
});
