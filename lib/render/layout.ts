/**
 * Layout of a certificate front: from a {@link SheetContent} to drawing ops in
 * mm on A4. One layout feeds both the PDF (print) and the PNG (verification
 * portal) writers.
 *
 * Every sheet gets the copy guard and the common header (its type's
 * Japanese name as the title, or the title its form gives the sheet; issue
 * number and time); the rest is its
 * type's form from the certificate catalogue (lib/render/forms/, one per
 * type).
 *
 * Every field is fitted into its box by shrinking down to the field's
 * minimum size and wrapping onto its allowed lines; what still does not fit
 * is refused with `FieldTooLongError` (errors.ts), never truncated (see
 * form_builder.ts).
 *
 * @module
 */

import { isTemplateVersion, type SheetContent } from "../certificate/model.ts";
import { entryOf } from "../certificate/types/mod.ts";
import { defaultRenderContext, type RenderContext } from "./context.ts";
import { type FitProblem, FormBuilder } from "./form_builder.ts";
import { header } from "./forms/common.ts";
import { parseGaijiSet } from "./gaiji.ts";
import { A4, type PageLayout } from "./ops.ts";

export type { FitProblem } from "./form_builder.ts";

/** Options of {@link layoutSheet}. */
export interface LayoutOptions {
  /** Fonts and caches; the lazily-built default context when omitted. */
  context?: RenderContext;
}

function validate(sheet: SheetContent): void {
  if (!isTemplateVersion(sheet.templateVersion)) {
    throw new RangeError(`Unknown template version ${sheet.templateVersion}`);
  }
  if (
    !Number.isInteger(sheet.page) || sheet.page < 1 || sheet.page > sheet.pages
  ) {
    throw new RangeError(
      `Sheet page ${sheet.page} of ${sheet.pages} is out of range`,
    );
  }
}

function build(
  sheet: SheetContent,
  ctx: RenderContext,
  problems?: FitProblem[],
): FormBuilder {
  validate(sheet);
  const entry = entryOf(sheet);
  const b = new FormBuilder(ctx, problems, parseGaijiSet(sheet.gaiji));
  b.ops.push({ kind: "copyGuard", x: 0, y: 0, w: A4.widthMm, h: A4.heightMm });
  header(b, sheet, entry.title?.(sheet) ?? entry.nameJa);
  entry.form(b, sheet);
  return b;
}

/**
 * Lays out the front of one sheet. Throws `FieldTooLongError` (errors.ts) when a
 * field does not fit its box at the minimum size.
 *
 * @example
 * ```ts ignore
 * const layout = layoutSheet(makeSheet());
 * layout.ops.some((op) => op.kind === "text" && op.field === "name"); // true
 * ```
 */
export function layoutSheet(
  sheet: SheetContent,
  options: LayoutOptions = {},
): PageLayout {
  const b = build(sheet, options.context ?? defaultRenderContext());
  return { ...A4, ops: b.ops, glyphIssues: b.glyphIssues };
}

/**
 * Checks every field of a sheet against its box without throwing; an empty
 * list means the sheet can be printed. Pure: reads only the sheet and fonts.
 *
 * @example
 * ```ts ignore
 * checkSheetFits(makeSheet()); // []
 * checkSheetFits(makeSheet({ subject: { address: "あ".repeat(400) } }))[0].field; // "address"
 * ```
 */
export function checkSheetFits(
  sheet: SheetContent,
  options: LayoutOptions = {},
): FitProblem[] {
  const problems: FitProblem[] = [];
  build(sheet, options.context ?? defaultRenderContext(), problems);
  return problems;
}
