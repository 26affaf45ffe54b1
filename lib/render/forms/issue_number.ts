/**
 * The 発行番号 of a form's header. From template version 3 it is printed as
 * j1040 prints it — issue date, municipality, terminal, printer, serial and
 * the sheet's page / total (lib/contracts/issue_number.ts
 * `printedIssueNumber`) — on a wider line (at 8 pt it is about 76 mm long);
 * versions 1 and 2 print the stored number as it is, where they always did
 * (frozen).
 *
 * @module
 */
import type { SheetContent } from "../../certificate/model.ts";
import { printedIssueNumber } from "../../contracts/issue_number.ts";
import type { Box } from "../fit.ts";
import type { FormBuilder } from "../form_builder.ts";
import { CLEAR } from "../form_style.ts";

/** The first template version that prints the 発行番号 per j1040. */
const J1040_FROM = 3;

/** Where the header's 発行番号 stands: its label's x and the number's box, mm. */
const HEADER_AT: Record<"stored" | "j1040", { labelX: number; box: Box }> = {
  stored: { labelX: 128, box: { x: 142, y: 28.2, w: 54, h: 4.2 } },
  j1040: { labelX: 86, box: { x: 100, y: 28.2, w: 96, h: 4.2 } },
};

const j1040 = (sheet: SheetContent) => sheet.templateVersion >= J1040_FROM;

/**
 * The 発行番号 as the sheet's header prints it.
 *
 * @example
 * ```ts ignore
 * issueNumberLine(sheet); // "20261126 北九州市 kiosk-0001 プリンタ01 0000123 1/2"
 * ```
 */
export function issueNumberLine(sheet: SheetContent): string {
  if (!j1040(sheet)) return sheet.issueNumber;
  return printedIssueNumber(sheet.issueNumber, {
    municipalityName: sheet.municipality.name,
    page: sheet.page,
    pages: sheet.pages,
  });
}

/**
 * Draws the header's 発行番号: its label and {@linkcode issueNumberLine}.
 *
 * @example
 * ```ts ignore
 * issueNumberHeader(b, sheet);
 * ```
 */
export function issueNumberHeader(b: FormBuilder, sheet: SheetContent): void {
  const at = HEADER_AT[j1040(sheet) ? "j1040" : "stored"];
  b.fixed("発行番号", at.labelX, 31.5, { sizePt: 8 });
  b.field("issueNumber", issueNumberLine(sheet), at.box, CLEAR);
}
