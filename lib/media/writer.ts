/**
 * Writes an encrypted initial-load media file, streaming: records are
 * buffered one chunk at a time, so a municipality of any size needs only a
 * few chunks' worth of memory. Records come one at a time
 * ({@linkcode MediaWriter.write}) or as NDJSON byte streams split anywhere
 * ({@linkcode MediaWriter.lines}, e.g. straight from `COPY … TO STDOUT`);
 * several streams may be open at once, each cut into its own chunks at line
 * ends. A chunk is compressed (zlib raw DEFLATE, level 1), encrypted and
 * hashed while the next one is being filled. The file is written as
 * `<path>.partial` and renamed into place once the signed manifest is on
 * disk.
 *
 * @module
 */
import { deflateRaw } from "node:zlib";
import type { Signer } from "../crypto/signer.ts";
import { keyIdFromPublicKey } from "../crypto/key_list.ts";
import {
  chunkAad,
  deriveKek,
  emptyCounts,
  isMediaKind,
  kekInfo,
  type ManifestChunk,
  MEDIA_END_MAGIC,
  MEDIA_FORMAT_VERSION,
  MEDIA_KINDS,
  MEDIA_MAGIC,
  type MediaCounts,
  MediaError,
  type MediaHeader,
  type MediaKind,
  type MediaManifest,
  sha256,
} from "./format.ts";

/** Options of {@linkcode createMediaWriter}. */
export interface MediaWriterOptions {
  /** Municipality code (6 digits). */
  municipalityCode: string;
  /** The registry's outbox head the snapshot was read at. */
  snapshotSeq: number;
  /** Records per kind the writer will be given; checked at `finish`. */
  counts: MediaCounts;
  /** The registry's signer (ECDSA P-256); signs the manifest. */
  signer: Signer;
  /** The ASP's ECDH P-256 public key: the only key able to open the file. */
  recipientPublicKey: CryptoKey;
  /** Creation time written in the header (default: now). */
  createdAt?: Date;
  /** Records per chunk at most (default 4096). */
  chunkRecords?: number;
  /** Uncompressed bytes per chunk at most (default 4 MiB). */
  chunkBytes?: number;
  /** Deflate level 0–9 (default 1: speed matters more than a few percent of size). */
  compressionLevel?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /** Called after each chunk is written. */
  onProgress?: (p: { records: number; bytes: number; chunks: number }) => void;
  /**
   * Check at `finish` that the records written match `counts` (default
   * true). Turn off only to produce a defective file in tests.
   */
  checkCounts?: boolean;
}

/** What a finished writer reports. */
export interface MediaSummary {
  path: string;
  bytes: number;
  chunks: number;
  counts: MediaCounts;
  totalRecords: number;
  snapshotSeq: number;
  municipalityCode: string;
  /** SHA-256 of the signed manifest bytes (identifies the file in audit records). */
  manifestSha256: string;
}

/**
 * A stream of NDJSON bytes of one kind, as opened by
 * {@linkcode MediaWriter.lines}. Bytes may split a record anywhere; each
 * complete line must be one JSON object (`{` … `}`), with no empty line.
 */
export interface MediaLineStream {
  /**
   * Adds bytes (copied: the caller may reuse the buffer). Returns a promise
   * when the writer wants the caller to wait (chunks in flight), else
   * nothing.
   */
  write(bytes: Uint8Array): Promise<void> | void;
  /** Flushes the last chunk; throws when the bytes end inside a record. */
  end(): Promise<void>;
}

/** A media file being written. */
export interface MediaWriter {
  /** Adds one record (resolves once it is buffered or its chunk is under way). */
  write(kind: MediaKind, data: Record<string, unknown>): Promise<void>;
  /**
   * Adds one record already serialized as a single-line JSON object (e.g.
   * built by PostgreSQL's `json_build_object`). The caller guarantees the
   * text is one JSON object with no raw line break.
   */
  writeJson(kind: MediaKind, json: string): Promise<void>;
  /**
   * Opens a stream of NDJSON bytes of one kind (see
   * {@linkcode MediaLineStream}); end it before {@linkcode MediaWriter.finish}.
   */
  lines(kind: MediaKind): MediaLineStream;
  /** Flushes, signs, writes the manifest and trailer, and moves the file into place. */
  finish(): Promise<MediaSummary>;
  /** Stops and removes the partial file. */
  abort(): Promise<void>;
}

const encoder = new TextEncoder();
const NL = 0x0a;
const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

function deflateRawAsync(data: Uint8Array, level: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) =>
    deflateRaw(
      data,
      { level },
      (err, out) =>
        err
          ? reject(err)
          : resolve(new Uint8Array(out.buffer, out.byteOffset, out.length)),
    )
  );
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
}

/**
 * Opens a media file for writing. The content key is fresh for every file
 * and leaves this function only wrapped for `recipientPublicKey`.
 *
 * @example
 * ```ts ignore
 * const w = await createMediaWriter("401005.media", {
 *   municipalityCode: "401005", snapshotSeq: 1234,
 *   counts: { household: 1, resident: 1, seal: 0, block: 0, card: 0 },
 *   signer, recipientPublicKey,
 * });
 * await w.write("household", household);
 * await w.write("resident", resident);
 * const summary = await w.finish();
 * ```
 */
export async function createMediaWriter(
  path: string,
  opts: MediaWriterOptions,
): Promise<MediaWriter> {
  if (!/^\d{6}$/.test(opts.municipalityCode)) {
    throw new RangeError(`Invalid municipality code: ${opts.municipalityCode}`);
  }
  if (!Number.isSafeInteger(opts.snapshotSeq) || opts.snapshotSeq < 0) {
    throw new RangeError(`Invalid snapshot sequence: ${opts.snapshotSeq}`);
  }
  for (const k of MEDIA_KINDS) {
    const n = opts.counts?.[k];
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new RangeError(`Invalid count of ${k}: ${n}`);
    }
  }
  const recAlg = opts.recipientPublicKey.algorithm as EcKeyAlgorithm;
  if (
    opts.recipientPublicKey.type !== "public" || recAlg.name !== "ECDH" ||
    recAlg.namedCurve !== "P-256"
  ) {
    throw new TypeError("recipientPublicKey must be an ECDH P-256 public key");
  }
  const chunkRecords = opts.chunkRecords ?? 4096;
  const chunkBytes = opts.chunkBytes ?? 4 * 1024 * 1024;
  const level = opts.compressionLevel ?? 1;

  // Content key, wrapped for the recipient with an ephemeral ECDH key.
  const contentKey = await crypto.subtle.generateKey(
    { name: "AES-GCM", length: 256 },
    true,
    ["encrypt"],
  );
  const eph = await crypto.subtle.generateKey(
    { name: "ECDH", namedCurve: "P-256" },
    true,
    ["deriveBits"],
  );
  const ephRaw = new Uint8Array(
    await crypto.subtle.exportKey("raw", eph.publicKey),
  ).toBase64();
  const recipientKeyId = await keyIdFromPublicKey(opts.recipientPublicKey);
  const salt = crypto.getRandomValues(new Uint8Array(32));
  const kek = await deriveKek(
    eph.privateKey,
    opts.recipientPublicKey,
    salt,
    kekInfo(recipientKeyId, ephRaw),
    "wrapKey",
  );
  const wrapped = new Uint8Array(
    await crypto.subtle.wrapKey("raw", contentKey, kek, "AES-KW"),
  );
  const signerKeyId = opts.signer.activeKeyId();

  const header: MediaHeader = {
    format: "konbini-initial-load-media",
    formatVersion: MEDIA_FORMAT_VERSION,
    municipalityCode: opts.municipalityCode,
    snapshotSeq: opts.snapshotSeq,
    createdAt: (opts.createdAt ?? new Date()).toISOString(),
    counts: { ...opts.counts },
    encoding: "ndjson",
    compression: "deflate-raw",
    cipher: "AES-256-GCM",
    recipient: {
      alg: "ECDH-ES-P256+HKDF-SHA256+A256KW",
      keyId: recipientKeyId,
      ephemeralPublicKey: ephRaw,
      salt: salt.toBase64(),
      wrappedKey: wrapped.toBase64(),
    },
    signer: { alg: "ES256", keyId: signerKeyId },
  };
  const headerJson = encoder.encode(JSON.stringify(header));
  const prefix = new Uint8Array(8 + 2 + 4);
  prefix.set(encoder.encode(MEDIA_MAGIC), 0);
  new DataView(prefix.buffer).setUint16(8, MEDIA_FORMAT_VERSION);
  new DataView(prefix.buffer).setUint32(10, headerJson.length);
  const headerBytes = new Uint8Array(prefix.length + headerJson.length);
  headerBytes.set(prefix, 0);
  headerBytes.set(headerJson, prefix.length);
  const headerSha256 = (await sha256(headerBytes)).toHex();

  const partial = `${path}.partial`;
  const file = await Deno.open(partial, {
    write: true,
    create: true,
    truncate: true,
    mode: 0o600,
  });
  let closed = false;
  let offset = 0;
  await writeAll(file, headerBytes);
  offset += headerBytes.length;

  const counts = emptyCounts();
  const chunks: ManifestChunk[] = [];
  let total = 0;
  let written = 0;
  let nextIndex = 0;

  // Chunks being compressed and encrypted; written to the file in order.
  let tail: Promise<void> = Promise.resolve();
  let inFlight = 0;
  let failure: unknown = null;

  async function seal(
    plain: Uint8Array,
    index: number,
    kind: MediaKind,
  ): Promise<Uint8Array> {
    const compressed = await deflateRawAsync(plain, level);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(
      await crypto.subtle.encrypt(
        {
          name: "AES-GCM",
          iv,
          additionalData: chunkAad(headerSha256, index, kind),
        },
        contentKey,
        compressed as Uint8Array<ArrayBuffer>,
      ),
    );
    const frame = new Uint8Array(4 + 12 + ct.length);
    new DataView(frame.buffer).setUint32(0, 12 + ct.length);
    frame.set(iv, 4);
    frame.set(ct, 16);
    return frame;
  }

  /** Seals one chunk of complete records; resolves when the caller may go on. */
  function emit(
    kind: MediaKind,
    plain: Uint8Array,
    records: number,
  ): Promise<void> | undefined {
    if (failure) throw failure;
    counts[kind] += records;
    total += records;
    const index = nextIndex++;
    const sealed = seal(plain, index, kind);
    sealed.catch(() => {}); // surfaced through `tail`
    inFlight++;
    tail = tail.then(async () => {
      const frame = await sealed;
      await writeAll(file, frame);
      chunks.push({
        index,
        kind,
        records,
        offset,
        length: frame.length,
        plainLength: plain.length,
        sha256: (await sha256(frame)).toHex(),
      });
      offset += frame.length;
      written += records;
      opts.onProgress?.({
        records: written,
        bytes: offset,
        chunks: chunks.length,
      });
    }).catch((e) => {
      failure ??= e;
    }).finally(() => {
      inFlight--;
    });
    // Bound memory: at most two chunks in flight besides the ones being filled.
    if (inFlight > 2) {
      return tail.then(() => {
        if (failure) throw failure;
      });
    }
    return undefined;
  }

  const open = new Set<Lane>();

  /** A line stream cut into chunks at line ends, checked as it goes. */
  class Lane implements MediaLineStream {
    buf = new Uint8Array(Math.min(chunkBytes, 1 << 16));
    len = 0;
    /** Complete records in `buf`. */
    records = 0;
    /** `buf` ends inside a record. */
    partial = false;
    ended = false;
    constructor(readonly kind: MediaKind) {
      open.add(this);
    }

    #bad(what: string): never {
      throw new TypeError(
        `Media ${this.kind} stream: ${what} (one JSON object per line expected)`,
      );
    }

    #append(b: Uint8Array, from: number, to: number): void {
      const need = this.len + (to - from);
      if (need > this.buf.length) {
        const grown = new Uint8Array(Math.max(need, this.buf.length * 2));
        grown.set(this.buf.subarray(0, this.len));
        this.buf = grown;
      }
      this.buf.set(b.subarray(from, to), this.len);
      this.len = need;
    }

    /** Hands the complete records to `emit` and keeps the unfinished one. */
    #cut(): Promise<void> | undefined {
      const plain = this.buf.subarray(0, this.len);
      const records = this.records;
      // The next chunk is likely about as large: no regrowing.
      this.buf = new Uint8Array(Math.max(1 << 16, plain.length + 4096));
      this.len = 0;
      this.records = 0;
      return emit(this.kind, plain, records);
    }

    write(b: Uint8Array): Promise<void> | void {
      if (closed || this.ended) throw new TypeError("Media writer is closed");
      if (failure) throw failure;
      if (!b.length) return;
      if (!this.partial && b[0] !== OPEN) {
        this.#bad("a record does not start with {");
      }
      let wait: Promise<void> | undefined;
      let from = 0;
      for (let i = b.indexOf(NL); i >= 0; i = b.indexOf(NL, i + 1)) {
        const prev = i > 0 ? b[i - 1] : this.len ? this.buf[this.len - 1] : -1;
        if (prev !== CLOSE) this.#bad("a record does not end with }");
        if (i + 1 < b.length && b[i + 1] !== OPEN) {
          this.#bad("a record does not start with {");
        }
        this.records++;
        if (
          this.records >= chunkRecords ||
          this.len + (i + 1 - from) >= chunkBytes
        ) {
          this.#append(b, from, i + 1);
          from = i + 1;
          wait = this.#cut() ?? wait;
        }
      }
      if (from < b.length) this.#append(b, from, b.length);
      this.partial = b[b.length - 1] !== NL;
      return wait;
    }

    async end(): Promise<void> {
      if (this.ended) return;
      this.ended = true;
      open.delete(this);
      if (this.partial) this.#bad("the stream ends inside a record");
      if (this.records) await this.#cut();
    }
  }

  // write()/writeJson(): one stream at a time, flushed when the kind changes.
  let current: Lane | null = null;

  async function drain(): Promise<void> {
    await tail;
    if (failure) throw failure;
  }

  async function abort(): Promise<void> {
    await tail.catch(() => {});
    if (!closed) {
      closed = true;
      file.close();
    }
    await Deno.remove(partial).catch(() => {});
  }

  async function add(kind: MediaKind, json: string): Promise<void> {
    if (closed) throw new TypeError("Media writer is closed");
    if (!isMediaKind(kind)) throw new TypeError(`Unknown record kind: ${kind}`);
    if (current?.kind !== kind) {
      await current?.end();
      current = new Lane(kind);
    }
    await current.write(encoder.encode(json + "\n"));
  }

  return {
    async write(kind, data) {
      await add(kind, JSON.stringify(data));
    },
    async writeJson(kind, json) {
      if (typeof json !== "string" || json[0] !== "{" || json.includes("\n")) {
        throw new TypeError("writeJson() takes one single-line JSON object");
      }
      await add(kind, json);
    },
    lines(kind) {
      if (closed) throw new TypeError("Media writer is closed");
      if (!isMediaKind(kind)) {
        throw new TypeError(`Unknown record kind: ${kind}`);
      }
      return new Lane(kind);
    },
    async finish() {
      if (closed) throw new TypeError("Media writer is closed");
      try {
        await current?.end();
        if (open.size) {
          throw new TypeError(
            `${open.size} media line stream(s) not ended before finish()`,
          );
        }
        await drain();
        if (opts.checkCounts !== false) {
          for (const k of MEDIA_KINDS) {
            if (counts[k] !== header.counts[k]) {
              throw new MediaError(
                "MEDIA_COUNT_MISMATCH",
                `Declared ${header.counts[k]} ${k} records but ${
                  counts[k]
                } were written`,
                { kind: k, declared: header.counts[k], written: counts[k] },
              );
            }
          }
        }
        const manifest: MediaManifest = {
          formatVersion: MEDIA_FORMAT_VERSION,
          municipalityCode: header.municipalityCode,
          snapshotSeq: header.snapshotSeq,
          headerSha256,
          counts,
          chunks,
          chunkCount: chunks.length,
          totalRecords: total,
          manifestOffset: offset,
        };
        const manifestBytes = encoder.encode(JSON.stringify(manifest));
        const signature = await opts.signer.sign(signerKeyId, manifestBytes);
        const tail = new Uint8Array(
          4 + manifestBytes.length + 2 + signature.length + 16,
        );
        const dv = new DataView(tail.buffer);
        dv.setUint32(0, manifestBytes.length);
        tail.set(manifestBytes, 4);
        dv.setUint16(4 + manifestBytes.length, signature.length);
        tail.set(signature, 6 + manifestBytes.length);
        const t = 6 + manifestBytes.length + signature.length;
        dv.setBigUint64(t, BigInt(offset));
        tail.set(encoder.encode(MEDIA_END_MAGIC), t + 8);
        await writeAll(file, tail);
        await file.sync();
        file.close();
        closed = true;
        await Deno.rename(partial, path);
        return {
          path,
          bytes: offset + tail.length,
          chunks: chunks.length,
          counts: { ...counts },
          totalRecords: total,
          snapshotSeq: header.snapshotSeq,
          municipalityCode: header.municipalityCode,
          manifestSha256: (await sha256(manifestBytes)).toHex(),
        };
      } catch (e) {
        await abort();
        throw e;
      }
    },
    abort,
  };
}
