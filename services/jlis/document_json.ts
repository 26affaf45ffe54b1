/**
 * The released document over JSON, center → kiosk: the sheets (seal image
 * base64) and each sheet's back side with its symbols' modules packed 8 per
 * byte (base64), ~19 KB per back side instead of ~150 KB of PDF drawing.
 * The kiosk renders and prints both sides from this (lib/render).
 *
 * @module
 */
import { z } from "zod";
import type {
  BackSide,
  PlacedSymbol,
  SheetContent,
} from "../../lib/certificate/model.ts";
import {
  sheetContentSchema,
  type SheetContentWire,
} from "../../lib/certificate/types/mod.ts";

/** A sheet as JSON carries it (seal PNG as base64). */
export type SheetJson = SheetContentWire;

/** A back side as JSON carries it. */
export interface BackSideJson {
  keyId: string;
  issueNumber: string;
  symbols: (Omit<PlacedSymbol, "modules"> & { bits: string })[];
}

/**
 * Encodes a sheet for JSON.
 *
 * @example
 * ```ts
 * const json = sheetToJson(sheet);
 * ```
 */
export function sheetToJson(sheet: SheetContent): SheetJson {
  return z.encode(sheetContentSchema, sheet);
}

/**
 * Decodes a sheet from JSON; throws a `ZodError` when it is not one.
 *
 * @example
 * ```ts
 * const sheet = sheetFromJson(json);
 * ```
 */
export function sheetFromJson(json: unknown): SheetContent {
  return sheetContentSchema.parse(json);
}

/**
 * Packs a back side for JSON.
 *
 * @example
 * ```ts
 * const json = backSideToJson(back);
 * ```
 */
export function backSideToJson(back: BackSide): BackSideJson {
  return {
    keyId: back.keyId,
    issueNumber: back.issueNumber,
    symbols: back.symbols.map(({ modules, ...rest }) => {
      const n = modules.length;
      const packed = new Uint8Array(Math.ceil(n / 8));
      const whole = n >> 3;
      for (let b = 0, i = 0; b < whole; b++, i += 8) {
        packed[b] = (modules[i] << 7) | (modules[i + 1] << 6) |
          (modules[i + 2] << 5) | (modules[i + 3] << 4) |
          (modules[i + 4] << 3) | (modules[i + 5] << 2) |
          (modules[i + 6] << 1) | modules[i + 7];
      }
      for (let i = whole * 8; i < n; i++) {
        if (modules[i]) packed[i >> 3] |= 0x80 >> (i & 7);
      }
      return { ...rest, bits: packed.toBase64() };
    }),
  };
}

/**
 * Unpacks a back side from JSON; throws `RangeError` when a symbol's bits
 * do not match its size.
 *
 * @example
 * ```ts
 * const back = backSideFromJson(json);
 * ```
 */
export function backSideFromJson(json: BackSideJson): BackSide {
  return {
    keyId: json.keyId,
    issueNumber: json.issueNumber,
    symbols: json.symbols.map(({ bits, ...rest }) => {
      const packed = Uint8Array.fromBase64(bits);
      const n = rest.width * rest.height;
      if (packed.length !== Math.ceil(n / 8)) {
        throw new RangeError(
          `Symbol bits do not match ${rest.width}×${rest.height}`,
        );
      }
      const modules = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        modules[i] = (packed[i >> 3] >> (7 - (i & 7))) & 1;
      }
      return { ...rest, modules };
    }),
  };
}
