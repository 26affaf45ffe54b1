/**
 * The render context: fonts plus the designs and caches derived from them,
 * built once per process and passed to every layout and writer call.
 *
 * @module
 */

import {
  type CopyGuardDesign,
  createCopyGuardDesign,
  createScrambleDesign,
  type ScrambleDesign,
} from "./backgrounds.ts";
import {
  type FontSet,
  type LoadFontOptions,
  loadFontSet,
  type PathSegment,
} from "./font.ts";
import { officialSealSegments } from "./official_seal.ts";

/** Fonts and everything derived from them that does not change per document. */
export interface RenderContext {
  readonly fonts: FontSet;
  readonly copyGuard: CopyGuardDesign;
  readonly scramble: ScrambleDesign;
  /** Official seal outline of a municipality (cached, at most `maxSeals`). */
  sealSegments(municipalityName: string, size: number): readonly PathSegment[];
  /**
   * A value derived from this context, built on first request and kept
   * (writers cache serialized font and background objects here). At most
   * `maxMemo` keys; the oldest is dropped first.
   */
  memo<T>(key: string, build: () => T): T;
}

/** Options of {@link createRenderContext}. */
export interface RenderContextOptions extends LoadFontOptions {
  /** Fonts already loaded (otherwise read from disk). */
  fonts?: FontSet;
  /** Official seals kept in the cache. Default 64. */
  maxSeals?: number;
  /** Derived values kept by {@link RenderContext.memo}. Default 256. */
  maxMemo?: number;
}

/**
 * Loads the fonts (unless given) and derives the backgrounds; ~80 ms.
 *
 * @example
 * ```ts ignore
 * const ctx = createRenderContext();
 * layoutSheet(makeSheet(), { context: ctx });
 * ```
 */
export function createRenderContext(
  options: RenderContextOptions = {},
): RenderContext {
  const fonts = options.fonts ?? loadFontSet(options);
  const maxSeals = options.maxSeals ?? 64;
  const seals = new Map<string, PathSegment[]>();
  const maxMemo = options.maxMemo ?? 256;
  const memo = new Map<string, unknown>();
  return {
    fonts,
    copyGuard: createCopyGuardDesign(fonts),
    scramble: createScrambleDesign(),
    sealSegments(name, size) {
      const key = `${size}:${name}`;
      let segs = seals.get(key);
      if (!segs) {
        segs = officialSealSegments(fonts, name, size);
        if (seals.size >= maxSeals) seals.delete(seals.keys().next().value!);
        seals.set(key, segs);
      }
      return segs;
    },
    memo<T>(key: string, build: () => T): T {
      if (memo.has(key)) return memo.get(key) as T;
      const value = build();
      if (memo.size >= maxMemo) memo.delete(memo.keys().next().value!);
      memo.set(key, value);
      return value;
    },
  };
}

/**
 * A process-wide render context built on first use: the one explicit,
 * lazily-built cache the renderer keeps. Pass your own context to avoid it.
 *
 * @example
 * ```ts
 * delete defaultContextCache.context; // drop it, e.g. in a test
 * ```
 */
export const defaultContextCache: { context?: RenderContext } = {};

/**
 * The lazily-built default context used when a caller passes none.
 *
 * @example
 * ```ts
 * defaultRenderContext() === defaultRenderContext(); // true
 * ```
 */
export function defaultRenderContext(): RenderContext {
  return defaultContextCache.context ??= createRenderContext();
}
