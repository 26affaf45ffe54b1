/**
 * Canonical bytes of a {@linkcode SheetContent}: deterministic CBOR with
 * small integer keys fixed by the schema below (like CWT/COSE), so the same
 * sheet always yields the same bytes and every byte is covered by the hash
 * the center signs. Binary fields (the seal PNG) are raw byte strings.
 *
 * Keys are part of the format: never renumber them; add new optional fields
 * under new numbers and bump {@linkcode CANONICAL_FORMAT_VERSION} only for
 * incompatible changes. Keys 1–9 are common to every certificate type; a
 * type's code (key 2), its option bits (key 6) and its own fields (key 10
 * on) come from its entry in the certificate catalogue
 * (lib/certificate/types/).
 *
 * @module
 */

import { isTemplateVersion, type SheetContent } from "../certificate/model.ts";
import {
  CERTIFICATE_CATALOGUE,
  certificateTypeOfCode,
} from "../certificate/types/mod.ts";
import { createHash } from "node:crypto";
import { SUBJECT_SCHEMA } from "./canonical_subject.ts";
import {
  CborError,
  type CborMap,
  type CborValue,
  decodeCbor,
  encodeCbor,
} from "./cbor.ts";

/** Version of this canonical encoding (stored in the envelope header). */
export const CANONICAL_FORMAT_VERSION = 1;

/** Largest seal PNG accepted on a back side; see {@linkcode compactSealPng}. */
export const MAX_SEAL_PNG_BYTES = 2048;

/**
 * How one field is stored: a text, a uint, a boolean (`"bool"`: the uint
 * 0 or 1), raw bytes, a nested map, a list
 * of nested maps (`{ list, max }`: an array of at least one and at most
 * `max` maps of one schema), a closed set of names coded as uints
 * (`{ codes }`) or a flag (`"flag"`: `true` stored as uint 1; absent when
 * false, so a flag is always optional).
 */
export type CanonicalKind =
  | "text"
  | "uint"
  | "bool"
  | "bytes"
  | "flag"
  | CanonicalSchema
  | CanonicalList
  | CanonicalCodes;
/** A list of nested maps of one schema, 1 to `max` of them. */
export interface CanonicalList {
  readonly list: CanonicalSchema;
  readonly max: number;
}
/** A closed set of names, each stored as its uint code. */
export interface CanonicalCodes {
  readonly codes: Readonly<Record<string, number>>;
}
/** One field of a canonical map: its fixed integer key and how it is stored. */
export interface CanonicalField {
  key: number;
  name: string;
  kind: CanonicalKind;
  optional?: boolean;
  /**
   * A `bytes` field holding the SHA-256 of another field of the same map,
   * which the back side does not carry (too large: the seal's print
   * version): when that field is present, the digest is computed from it
   * and it is left out; a decoded sheet has the digest only.
   */
  digestOf?: string;
}
/** The fields of one canonical map. */
export type CanonicalSchema = readonly CanonicalField[];
type Schema = CanonicalSchema;

/** A `bool` field's values by their uint. */
const BOOLEANS: Readonly<Record<number, boolean>> = { 0: false, 1: true };

/** What the form profile made the sheet print (SheetForm; key 101). */
const FORM: Schema = [
  { key: 1, name: "juminhyoTitle", kind: "text", optional: true },
  { key: 2, name: "inkanPrintsSex", kind: "bool", optional: true },
];

const MUNICIPALITY: Schema = [
  { key: 1, name: "code", kind: "text" },
  { key: 2, name: "name", kind: "text" },
  { key: 3, name: "mayor", kind: "text" },
];

/**
 * Keys 1–9, common to every type (and key 100: the outlines of the 外字 the
 * sheet prints, optional; key 101: what the form profile made it print,
 * optional, template version 3 on). Key 6 holds the type's options as bits
 * (0 for a type without options); a type's own fields follow under its
 * catalogue entry's `backSide.fields` (e.g. the 印鑑's seal at key 10).
 */
const COMMON: Schema = [
  { key: 1, name: "templateVersion", kind: "uint" },
  { key: 2, name: "type", kind: "uint" },
  { key: 3, name: "issueNumber", kind: "text" },
  { key: 4, name: "issuedAt", kind: "text" },
  { key: 5, name: "municipality", kind: MUNICIPALITY },
  { key: 6, name: "options", kind: "uint" },
  { key: 7, name: "page", kind: "uint" },
  { key: 8, name: "pages", kind: "uint" },
  { key: 9, name: "subject", kind: SUBJECT_SCHEMA },
  // Common, optional, after every type's own keys (10 on): the 外字 outlines.
  { key: 100, name: "gaiji", kind: "text", optional: true },
  // Common, optional: what the form profile made the sheet print.
  { key: 101, name: "form", kind: FORM, optional: true },
];

function toMap(obj: Record<string, unknown>, schema: Schema, path: string) {
  const map: CborMap = new Map();
  const known = new Set(schema.flatMap((f) => [f.name, f.digestOf ?? []]));
  for (const name of Object.keys(obj)) {
    if (!known.has(name) && obj[name] !== undefined) {
      throw new TypeError(`Cannot encode ${path}.${name}: unknown field`);
    }
  }
  for (const f of schema) {
    const source = f.digestOf ? obj[f.digestOf] : undefined;
    if (f.digestOf && source !== undefined && !(source instanceof Uint8Array)) {
      throw new TypeError(`Cannot encode ${path}.${f.digestOf}: not bytes`);
    }
    const v = source instanceof Uint8Array
      ? new Uint8Array(createHash("sha256").update(source).digest())
      : obj[f.name];
    if (v === undefined) {
      if (f.optional) continue;
      throw new TypeError(`Cannot encode ${path}.${f.name}: missing`);
    }
    if (f.kind === "flag" && v === false) continue;
    map.set(f.key, encodeValue(v, f.kind, `${path}.${f.name}`));
  }
  return map;
}

/** One field's value in its canonical form (see {@linkcode CanonicalKind}). */
function encodeValue(v: unknown, kind: CanonicalKind, at: string): CborValue {
  const refuse = (why: string) => new TypeError(`Cannot encode ${at}: ${why}`);
  if (kind === "text") {
    if (typeof v !== "string") throw refuse("not a string");
    return v;
  }
  if (kind === "uint") {
    if (!Number.isSafeInteger(v) || (v as number) < 0) {
      throw refuse("not a uint");
    }
    return v as number;
  }
  if (kind === "bytes") {
    if (!(v instanceof Uint8Array)) throw refuse("not bytes");
    return v;
  }
  if (kind === "flag") {
    if (v !== true) throw refuse("not a flag");
    return 1;
  }
  if (kind === "bool") {
    if (typeof v !== "boolean") throw refuse("not a boolean");
    return v ? 1 : 0;
  }
  if ("codes" in kind) {
    const code = Object.hasOwn(kind.codes, v as string)
      ? kind.codes[v as string]
      : undefined;
    if (code === undefined) throw refuse(`unknown code ${String(v)}`);
    return code;
  }
  if ("list" in kind) {
    if (!Array.isArray(v) || v.length < 1 || v.length > kind.max) {
      throw refuse(`not a list of 1 to ${kind.max}`);
    }
    return v.map((item, i) => toMap(item, kind.list, `${at}.${i}`));
  }
  if (typeof v !== "object" || v === null) throw refuse("not a map");
  return toMap(v as Record<string, unknown>, kind, at);
}

function fromMap(map: unknown, schema: Schema, path: string) {
  if (!(map instanceof Map)) throw new CborError(`${path} is not a map`);
  const obj: Record<string, unknown> = {};
  const byKey = new Map(schema.map((f) => [f.key, f]));
  for (const key of map.keys()) {
    if (!byKey.has(key)) throw new CborError(`${path} has unknown key ${key}`);
  }
  for (const f of schema) {
    const v = map.get(f.key);
    if (v === undefined) {
      if (f.optional) continue;
      throw new CborError(`${path}.${f.name} is missing`);
    }
    obj[f.name] = decodeValue(v, f.kind, `${path}.${f.name}`);
  }
  return obj;
}

/** One field's value from its canonical form; CborError when it is not one. */
function decodeValue(v: CborValue, kind: CanonicalKind, at: string): unknown {
  const wrong = () => new CborError(`${at} has the wrong type`);
  if (kind === "text") {
    if (typeof v !== "string") throw wrong();
    return v;
  }
  if (kind === "uint") {
    if (typeof v !== "number") throw wrong();
    return v;
  }
  if (
    kind === "flag" || kind === "bool" ||
    (typeof kind === "object" && "codes" in kind)
  ) {
    if (typeof v !== "number") throw wrong();
    const name = kind === "flag"
      ? (v === 1 ? true : undefined)
      : kind === "bool"
      ? BOOLEANS[v]
      : Object.keys(kind.codes).find((n) => kind.codes[n] === v);
    if (name === undefined) {
      throw new CborError(`${at} has an out-of-range code`);
    }
    return name;
  }
  if (kind === "bytes") {
    if (!(v instanceof Uint8Array)) throw wrong();
    return v;
  }
  if ("list" in kind) {
    if (!Array.isArray(v)) throw wrong();
    if (v.length < 1 || v.length > kind.max) {
      throw new CborError(`${at} has ${v.length} items, not 1 to ${kind.max}`);
    }
    return v.map((item, i) => fromMap(item, kind.list, `${at}.${i}`));
  }
  return fromMap(v, kind, at);
}

/**
 * Encodes a sheet to its canonical bytes. Throws `TypeError` on a field the
 * schema does not know (so nothing printed can be silently left out) and
 * `RangeError` on a seal PNG over {@linkcode MAX_SEAL_PNG_BYTES}.
 *
 * @example
 * ```ts ignore
 * const bytes = encodeSheetContent(sheet);
 * assert.deepEqual(decodeSheetContent(bytes), sheet);
 * ```
 */
export function encodeSheetContent(sheet: SheetContent): Uint8Array {
  if (sheet.type === "inkan" && sheet.seal?.png.length > MAX_SEAL_PNG_BYTES) {
    throw new RangeError(
      `Seal PNG is ${sheet.seal.png.length} bytes, over ${MAX_SEAL_PNG_BYTES}; ` +
        "reduce it with compactSealPng() before rendering both sides",
    );
  }
  const coding = CERTIFICATE_CATALOGUE[sheet.type]?.backSide;
  if (!coding) throw new TypeError(`Cannot encode type ${sheet.type}`);
  let options = 0;
  const given = "options" in sheet ? sheet.options : {};
  for (const [name, on] of Object.entries(given)) {
    const bit = coding.optionBits[name];
    if (bit === undefined) {
      throw new TypeError("Cannot encode options: unknown option");
    }
    if (on) options |= bit;
  }
  const record = {
    ...sheet,
    type: coding.code,
    options,
  } as unknown as Record<string, unknown>;
  return encodeCbor(toMap(record, [...COMMON, ...coding.fields], "sheet"));
}

/**
 * Decodes canonical bytes back to a sheet. Throws {@linkcode CborError} when
 * the bytes are not exactly what {@linkcode encodeSheetContent} produces.
 *
 * @example
 * ```ts ignore
 * const sheet = decodeSheetContent(bytes);
 * ```
 */
export function decodeSheetContent(bytes: Uint8Array): SheetContent {
  const map = decodeCbor(bytes);
  if (!(map instanceof Map)) throw new CborError("sheet is not a map");
  const code = map.get(2);
  const type = typeof code === "number"
    ? certificateTypeOfCode(code)
    : undefined;
  if (!type) {
    fromMap(map, COMMON, "sheet"); // names a missing or mistyped field
    throw new CborError("sheet has an out-of-range code");
  }
  const coding = CERTIFICATE_CATALOGUE[type].backSide;
  const record = fromMap(map, [...COMMON, ...coding.fields], "sheet");
  const bits = record.options as number;
  const names = Object.keys(coding.optionBits);
  const mask = names.reduce((m, n) => m | coding.optionBits[n], 0);
  if ((bits & ~mask) !== 0 || !isTemplateVersion(record.templateVersion)) {
    throw new CborError("sheet has an out-of-range code");
  }
  const { options: _bits, ...rest } = record;
  return {
    ...rest,
    type,
    ...(names.length
      ? {
        options: Object.fromEntries(
          names.map((n) => [n, (bits & coding.optionBits[n]) !== 0]),
        ),
      }
      : {}),
  } as SheetContent;
}
