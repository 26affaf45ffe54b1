/**
 * SheetContent over JSON: identical to the model except that the seal
 * impression's `png` travels as base64 (and a 印鑑 sheet carries all-false
 * `options`); the codec is the catalogue's `sheetContentSchema`.
 *
 * @module
 */
import { z } from "zod";
import type { SheetContent } from "../../lib/certificate/model.ts";
import {
  sheetContentSchema,
  type SheetContentWire,
} from "../../lib/certificate/types/mod.ts";

/** A sheet as JSON carries it. */
export type SheetJson = SheetContentWire;

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
 * ```ts
 * const body = JSON.stringify(sheets.map(sheetToJson));
 * ```
 */
export function sheetToJson(sheet: SheetContent): SheetJson {
  return z.encode(sheetContentSchema, sheet);
}

/**
 * Decodes a sheet received as JSON; throws a `ZodError` when it is not one.
 *
 * @example
 * ```ts
 * const sheets = body.sheets.map(sheetFromJson);
 * ```
 */
export function sheetFromJson(json: unknown): SheetContent {
  return sheetContentSchema.parse(json);
}
