import assert from "node:assert/strict";
import {
  makeForeignSubject,
  makeFormerSurnameSubject,
  makeInkanSheet,
  makeKisaiSheet,
  makeSheet,
} from "../../tests/fixtures/certificate.ts";
import { KISAI_ITEMS } from "../contracts/form_profile.ts";
import type { SheetContent } from "../certificate/model.ts";
import { createRenderContext } from "./context.ts";
import { splitClusters } from "./font.ts";
import { layoutSheet } from "./layout.ts";
import type { PageLayout, TextOp } from "./ops.ts";
import { TEMPLATE_TEXT } from "./template_text.ts";

const context = createRenderContext();
const layout = (s: SheetContent) => layoutSheet(s, { context });

function texts(l: PageLayout): TextOp[] {
  return l.ops.filter((op): op is TextOp => op.kind === "text");
}

const ALL_ON = { honseki: true, zokugara: true, myNumber: true };

Deno.test("TEMPLATE_TEXT covers every fixed text the forms draw", () => {
  const fixed = new Set([
    "label",
    "title",
    "attestation",
    "issueDate",
    "remarks",
    "page",
    "issuedAt",
    "sealNote",
  ]);
  const sheets = [
    makeSheet({ options: ALL_ON, page: 3, pages: 9 }),
    makeSheet({ subject: makeForeignSubject(), options: ALL_ON }),
    makeSheet({ subject: makeFormerSurnameSubject(), options: ALL_ON }),
    makeInkanSheet(),
    makeKisaiSheet({ items: [...KISAI_ITEMS] }),
    makeKisaiSheet({ subject: makeForeignSubject() }),
  ];
  for (const s of sheets) {
    for (const t of texts(layout(s)).filter((t) => fixed.has(t.field))) {
      const covered = new Set(splitClusters(TEMPLATE_TEXT[t.face]));
      for (const c of t.clusters) {
        assert.ok(covered.has(c), `${t.face} ${t.field} "${c}" in ${t.text}`);
      }
    }
  }
});
