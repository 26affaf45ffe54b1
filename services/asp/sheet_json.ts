/**
 * SheetContent over JSON: identical to the model except that the seal
 * impression's `png` travels as base64.
 *
 * @module
 */
import type { SheetContent } from "../../lib/certificate/model.ts";

/** A sheet as JSON carries it. */
export type SheetJson = Omit<SheetContent, "seal"> & {
  seal?: Omit<NonNullable<SheetContent["seal"]>, "png"> & { png: string };
};

/** Bytes to base64. */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** Base64 to bytes. */
export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * Encodes a sheet for JSON.
 *
 * @example
 * ```ts ignore
 * const body = JSON.stringify(sheets.map(sheetToJson));
 * ```
 */
export function sheetToJson(sheet: SheetContent): SheetJson {
  if (!sheet.seal) return sheet as SheetJson;
  return { ...sheet, seal: { ...sheet.seal, png: toBase64(sheet.seal.png) } };
}

/**
 * Decodes a sheet received as JSON.
 *
 * @example
 * ```ts ignore
 * const sheets = body.sheets.map(sheetFromJson);
 * ```
 */
export function sheetFromJson(json: SheetJson): SheetContent {
  if (!json.seal) return json as SheetContent;
  return { ...json, seal: { ...json.seal, png: fromBase64(json.seal.png) } };
}
