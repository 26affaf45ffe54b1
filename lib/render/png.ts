/**
 * PNG output of a certificate front at reduced size, for the verification
 * portal: the same layout as the PDF, through SVG, rasterized by resvg.
 *
 * Text reaches resvg as glyph outlines (see svg.ts), so no font files are
 * handed to it and none can be silently missing.
 *
 * @module
 */

import { Resvg } from "@resvg/resvg-js";
import type { SheetContent } from "../certificate/model.ts";
import { defaultRenderContext, type RenderContext } from "./context.ts";
import { layoutSheet } from "./layout.ts";
import type { PageLayout } from "./ops.ts";
import { layoutToSvg } from "./svg.ts";

/** Options of {@link renderSheetPng}. */
export interface PngOptions {
  /** Width of the image, px (height follows A4's ratio). Default 1000. */
  widthPx?: number;
  context?: RenderContext;
}

/**
 * Rasterizes a page layout to PNG.
 *
 * @example
 * ```ts ignore
 * const ctx = createRenderContext();
 * const png = renderLayoutPng(layoutSheet(makeSheet(), { context: ctx }), ctx, 800);
 * ```
 */
export function renderLayoutPng(
  layout: PageLayout,
  ctx: RenderContext,
  widthPx = 1000,
): Uint8Array {
  if (!Number.isInteger(widthPx) || widthPx < 50 || widthPx > 5000) {
    throw new RangeError(`PNG width ${widthPx} px is out of range (50–5000)`);
  }
  const svg = layoutToSvg(layout, ctx, { widthPx });
  const resvg = new Resvg(svg, {
    fitTo: { mode: "width", value: widthPx },
    font: { loadSystemFonts: false },
    background: "#ffffff",
  });
  return new Uint8Array(resvg.render().asPng());
}

/**
 * Renders the front of a sheet as a PNG, `widthPx` wide (default 1000 px),
 * from the same layout as the printed PDF. Throws FieldTooLongError like
 * {@link layoutSheet}.
 *
 * @example
 * ```ts ignore
 * const png = renderSheetPng(makeSheet(), { widthPx: 1000 });
 * png.length > 0; // true
 * ```
 */
export function renderSheetPng(
  sheet: SheetContent,
  options: PngOptions = {},
): Uint8Array {
  const ctx = options.context ?? defaultRenderContext();
  return renderLayoutPng(
    layoutSheet(sheet, { context: ctx }),
    ctx,
    options.widthPx ?? 1000,
  );
}
