/**
 * SVG output of a page layout, the step between the drawing ops and the PNG
 * shown by the verification portal. Text is drawn as the very glyph outlines
 * the PDF embeds (no font lookup in the rasterizer, so 外字 and variation
 * sequences look the same as on paper).
 *
 * The copy-evident and scramble backgrounds are drawn as their average tone:
 * their dots are finer than a screen pixel at portal sizes.
 *
 * @module
 */

import type { RenderContext } from "./context.ts";
import type { FaceName, PathSegment } from "./font.ts";
import { moduleRuns } from "./back_layout.ts";
import { MM_PER_PT, type PageLayout, type Rgb } from "./ops.ts";

function color(c: Rgb): string {
  const h = (v: number) =>
    Math.round(Math.max(0, Math.min(1, v)) * 255).toString(16).padStart(2, "0");
  return `#${h(c[0])}${h(c[1])}${h(c[2])}`;
}

function n(v: number): string {
  const r = Math.round(v * 1000) / 1000;
  return r === 0 ? "0" : String(r);
}

/**
 * Path segments as SVG path data.
 *
 * @example
 * ```ts
 * svgPathData([{ op: "M", x: 0, y: 0 }, { op: "L", x: 1, y: 2 }, { op: "Z" }]); // "M0 0L1 2Z"
 * ```
 */
export function svgPathData(segments: readonly PathSegment[]): string {
  let d = "";
  for (const s of segments) {
    switch (s.op) {
      case "M":
      case "L":
        d += `${s.op}${n(s.x)} ${n(s.y)}`;
        break;
      case "Q":
        d += `Q${n(s.x1)} ${n(s.y1)} ${n(s.x)} ${n(s.y)}`;
        break;
      case "C":
        d += `C${n(s.x1)} ${n(s.y1)} ${n(s.x2)} ${n(s.y2)} ${n(s.x)} ${n(s.y)}`;
        break;
      case "Z":
        d += "Z";
        break;
    }
  }
  return d;
}

function escapeXml(s: string): string {
  return s.replace(
    /[<>&"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!,
  );
}

/** Options of {@link layoutToSvg}. */
export interface SvgOptions {
  /** Width attribute in px (the viewBox stays in mm). Default: 210mm. */
  widthPx?: number;
}

/**
 * Renders a page layout as a standalone SVG document (viewBox in mm).
 *
 * @example
 * ```ts ignore
 * const ctx = createRenderContext();
 * const svg = layoutToSvg(layoutSheet(makeSheet(), { context: ctx }), ctx);
 * svg.startsWith("<svg"); // true
 * ```
 */
export function layoutToSvg(
  layout: PageLayout,
  ctx: RenderContext,
  options: SvgOptions = {},
): string {
  const { widthMm, heightMm } = layout;
  const defs = new Map<string, string>();
  const body: string[] = [];
  const glyphData = ctx.memo("svg-glyphs", () => new Map<string, string>());
  const glyphRef = (face: FaceName, gid: number): string => {
    const id = `${face[0]}${gid}`;
    if (!defs.has(id)) {
      let d = glyphData.get(id);
      if (d === undefined) {
        d = svgPathData(ctx.fonts[face].glyphPath(gid));
        glyphData.set(id, d);
      }
      defs.set(id, `<path id="${id}" d="${d}"/>`);
    }
    return id;
  };
  for (const op of layout.ops) {
    switch (op.kind) {
      case "text": {
        const font = ctx.fonts[op.face];
        const s = (op.sizePt * MM_PER_PT) / font.unitsPerEm;
        const scale = s.toPrecision(6);
        let x = op.x;
        const uses: string[] = [];
        for (let i = 0; i < op.glyphs.length; i++) {
          const id = glyphRef(op.face, op.glyphs[i]);
          uses.push(
            `<use href="#${id}" transform="matrix(${scale} 0 0 -${scale} ${
              n(x)
            } ${n(op.y)})"/>`,
          );
          x += op.advances[i] * s + op.letterSpacing;
        }
        body.push(`<g fill="${color(op.color)}">${uses.join("")}</g>`);
        break;
      }
      case "line":
        body.push(
          `<line x1="${n(op.x1)}" y1="${n(op.y1)}" x2="${n(op.x2)}" y2="${
            n(op.y2)
          }" stroke="${color(op.color)}" stroke-width="${n(op.width)}"/>`,
        );
        break;
      case "rect":
        body.push(
          `<rect x="${n(op.x)}" y="${n(op.y)}" width="${n(op.w)}" height="${
            n(op.h)
          }" fill="${op.fill ? color(op.fill) : "none"}"${
            op.stroke
              ? ` stroke="${color(op.stroke)}" stroke-width="${
                n(op.lineWidth ?? 0.2)
              }"`
              : ""
          }/>`,
        );
        break;
      case "image":
        body.push(
          `<image x="${n(op.x)}" y="${n(op.y)}" width="${n(op.w)}" height="${
            n(op.h)
          }" preserveAspectRatio="none" href="data:image/png;base64,${op.png.toBase64()}"/>`,
        );
        break;
      case "path": {
        const d = svgPathData(op.segments);
        body.push(
          `<path transform="translate(${n(op.x)} ${n(op.y)})" fill="${
            color(op.fill)
          }" d="${d}"/>`,
        );
        break;
      }
      case "copyGuard":
      case "scramble": {
        const c = op.kind === "copyGuard"
          ? ctx.copyGuard.averageColor
          : ctx.scramble.averageColor;
        body.push(
          `<rect x="${n(op.x)}" y="${n(op.y)}" width="${n(op.w)}" height="${
            n(op.h)
          }" fill="${color(c)}"/>`,
        );
        break;
      }
      case "symbol": {
        const sy = op.symbol;
        const d = moduleRuns(sy).map(([c, r, len]) =>
          `M${c} ${r}h${len}v1h${-len}z`
        ).join("");
        body.push(
          `<path fill="#000000" transform="matrix(${n(sy.moduleSize)} 0 0 ${
            n(sy.moduleSize)
          } ${n(sy.x)} ${n(sy.y)})" d="${d}"/>`,
        );
        break;
      }
    }
  }
  const widthAttr = options.widthPx ? `${options.widthPx}` : `${widthMm}mm`;
  const heightAttr = options.widthPx
    ? `${Math.round((options.widthPx * heightMm) / widthMm)}`
    : `${heightMm}mm`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${widthAttr}" height="${heightAttr}" viewBox="0 0 ${widthMm} ${heightMm}">` +
    `<title>${escapeXml("certificate")}</title><defs>${
      [...defs.values()].join("")
    }</defs>` +
    `<rect width="${widthMm}" height="${heightMm}" fill="#ffffff"/>${
      body.join("")
    }</svg>`;
}
