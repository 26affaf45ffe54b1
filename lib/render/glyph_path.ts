/**
 * Turning glyph outlines (font units, y up) into vector paths on the sheet
 * (mm, y down), and measuring them.
 *
 * @module
 */

import type { PathSegment } from "./font.ts";

/** An affine map from font units to sheet mm: (x, y) → (a·x + e, d·y + f). */
export interface AxisMap {
  a: number;
  e: number;
  d: number;
  f: number;
}

/**
 * Maps outline segments through an axis-aligned scale and offset.
 *
 * @example
 * ```ts
 * mapSegments([{ op: "M", x: 1024, y: 1024 }], { a: 0.01, e: 0, d: -0.01, f: 10 });
 * // [{ op: "M", x: 10.24, y: -0.24 }]
 * ```
 */
export function mapSegments(
  segments: readonly PathSegment[],
  m: AxisMap,
): PathSegment[] {
  const X = (x: number) => m.a * x + m.e;
  const Y = (y: number) => m.d * y + m.f;
  return segments.map((s): PathSegment => {
    switch (s.op) {
      case "M":
      case "L":
        return { op: s.op, x: X(s.x), y: Y(s.y) };
      case "Q":
        return { op: "Q", x1: X(s.x1), y1: Y(s.y1), x: X(s.x), y: Y(s.y) };
      case "C":
        return {
          op: "C",
          x1: X(s.x1),
          y1: Y(s.y1),
          x2: X(s.x2),
          y2: Y(s.y2),
          x: X(s.x),
          y: Y(s.y),
        };
      case "Z":
        return s;
    }
  });
}

/**
 * Bounding box of the points of a path (control points included).
 *
 * @example
 * ```ts
 * segmentsBounds([{ op: "M", x: 1, y: 2 }, { op: "L", x: 3, y: -1 }]); // [1, -1, 3, 2]
 * ```
 */
export function segmentsBounds(
  segments: readonly PathSegment[],
): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const add = (x: number, y: number) => {
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  };
  for (const s of segments) {
    if (s.op === "Z") continue;
    add(s.x, s.y);
    if (s.op === "Q" || s.op === "C") add(s.x1, s.y1);
    if (s.op === "C") add(s.x2, s.y2);
  }
  return [x0, y0, x1, y1];
}

/**
 * Flattens a path into closed polygons (curves approximated by `steps`
 * chords each), for point-in-shape tests.
 *
 * @example
 * ```ts
 * flattenPath([{ op: "M", x: 0, y: 0 }, { op: "L", x: 1, y: 0 }, { op: "L", x: 0, y: 1 }, { op: "Z" }]);
 * // [[[0, 0], [1, 0], [0, 1]]]
 * ```
 */
export function flattenPath(
  segments: readonly PathSegment[],
  steps = 6,
): [number, number][][] {
  const polys: [number, number][][] = [];
  let cur: [number, number][] = [];
  let px = 0, py = 0;
  for (const s of segments) {
    switch (s.op) {
      case "M":
        if (cur.length) polys.push(cur);
        cur = [[s.x, s.y]];
        break;
      case "L":
        cur.push([s.x, s.y]);
        break;
      case "Q":
        for (let i = 1; i <= steps; i++) {
          const t = i / steps, u = 1 - t;
          cur.push([
            u * u * px + 2 * u * t * s.x1 + t * t * s.x,
            u * u * py + 2 * u * t * s.y1 + t * t * s.y,
          ]);
        }
        break;
      case "C":
        for (let i = 1; i <= steps; i++) {
          const t = i / steps, u = 1 - t;
          cur.push([
            u * u * u * px + 3 * u * u * t * s.x1 + 3 * u * t * t * s.x2 +
            t * t * t * s.x,
            u * u * u * py + 3 * u * u * t * s.y1 + 3 * u * t * t * s.y2 +
            t * t * t * s.y,
          ]);
        }
        break;
      case "Z":
        if (cur.length) polys.push(cur);
        cur = [];
        break;
    }
    if (s.op !== "Z") {
      px = s.x;
      py = s.y;
    }
  }
  if (cur.length) polys.push(cur);
  return polys;
}

/**
 * Non-zero winding test of a point against flattened polygons.
 *
 * @example
 * ```ts
 * insidePolygons([[[0, 0], [2, 0], [2, 2], [0, 2]]], 1, 1); // true
 * ```
 */
export function insidePolygons(
  polys: readonly (readonly [number, number])[][],
  x: number,
  y: number,
): boolean {
  let winding = 0;
  for (const poly of polys) {
    const n = poly.length;
    for (let i = 0; i < n; i++) {
      const [x0, y0] = poly[i];
      const [x1, y1] = poly[(i + 1) % n];
      const side = (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0);
      if (y0 <= y) {
        if (y1 > y && side > 0) winding++;
      } else if (y1 <= y && side < 0) winding--;
    }
  }
  return winding !== 0;
}
