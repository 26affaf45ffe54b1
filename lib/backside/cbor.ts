/**
 * A deliberately small, deterministic CBOR (RFC 8949) subset: unsigned
 * integers, byte strings, text strings, arrays and maps with unsigned-integer
 * keys.
 * Encoding follows the core deterministic rules (shortest lengths, map keys
 * ascending); decoding rejects anything else, including non-shortest forms,
 * unsorted or duplicate keys and invalid UTF-8, so one value has exactly one
 * encoding.
 *
 * @module
 */

/** A value of the subset. Maps are keyed by small unsigned integers. */
export type CborValue = number | string | Uint8Array | CborArray | CborMap;
/** An array (definite length). */
export type CborArray = CborValue[];
/** A map with unsigned-integer keys. */
export type CborMap = Map<number, CborValue>;

/** Thrown when bytes are not canonical CBOR of the supported subset. */
export class CborError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CborError";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Encodes a value deterministically.
 *
 * @example
 * ```ts ignore
 * const bytes = encodeCbor(new Map([[1, "a"], [2, 7]])); // a2 01 61 61 02 07
 * ```
 */
export function encodeCbor(value: CborValue): Uint8Array {
  const parts: Uint8Array[] = [];
  write(value, parts);
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function head(major: number, n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) {
    throw new RangeError(`CBOR: unsupported length or integer ${n}`);
  }
  const m = major << 5;
  if (n < 24) return Uint8Array.of(m | n);
  if (n < 0x100) return Uint8Array.of(m | 24, n);
  if (n < 0x10000) return Uint8Array.of(m | 25, n >> 8, n & 0xff);
  return Uint8Array.of(
    m | 26,
    n >>> 24,
    (n >>> 16) & 0xff,
    (n >>> 8) & 0xff,
    n & 0xff,
  );
}

function write(value: CborValue, parts: Uint8Array[]): void {
  if (typeof value === "number") {
    parts.push(head(0, value));
  } else if (typeof value === "string") {
    if (!value.isWellFormed()) {
      throw new TypeError("CBOR: text contains a lone surrogate");
    }
    const bytes = encoder.encode(value);
    parts.push(head(3, bytes.length), bytes);
  } else if (value instanceof Uint8Array) {
    parts.push(head(2, value.length), value);
  } else if (Array.isArray(value)) {
    parts.push(head(4, value.length));
    for (const v of value) write(v, parts);
  } else {
    const keys = [...value.keys()].sort((a, b) => a - b);
    parts.push(head(5, keys.length));
    for (const k of keys) {
      parts.push(head(0, k));
      write(value.get(k)!, parts);
    }
  }
}

/**
 * Decodes one canonical value occupying all of `bytes`.
 * Throws {@linkcode CborError} on anything outside the subset.
 *
 * @example
 * ```ts
 * const map = decodeCbor(Uint8Array.of(0xa1, 0x01, 0x02)) as Map<number, number>;
 * ```
 */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const state = { offset: 0 };
  const value = read(bytes, state, 0);
  if (state.offset !== bytes.length) {
    throw new CborError(
      `CBOR: ${bytes.length - state.offset} trailing bytes`,
    );
  }
  return value;
}

function readHead(
  bytes: Uint8Array,
  state: { offset: number },
): [number, number] {
  if (state.offset >= bytes.length) throw new CborError("CBOR: truncated");
  const initial = bytes[state.offset++];
  const major = initial >> 5;
  const info = initial & 31;
  if (info < 24) return [major, info];
  const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : 0;
  if (size === 0) throw new CborError(`CBOR: unsupported additional ${info}`);
  if (state.offset + size > bytes.length) {
    throw new CborError("CBOR: truncated");
  }
  let n = 0;
  for (let i = 0; i < size; i++) n = n * 256 + bytes[state.offset++];
  const min = size === 1 ? 24 : size === 2 ? 0x100 : 0x10000;
  if (n < min) throw new CborError("CBOR: non-shortest integer encoding");
  return [major, n];
}

function read(
  bytes: Uint8Array,
  state: { offset: number },
  depth: number,
): CborValue {
  if (depth > 8) throw new CborError("CBOR: nesting too deep");
  const [major, n] = readHead(bytes, state);
  switch (major) {
    case 0:
      return n;
    case 2:
    case 3: {
      if (state.offset + n > bytes.length) {
        throw new CborError("CBOR: truncated string");
      }
      const slice = bytes.slice(state.offset, state.offset + n);
      state.offset += n;
      if (major === 2) return slice;
      try {
        return decoder.decode(slice);
      } catch {
        throw new CborError("CBOR: invalid UTF-8 in text");
      }
    }
    case 4: {
      // Every item takes at least one byte: a longer claim is truncated.
      if (n > bytes.length - state.offset) {
        throw new CborError("CBOR: truncated array");
      }
      const items: CborArray = [];
      for (let i = 0; i < n; i++) items.push(read(bytes, state, depth + 1));
      return items;
    }
    case 5: {
      const map: CborMap = new Map();
      let previous = -1;
      for (let i = 0; i < n; i++) {
        const [km, key] = readHead(bytes, state);
        if (km !== 0) throw new CborError("CBOR: map key is not an integer");
        if (key <= previous) {
          throw new CborError("CBOR: map keys unsorted or duplicated");
        }
        previous = key;
        map.set(key, read(bytes, state, depth + 1));
      }
      return map;
    }
    default:
      throw new CborError(`CBOR: unsupported major type ${major}`);
  }
}
