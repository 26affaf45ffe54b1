import assert from "node:assert/strict";
import {
  makeGaijiSubject,
  makeSheet,
  PUA_GAIJI,
} from "../../tests/fixtures/certificate.ts";
import {
  decodeSheetContent,
  encodeSheetContent,
} from "../backside/canonical.ts";
import { createRenderContext } from "./context.ts";
import {
  encodeGaijiSet,
  GaijiPathError,
  isPrivateUse,
  MAX_GAIJI_PATH_CHARS,
  parseGaijiSet,
  parseGlyphPath,
  privateUseCodePoints,
} from "./gaiji.ts";
import { layoutSheet } from "./layout.ts";
import type { PathOp, TextOp } from "./ops.ts";
import { renderLayoutPng } from "./png.ts";
import { layoutToSvg } from "./svg.ts";

const context = createRenderContext();
/** A registered outline: a framed box with a bar, unlike the font's .notdef. */
const OUTLINE =
  "M100 80H900V920H100ZM200 180V820H800V180ZM250 470H750V530H250Z";

Deno.test("isPrivateUse() and privateUseCodePoints() find the 外字 of texts", () => {
  assert.ok(isPrivateUse(0xe000) && isPrivateUse(0xf8ff));
  assert.ok(isPrivateUse(0xf0000) && isPrivateUse(0x10fffd));
  assert.ok(!isPrivateUse(0x5c71) && !isPrivateUse(0xdfff));
  assert.deepEqual(
    privateUseCodePoints([`${PUA_GAIJI}子`, undefined, "\uE000\uE02A"]),
    [0xe000, 0xe02a],
  );
});

Deno.test("parseGlyphPath() reads absolute and relative M L H V C Q Z", () => {
  const segs = parseGlyphPath(
    "m100,100 l800 0 v800 h-800 z M0 0C1 2 3 4 5 6Q7 8 9 10Z",
  );
  assert.deepEqual(segs.slice(0, 5), [
    { op: "M", x: 100, y: 100 },
    { op: "L", x: 900, y: 100 },
    { op: "L", x: 900, y: 900 },
    { op: "L", x: 100, y: 900 },
    { op: "Z" },
  ]);
  assert.deepEqual(segs.at(-2), { op: "Q", x1: 7, y1: 8, x: 9, y: 10 });
});

Deno.test("parseGlyphPath() refuses hostile or malformed outlines", () => {
  for (
    const bad of [
      "",
      "L0 0 10 10",
      "M0 0",
      "M0 0 A10 10 0 0 1 100 100",
      "M0 0 S1 2 3 4",
      "M0 0 L1",
      "M0 0 L1e999 0",
      "M0 0 LNaN 0",
      "M0 0 L5000 0",
      "M0 0 L-500 0",
      "M0 0 Z3",
      "M0 0 L10 10 <script>",
      'M0 0"/><script>alert(1)</script><path d="M0 0L1 1',
      "M0 0" + " L1 1".repeat(600),
      "M0 0 L" + "1".repeat(MAX_GAIJI_PATH_CHARS),
    ]
  ) {
    assert.throws(() => parseGlyphPath(bad), GaijiPathError, bad.slice(0, 40));
  }
});

Deno.test("encodeGaijiSet() and parseGaijiSet() round-trip and refuse non-PUA code points", () => {
  const text = encodeGaijiSet(
    new Map([[0xe02a, OUTLINE], [0xe000, "M0 0H1000V1000Z"]]),
  );
  assert.equal(text.split("\n")[0], "E000 M0 0H1000V1000Z");
  assert.deepEqual([...parseGaijiSet(text).keys()], ["\uE000", PUA_GAIJI]);
  assert.throws(
    () => encodeGaijiSet(new Map([[0x5c71, OUTLINE]])),
    GaijiPathError,
  );
  assert.throws(() => parseGaijiSet("5C71 M0 0H1Z"), GaijiPathError);
  assert.throws(
    () => parseGaijiSet("E000 M0 0H1Z\nE000 M0 0H1Z"),
    GaijiPathError,
  );
});

Deno.test("layoutSheet() draws a registered 外字 as its outline in the character's cell, not .notdef", () => {
  const plain = makeSheet({ subject: makeGaijiSubject() });
  const gaiji = encodeGaijiSet(new Map([[PUA_GAIJI.codePointAt(0)!, OUTLINE]]));
  const sheet = { ...plain, gaiji };
  const boxed = layoutSheet(plain, { context });
  const drawn = layoutSheet(sheet, { context });
  assert.ok(boxed.glyphIssues.some((g) => g.cluster === PUA_GAIJI));
  assert.ok(!drawn.glyphIssues.some((g) => g.cluster === PUA_GAIJI));
  const paths = drawn.ops.filter((op): op is PathOp =>
    op.kind === "path" && op.role === "gaiji"
  );
  assert.ok(paths.length >= 1);
  const names = drawn.ops.filter((op): op is TextOp =>
    op.kind === "text" && op.field === "name"
  );
  assert.ok(names.every((t) => !t.glyphs.includes(0)), "no .notdef left");
  assert.equal(names.map((t) => t.text).join(""), "葛\u{E0100}城　子");
  // The outline sits where the boxed rendering had its .notdef: the 4th cluster.
  const boxedName = boxed.ops.find((op): op is TextOp =>
    op.kind === "text" && op.field === "name"
  )!;
  const scale = (boxedName.sizePt * 25.4 / 72) /
    context.fonts[boxedName.face].unitsPerEm;
  const penAt3 = boxedName.x +
    boxedName.advances.slice(0, 3).reduce((a, b) => a + b, 0) * scale +
    3 * boxedName.letterSpacing;
  const namePath = paths.find((p) => Math.abs(p.y - boxedName.y) < 1e-9)!;
  assert.ok(Math.abs(namePath.x - penAt3) < 1e-9);

  const svg = layoutToSvg(drawn, context);
  assert.match(svg, /<path transform="translate\([^)]*\)" fill="#000000" d="M/);
  assert.notEqual(svg, layoutToSvg(boxed, context));
  const a = renderLayoutPng(boxed, context, 600);
  const b = renderLayoutPng(drawn, context, 600);
  assert.notDeepEqual(a, b, "the registered outline changes the picture");
});

Deno.test("the back side carries the sheet's 外字 outlines, so the portal re-renders the same front", () => {
  const gaiji = encodeGaijiSet(new Map([[PUA_GAIJI.codePointAt(0)!, OUTLINE]]));
  const sheet = { ...makeSheet({ subject: makeGaijiSubject() }), gaiji };
  const decoded = decodeSheetContent(encodeSheetContent(sheet));
  assert.equal(decoded.gaiji, gaiji);
  assert.equal(
    layoutToSvg(layoutSheet(decoded, { context }), context),
    layoutToSvg(layoutSheet(sheet, { context }), context),
  );
});
