/**
 * The encrypted initial-load media file (初期移行媒体): constants, types and
 * the error class shared by the writer and the reader.
 *
 * Layout of format version 1 (all integers big-endian):
 *
 * ```
 * "KNBMEDIA"  u16 version  u32 headerLength  header (JSON, UTF-8)
 * chunk frame × n:  u32 payloadLength  IV (12)  AES-256-GCM ciphertext ‖ tag
 * manifest:         u32 manifestLength  manifest (JSON)  u16 sigLength  signature
 * trailer (16):     u64 manifestOffset  "KNBEND01"
 * ```
 *
 * The header carries the format version, municipality, snapshot sequence,
 * declared counts per kind, creation time and the content key wrapped for
 * the recipient (ECDH P-256 with an ephemeral key, HKDF-SHA-256, AES-KW).
 * Each chunk holds records of one kind as NDJSON, deflate-compressed, then
 * encrypted under the file's content key with a fresh IV; the AAD binds the
 * header hash, the chunk index and its kind. The manifest lists every
 * chunk's place, kind, record count and SHA-256 with the totals and the
 * header's SHA-256; the registry signs the manifest bytes (ECDSA P-256,
 * SHA-256, 64-byte r‖s).
 *
 * @module
 */
import type {
  FeedGaijiSet,
  MunicipalityFeedPolicy,
} from "../contracts/registry_feed.ts";

/** Magic bytes at the start of a media file. */
export const MEDIA_MAGIC = "KNBMEDIA";
/** Magic bytes at the very end of a complete media file. */
export const MEDIA_END_MAGIC = "KNBEND01";
/** The format version this code writes and reads. */
export const MEDIA_FORMAT_VERSION = 1;
/** Size of the fixed trailer. */
export const TRAILER_BYTES = 16;
/** Largest header or manifest accepted (a sanity bound against garbage lengths). */
export const MAX_META_BYTES = 16 * 1024 * 1024;
/** Largest decompressed chunk accepted. */
export const MAX_CHUNK_PLAIN_BYTES = 64 * 1024 * 1024;
/** HKDF info prefix of the key-encryption key. */
export const KEK_INFO = "konbini-media/1 content-key-wrap";

/** Kinds of record a media file carries, in the order they are written. */
export const MEDIA_KINDS = [
  "household",
  "resident",
  "seal",
  "block",
  "card",
] as const;
/** A kind of record. */
export type MediaKind = typeof MEDIA_KINDS[number];
/** Record counts per kind. */
export type MediaCounts = Record<MediaKind, number>;

/** One record: the same shapes as the registry feed's payload rows. */
export interface MediaRecord {
  kind: MediaKind;
  data: Record<string, unknown>;
}

/** The header at the start of the file (covered by the signature through its hash). */
export interface MediaHeader {
  format: "konbini-initial-load-media";
  formatVersion: number;
  municipalityCode: string;
  /** The registry's outbox head when the snapshot was read; the delta feed resumes after it. */
  snapshotSeq: number;
  createdAt: string;
  counts: MediaCounts;
  encoding: "ndjson";
  compression: "deflate-raw";
  cipher: "AES-256-GCM";
  recipient: {
    alg: "ECDH-ES-P256+HKDF-SHA256+A256KW";
    /** Key id (RFC 7638 thumbprint prefix) of the recipient's public key. */
    keyId: string;
    /** Ephemeral ECDH public key, raw uncompressed point, base64. */
    ephemeralPublicKey: string;
    /** HKDF salt, base64. */
    salt: string;
    /** The content key wrapped with AES-KW, base64. */
    wrappedKey: string;
  };
  signer: { alg: "ES256"; keyId: string };
  /**
   * The municipality's kiosk policy at the snapshot (its registry record),
   * as the feed carries it; absent from files written before issue 14.
   */
  policy?: MunicipalityFeedPolicy;
  /**
   * The municipality's registered 外字 at the snapshot (version and every
   * outline), as a feed answer carrying the whole set has them; absent from
   * files written before issue 13.
   */
  gaiji?: FeedGaijiSet;
}

/** One chunk as the manifest lists it. */
export interface ManifestChunk {
  index: number;
  kind: MediaKind;
  records: number;
  /** File offset of the frame (its length prefix). */
  offset: number;
  /** Frame length including the 4-byte length prefix. */
  length: number;
  /** Decompressed NDJSON length. */
  plainLength: number;
  /** SHA-256 of the whole frame, hex. */
  sha256: string;
}

/** The signed manifest. */
export interface MediaManifest {
  formatVersion: number;
  municipalityCode: string;
  snapshotSeq: number;
  headerSha256: string;
  counts: MediaCounts;
  chunks: ManifestChunk[];
  chunkCount: number;
  totalRecords: number;
  /** File offset where the manifest starts (= end of the last chunk). */
  manifestOffset: number;
}

/** Why a media file was refused. */
export type MediaErrorCode =
  | "MEDIA_FORMAT_INVALID"
  | "MEDIA_VERSION_UNSUPPORTED"
  | "MEDIA_TRUNCATED"
  | "MEDIA_SIGNATURE_INVALID"
  | "MEDIA_WRONG_RECIPIENT"
  | "MEDIA_CHUNK_CORRUPT"
  | "MEDIA_COUNT_MISMATCH"
  | "MEDIA_CHANGED_SINCE_VERIFIED"
  | "MEDIA_REPLAYED";

const JA: Record<MediaErrorCode, string> = {
  MEDIA_FORMAT_INVALID: "移行媒体の形式が不正です",
  MEDIA_VERSION_UNSUPPORTED: "移行媒体の形式バージョンに対応していません",
  MEDIA_TRUNCATED: "移行媒体が途中で切れています",
  MEDIA_SIGNATURE_INVALID:
    "移行媒体の署名を検証できません（改ざんまたは署名者違い）",
  MEDIA_WRONG_RECIPIENT: "この移行媒体は本システム宛てに暗号化されていません",
  MEDIA_CHUNK_CORRUPT: "移行媒体のデータが破損しています",
  MEDIA_COUNT_MISMATCH: "移行媒体の件数が一致しません",
  MEDIA_CHANGED_SINCE_VERIFIED: "検証後に移行媒体が変更されました",
  MEDIA_REPLAYED: "現在より古いスナップショットの移行媒体です",
};

/**
 * A refused media file. `code` is stable; `message` (English) and
 * `messageJa` say what failed and why; `details` carries the specifics.
 *
 * @example
 * ```ts ignore
 * try { await verifyMedia(path, keys); } catch (e) {
 *   if (e instanceof MediaError && e.code === "MEDIA_TRUNCATED") { ... }
 * }
 * ```
 */
export class MediaError extends Error {
  /** Stable machine code. */
  readonly code: MediaErrorCode;
  /** Japanese message for operators. */
  readonly messageJa: string;
  /** Specifics (chunk index, expected and actual values). */
  readonly details: Record<string, unknown>;

  constructor(
    code: MediaErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(`${code}: ${message}`, options);
    this.name = "MediaError";
    this.code = code;
    this.messageJa = JA[code];
    this.details = details;
  }
}

/** Zero counts. */
export function emptyCounts(): MediaCounts {
  return { household: 0, resident: 0, seal: 0, block: 0, card: 0 };
}

/** True when `kind` is a media kind. */
export function isMediaKind(kind: unknown): kind is MediaKind {
  return typeof kind === "string" &&
    (MEDIA_KINDS as readonly string[]).includes(kind);
}

/** SHA-256 of bytes. */
export async function sha256(
  bytes: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as BufferSource),
  );
}

/** The AES-GCM additional data of chunk `index` of kind `kind` in the file with header hash `headerSha256`. */
export function chunkAad(
  headerSha256: string,
  index: number,
  kind: MediaKind,
): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(
    `${MEDIA_MAGIC}/${MEDIA_FORMAT_VERSION}|${headerSha256}|${index}|${kind}`,
  );
}

/** HKDF info for the key-encryption key, bound to the recipient and ephemeral key. */
export function kekInfo(
  recipientKeyId: string,
  ephemeralPublicKeyB64: string,
): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(
    `${KEK_INFO}|${recipientKeyId}|${ephemeralPublicKeyB64}`,
  );
}

/** Derives the AES-KW key-encryption key from an ECDH shared secret. */
export async function deriveKek(
  privateKey: CryptoKey,
  publicKey: CryptoKey,
  salt: Uint8Array,
  info: Uint8Array,
  usage: "wrapKey" | "unwrapKey",
): Promise<CryptoKey> {
  const shared = await crypto.subtle.deriveBits(
    { name: "ECDH", public: publicKey },
    privateKey,
    256,
  );
  const ikm = await crypto.subtle.importKey("raw", shared, "HKDF", false, [
    "deriveKey",
  ]);
  return await crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: salt as BufferSource,
      info: info as BufferSource,
    },
    ikm,
    { name: "AES-KW", length: 256 },
    false,
    [usage],
  );
}
