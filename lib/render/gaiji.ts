/**
 * 外字: characters of the Unicode private-use areas that a municipality uses
 * in names and addresses, each drawn from an outline the municipality
 * registers (as municipal 外字 fonts do). An outline is SVG path data in a
 * 1000 × 1000 em box, y down, (0, 0) the box's top-left corner; the
 * renderer places the box on the character's full-width cell.
 *
 * A sheet carries the outlines of the private-use characters it prints
 * (`SheetBase.gaiji`, one text in the form {@linkcode encodeGaijiSet} writes),
 * so its back side does too and the portal re-renders the front exactly as
 * printed. A private-use character without an outline is never printed: the
 * ASP refuses the issue (`GAIJI_NOT_REGISTERED`).
 *
 * @module
 */

import type { PathSegment } from "./font.ts";

/** Side of the em box outlines are drawn in. */
export const GAIJI_EM = 1000;
/** Longest outline accepted (characters of path data). */
export const MAX_GAIJI_PATH_CHARS = 4096;
/** Most segments an outline may have. */
export const MAX_GAIJI_SEGMENTS = 512;
/**
 * Most characters of outlines one sheet may carry (`SheetBase.gaiji`): what
 * its back side holds beside the sheet's other fields even for outlines that
 * do not compress (measured: about 12,000 characters of random path data fit
 * the 12 symbols; 16,000 do not).
 */
export const MAX_SHEET_GAIJI_CHARS = 10_000;
/** How far (em units) an outline may reach outside its box. */
const SLACK = 100;

/** Why an outline was refused. */
export class GaijiPathError extends Error {
  override name = "GaijiPathError";
}

/**
 * Whether a code point is in a private-use area (U+E000–U+F8FF, planes 15
 * and 16).
 *
 * @example
 * ```ts
 * isPrivateUse(0xe000); // true
 * isPrivateUse(0x5c71); // false (山)
 * ```
 */
export function isPrivateUse(cp: number): boolean {
  return (cp >= 0xe000 && cp <= 0xf8ff) ||
    (cp >= 0xf0000 && cp <= 0xffffd) || (cp >= 0x100000 && cp <= 0x10fffd);
}

/**
 * The distinct private-use code points of some texts, ascending.
 *
 * @example
 * ```ts
 * privateUseCodePoints(["山\u{E000}", "\u{E001}\u{E000}"]); // [0xe000, 0xe001]
 * ```
 */
export function privateUseCodePoints(
  texts: Iterable<string | null | undefined>,
): number[] {
  const out = new Set<number>();
  for (const t of texts) {
    if (!t) continue;
    for (const ch of t) {
      const cp = ch.codePointAt(0)!;
      if (isPrivateUse(cp)) out.add(cp);
    }
  }
  return [...out].sort((a, b) => a - b);
}

const ARGS: Record<string, number> = {
  M: 2,
  L: 2,
  H: 1,
  V: 1,
  C: 6,
  Q: 4,
  Z: 0,
};

/**
 * Parses an outline (SVG path data: M L H V C Q Z, absolute or relative, in
 * the {@linkcode GAIJI_EM} box) into absolute segments, em units, y down.
 * Throws {@linkcode GaijiPathError} on anything else: other commands (arcs,
 * shorthand curves), malformed numbers, a path not starting with a move,
 * too long, too many segments, a point far outside the box, or no area.
 *
 * @example
 * ```ts
 * parseGlyphPath("M100 100H900V900H100Z").length; // 5
 * ```
 */
export function parseGlyphPath(d: string): PathSegment[] {
  if (typeof d !== "string" || d.length === 0) {
    throw new GaijiPathError("the outline is empty");
  }
  if (d.length > MAX_GAIJI_PATH_CHARS) {
    throw new GaijiPathError(
      `the outline is longer than ${MAX_GAIJI_PATH_CHARS} characters`,
    );
  }
  const tokens = d.match(
    /[A-Za-z]|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[\s,]+|./g,
  ) ?? [];
  const out: PathSegment[] = [];
  let cmd = "";
  let nums: number[] = [];
  let x = 0, y = 0, sx = 0, sy = 0;
  const check = (px: number, py: number) => {
    if (
      !Number.isFinite(px) || !Number.isFinite(py) || px < -SLACK ||
      py < -SLACK || px > GAIJI_EM + SLACK || py > GAIJI_EM + SLACK
    ) {
      throw new GaijiPathError(
        `a point lies outside the ${GAIJI_EM} × ${GAIJI_EM} em box`,
      );
    }
  };
  const emit = () => {
    const upper = cmd.toUpperCase();
    const rel = cmd !== upper;
    const n = ARGS[upper];
    if (n === 0) {
      if (nums.length) throw new GaijiPathError("Z takes no numbers");
      out.push({ op: "Z" });
      x = sx, y = sy;
      return;
    }
    if (nums.length === 0 || nums.length % n !== 0) {
      throw new GaijiPathError(`${cmd} needs numbers in groups of ${n}`);
    }
    for (let i = 0; i < nums.length; i += n) {
      const a = nums.slice(i, i + n);
      const ox = rel ? x : 0, oy = rel ? y : 0;
      const isMove = upper === "M" && i === 0;
      switch (upper) {
        case "M":
        case "L":
          x = a[0] + ox, y = a[1] + oy;
          check(x, y);
          out.push({ op: isMove ? "M" : "L", x, y });
          if (isMove) sx = x, sy = y;
          break;
        case "H":
          x = a[0] + ox;
          check(x, y);
          out.push({ op: "L", x, y });
          break;
        case "V":
          y = a[0] + oy;
          check(x, y);
          out.push({ op: "L", x, y });
          break;
        case "Q": {
          const s = { op: "Q" as const, x1: a[0] + ox, y1: a[1] + oy };
          x = a[2] + ox, y = a[3] + oy;
          check(s.x1, s.y1);
          check(x, y);
          out.push({ ...s, x, y });
          break;
        }
        case "C": {
          const x1 = a[0] + ox, y1 = a[1] + oy, x2 = a[2] + ox, y2 = a[3] + oy;
          x = a[4] + ox, y = a[5] + oy;
          check(x1, y1);
          check(x2, y2);
          check(x, y);
          out.push({ op: "C", x1, y1, x2, y2, x, y });
          break;
        }
      }
      if (out.length > MAX_GAIJI_SEGMENTS) {
        throw new GaijiPathError(
          `the outline has more than ${MAX_GAIJI_SEGMENTS} segments`,
        );
      }
    }
  };
  for (const t of tokens) {
    if (/^[\s,]+$/.test(t)) continue;
    if (/^[A-Za-z]$/.test(t)) {
      if (!(t.toUpperCase() in ARGS)) {
        throw new GaijiPathError(
          `command '${t}' is not allowed (only M L H V C Q Z)`,
        );
      }
      if (cmd) emit();
      else if (t.toUpperCase() !== "M") {
        throw new GaijiPathError("the outline must start with M");
      }
      cmd = t;
      nums = [];
      continue;
    }
    const v = Number(t);
    if (!cmd || !Number.isFinite(v)) {
      throw new GaijiPathError("the outline is not well-formed path data");
    }
    nums.push(v);
  }
  if (!cmd) throw new GaijiPathError("the outline is empty");
  emit();
  if (!out.some((s) => s.op !== "M")) {
    throw new GaijiPathError("the outline draws nothing");
  }
  return out;
}

/**
 * The text a sheet carries in `gaiji`: one line per glyph, `XXXX <path>`
 * (hex code point, upper case), ascending by code point. Validates every
 * outline ({@linkcode parseGlyphPath}).
 *
 * @example
 * ```ts
 * encodeGaijiSet(new Map([[0xe000, "M0 0H1000V1000Z"]])); // "E000 M0 0H1000V1000Z"
 * ```
 */
export function encodeGaijiSet(glyphs: ReadonlyMap<number, string>): string {
  return [...glyphs.entries()].sort(([a], [b]) => a - b).map(([cp, d]) => {
    if (!isPrivateUse(cp)) {
      throw new GaijiPathError(`U+${cp.toString(16)} is not private-use`);
    }
    parseGlyphPath(d);
    return `${cp.toString(16).toUpperCase()} ${d}`;
  }).join("\n");
}

/**
 * Parses a sheet's `gaiji` text (see {@linkcode encodeGaijiSet}) into
 * outlines per character; throws {@linkcode GaijiPathError} when malformed.
 *
 * @example
 * ```ts
 * parseGaijiSet("E000 M0 0H1000V1000Z").get("\u{E000}")!.length; // 4
 * ```
 */
export function parseGaijiSet(
  text: string | undefined,
): Map<string, PathSegment[]> {
  const out = new Map<string, PathSegment[]>();
  if (!text) return out;
  for (const line of text.split("\n")) {
    const m = /^([0-9A-F]{4,6}) (.+)$/.exec(line);
    const cp = m ? parseInt(m[1], 16) : NaN;
    if (!m || !isPrivateUse(cp)) {
      throw new GaijiPathError("a 外字 entry is malformed");
    }
    const ch = String.fromCodePoint(cp);
    if (out.has(ch)) throw new GaijiPathError("a 外字 entry is repeated");
    out.set(ch, parseGlyphPath(m[2]));
  }
  return out;
}
