/**
 * The text-fitting builder the forms draw with: fixed texts (labels,
 * titles) placed at their size, data fields fitted into their boxes, and
 * the table's lines. Glyph substitutions (外字 without a glyph, unknown
 * variation sequences) are collected as it goes.
 *
 * @module
 */

import type { RenderContext } from "./context.ts";
import { FieldTooLongError } from "./errors.ts";
import { type Box, type FieldStyle, fitText } from "./fit.ts";
import {
  type FaceName,
  type PathSegment,
  type ShapedText,
  shapeText,
} from "./font.ts";
import { GAIJI_EM } from "./gaiji.ts";
import { mapSegments } from "./glyph_path.ts";
import { ASCENT, GRID, LABEL_COLOR, PAD } from "./form_style.ts";
import {
  BLACK,
  type DrawOp,
  type GlyphIssue,
  MM_PER_PT,
  type Rgb,
} from "./ops.ts";

/** A field that does not fit its box. */
export interface FitProblem {
  field: string;
  text: string;
  detail: string;
}

/**
 * Collects the drawing ops of one page and fits data fields into their boxes:
 * a field is shrunk down to its style's minimum size and wrapped onto its
 * allowed lines; what still does not fit is recorded in `problems` (when
 * given) or refused with {@link FieldTooLongError}, never truncated.
 *
 * @example
 * ```ts ignore
 * const b = new FormBuilder(defaultRenderContext(), undefined);
 * b.field("name", "山田　太郎", { x: 43, y: 80, w: 80, h: 16 }, NAME);
 * b.ops.length; // 1
 * ```
 */
export class FormBuilder {
  readonly ops: DrawOp[] = [];
  readonly glyphIssues: GlyphIssue[] = [];

  /**
   * `problems`: record fields that do not fit there instead of throwing;
   * `gaiji`: the registered outlines of the sheet's 外字 (character →
   * segments in the em box, see gaiji.ts), drawn where the font has no glyph.
   */
  constructor(
    readonly ctx: RenderContext,
    readonly problems: FitProblem[] | undefined,
    readonly gaiji: ReadonlyMap<string, readonly PathSegment[]> = new Map(),
  ) {}

  /**
   * Emits one shaped line. A cluster the font has no glyph for but the
   * sheet has a registered 外字 outline for is drawn as that outline (a path
   * in the character's cell; the text around it stays text), not as
   * .notdef.
   */
  shaped(
    field: string,
    s: ShapedText,
    x: number,
    y: number,
    face: FaceName,
    sizePt: number,
    letterSpacing = 0,
    color: Rgb = BLACK,
  ): void {
    const font = this.ctx.fonts[face];
    const scale = (sizePt * MM_PER_PT) / font.unitsPerEm;
    let start = 0;
    let pen = x;
    let runX = x;
    const flush = (end: number) => {
      const whole = start === 0 && end === s.clusters.length;
      const cut = <T>(a: readonly T[]) => whole ? a : a.slice(start, end);
      if (end > start) {
        this.ops.push({
          kind: "text",
          x: runX,
          y,
          sizePt,
          face,
          text: cut(s.clusters).join(""),
          glyphs: cut(s.glyphs),
          clusters: cut(s.clusters),
          advances: cut(s.advances),
          letterSpacing,
          color,
          field,
        });
      }
    };
    s.clusters.forEach((c, i) => {
      const r = font.resolveCluster(c);
      const outline = r.status === "missing"
        ? this.gaiji.get(String.fromCodePoint(c.codePointAt(0)!))
        : undefined;
      const advance = s.advances[i] * scale + letterSpacing;
      if (outline) {
        flush(i);
        this.gaijiOp(
          c,
          outline,
          pen,
          y,
          sizePt,
          font.ascent / font.unitsPerEm,
          color,
        );
        start = i + 1;
        runX = pen + advance;
      } else if (r.status !== "ok") {
        this.glyphIssues.push({ field, cluster: c, status: r.status });
      }
      pen += advance;
    });
    flush(s.clusters.length);
  }

  /** A registered 外字 outline in the full-width cell at pen `x`, baseline `y`. */
  private gaijiOp(
    cluster: string,
    outline: readonly PathSegment[],
    x: number,
    y: number,
    sizePt: number,
    ascent: number,
    color: Rgb,
  ): void {
    const sizeMm = sizePt * MM_PER_PT;
    const k = sizeMm / GAIJI_EM;
    const segments = mapSegments(outline, {
      a: k,
      e: 0,
      d: k,
      f: -ascent * sizeMm,
    });
    this.ops.push({
      kind: "path",
      x,
      y,
      segments,
      fill: color,
      key: `gaiji:${cluster.codePointAt(0)!.toString(16)}:${sizePt}:${ascent}:${
        JSON.stringify(outline)
      }`,
      role: "gaiji",
    });
  }

  /** Fixed text (labels, titles): placed, never shrunk. Returns its width, mm. */
  fixed(
    text: string,
    x: number,
    y: number,
    opts: {
      face?: FaceName;
      sizePt?: number;
      align?: "left" | "center" | "right";
      spreadTo?: number;
      letterSpacing?: number;
      color?: Rgb;
      field?: string;
    } = {},
  ): number {
    const face = opts.face ?? "gothic";
    const sizePt = opts.sizePt ?? 8.5;
    const font = this.ctx.fonts[face];
    const s = shapeText(font, text);
    const sizeMm = sizePt * MM_PER_PT;
    const natural = (s.width / font.unitsPerEm) * sizeMm;
    let ls = opts.letterSpacing ?? 0;
    if (
      opts.spreadTo !== undefined && s.glyphs.length > 1 &&
      opts.spreadTo > natural
    ) {
      ls = (opts.spreadTo - natural) / (s.glyphs.length - 1);
    }
    const width = natural + ls * Math.max(0, s.glyphs.length - 1);
    const left = opts.align === "center"
      ? x - width / 2
      : opts.align === "right"
      ? x - width
      : x;
    this.shaped(
      opts.field ?? "label",
      s,
      left,
      y,
      face,
      sizePt,
      ls,
      opts.color ?? BLACK,
    );
    return width;
  }

  /** A label centred in its cell, short labels spread out (均等割付). */
  label(text: string, box: Box, sizePt = 8.5): void {
    const chars = Array.from(text).length;
    const sizeMm = sizePt * MM_PER_PT;
    const spread = chars <= 4 ? Math.min(box.w - 6, 16) : undefined;
    this.fixed(
      text,
      box.x + box.w / 2,
      box.y + box.h / 2 + (ASCENT - 0.5) * sizeMm,
      {
        sizePt,
        align: "center",
        spreadTo: spread,
        color: LABEL_COLOR,
      },
    );
  }

  /** A data field fitted into its box (padding applied here). */
  field(
    field: string,
    text: string,
    box: Box,
    style: FieldStyle,
    valign: "middle" | "top" = "middle",
  ): void {
    const inner = {
      x: box.x + PAD,
      y: box.y + 0.6,
      w: box.w - 2 * PAD,
      h: box.h - 1.2,
    };
    const font = this.ctx.fonts[style.face];
    const fitted = fitText(font, text, inner, style);
    if (!fitted) {
      const width = (shapeText(font, text).width / font.unitsPerEm) *
        style.minSizePt * MM_PER_PT;
      const detail = `${Array.from(text).length} characters need ${
        width.toFixed(1)
      } mm at ${style.minSizePt} pt; the box holds ${style.maxLines} line(s) of ${
        inner.w.toFixed(1)
      } mm`;
      if (this.problems) {
        this.problems.push({ field, text, detail });
        return;
      }
      throw new FieldTooLongError(field, detail);
    }
    const n = fitted.lines.length;
    if (n === 0) return;
    const sizeMm = fitted.sizePt * MM_PER_PT;
    const lh = (style.lineHeight ?? 1.25) * sizeMm;
    const block = sizeMm + (n - 1) * lh;
    const top = valign === "top" ? inner.y : inner.y + (inner.h - block) / 2;
    fitted.lines.forEach((line, i) => {
      const w = (line.width / font.unitsPerEm) * sizeMm;
      const x = style.align === "right"
        ? inner.x + inner.w - w
        : style.align === "center"
        ? inner.x + (inner.w - w) / 2
        : inner.x;
      this.shaped(
        field,
        line,
        x,
        top + ASCENT * sizeMm + i * lh,
        style.face,
        fitted.sizePt,
      );
    });
  }

  /** A line of the table's grid. */
  line(x1: number, y1: number, x2: number, y2: number, width = 0.2): void {
    this.ops.push({ kind: "line", x1, y1, x2, y2, width, color: GRID });
  }

  /** A rectangle around the table. */
  frame(box: Box, width = 0.45): void {
    this.ops.push({ kind: "rect", ...box, stroke: GRID, lineWidth: width });
  }
}
