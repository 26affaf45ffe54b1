/**
 * The released document over JSON, center → kiosk: the sheets (seal image
 * base64) and each sheet's back side with its symbols' modules packed 8 per
 * byte (base64), ~19 KB per back side instead of ~150 KB of PDF drawing.
 * The kiosk renders and prints both sides from this (lib/render).
 *
 * @module
 */
import type {
  BackSide,
  PlacedSymbol,
  SheetContent,
} from "../../lib/certificate/model.ts";

/** A sheet as JSON carries it (seal PNG as base64). */
export type SheetJson = Omit<SheetContent, "seal"> & {
  seal?: Omit<NonNullable<SheetContent["seal"]>, "png"> & { png: string };
};

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
 * ```ts ignore
 * const json = sheetToJson(sheet);
 * ```
 */
export function sheetToJson(sheet: SheetContent): SheetJson {
  if (!sheet.seal) return sheet as SheetJson;
  return { ...sheet, seal: { ...sheet.seal, png: sheet.seal.png.toBase64() } };
}

/**
 * Decodes a sheet from JSON.
 *
 * @example
 * ```ts ignore
 * const sheet = sheetFromJson(json);
 * ```
 */
export function sheetFromJson(json: SheetJson): SheetContent {
  if (!json.seal) return json as SheetContent;
  return {
    ...json,
    seal: { ...json.seal, png: Uint8Array.fromBase64(json.seal.png) },
  };
}

/**
 * Packs a back side for JSON.
 *
 * @example
 * ```ts ignore
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
 * ```ts ignore
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
