/**
 * The signed, encrypted envelope of one sheet: a clear header (key ids, issue
 * number, issue time, municipality code, template version, page, pages,
 * content hash), the AES-256-GCM ciphertext of the compressed canonical
 * content, and an ECDSA P-256 signature over all of it. Anyone with the
 * public key list can check the signature and the issue number without
 * decrypting; only a holder of the content key can read the content.
 *
 * Layout (all integers big-endian, `str` = u8 length + UTF-8):
 * ```
 * "KB" | version u8 | type u8 | templateVersion u8 | page u8 | pages u8
 * | str signKeyId | str encKeyId | str issueNumber | str issuedAt
 * | str municipalityCode | contentHash[32]                ← AAD of AES-GCM
 * | iv[12] | u16 ciphertextLength | ciphertext            ← signed with all above
 * | signature[64] (r‖s)
 * ```
 * The plaintext is `salt[16] ‖ deflateRaw(canonical)`; the content hash is
 * SHA-256("KB-content-v1" ‖ salt ‖ canonical), salted so the clear hash
 * cannot confirm a guessed content.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { deflateSync, inflateSync } from "fflate";
import type { CertificateType, SheetContent } from "../certificate/model.ts";
import type { ContentKey } from "../crypto/content_key.ts";
import { verifyEcdsaP256 } from "../crypto/ecdsa.ts";
import type { Signer } from "../crypto/signer.ts";
import {
  CERTIFICATE_CATALOGUE,
  certificateTypeOfCode,
} from "../certificate/types/mod.ts";
import { decodeSheetContent, encodeSheetContent } from "./canonical.ts";

/** Current envelope format version. */
export const ENVELOPE_VERSION = 1;
const MAGIC = [0x4b, 0x42]; // "KB"
const SIGNATURE_BYTES = 64;
const IV_BYTES = 12;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const CONTENT_DOMAIN = new TextEncoder().encode("KB-content-v1");

/** The clear, signed header of an envelope. */
export interface EnvelopeHeader {
  version: number;
  type: CertificateType;
  templateVersion: number;
  page: number;
  pages: number;
  signKeyId: string;
  encKeyId: string;
  issueNumber: string;
  issuedAt: string;
  municipalityCode: string;
  contentHash: Uint8Array;
}

/** A parsed envelope: header, parts, and the exact byte ranges that are signed. */
export interface ParsedEnvelope {
  header: EnvelopeHeader;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  signature: Uint8Array;
  /** Bytes the AES-GCM tag authenticates as additional data. */
  aad: Uint8Array;
  /** Bytes the signature covers. */
  signed: Uint8Array;
}

/** Thrown when bytes are not an envelope (bad magic, truncated, unknown version). */
export class EnvelopeFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvelopeFormatError";
  }
}

/** Dependencies of {@linkcode sealEnvelope}. */
export interface SealOptions {
  /** The center's signer. */
  signer: Signer;
  /** The content key to encrypt with. */
  encryptionKey: ContentKey;
  /** Random source (tests pass a deterministic one). Defaults to WebCrypto. */
  random?: (bytes: Uint8Array) => Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function str(value: string, what: string): Uint8Array {
  const bytes = encoder.encode(value);
  if (bytes.length > 255) throw new RangeError(`${what} is over 255 bytes`);
  return concat([Uint8Array.of(bytes.length), bytes]);
}

function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return Promise.resolve(new Uint8Array(h.digest()));
}

/** Computes the salted content hash stored in the header. */
export async function contentHash(
  salt: Uint8Array,
  canonical: Uint8Array,
): Promise<Uint8Array> {
  return await sha256(CONTENT_DOMAIN, salt, canonical);
}

/** Encodes a header to the bytes used as AES-GCM additional data. */
export function encodeHeader(h: EnvelopeHeader): Uint8Array<ArrayBuffer> {
  for (const [name, v] of [["page", h.page], ["pages", h.pages]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 255) {
      throw new RangeError(`${name} must be 1–255, got ${v}`);
    }
  }
  if (h.page > h.pages) {
    throw new RangeError(`page ${h.page} exceeds pages ${h.pages}`);
  }
  const coding = CERTIFICATE_CATALOGUE[h.type]?.backSide;
  if (!coding) throw new RangeError(`unknown certificate type ${h.type}`);
  if (h.contentHash.length !== HASH_BYTES) {
    throw new RangeError("contentHash must be 32 bytes");
  }
  return concat([
    Uint8Array.of(
      ...MAGIC,
      h.version,
      coding.code,
      h.templateVersion,
      h.page,
      h.pages,
    ),
    str(h.signKeyId, "signKeyId"),
    str(h.encKeyId, "encKeyId"),
    str(h.issueNumber, "issueNumber"),
    str(h.issuedAt, "issuedAt"),
    str(h.municipalityCode, "municipalityCode"),
    h.contentHash,
  ]);
}

/**
 * Assembles and signs an envelope from a header and ciphertext. Exposed for
 * the center's own tooling and for tests that build deliberately inconsistent
 * envelopes; {@linkcode sealEnvelope} is the normal entry point.
 *
 * @example
 * ```ts ignore
 * const bytes = await signEnvelope(header, iv, ciphertext, signer);
 * ```
 */
export async function signEnvelope(
  header: EnvelopeHeader,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  signer: Signer,
): Promise<Uint8Array> {
  if (iv.length !== IV_BYTES) throw new RangeError("iv must be 12 bytes");
  if (ciphertext.length > 0xffff) {
    throw new RangeError(
      `Ciphertext of ${ciphertext.length} bytes is too long`,
    );
  }
  const signed = concat([
    encodeHeader(header),
    iv,
    Uint8Array.of(ciphertext.length >> 8, ciphertext.length & 0xff),
    ciphertext,
  ]);
  const signature = await signer.sign(header.signKeyId, signed);
  if (signature.length !== SIGNATURE_BYTES) {
    throw new Error(`Signer returned ${signature.length} bytes, expected 64`);
  }
  return concat([signed, signature]);
}

/**
 * Encrypts and signs one sheet: canonical bytes → deflate → AES-256-GCM
 * (random 96-bit IV, header as AAD) → ECDSA P-256 signature over header,
 * IV and ciphertext.
 *
 * @example
 * ```ts ignore
 * const envelope = await sealEnvelope(sheet, { signer, encryptionKey });
 * ```
 */
export async function sealEnvelope(
  sheet: SheetContent,
  options: SealOptions,
): Promise<Uint8Array> {
  const random = options.random ??
    ((b: Uint8Array) => crypto.getRandomValues(b));
  const canonical = encodeSheetContent(sheet);
  const salt = random(new Uint8Array(SALT_BYTES));
  const iv = random(new Uint8Array(IV_BYTES));
  const header: EnvelopeHeader = {
    version: ENVELOPE_VERSION,
    type: sheet.type,
    templateVersion: sheet.templateVersion,
    page: sheet.page,
    pages: sheet.pages,
    signKeyId: options.signer.activeKeyId(),
    encKeyId: options.encryptionKey.keyId,
    issueNumber: sheet.issueNumber,
    issuedAt: sheet.issuedAt,
    municipalityCode: sheet.municipality.code,
    contentHash: await contentHash(salt, canonical),
  };
  const plaintext = concat([salt, deflateSync(canonical, { level: 9 })]);
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt(
      {
        name: "AES-GCM",
        iv: iv as BufferSource,
        additionalData: encodeHeader(header),
      },
      options.encryptionKey.key,
      plaintext,
    ),
  );
  return await signEnvelope(header, iv, ciphertext, options.signer);
}

/**
 * Parses envelope bytes without any key. Throws
 * {@linkcode EnvelopeFormatError} when they are not an envelope.
 *
 * @example
 * ```ts ignore
 * const { header } = parseEnvelope(bytes);
 * console.log(header.issueNumber, header.signKeyId);
 * ```
 */
export function parseEnvelope(bytes: Uint8Array): ParsedEnvelope {
  let o = 0;
  const need = (n: number) => {
    if (o + n > bytes.length) throw new EnvelopeFormatError("truncated");
  };
  need(7);
  if (bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1]) {
    throw new EnvelopeFormatError("bad magic");
  }
  const version = bytes[2];
  if (version !== ENVELOPE_VERSION) {
    throw new EnvelopeFormatError(`unknown version ${version}`);
  }
  const typeCode = bytes[3];
  const type = certificateTypeOfCode(typeCode);
  if (!type) throw new EnvelopeFormatError(`unknown type ${typeCode}`);
  const [templateVersion, page, pages] = [bytes[4], bytes[5], bytes[6]];
  o = 7;
  const readStr = () => {
    need(1);
    const n = bytes[o++];
    need(n);
    try {
      return decoder.decode(bytes.subarray(o, o += n));
    } catch {
      throw new EnvelopeFormatError("invalid UTF-8 in header");
    }
  };
  const signKeyId = readStr();
  const encKeyId = readStr();
  const issueNumber = readStr();
  const issuedAt = readStr();
  const municipalityCode = readStr();
  need(HASH_BYTES);
  const hash = bytes.slice(o, o += HASH_BYTES);
  const aadEnd = o;
  need(IV_BYTES + 2);
  const iv = bytes.slice(o, o += IV_BYTES);
  const ctLength = (bytes[o] << 8) | bytes[o + 1];
  o += 2;
  need(ctLength);
  const ciphertext = bytes.slice(o, o += ctLength);
  const signedEnd = o;
  need(SIGNATURE_BYTES);
  const signature = bytes.slice(o, o += SIGNATURE_BYTES);
  if (o !== bytes.length) {
    throw new EnvelopeFormatError(`${bytes.length - o} trailing bytes`);
  }
  return {
    header: {
      version,
      type,
      templateVersion,
      page,
      pages,
      signKeyId,
      encKeyId,
      issueNumber,
      issuedAt,
      municipalityCode,
      contentHash: hash,
    },
    iv,
    ciphertext,
    signature,
    aad: bytes.slice(0, aadEnd),
    signed: bytes.slice(0, signedEnd),
  };
}

/**
 * Checks an envelope's signature with a public key (ECDSA P-256, SHA-256).
 *
 * @example
 * ```ts ignore
 * const ok = await verifyEnvelopeSignature(parseEnvelope(bytes), publicKey);
 * ```
 */
export async function verifyEnvelopeSignature(
  envelope: ParsedEnvelope,
  publicKey: CryptoKey,
): Promise<boolean> {
  return await verifyEcdsaP256(publicKey, envelope.signature, envelope.signed);
}

/** Why opening an envelope failed (after its signature was checked). */
export type OpenFailure =
  | "decrypt-failed"
  | "bad-plaintext"
  | "hash-mismatch"
  | "header-mismatch";

/** Result of {@linkcode openEnvelope}. */
export type OpenResult =
  | { ok: true; sheet: SheetContent }
  | { ok: false; failure: OpenFailure; detail: string };

/**
 * Decrypts an envelope and checks that the content is the one the header
 * (and so the signature) vouches for: the salted hash matches and the issue
 * number, issue time, municipality, template version, type, page and pages
 * inside equal those in the clear header. Does not check the signature —
 * call {@linkcode verifyEnvelopeSignature} first.
 *
 * @example
 * ```ts ignore
 * const opened = await openEnvelope(parsed, contentKey);
 * if (opened.ok) console.log(opened.sheet.subject.name);
 * ```
 */
export async function openEnvelope(
  envelope: ParsedEnvelope,
  key: ContentKey,
): Promise<OpenResult> {
  let plaintext: Uint8Array;
  try {
    plaintext = new Uint8Array(
      await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: envelope.iv as BufferSource,
          additionalData: envelope.aad as BufferSource,
        },
        key.key,
        envelope.ciphertext as BufferSource,
      ),
    );
  } catch {
    return {
      ok: false,
      failure: "decrypt-failed",
      detail: "AES-GCM authentication failed",
    };
  }
  const salt = plaintext.subarray(0, SALT_BYTES);
  let canonical: Uint8Array;
  let sheet: SheetContent;
  try {
    canonical = inflateSync(plaintext.subarray(SALT_BYTES));
    sheet = decodeSheetContent(canonical);
  } catch (e) {
    return { ok: false, failure: "bad-plaintext", detail: String(e) };
  }
  const hash = await contentHash(salt, canonical);
  const h = envelope.header;
  if (!timingSafeEqual(hash, h.contentHash)) {
    return {
      ok: false,
      failure: "hash-mismatch",
      detail: "content hash differs from the signed hash",
    };
  }
  const mismatches = [
    ["issueNumber", sheet.issueNumber, h.issueNumber],
    ["issuedAt", sheet.issuedAt, h.issuedAt],
    ["municipalityCode", sheet.municipality.code, h.municipalityCode],
    ["templateVersion", sheet.templateVersion, h.templateVersion],
    ["type", sheet.type, h.type],
    ["page", sheet.page, h.page],
    ["pages", sheet.pages, h.pages],
  ].filter(([, a, b]) => a !== b).map(([name]) => name);
  if (mismatches.length > 0) {
    return {
      ok: false,
      failure: "header-mismatch",
      detail: `content differs from signed header in ${mismatches.join(", ")}`,
    };
  }
  return { ok: true, sheet };
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
