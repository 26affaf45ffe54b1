import assert from "node:assert/strict";
import { makeInkanSheet, makeSheet } from "../../tests/fixtures/certificate.ts";
import type { SheetContent } from "../certificate/model.ts";
import { createRenderContext } from "./context.ts";
import { layoutSheet } from "./layout.ts";
import type { PageLayout, TextOp } from "./ops.ts";

const context = createRenderContext();
const layout = (s: SheetContent) => layoutSheet(s, { context });

function fieldText(l: PageLayout, field: string): string {
  return l.ops.filter((op): op is TextOp => op.kind === "text")
    .filter((t) => t.field === field).map((t) => t.text).join("");
}

Deno.test("layoutSheet() checks page numbers and the template version", () => {
  assert.throws(() => layout(makeSheet({ page: 2, pages: 1 })), RangeError);
  assert.throws(
    () =>
      layout(
        { ...makeSheet(), templateVersion: 99 } as unknown as SheetContent,
      ),
    RangeError,
  );
});

Deno.test("layoutSheet() titles each sheet with its type's Japanese name and refuses an unknown type", () => {
  assert.equal(fieldText(layout(makeSheet()), "title"), "住民票の写し");
  assert.equal(fieldText(layout(makeInkanSheet()), "title"), "印鑑登録証明書");
  assert.throws(
    () => layout({ ...makeSheet(), type: "koseki" } as unknown as SheetContent),
    RangeError,
  );
});
