/**
 * A sheet and its back side as JSON carries them, in every message that
 * holds one: the ASP's build answer to the center (lib/contracts/center_asp)
 * and the released document the center gives the kiosk
 * (lib/contracts/kiosk_center). Identical to the model (lib/certificate)
 * except that bytes travel as base64: the seal impression's `png`, and a
 * back side's symbols with their modules packed 8 per byte (~19 KB per back
 * side instead of ~150 KB of PDF drawing).
 *
 * The decoders parse with the schema first: a sheet that does not match is
 * refused with a {@linkcode ContractError} naming the field.
 *
 * @module
 */
import { z } from "zod";
import type { BackSide, SheetContent } from "../certificate/model.ts";
import {
  sheetContentSchema,
  type SheetContentWire,
  sheetWireSchema as catalogueWireSchema,
} from "../certificate/types/mod.ts";
import { ContractError, parseMessage } from "./wire.ts";

/**
 * Everything printed on one sheet, as JSON carries it: the wire side of the
 * certificate catalogue's {@linkcode sheetContentSchema} (discriminated on
 * `type`, one member per certificate type, the seal impression's PNG as
 * base64). The one definition of a sheet on the wire: the ASP answers with
 * it, the center parses with it and gives it on to the kiosk.
 *
 * @example
 * ```ts ignore
 * const wire = sheetWireSchema.parse(JSON.parse(text));
 * ```
 */
export const sheetWireSchema = catalogueWireSchema.meta({
  description: "SheetContent (lib/certificate); seal.png is base64",
});

/** A sheet as JSON carries it. */
export type SheetJson = SheetContentWire;

/** One placed symbol of a back side, its modules packed 8 per byte. */
const placedSymbolSchema = z.object({
  x: z.number(),
  y: z.number(),
  moduleSize: z.number().positive(),
  width: z.number().int().min(1).max(1000),
  height: z.number().int().min(1).max(1000),
  bits: z.string().meta({
    description:
      "Modules row-major, 1 = dark, packed 8 per byte MSB first, base64",
  }),
});

/**
 * A back side as JSON carries it (lib/certificate/model.ts `BackSide`, each
 * symbol's modules packed 8 per byte, base64).
 */
export const backSideSchema = z.object({
  keyId: z.string().min(1),
  issueNumber: z.string().min(1),
  symbols: z.array(placedSymbolSchema),
}).meta({ description: "BackSide; each symbol's modules packed, base64" });

/** A back side as JSON carries it. */
export type BackSideJson = z.infer<typeof backSideSchema>;

/**
 * Encodes a sheet for JSON.
 *
 * @example
 * ```ts ignore
 * const body = JSON.stringify(sheets.map(sheetToJson));
 * ```
 */
export function sheetToJson(sheet: SheetContent): SheetJson {
  return z.encode(sheetContentSchema, sheet);
}

/**
 * Decodes a sheet received as JSON, after checking it against
 * {@linkcode sheetWireSchema}; throws {@linkcode ContractError} when it
 * does not match.
 *
 * @example
 * ```ts ignore
 * const sheets = body.sheets.map((s: unknown) => sheetFromJson(s));
 * ```
 */
export function sheetFromJson(json: unknown): SheetContent {
  return decodeSheet(parseMessage(sheetWireSchema, json, "A sheet"));
}

/**
 * Decodes a sheet already checked against {@linkcode sheetWireSchema}
 * (e.g. as part of a whole message); throws {@linkcode ContractError} when
 * the seal image is not base64.
 *
 * @example
 * ```ts ignore
 * const sheets = doc.sheets.map(decodeSheet);
 * ```
 */
export function decodeSheet(wire: SheetJson): SheetContent {
  const r = sheetContentSchema.safeParse(wire);
  if (r.success) return r.data;
  throw new ContractError(
    "A sheet",
    r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
  );
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
 * Unpacks a back side received as JSON, after checking it against
 * {@linkcode backSideSchema}; throws {@linkcode ContractError} when it does
 * not match or a symbol's bits do not match its size.
 *
 * @example
 * ```ts ignore
 * const back = backSideFromJson(json);
 * ```
 */
export function backSideFromJson(json: unknown): BackSide {
  return decodeBackSide(parseMessage(backSideSchema, json, "A back side"));
}

/**
 * Unpacks a back side already checked against {@linkcode backSideSchema};
 * throws {@linkcode ContractError} when a symbol's bits do not match its
 * size.
 *
 * @example
 * ```ts ignore
 * const backs = doc.backs.map(decodeBackSide);
 * ```
 */
export function decodeBackSide(wire: BackSideJson): BackSide {
  return {
    keyId: wire.keyId,
    issueNumber: wire.issueNumber,
    symbols: wire.symbols.map(({ bits, ...rest }, k) => {
      const n = rest.width * rest.height;
      let packed: Uint8Array;
      try {
        packed = Uint8Array.fromBase64(bits);
      } catch {
        throw new ContractError("A back side", [
          `symbols.${k}.bits: not base64`,
        ]);
      }
      if (packed.length !== Math.ceil(n / 8)) {
        throw new ContractError("A back side", [
          `symbols.${k}.bits: do not match ${rest.width}×${rest.height}`,
        ]);
      }
      const modules = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        modules[i] = (packed[i >> 3] >> (7 - (i & 7))) & 1;
      }
      return { ...rest, modules };
    }),
  };
}
