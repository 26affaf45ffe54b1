/**
 * Certificate front renderer: one layout, two outputs — a PDF for printing
 * at the kiosk (with the back side's symbols on the following page) and a
 * reduced PNG for the verification portal.
 *
 * ```ts ignore
 * const r = await createRenderer();
 * const pdf = r.pdf(doc, backs);   // Uint8Array, A4
 * const png = r.png(doc.sheets[0]); // Uint8Array, 1000 px wide
 * ```
 *
 * @module
 */

import type {
  BackSide,
  CertificateDocument,
  SheetContent,
} from "../certificate/model.ts";
import { layoutBackSide } from "./back_layout.ts";
import {
  createRenderContext,
  type RenderContext,
  type RenderContextOptions,
} from "./context.ts";
import { checkSheetFits, type FitProblem, layoutSheet } from "./layout.ts";
import type { PageLayout } from "./ops.ts";
import {
  type PdfResult,
  preparePdf,
  renderDocumentPdfWithReport,
  renderDocumentsPdfWithReport,
} from "./pdf.ts";
import { renderLayoutPng } from "./png.ts";
import { layoutToSvg } from "./svg.ts";

export * from "./era.ts";
export * from "./errors.ts";
export { checkSheetFits, type FitProblem, layoutSheet } from "./layout.ts";
export { INKAN_ATTESTATION } from "./forms/inkan.ts";
export { JUMINHYO_ATTESTATION } from "./forms/juminhyo.ts";
export { KISAI_ATTESTATION } from "./forms/kisai.ts";
export { TEMPLATE_TEXT } from "./template_text.ts";
export type { LayoutOptions } from "./layout.ts";
export { layoutBackSide, moduleRuns } from "./back_layout.ts";
export {
  createRenderContext,
  defaultRenderContext,
  type RenderContext,
} from "./context.ts";
export type { RenderContextOptions } from "./context.ts";
export {
  preparePdf,
  renderDocumentPdf,
  renderDocumentPdfWithReport,
  renderDocumentsPdfWithReport,
} from "./pdf.ts";
export type { PdfOptions, PdfResult } from "./pdf.ts";
export { renderLayoutPng, renderSheetPng } from "./png.ts";
export type { PngOptions } from "./png.ts";
export { layoutToSvg } from "./svg.ts";
export type * from "./ops.ts";

/** A renderer holding its fonts and cached PDF objects. */
export interface Renderer {
  readonly context: RenderContext;
  /** Drawing ops of a sheet's front (throws FieldTooLongError). */
  layout(sheet: SheetContent): PageLayout;
  /** Drawing ops of a back side. */
  layoutBack(back: BackSide): PageLayout;
  /** Fields that do not fit; empty when the sheet can be printed. */
  checkFits(sheet: SheetContent): FitProblem[];
  /**
   * The document as PDF: per sheet its front, then its back when given;
   * `options.sheets` prints only the first sheets (see {@link PdfOptions}).
   * A sheet that cannot be drawn throws `PageRenderError` (its page, side
   * and cause).
   */
  pdf(
    doc: CertificateDocument,
    backs?: readonly BackSide[],
    options?: { sheets?: number },
  ): Uint8Array;
  /**
   * Several documents in one PDF, one after the other (the copies a kiosk
   * printed, each its own document), per sheet its front, then its back
   * when given.
   */
  pdfOfDocuments(
    docs: readonly { doc: CertificateDocument; backs?: readonly BackSide[] }[],
  ): Uint8Array;
  /** Like {@link Renderer.pdf}, also listing characters drawn with a substitute glyph. */
  pdfWithReport(
    doc: CertificateDocument,
    backs?: readonly BackSide[],
    options?: { sheets?: number },
  ): PdfResult;
  /** The front of a sheet as PNG, `widthPx` wide (default 1000). */
  png(sheet: SheetContent, options?: { widthPx?: number }): Uint8Array;
  /** The front of a sheet as SVG. */
  svg(sheet: SheetContent): string;
}

/**
 * Loads the fonts, builds the shared PDF objects and returns a renderer.
 * Takes ~0.1 s; create one per process and reuse it.
 *
 * @example
 * ```ts ignore
 * const r = await createRenderer();
 * const pdf = r.pdf(makeHouseholdDocument());
 * const png = r.png(makeSheet(), { widthPx: 1000 });
 * ```
 */
export function createRenderer(
  options: RenderContextOptions = {},
): Promise<Renderer> {
  const context = createRenderContext(options);
  preparePdf(context);
  const renderer: Renderer = {
    context,
    layout: (sheet) => layoutSheet(sheet, { context }),
    layoutBack: (back) => layoutBackSide(back, { context }),
    checkFits: (sheet) => checkSheetFits(sheet, { context }),
    pdf: (doc, backs, opts) =>
      renderDocumentPdfWithReport(doc, backs, { ...opts, context }).pdf,
    pdfOfDocuments: (docs) =>
      renderDocumentsPdfWithReport(docs, { context }).pdf,
    pdfWithReport: (doc, backs, opts) =>
      renderDocumentPdfWithReport(doc, backs, { ...opts, context }),
    png: (sheet, opts = {}) =>
      renderLayoutPng(
        layoutSheet(sheet, { context }),
        context,
        opts.widthPx ?? 1000,
      ),
    svg: (sheet) => layoutToSvg(layoutSheet(sheet, { context }), context),
  };
  return Promise.resolve(renderer);
}
