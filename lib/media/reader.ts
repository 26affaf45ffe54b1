/**
 * Verifies and reads an initial-load media file. {@linkcode verifyMedia}
 * checks the structure, the registry's signature over the manifest, that the
 * content key was wrapped for this ASP, and every chunk (SHA-256, GCM tag,
 * decompressed length, record count), then the counts per kind — all before
 * a single record is handed out. Only its result opens the file for
 * {@linkcode readMedia}, which re-checks each chunk as it reads (the file
 * could have changed in between).
 *
 * In one pass instead: {@linkcode openMedia} checks everything but the
 * chunks, and {@linkcode readVerifiedChunks} hands out each chunk only once
 * it passed every check, and completes only after the counts per kind
 * matched — for a loader that stages everything and makes nothing visible
 * before the iteration completed.
 *
 * @module
 */
import { inflateRawSync } from "node:zlib";
import { keyIdFromPublicKey } from "../crypto/key_list.ts";
import { verifyEcdsaP256 } from "../crypto/ecdsa.ts";
import {
  chunkAad,
  deriveKek,
  emptyCounts,
  isMediaKind,
  kekInfo,
  MAX_CHUNK_PLAIN_BYTES,
  MAX_META_BYTES,
  MEDIA_END_MAGIC,
  MEDIA_FORMAT_VERSION,
  MEDIA_KINDS,
  MEDIA_MAGIC,
  type MediaCounts,
  MediaError,
  type MediaHeader,
  type MediaKind,
  type MediaManifest,
  type MediaRecord,
  sha256,
  TRAILER_BYTES,
} from "./format.ts";

/** Keys of {@linkcode verifyMedia}. */
export interface VerifyMediaOptions {
  /** The ASP's ECDH P-256 private key (the file's recipient). */
  aspPrivateKey: CryptoKey;
  /** The registry's ECDSA P-256 public key (the manifest's signer). */
  registryPublicKey: CryptoKey;
  /** The ASP's public key: when given, a file for another recipient is named as such before any key work. */
  aspPublicKey?: CryptoKey;
  /** Called after each chunk is checked. */
  onProgress?: (
    p: {
      bytes: number;
      totalBytes: number;
      chunks: number;
      chunkCount: number;
    },
  ) => void;
}

/** A media file that passed every check. Only this opens it for {@linkcode readMedia}. */
export interface VerifiedMedia {
  readonly path: string;
  readonly header: MediaHeader;
  readonly manifest: MediaManifest;
  readonly fileSize: number;
  /** SHA-256 of the signed manifest (identifies the file in audit records). */
  readonly manifestSha256: string;
  /** The header's snapshot sequence, for the ASP's replay check. */
  readonly snapshotSeq: number;
  readonly municipalityCode: string;
}

const verifiedKeys = new WeakMap<VerifiedMedia, CryptoKey>();
const decoder = new TextDecoder("utf-8", { fatal: true });
const NL = 0x0a;

async function readAt(
  file: Deno.FsFile,
  offset: number,
  length: number,
  fileSize: number,
): Promise<Uint8Array<ArrayBuffer>> {
  if (offset + length > fileSize) {
    throw new MediaError(
      "MEDIA_TRUNCATED",
      `Need bytes ${offset}..${offset + length} but the file has ${fileSize}`,
      {
        offset,
        length,
        fileSize,
      },
    );
  }
  await file.seek(offset, Deno.SeekMode.Start);
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = await file.read(buf.subarray(got));
    if (n === null) {
      throw new MediaError(
        "MEDIA_TRUNCATED",
        `File ended at ${offset + got}, expected ${offset + length}`,
        {
          offset: offset + got,
        },
      );
    }
    got += n;
  }
  return buf;
}

function parseJson<T>(bytes: Uint8Array, what: string): T {
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch (e) {
    throw new MediaError(
      "MEDIA_FORMAT_INVALID",
      `The ${what} is not valid JSON`,
      {},
      { cause: e },
    );
  }
}

function checkHeaderShape(h: MediaHeader): void {
  const ok = h && h.format === "konbini-initial-load-media" &&
    typeof h.municipalityCode === "string" &&
    Number.isSafeInteger(h.snapshotSeq) && h.counts &&
    MEDIA_KINDS.every((k) => Number.isSafeInteger(h.counts[k])) &&
    h.recipient?.alg === "ECDH-ES-P256+HKDF-SHA256+A256KW" &&
    h.signer?.alg === "ES256" &&
    h.cipher === "AES-256-GCM" && h.compression === "deflate-raw" &&
    h.encoding === "ndjson";
  if (!ok) {
    throw new MediaError(
      "MEDIA_FORMAT_INVALID",
      "The header lacks required fields or names an unknown algorithm",
    );
  }
}

interface Opened {
  file: Deno.FsFile;
  fileSize: number;
  header: MediaHeader;
  headerEnd: number;
  headerSha256: string;
}

async function openAndReadHeader(path: string): Promise<Opened> {
  const file = await Deno.open(path, { read: true });
  try {
    const fileSize = (await file.stat()).size;
    if (fileSize < 14) {
      throw new MediaError(
        "MEDIA_TRUNCATED",
        `The file has only ${fileSize} bytes`,
        { fileSize },
      );
    }
    const prefix = await readAt(file, 0, 14, fileSize);
    if (new TextDecoder().decode(prefix.subarray(0, 8)) !== MEDIA_MAGIC) {
      throw new MediaError(
        "MEDIA_FORMAT_INVALID",
        "Not a media file (bad magic)",
      );
    }
    const dv = new DataView(prefix.buffer);
    const version = dv.getUint16(8);
    if (version !== MEDIA_FORMAT_VERSION) {
      throw new MediaError(
        "MEDIA_VERSION_UNSUPPORTED",
        `Format version ${version} is not supported (this reader knows ${MEDIA_FORMAT_VERSION})`,
        { version, supported: [MEDIA_FORMAT_VERSION] },
      );
    }
    const headerLength = dv.getUint32(10);
    if (headerLength > MAX_META_BYTES) {
      throw new MediaError(
        "MEDIA_FORMAT_INVALID",
        `Header length ${headerLength} is implausible`,
      );
    }
    const headerJson = await readAt(file, 14, headerLength, fileSize);
    const headerBytes = new Uint8Array(14 + headerLength);
    headerBytes.set(prefix, 0);
    headerBytes.set(headerJson, 14);
    const header = parseJson<MediaHeader>(headerJson, "header");
    if (header.formatVersion !== version) {
      throw new MediaError(
        "MEDIA_VERSION_UNSUPPORTED",
        `Header says version ${header.formatVersion}, prefix says ${version}`,
      );
    }
    checkHeaderShape(header);
    return {
      file,
      fileSize,
      header,
      headerEnd: 14 + headerLength,
      headerSha256: (await sha256(headerBytes)).toHex(),
    };
  } catch (e) {
    file.close();
    throw e;
  }
}

async function readManifest(
  o: Opened,
  registryPublicKey: CryptoKey,
): Promise<{ manifest: MediaManifest; manifestSha256: string }> {
  const { file, fileSize, header } = o;
  if (fileSize < o.headerEnd + TRAILER_BYTES) {
    throw new MediaError(
      "MEDIA_TRUNCATED",
      "The file ends before its trailer",
      { fileSize },
    );
  }
  const trailer = await readAt(
    file,
    fileSize - TRAILER_BYTES,
    TRAILER_BYTES,
    fileSize,
  );
  if (new TextDecoder().decode(trailer.subarray(8)) !== MEDIA_END_MAGIC) {
    throw new MediaError(
      "MEDIA_TRUNCATED",
      "No end marker: the file is truncated (or has bytes appended)",
      { fileSize },
    );
  }
  const manifestOffset = Number(new DataView(trailer.buffer).getBigUint64(0));
  if (
    manifestOffset < o.headerEnd ||
    manifestOffset + 4 + 2 + TRAILER_BYTES > fileSize
  ) {
    throw new MediaError(
      "MEDIA_FORMAT_INVALID",
      `Manifest offset ${manifestOffset} is outside the file`,
    );
  }
  const lenBytes = await readAt(file, manifestOffset, 4, fileSize);
  const manifestLength = new DataView(lenBytes.buffer).getUint32(0);
  if (
    manifestLength > MAX_META_BYTES ||
    manifestOffset + 4 + manifestLength + 2 + TRAILER_BYTES > fileSize
  ) {
    throw new MediaError(
      "MEDIA_FORMAT_INVALID",
      `Manifest length ${manifestLength} does not fit the file`,
    );
  }
  const manifestBytes = await readAt(
    file,
    manifestOffset + 4,
    manifestLength,
    fileSize,
  );
  const sigLenBytes = await readAt(
    file,
    manifestOffset + 4 + manifestLength,
    2,
    fileSize,
  );
  const sigLength = new DataView(sigLenBytes.buffer).getUint16(0);
  const sigOffset = manifestOffset + 6 + manifestLength;
  if (sigOffset + sigLength + TRAILER_BYTES !== fileSize) {
    throw new MediaError(
      "MEDIA_FORMAT_INVALID",
      "Manifest, signature and trailer do not add up to the file size",
      {
        fileSize,
      },
    );
  }
  const signature = await readAt(file, sigOffset, sigLength, fileSize);

  const expectedSigner = await keyIdFromPublicKey(registryPublicKey);
  if (header.signer.keyId !== expectedSigner) {
    throw new MediaError(
      "MEDIA_SIGNATURE_INVALID",
      `Signed by key ${header.signer.keyId}, not by the registry key ${expectedSigner}`,
      { signerKeyId: header.signer.keyId, expected: expectedSigner },
    );
  }
  const valid = sigLength === 64 &&
    await verifyEcdsaP256(registryPublicKey, signature, manifestBytes);
  if (!valid) {
    throw new MediaError(
      "MEDIA_SIGNATURE_INVALID",
      "The registry's signature over the manifest does not verify",
    );
  }
  const manifest = parseJson<MediaManifest>(manifestBytes, "manifest");
  if (manifest.headerSha256 !== o.headerSha256) {
    throw new MediaError(
      "MEDIA_SIGNATURE_INVALID",
      "The header is not the one the signed manifest names",
      {
        signed: manifest.headerSha256,
        actual: o.headerSha256,
      },
    );
  }
  if (manifest.manifestOffset !== manifestOffset) {
    throw new MediaError(
      "MEDIA_FORMAT_INVALID",
      "The trailer's manifest offset differs from the signed one",
    );
  }
  if (
    manifest.municipalityCode !== header.municipalityCode ||
    manifest.snapshotSeq !== header.snapshotSeq ||
    manifest.formatVersion !== header.formatVersion
  ) {
    throw new MediaError(
      "MEDIA_FORMAT_INVALID",
      "Header and signed manifest disagree on municipality, snapshot or version",
    );
  }
  // The chunks must tile the file from the header to the manifest.
  let expect = o.headerEnd;
  if (
    !Array.isArray(manifest.chunks) ||
    manifest.chunks.length !== manifest.chunkCount
  ) {
    throw new MediaError(
      "MEDIA_FORMAT_INVALID",
      "The manifest's chunk list is malformed",
    );
  }
  for (const [i, c] of manifest.chunks.entries()) {
    if (
      c.index !== i || c.offset !== expect || !isMediaKind(c.kind) ||
      !(c.length > 16) ||
      !Number.isSafeInteger(c.records) || c.records < 0 ||
      !(c.plainLength >= 0) || c.plainLength > MAX_CHUNK_PLAIN_BYTES
    ) {
      throw new MediaError(
        "MEDIA_FORMAT_INVALID",
        `Manifest entry of chunk ${i} is malformed`,
        { chunk: i },
      );
    }
    expect += c.length;
  }
  if (expect !== manifestOffset) {
    throw new MediaError(
      "MEDIA_FORMAT_INVALID",
      "The chunks do not end where the manifest starts",
    );
  }
  return { manifest, manifestSha256: (await sha256(manifestBytes)).toHex() };
}

async function unwrapContentKey(
  header: MediaHeader,
  opts: VerifyMediaOptions,
): Promise<CryptoKey> {
  const r = header.recipient;
  if (opts.aspPublicKey) {
    const mine = await keyIdFromPublicKey(opts.aspPublicKey);
    if (mine !== r.keyId) {
      throw new MediaError(
        "MEDIA_WRONG_RECIPIENT",
        `The content key is wrapped for key ${r.keyId}, this ASP holds ${mine}`,
        { recipientKeyId: r.keyId, ownKeyId: mine },
      );
    }
  }
  try {
    const eph = await crypto.subtle.importKey(
      "raw",
      Uint8Array.fromBase64(r.ephemeralPublicKey),
      { name: "ECDH", namedCurve: "P-256" },
      false,
      [],
    );
    const kek = await deriveKek(
      opts.aspPrivateKey,
      eph,
      Uint8Array.fromBase64(r.salt),
      kekInfo(r.keyId, r.ephemeralPublicKey),
      "unwrapKey",
    );
    return await crypto.subtle.unwrapKey(
      "raw",
      Uint8Array.fromBase64(r.wrappedKey),
      kek,
      "AES-KW",
      { name: "AES-GCM", length: 256 },
      false,
      ["decrypt"],
    );
  } catch (e) {
    throw new MediaError(
      "MEDIA_WRONG_RECIPIENT",
      `The content key cannot be unwrapped with this ASP's key (file is for key ${r.keyId})`,
      { recipientKeyId: r.keyId },
      { cause: e },
    );
  }
}

/** Hashes, decrypts and inflates the frame of chunk `index`; throws `changedCode` on any mismatch. */
async function checkFrame(
  frame: Uint8Array<ArrayBuffer>,
  manifest: MediaManifest,
  index: number,
  contentKey: CryptoKey,
  changedCode: "MEDIA_CHUNK_CORRUPT" | "MEDIA_CHANGED_SINCE_VERIFIED",
): Promise<Uint8Array> {
  const c = manifest.chunks[index];
  const hash = (await sha256(frame)).toHex();
  if (hash !== c.sha256) {
    throw new MediaError(
      changedCode,
      `Chunk ${index} (${c.kind}) does not match its SHA-256 in the manifest`,
      {
        chunk: index,
        kind: c.kind,
      },
    );
  }
  const payloadLength = new DataView(frame.buffer).getUint32(0);
  if (payloadLength !== c.length - 4) {
    throw new MediaError(
      changedCode,
      `Chunk ${index} has an inconsistent frame length`,
      { chunk: index },
    );
  }
  let compressed: Uint8Array;
  try {
    compressed = new Uint8Array(
      await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: frame.subarray(4, 16),
          additionalData: chunkAad(manifest.headerSha256, index, c.kind),
        },
        contentKey,
        frame.subarray(16),
      ),
    );
  } catch (e) {
    throw new MediaError(
      changedCode,
      `Chunk ${index} (${c.kind}) fails authentication (GCM tag)`,
      {
        chunk: index,
      },
      { cause: e },
    );
  }
  let plain: Uint8Array;
  try {
    const out = inflateRawSync(compressed, {
      maxOutputLength: Math.max(1, c.plainLength),
    });
    plain = new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch (e) {
    throw new MediaError(changedCode, `Chunk ${index} does not decompress`, {
      chunk: index,
    }, { cause: e });
  }
  if (plain.length !== c.plainLength) {
    throw new MediaError(
      changedCode,
      `Chunk ${index} decompresses to ${plain.length} bytes, not ${c.plainLength}`,
      {
        chunk: index,
      },
    );
  }
  return plain;
}

function countLines(plain: Uint8Array): number {
  let n = 0;
  let from = 0;
  for (;;) {
    const i = plain.indexOf(NL, from);
    if (i < 0) break;
    // Each line must be one JSON object.
    if (plain[from] !== 0x7b || plain[i - 1] !== 0x7d) return -1;
    n++;
    from = i + 1;
  }
  return from === plain.length ? n : -1;
}

function lineCountError(
  chunk: number,
  lines: number,
  declared: number,
): MediaError {
  return new MediaError(
    lines < 0 ? "MEDIA_CHUNK_CORRUPT" : "MEDIA_COUNT_MISMATCH",
    lines < 0
      ? `Chunk ${chunk} is not one JSON object per line`
      : `Chunk ${chunk} holds ${lines} records, the manifest says ${declared}`,
    { chunk, counted: lines, declared },
  );
}

/** The records counted in the chunks must match the header and the manifest, per kind and in all. */
function checkCounts(
  counted: MediaCounts,
  header: MediaHeader,
  manifest: MediaManifest,
): void {
  let total = 0;
  for (const k of MEDIA_KINDS) {
    total += counted[k];
    if (
      counted[k] !== header.counts[k] || counted[k] !== manifest.counts?.[k]
    ) {
      throw new MediaError(
        "MEDIA_COUNT_MISMATCH",
        `${counted[k]} ${k} records in the chunks, header says ${
          header.counts[k]
        }, manifest says ${manifest.counts?.[k]}`,
        {
          kind: k,
          counted: counted[k],
          header: header.counts[k],
          manifest: manifest.counts?.[k],
        },
      );
    }
  }
  if (total !== manifest.totalRecords) {
    throw new MediaError(
      "MEDIA_COUNT_MISMATCH",
      `${total} records in all, the manifest says ${manifest.totalRecords}`,
    );
  }
}

/** Reports the bytes of the file covered once `chunks` chunks are checked. */
function reportBytes(
  onProgress: VerifyMediaOptions["onProgress"],
  o: Opened,
  manifest: MediaManifest,
  bytes: number,
  chunks: number,
): void {
  onProgress?.({
    bytes,
    totalBytes: o.fileSize,
    chunks,
    chunkCount: manifest.chunkCount,
  });
}

/**
 * Reads and checks the chunks of an open file in order, up to `ahead` of the
 * consumer, yielding each after every check (SHA-256, GCM tag, decompressed
 * length, one JSON object per line, record count); adds its records to
 * `counted` and reports the bytes covered. The counts per kind are left to
 * the caller.
 */
async function* checkChunks(
  o: Opened,
  manifest: MediaManifest,
  contentKey: CryptoKey,
  ahead: number,
  counted: MediaCounts,
  onProgress: VerifyMediaOptions["onProgress"],
): AsyncGenerator<VerifiedChunk> {
  let bytes = o.headerEnd;
  // Frames are read one after the other (one file position); hashing,
  // decryption and inflation of several chunks overlap with the consumer.
  let reading: Promise<unknown> = Promise.resolve();
  const check = (i: number): Promise<VerifiedChunk> => {
    const c = manifest.chunks[i];
    const frame = reading.then(() =>
      readAt(o.file, c.offset, c.length, o.fileSize)
    );
    reading = frame.catch(() => {});
    const p = frame.then((f) =>
      checkFrame(f, manifest, i, contentKey, "MEDIA_CHUNK_CORRUPT")
    ).then((ndjson) => {
      const lines = countLines(ndjson);
      if (lines !== c.records) throw lineCountError(i, lines, c.records);
      return { index: i, kind: c.kind, records: c.records, ndjson };
    });
    p.catch(() => {}); // surfaced when awaited
    return p;
  };
  const pending: Promise<VerifiedChunk>[] = [];
  let next = 0;
  while (next < manifest.chunkCount && pending.length < ahead) {
    pending.push(check(next++));
  }
  while (pending.length) {
    const chunk = await pending.shift()!;
    if (next < manifest.chunkCount) pending.push(check(next++));
    counted[chunk.kind] += chunk.records;
    bytes += manifest.chunks[chunk.index].length;
    reportBytes(onProgress, o, manifest, bytes, chunk.index + 1);
    yield chunk;
  }
}

/**
 * Opens `path` and checks everything but the chunks, runs `checkRest` on the
 * still open file, then returns the file's frozen description, registered
 * with its content key in `keys`.
 */
async function describeMedia(
  path: string,
  opts: VerifyMediaOptions,
  keys: WeakMap<VerifiedMedia, CryptoKey>,
  checkRest?: (
    o: Opened,
    manifest: MediaManifest,
    contentKey: CryptoKey,
  ) => Promise<void>,
): Promise<VerifiedMedia> {
  const o = await openAndReadHeader(path);
  try {
    const { manifest, manifestSha256 } = await readManifest(
      o,
      opts.registryPublicKey,
    );
    const contentKey = await unwrapContentKey(o.header, opts);
    await checkRest?.(o, manifest, contentKey);
    const media: VerifiedMedia = Object.freeze({
      path,
      header: o.header,
      manifest,
      fileSize: o.fileSize,
      manifestSha256,
      snapshotSeq: o.header.snapshotSeq,
      municipalityCode: o.header.municipalityCode,
    });
    keys.set(media, contentKey);
    return media;
  } finally {
    o.file.close();
  }
}

/** Throws `MEDIA_CHANGED_SINCE_VERIFIED` unless the reopened file has the size and header `media` was checked with. */
function assertUnchanged(o: Opened, media: VerifiedMedia, since: string): void {
  if (
    o.fileSize !== media.fileSize ||
    o.headerSha256 !== media.manifest.headerSha256
  ) {
    throw new MediaError(
      "MEDIA_CHANGED_SINCE_VERIFIED",
      `The file's size or header changed since ${since}`,
    );
  }
}

/**
 * Verifies everything in a media file and returns its description; nothing
 * of its content is handed out. Throws {@linkcode MediaError} with the
 * reason otherwise.
 *
 * @example
 * ```ts ignore
 * const verified = await verifyMedia("401005.media", { aspPrivateKey, registryPublicKey });
 * if (verified.snapshotSeq <= currentSeq) throw new Error("replayed media");
 * for await (const batch of readMedia(verified)) await stage(batch);
 * ```
 */
export function verifyMedia(
  path: string,
  opts: VerifyMediaOptions,
): Promise<VerifiedMedia> {
  return describeMedia(path, opts, verifiedKeys, async (o, m, contentKey) => {
    const counted = emptyCounts();
    const chunks = checkChunks(o, m, contentKey, 1, counted, opts.onProgress);
    for await (const _ of chunks) { /* checked */ }
    reportBytes(opts.onProgress, o, m, o.fileSize, m.chunkCount);
    checkCounts(counted, o.header, m);
  });
}

/**
 * Yields the records of a verified file, one batch (one chunk, one kind) at
 * a time, in file order. Each chunk is checked again as it is read; a file
 * changed since verification throws `MEDIA_CHANGED_SINCE_VERIFIED` (callers
 * load into staging and switch only after the last batch, so nothing
 * becomes visible).
 *
 * @example
 * ```ts ignore
 * for await (const batch of readMedia(verified)) console.log(batch[0].kind, batch.length);
 * ```
 */
export async function* readMedia(
  verified: VerifiedMedia,
  opts: {
    onProgress?: (p: { records: number; totalRecords: number }) => void;
  } = {},
): AsyncGenerator<MediaRecord[]> {
  const contentKey = verifiedKeys.get(verified);
  if (!contentKey) {
    throw new TypeError("readMedia() takes only the result of verifyMedia()");
  }
  const o = await openAndReadHeader(verified.path).catch((e) => {
    throw new MediaError(
      "MEDIA_CHANGED_SINCE_VERIFIED",
      "The file can no longer be opened as verified",
      {},
      {
        cause: e,
      },
    );
  });
  try {
    assertUnchanged(o, verified, "verification");
    let records = 0;
    const open = (i: number) => {
      const c = verified.manifest.chunks[i];
      const p = readAt(o.file, c.offset, c.length, o.fileSize).then((frame) =>
        checkFrame(
          frame,
          verified.manifest,
          i,
          contentKey,
          "MEDIA_CHANGED_SINCE_VERIFIED",
        )
      );
      p.catch(() => {}); // surfaced when awaited
      return p;
    };
    // The next chunk is read and decrypted while the caller works on this one.
    let next = verified.manifest.chunkCount > 0 ? open(0) : null;
    for (let i = 0; i < verified.manifest.chunkCount; i++) {
      const c = verified.manifest.chunks[i];
      const plain = await next!;
      next = i + 1 < verified.manifest.chunkCount ? open(i + 1) : null;
      const text = decoder.decode(plain);
      const batch: MediaRecord[] = new Array(c.records);
      let from = 0;
      for (let n = 0; n < c.records; n++) {
        const to = text.indexOf("\n", from);
        batch[n] = { kind: c.kind, data: JSON.parse(text.slice(from, to)) };
        from = to + 1;
      }
      records += c.records;
      opts.onProgress?.({
        records,
        totalRecords: verified.manifest.totalRecords,
      });
      yield batch;
    }
    await next;
  } finally {
    o.file.close();
  }
}

/**
 * A media file whose structure, signature, manifest and recipient were
 * checked, but not yet its chunks. Only this opens it for
 * {@linkcode readVerifiedChunks}.
 */
export type OpenedMedia = VerifiedMedia;

const openedKeys = new WeakMap<OpenedMedia, CryptoKey>();

/**
 * Checks everything in a media file except the chunks' contents (those
 * {@linkcode readVerifiedChunks} checks as it reads): format, version,
 * signature over the manifest, the header the manifest names, the chunk
 * layout, and that the content key opens with this ASP's key. Throws
 * {@linkcode MediaError} with the reason otherwise.
 *
 * @example
 * ```ts ignore
 * const media = await openMedia("401005.media", { aspPrivateKey, registryPublicKey });
 * if (media.snapshotSeq <= currentSeq) throw new Error("replayed media");
 * for await (const chunk of readVerifiedChunks(media)) await stage(chunk);
 * ```
 */
export function openMedia(
  path: string,
  opts: VerifyMediaOptions,
): Promise<OpenedMedia> {
  return describeMedia(path, opts, openedKeys);
}

/** One chunk of a media file, after every check: its records as NDJSON. */
export interface VerifiedChunk {
  index: number;
  kind: MediaKind;
  /** Records (lines) in `ndjson`. */
  records: number;
  /** One JSON object per line, each line ended by `\n`. */
  ndjson: Uint8Array;
}

/** Options of {@linkcode readVerifiedChunks}. */
export interface ReadVerifiedChunksOptions {
  /** Called after each chunk is checked (bytes of the file covered so far). */
  onProgress?: VerifyMediaOptions["onProgress"];
  /** Called once every chunk and count has been checked, before the iteration completes. */
  onVerified?: () => void;
  /** Chunks read and checked ahead of the consumer (default 3). */
  readAhead?: number;
}

/**
 * Reads an opened media file in one pass, handing out each chunk only after
 * it passed every check (SHA-256 against the signed manifest, GCM tag,
 * decompressed length, one JSON object per line, record count); after the
 * last chunk, checks the counts per kind against header and manifest, and
 * only then completes. Throws {@linkcode MediaError} at the first failure —
 * so a consumer that makes nothing visible before the iteration completed
 * never shows anything of a bad file.
 *
 * @example
 * ```ts ignore
 * for await (const c of readVerifiedChunks(await openMedia(path, keys))) {
 *   await stage(c.kind, c.ndjson);
 * }
 * ```
 */
export async function* readVerifiedChunks(
  media: OpenedMedia,
  opts: ReadVerifiedChunksOptions = {},
): AsyncGenerator<VerifiedChunk> {
  const contentKey = openedKeys.get(media);
  if (!contentKey) {
    throw new TypeError(
      "readVerifiedChunks() takes only the result of openMedia()",
    );
  }
  const o = await openAndReadHeader(media.path);
  try {
    assertUnchanged(o, media, "it was opened");
    const manifest = media.manifest;
    const counted = emptyCounts();
    yield* checkChunks(
      o,
      manifest,
      contentKey,
      Math.max(1, opts.readAhead ?? 3),
      counted,
      opts.onProgress,
    );
    checkCounts(counted, o.header, manifest);
    reportBytes(opts.onProgress, o, manifest, o.fileSize, manifest.chunkCount);
    opts.onVerified?.();
  } finally {
    o.file.close();
  }
}
