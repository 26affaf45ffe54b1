import assert from "node:assert/strict";
import {
  makeInkanSheet,
  makeSheet,
} from "../../../tests/fixtures/certificate.ts";
import type { SheetContent } from "../../certificate/model.ts";
import { createRenderContext } from "../context.ts";
import { layoutSheet } from "../layout.ts";
import type { PageLayout, TextOp } from "../ops.ts";
import { issueNumberLine } from "./issue_number.ts";
import { formatIssueNumber } from "../../contracts/issue_number.ts";

const context = createRenderContext();
const NUMBER = "20261126-401005-kiosk-0001-01-0000123";

/** The header's 発行番号 (the first issueNumber field; the footer's follows). */
function headerNumber(l: PageLayout): string {
  const ops = l.ops.filter((op): op is TextOp =>
    op.kind === "text" && op.field === "issueNumber"
  );
  const y = Math.min(...ops.map((op) => op.y));
  return ops.filter((op) => op.y === y).map((op) => op.text).join("");
}
const printed = (s: SheetContent) => headerNumber(layoutSheet(s, { context }));

Deno.test("template version 3: every sheet prints the 発行番号 per j1040 with its own page / total", () => {
  for (const page of [1, 2, 3]) {
    assert.equal(
      printed(makeSheet({ issueNumber: NUMBER, page, pages: 3 })),
      `20261126 北九州市 kiosk-0001 プリンタ01 0000123 ${page}/3`,
    );
  }
  assert.equal(
    printed(makeInkanSheet({ issueNumber: NUMBER })),
    "20261126 北九州市 kiosk-0001 プリンタ01 0000123 1/1",
  );
});

Deno.test("template versions 1 and 2 print the stored number as they always did", () => {
  for (const templateVersion of [1, 2] as const) {
    const s = makeSheet({
      templateVersion,
      issueNumber: NUMBER,
      page: 2,
      pages: 2,
    });
    assert.equal(issueNumberLine(s), NUMBER);
    assert.equal(printed(s), NUMBER);
  }
});

Deno.test("template version 3: the longest terminal with a long municipality name and two-digit pages still fits", () => {
  const issueNumber = formatIssueNumber({
    date: "2026-11-26",
    municipalityCode: "462187",
    terminal: "kiosk-with-a-very-long-id",
    serial: 123456789,
  });
  const sheet = makeSheet({
    issueNumber,
    page: 12,
    pages: 12,
    municipality: { name: "いちき串木野市" },
  });
  assert.equal(
    printed(sheet),
    "20261126 いちき串木野市 kiosk-with-a-ver プリンタ01 123456789 12/12",
  );
});
