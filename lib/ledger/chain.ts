/**
 * A hash chain for append-only ledgers. Each entry's hash is
 * SHA-256 over the UTF-8 of `CHAIN_CONTEXT ‖ previous hash ‖ "\n" ‖ seq ‖
 * "\n" ‖ canonical JSON of the entry` (hex), so changing,
 * removing, reordering or inserting any entry changes every hash after it:
 * walking the chain from the genesis hash finds the first entry that does
 * not fit. (Cutting entries off the end is only caught against a head kept
 * elsewhere — the caller's `expectedHead`.)
 *
 * Canonical JSON: object keys sorted, no whitespace, only finite integers,
 * strings, booleans, null, arrays and plain objects, so the value read back
 * from a jsonb column hashes the same as the value written.
 *
 * @module
 */

/** The hash before the first entry. */
export const GENESIS_HASH = "0".repeat(64);

/** What every hashed text starts with (domain separation). */
export const CHAIN_CONTEXT = "konbini-ledger/v1\n";

/** A JSON value the chain can hash. */
export type ChainValue =
  | string
  | number
  | boolean
  | null
  | ChainValue[]
  | { [key: string]: ChainValue };

/** One chained entry as stored. */
export interface ChainEntry {
  seq: number;
  prevHash: string;
  hash: string;
  /** Everything else the hash covers. */
  body: ChainValue;
}

/**
 * Canonical JSON of a value (sorted keys). Throws `TypeError` for values
 * that would not survive a round trip (non-integers, undefined, dates).
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isSafeInteger(value)) {
        throw new TypeError(
          `Ledger numbers must be safe integers, got ${value}`,
        );
      }
      return String(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map(canonicalJson).join(",")}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError("Ledger values must be plain objects");
      }
      const rec = value as Record<string, unknown>;
      const keys = Object.keys(rec).filter((k) => rec[k] !== undefined).sort();
      return `{${
        keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(rec[k])}`).join(
          ",",
        )
      }}`;
    }
    default:
      throw new TypeError(`Ledger values cannot hold ${typeof value}`);
  }
}

/**
 * The hash of an entry after `prevHash` (hex SHA-256).
 *
 * @example
 * ```ts
 * const h = await chainHash(GENESIS_HASH, 1, { kind: "issued" });
 * ```
 */
export async function chainHash(
  prevHash: string,
  seq: number,
  body: ChainValue,
): Promise<string> {
  const text = `${CHAIN_CONTEXT}${prevHash}\n${seq}\n${canonicalJson(body)}`;
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return new Uint8Array(digest).toHex();
}

/** Result of {@linkcode verifyChain}. */
export type ChainVerification =
  | { ok: true; entries: number; headSeq: number; headHash: string }
  | {
    ok: false;
    entries: number;
    /** The first entry that does not fit. */
    seq: number;
    problem:
      | "sequence-gap"
      | "prev-hash-mismatch"
      | "hash-mismatch"
      | "head-mismatch";
    detail: string;
  };

/**
 * Walks entries in sequence order from the genesis hash and reports the
 * first that does not fit; with `expectedHead`, also that the chain ends
 * there (catches entries cut off the end).
 *
 * @example
 * ```ts ignore
 * const v = await verifyChain(readEntries(db), { expectedHead: head });
 * if (!v.ok) console.error(v.seq, v.problem);
 * ```
 */
export async function verifyChain(
  entries: AsyncIterable<ChainEntry> | Iterable<ChainEntry>,
  opts: { expectedHead?: { seq: number; hash: string } } = {},
): Promise<ChainVerification> {
  let prev = GENESIS_HASH;
  let expectSeq = 1;
  let n = 0;
  for await (const e of entries) {
    n++;
    if (e.seq !== expectSeq) {
      return {
        ok: false,
        entries: n,
        seq: e.seq,
        problem: "sequence-gap",
        detail: `expected entry ${expectSeq}, found ${e.seq}`,
      };
    }
    if (e.prevHash !== prev) {
      return {
        ok: false,
        entries: n,
        seq: e.seq,
        problem: "prev-hash-mismatch",
        detail: `entry ${e.seq} does not follow entry ${e.seq - 1}`,
      };
    }
    const h = await chainHash(prev, e.seq, e.body);
    if (h !== e.hash) {
      return {
        ok: false,
        entries: n,
        seq: e.seq,
        problem: "hash-mismatch",
        detail: `entry ${e.seq} was changed after it was written`,
      };
    }
    prev = h;
    expectSeq++;
  }
  const head = opts.expectedHead;
  if (head && (head.seq !== expectSeq - 1 || head.hash !== prev)) {
    return {
      ok: false,
      entries: n,
      seq: expectSeq,
      problem: "head-mismatch",
      detail: `chain ends at ${
        expectSeq - 1
      }, the recorded head is ${head.seq}`,
    };
  }
  return { ok: true, entries: n, headSeq: expectSeq - 1, headHash: prev };
}
