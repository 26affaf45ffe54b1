/**
 * Splitting an envelope into symbol payloads and putting them back together.
 * Each payload is a 16-byte header plus one erasure-coded shard:
 * ```
 * "KC" | version u8 | docId[8] | index u8 | k u8 | n u8 | envelopeLength u16 | shard
 * ```
 * `docId` is the first 8 bytes of SHA-256(envelope): symbols of one back
 * side share it, symbols of two different sheets never do, and the rebuilt
 * envelope must hash back to it. Any `k` of the `n` payloads rebuild the
 * envelope (see {@linkcode encodeErasure}).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { decodeErasure, encodeErasure } from "./erasure.ts";

/** Current chunk format version. */
export const CHUNK_VERSION = 1;
/** Bytes of chunk header before the shard. */
export const CHUNK_HEADER_BYTES = 16;
const MAGIC = [0x4b, 0x43]; // "KC"
const DOC_ID_BYTES = 8;

/** One parsed symbol payload. */
export interface Chunk {
  version: number;
  /** Hex of the 8-byte document id. */
  docId: string;
  index: number;
  k: number;
  n: number;
  envelopeLength: number;
  shard: Uint8Array;
}

/** Result of {@linkcode reassembleChunks}. */
export type Reassembly =
  | { ok: true; envelope: Uint8Array; docId: string; present: number[] }
  | {
    ok: false;
    problem: "mixed" | "insufficient" | "inconsistent";
    detail: string;
    have?: number;
    need?: number;
  };

/** The document id: SHA-256 of the envelope, truncated (synchronous: cheaper than a WebCrypto round trip). */
function docIdOf(envelope: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(envelope).digest())
    .subarray(0, DOC_ID_BYTES);
}

/**
 * Splits an envelope into `n` payloads, each carrying at most `maxPayload`
 * bytes (header included); `k` data shards are as few as fit, the rest parity.
 * Throws `RangeError` when the envelope needs more than `n` shards.
 *
 * @example
 * ```ts ignore
 * const payloads = splitIntoChunks(envelope, { n: 12, maxPayload: 300 });
 * ```
 */
export function splitIntoChunks(
  envelope: Uint8Array,
  options: { n: number; maxPayload: number },
): Uint8Array[] {
  const { n, maxPayload } = options;
  const capacity = maxPayload - CHUNK_HEADER_BYTES;
  if (capacity < 1) throw new RangeError("maxPayload too small for a chunk");
  if (envelope.length > 0xffff) throw new RangeError("Envelope too long");
  const k = Math.max(1, Math.ceil(envelope.length / capacity));
  if (k > n) {
    throw new RangeError(
      `Envelope of ${envelope.length} bytes needs ${k} symbols, layout has ${n}`,
    );
  }
  const shardSize = Math.ceil(envelope.length / k);
  const data = Array.from({ length: k }, (_, i) => {
    const shard = new Uint8Array(shardSize);
    shard.set(envelope.subarray(i * shardSize, (i + 1) * shardSize));
    return shard;
  });
  const shards = [...data, ...encodeErasure(data, n)];
  const docId = docIdOf(envelope);
  return shards.map((shard, index) => {
    const out = new Uint8Array(CHUNK_HEADER_BYTES + shardSize);
    out.set(MAGIC, 0);
    out[2] = CHUNK_VERSION;
    out.set(docId, 3);
    out[11] = index;
    out[12] = k;
    out[13] = n;
    out[14] = envelope.length >> 8;
    out[15] = envelope.length & 0xff;
    out.set(shard, CHUNK_HEADER_BYTES);
    return out;
  });
}

/**
 * Parses one symbol payload. Returns `null` for bytes that are not a chunk
 * at all (some other 2D code) and for chunks with an impossible header.
 *
 * @example
 * ```ts ignore
 * const chunk = parseChunk(result.bytes);
 * if (chunk) console.log(chunk.index, "of", chunk.n);
 * ```
 */
export function parseChunk(bytes: Uint8Array): Chunk | null {
  if (bytes.length <= CHUNK_HEADER_BYTES) return null;
  if (bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1]) return null;
  if (bytes[2] !== CHUNK_VERSION) return null;
  const [index, k, n] = [bytes[11], bytes[12], bytes[13]];
  const envelopeLength = (bytes[14] << 8) | bytes[15];
  const shard = bytes.slice(CHUNK_HEADER_BYTES);
  if (
    k < 1 || n < k || n > 128 || index >= n ||
    shard.length !== Math.ceil(envelopeLength / k)
  ) {
    return null;
  }
  return {
    version: bytes[2],
    docId: bytes.subarray(3, 3 + DOC_ID_BYTES).toHex(),
    index,
    k,
    n,
    envelopeLength,
    shard,
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Rebuilds the envelope from the chunks read off one scan. Refuses chunks of
 * more than one document ("mixed"), chunks whose headers or contents disagree
 * ("inconsistent": a symbol was altered), and too few chunks ("insufficient").
 * Every chunk read is checked, parity ones included, so an altered symbol is
 * reported even when the others would have sufficed.
 *
 * @example
 * ```ts ignore
 * const r = reassembleChunks(chunks);
 * if (r.ok) parseEnvelope(r.envelope);
 * ```
 */
export function reassembleChunks(chunks: Chunk[]): Reassembly {
  const docIds = [...new Set(chunks.map((c) => c.docId))];
  if (docIds.length === 0) {
    return {
      ok: false,
      problem: "insufficient",
      detail: "no chunks",
      have: 0,
      need: 1,
    };
  }
  if (docIds.length > 1) {
    return {
      ok: false,
      problem: "mixed",
      detail: `symbols of ${docIds.length} different sheets: ${
        docIds.join(", ")
      }`,
    };
  }
  const { k, n, envelopeLength } = chunks[0];
  const byIndex = new Map<number, Uint8Array>();
  for (const c of chunks) {
    if (c.k !== k || c.n !== n || c.envelopeLength !== envelopeLength) {
      return {
        ok: false,
        problem: "inconsistent",
        detail: `symbol ${c.index} has a header unlike the others`,
      };
    }
    const seen = byIndex.get(c.index);
    if (seen && !sameBytes(seen, c.shard)) {
      return {
        ok: false,
        problem: "inconsistent",
        detail: `two different symbols claim index ${c.index}`,
      };
    }
    byIndex.set(c.index, c.shard);
  }
  if (byIndex.size < k) {
    return {
      ok: false,
      problem: "insufficient",
      detail: `read ${byIndex.size} of the ${k} symbols needed`,
      have: byIndex.size,
      need: k,
    };
  }
  const data = decodeErasure(byIndex, k, n);
  const all = [...data, ...encodeErasure(data, n)];
  for (const [index, shard] of byIndex) {
    if (!sameBytes(all[index], shard)) {
      return {
        ok: false,
        problem: "inconsistent",
        detail: `symbol ${index} disagrees with the other symbols`,
      };
    }
  }
  const envelope = new Uint8Array(envelopeLength);
  let o = 0;
  for (const shard of data) {
    const take = Math.min(shard.length, envelopeLength - o);
    envelope.set(shard.subarray(0, take), o);
    if (shard.subarray(take).some((b) => b !== 0)) {
      return {
        ok: false,
        problem: "inconsistent",
        detail: "padding of the last data symbol is not zero",
      };
    }
    o += take;
  }
  if (docIdOf(envelope).toHex() !== docIds[0]) {
    return {
      ok: false,
      problem: "inconsistent",
      detail: "symbols do not rebuild the data they were made from",
    };
  }
  return {
    ok: true,
    envelope,
    docId: docIds[0],
    present: [...byIndex.keys()].sort((a, b) => a - b),
  };
}
