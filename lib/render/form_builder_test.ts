import assert from "node:assert/strict";
import { createRenderContext } from "./context.ts";
import { FieldTooLongError } from "./errors.ts";
import { type FitProblem, FormBuilder } from "./form_builder.ts";
import { ADDRESS, NAME } from "./form_style.ts";
import type { TextOp } from "./ops.ts";

const context = createRenderContext();
const box = { x: 40, y: 60, w: 80, h: 14 };

Deno.test("FormBuilder.field() fits a text into its box at the preferred size when it can", () => {
  const b = new FormBuilder(context, undefined);
  b.field("name", "山田　太郎", box, NAME);
  const ops = b.ops as TextOp[];
  assert.equal(ops.length, 1);
  assert.equal(ops[0].text, "山田　太郎");
  assert.equal(ops[0].sizePt, NAME.sizePt);
  assert.ok(ops[0].x >= box.x && ops[0].y > box.y && ops[0].y < box.y + box.h);
});

Deno.test("FormBuilder.field() records a field that does not fit, or throws FIELD_TOO_LONG without a list", () => {
  const long = "福岡県北九州市小倉北区城内一丁目".repeat(10);
  const problems: FitProblem[] = [];
  const b = new FormBuilder(context, problems);
  b.field("address", long, box, ADDRESS);
  assert.deepEqual(problems.map((p) => p.field), ["address"]);
  assert.match(problems[0].detail, /the box holds 2 line\(s\)/);
  assert.equal(b.ops.length, 0, "nothing truncated is drawn");
  assert.throws(
    () =>
      new FormBuilder(context, undefined).field("address", long, box, ADDRESS),
    (e: unknown) => e instanceof FieldTooLongError && e.field === "address",
  );
});

Deno.test("FormBuilder.fixed() aligns and spreads a fixed text; label() centres it in its cell", () => {
  const b = new FormBuilder(context, undefined);
  const w = b.fixed("発行番号", 100, 20, { align: "right" });
  const right = b.ops[0] as TextOp;
  assert.ok(Math.abs(right.x + w - 100) < 1e-9);
  const spread = b.fixed("住所", 0, 30, { spreadTo: 16 });
  assert.ok(Math.abs(spread - 16) < 1e-9);
  b.label("住所", { x: 15, y: 40, w: 28, h: 16 });
  const label = b.ops[2] as TextOp;
  assert.equal(label.field, "label");
  assert.ok(
    Math.abs(label.x + 8 - (15 + 14)) < 1e-9,
    "centred, spread to 16 mm",
  );
});
