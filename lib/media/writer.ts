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
  /** The municipality's kiosk policy at the snapshot (the header carries it). */
  policy?: MediaHeader["policy"];
  /** The municipality's 外字 at the snapshot (the header carries them). */
  gaiji?: MediaHeader["gaiji"];
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

/** Everything a writer keeps between calls. */
interface WriterState {
  readonly path: string;
  readonly partial: string;
  readonly opts: MediaWriterOptions;
  readonly file: Deno.FsFile;
  readonly header: MediaHeader;
  readonly headerSha256: string;
  readonly contentKey: CryptoKey;
  readonly signerKeyId: string;
  readonly chunkRecords: number;
  readonly chunkBytes: number;
  readonly level: number;
  closed: boolean;
  /** Bytes written to the file so far. */
  offset: number;
  /** Records handed to chunks, per kind and in all. */
  readonly counts: MediaCounts;
  total: number;
  /** Records whose chunks are on disk. */
  written: number;
  nextIndex: number;
  readonly chunks: ManifestChunk[];
  /** Chunks being compressed and encrypted; written to the file in order. */
  tail: Promise<void>;
  inFlight: number;
  failure: unknown;
  /** Line streams not ended yet. */
  readonly open: Set<Lane>;
  /** write()/writeJson(): one stream at a time, flushed when the kind changes. */
  current: Lane | null;
}

/** Throws on options a writer cannot work with. */
function checkOptions(opts: MediaWriterOptions): void {
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
}

/** A fresh content key, and the header entry that wraps it for the recipient with an ephemeral ECDH key. */
async function wrapContentKey(
  recipientPublicKey: CryptoKey,
): Promise<{ contentKey: CryptoKey; recipient: MediaHeader["recipient"] }> {
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
  const recipientKeyId = await keyIdFromPublicKey(recipientPublicKey);
  const salt = crypto.getRandomValues(new Uint8Array(32));
  const kek = await deriveKek(
    eph.privateKey,
    recipientPublicKey,
    salt,
    kekInfo(recipientKeyId, ephRaw),
    "wrapKey",
  );
  const wrapped = new Uint8Array(
    await crypto.subtle.wrapKey("raw", contentKey, kek, "AES-KW"),
  );
  return {
    contentKey,
    recipient: {
      alg: "ECDH-ES-P256+HKDF-SHA256+A256KW",
      keyId: recipientKeyId,
      ephemeralPublicKey: ephRaw,
      salt: salt.toBase64(),
      wrappedKey: wrapped.toBase64(),
    },
  };
}

function buildHeader(
  opts: MediaWriterOptions,
  recipient: MediaHeader["recipient"],
  signerKeyId: string,
): MediaHeader {
  return {
    format: "konbini-initial-load-media",
    formatVersion: MEDIA_FORMAT_VERSION,
    municipalityCode: opts.municipalityCode,
    snapshotSeq: opts.snapshotSeq,
    createdAt: (opts.createdAt ?? new Date()).toISOString(),
    counts: { ...opts.counts },
    encoding: "ndjson",
    compression: "deflate-raw",
    cipher: "AES-256-GCM",
    recipient,
    signer: { alg: "ES256", keyId: signerKeyId },
    ...(opts.policy ? { policy: opts.policy } : {}),
    ...(opts.gaiji ? { gaiji: opts.gaiji } : {}),
  };
}

/** Magic, format version, header length, header JSON. */
function headerFrame(header: MediaHeader): Uint8Array {
  const headerJson = encoder.encode(JSON.stringify(header));
  const prefix = new Uint8Array(8 + 2 + 4);
  prefix.set(encoder.encode(MEDIA_MAGIC), 0);
  new DataView(prefix.buffer).setUint16(8, MEDIA_FORMAT_VERSION);
  new DataView(prefix.buffer).setUint32(10, headerJson.length);
  const headerBytes = new Uint8Array(prefix.length + headerJson.length);
  headerBytes.set(prefix, 0);
  headerBytes.set(headerJson, prefix.length);
  return headerBytes;
}

/** Compresses and encrypts one chunk into its frame (length, IV, ciphertext). */
async function sealChunk(
  st: WriterState,
  plain: Uint8Array,
  index: number,
  kind: MediaKind,
): Promise<Uint8Array> {
  const compressed = await deflateRawAsync(plain, st.level);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      {
        name: "AES-GCM",
        iv,
        additionalData: chunkAad(st.headerSha256, index, kind),
      },
      st.contentKey,
      compressed as Uint8Array<ArrayBuffer>,
    ),
  );
  const frame = new Uint8Array(4 + 12 + ct.length);
  new DataView(frame.buffer).setUint32(0, 12 + ct.length);
  frame.set(iv, 4);
  frame.set(ct, 16);
  return frame;
}

/** Appends a sealed chunk's frame to the file and lists it for the manifest. */
async function writeChunk(
  st: WriterState,
  chunk: Omit<ManifestChunk, "offset" | "length" | "sha256">,
  sealed: Promise<Uint8Array>,
): Promise<void> {
  const frame = await sealed;
  await writeAll(st.file, frame);
  st.chunks.push({
    index: chunk.index,
    kind: chunk.kind,
    records: chunk.records,
    offset: st.offset,
    length: frame.length,
    plainLength: chunk.plainLength,
    sha256: (await sha256(frame)).toHex(),
  });
  st.offset += frame.length;
  st.written += chunk.records;
  st.opts.onProgress?.({
    records: st.written,
    bytes: st.offset,
    chunks: st.chunks.length,
  });
}

/** Seals one chunk of complete records; resolves when the caller may go on. */
function emit(
  st: WriterState,
  kind: MediaKind,
  plain: Uint8Array,
  records: number,
): Promise<void> | undefined {
  if (st.failure) throw st.failure;
  st.counts[kind] += records;
  st.total += records;
  const index = st.nextIndex++;
  const sealed = sealChunk(st, plain, index, kind);
  sealed.catch(() => {}); // surfaced through `tail`
  st.inFlight++;
  const chunk = { index, kind, records, plainLength: plain.length };
  st.tail = st.tail.then(() => writeChunk(st, chunk, sealed)).catch((e) => {
    st.failure ??= e;
  }).finally(() => {
    st.inFlight--;
  });
  // Bound memory: at most two chunks in flight besides the ones being filled.
  if (st.inFlight > 2) {
    return st.tail.then(() => {
      if (st.failure) throw st.failure;
    });
  }
  return undefined;
}

/** A line stream cut into chunks at line ends, checked as it goes. */
class Lane implements MediaLineStream {
  buf: Uint8Array;
  len = 0;
  /** Complete records in `buf`. */
  records = 0;
  /** `buf` ends inside a record. */
  partial = false;
  ended = false;
  constructor(readonly st: WriterState, readonly kind: MediaKind) {
    this.buf = new Uint8Array(Math.min(st.chunkBytes, 1 << 16));
    st.open.add(this);
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
    return emit(this.st, this.kind, plain, records);
  }

  write(b: Uint8Array): Promise<void> | void {
    if (this.st.closed || this.ended) {
      throw new TypeError("Media writer is closed");
    }
    if (this.st.failure) throw this.st.failure;
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
        this.records >= this.st.chunkRecords ||
        this.len + (i + 1 - from) >= this.st.chunkBytes
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
    this.st.open.delete(this);
    if (this.partial) this.#bad("the stream ends inside a record");
    if (this.records) await this.#cut();
  }
}

/** Opens a line stream of a known kind on an open writer. */
function openLane(st: WriterState, kind: MediaKind): Lane {
  if (st.closed) throw new TypeError("Media writer is closed");
  if (!isMediaKind(kind)) throw new TypeError(`Unknown record kind: ${kind}`);
  return new Lane(st, kind);
}

/** Adds one serialized record through the current stream (a new one when the kind changes). */
async function addRecord(
  st: WriterState,
  kind: MediaKind,
  json: string,
): Promise<void> {
  if (st.closed) throw new TypeError("Media writer is closed");
  if (!isMediaKind(kind)) throw new TypeError(`Unknown record kind: ${kind}`);
  if (st.current?.kind !== kind) {
    await st.current?.end();
    st.current = new Lane(st, kind);
  }
  await st.current.write(encoder.encode(json + "\n"));
}

async function abortWriter(st: WriterState): Promise<void> {
  await st.tail.catch(() => {});
  if (!st.closed) {
    st.closed = true;
    st.file.close();
  }
  await Deno.remove(st.partial).catch(() => {});
}

/** Ends the current stream and waits for every chunk to be on disk. */
async function flushChunks(st: WriterState): Promise<void> {
  await st.current?.end();
  if (st.open.size) {
    throw new TypeError(
      `${st.open.size} media line stream(s) not ended before finish()`,
    );
  }
  await st.tail;
  if (st.failure) throw st.failure;
}

function checkWrittenCounts(st: WriterState): void {
  const { counts, header } = st;
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

function manifestOf(st: WriterState): MediaManifest {
  return {
    formatVersion: MEDIA_FORMAT_VERSION,
    municipalityCode: st.header.municipalityCode,
    snapshotSeq: st.header.snapshotSeq,
    headerSha256: st.headerSha256,
    counts: st.counts,
    chunks: st.chunks,
    chunkCount: st.chunks.length,
    totalRecords: st.total,
    manifestOffset: st.offset,
  };
}

/** Manifest length, manifest, signature length, signature, manifest offset, end magic. */
function trailerBytes(
  manifestBytes: Uint8Array,
  signature: Uint8Array,
  manifestOffset: number,
): Uint8Array {
  const tail = new Uint8Array(
    4 + manifestBytes.length + 2 + signature.length + 16,
  );
  const dv = new DataView(tail.buffer);
  dv.setUint32(0, manifestBytes.length);
  tail.set(manifestBytes, 4);
  dv.setUint16(4 + manifestBytes.length, signature.length);
  tail.set(signature, 6 + manifestBytes.length);
  const t = 6 + manifestBytes.length + signature.length;
  dv.setBigUint64(t, BigInt(manifestOffset));
  tail.set(encoder.encode(MEDIA_END_MAGIC), t + 8);
  return tail;
}

/** Signs and writes the manifest and trailer, and moves the file into place. */
async function sealFile(st: WriterState): Promise<MediaSummary> {
  const manifestBytes = encoder.encode(JSON.stringify(manifestOf(st)));
  const signature = await st.opts.signer.sign(st.signerKeyId, manifestBytes);
  const tail = trailerBytes(manifestBytes, signature, st.offset);
  await writeAll(st.file, tail);
  await st.file.sync();
  st.file.close();
  st.closed = true;
  await Deno.rename(st.partial, st.path);
  return {
    path: st.path,
    bytes: st.offset + tail.length,
    chunks: st.chunks.length,
    counts: { ...st.counts },
    totalRecords: st.total,
    snapshotSeq: st.header.snapshotSeq,
    municipalityCode: st.header.municipalityCode,
    manifestSha256: (await sha256(manifestBytes)).toHex(),
  };
}

async function finishWriter(st: WriterState): Promise<MediaSummary> {
  if (st.closed) throw new TypeError("Media writer is closed");
  try {
    await flushChunks(st);
    if (st.opts.checkCounts !== false) checkWrittenCounts(st);
    return await sealFile(st);
  } catch (e) {
    await abortWriter(st);
    throw e;
  }
}

/** Builds the header, opens `<path>.partial` and writes the header to it. */
async function openWriter(
  path: string,
  opts: MediaWriterOptions,
): Promise<WriterState> {
  const { contentKey, recipient } = await wrapContentKey(
    opts.recipientPublicKey,
  );
  const signerKeyId = opts.signer.activeKeyId();
  const header = buildHeader(opts, recipient, signerKeyId);
  const headerBytes = headerFrame(header);
  const headerSha256 = (await sha256(headerBytes)).toHex();
  const partial = `${path}.partial`;
  const file = await Deno.open(partial, {
    write: true,
    create: true,
    truncate: true,
    mode: 0o600,
  });
  await writeAll(file, headerBytes);
  return {
    path,
    partial,
    opts,
    file,
    header,
    headerSha256,
    contentKey,
    signerKeyId,
    chunkRecords: opts.chunkRecords ?? 4096,
    chunkBytes: opts.chunkBytes ?? 4 * 1024 * 1024,
    level: opts.compressionLevel ?? 1,
    closed: false,
    offset: headerBytes.length,
    counts: emptyCounts(),
    total: 0,
    written: 0,
    nextIndex: 0,
    chunks: [],
    tail: Promise.resolve(),
    inFlight: 0,
    failure: null,
    open: new Set(),
    current: null,
  };
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
  checkOptions(opts);
  const st = await openWriter(path, opts);
  return {
    async write(kind, data) {
      await addRecord(st, kind, JSON.stringify(data));
    },
    async writeJson(kind, json) {
      if (typeof json !== "string" || json[0] !== "{" || json.includes("\n")) {
        throw new TypeError("writeJson() takes one single-line JSON object");
      }
      await addRecord(st, kind, json);
    },
    lines: (kind) => openLane(st, kind),
    finish: () => finishWriter(st),
    abort: () => abortWriter(st),
  };
}
