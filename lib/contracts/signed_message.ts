/**
 * The center's message signatures as they travel, X-Road style: every
 * response the center sends and every request it makes to an ASP node
 * carries `X-Center-Signature: keyId=…; time=…; sig=…` (ECDSA P-256,
 * base64url) over a signing input that each protocol defines
 * (lib/contracts/kiosk_center `responseSigningInput`,
 * lib/contracts/center_asp `requestSigningInput`), which covers the body's
 * SHA-256.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** Header carrying the center's signature. */
export const SIGNATURE_HEADER = "X-Center-Signature";

/**
 * SHA-256, base64url. Synchronous (node:crypto): on every message, an async
 * WebCrypto round trip costs more than the hash itself.
 *
 * @example
 * ```ts ignore
 * const bodySha256 = await sha256B64(new TextEncoder().encode(text));
 * ```
 */
export function sha256B64(data: Uint8Array): Promise<string> {
  return Promise.resolve(createHash("sha256").update(data).digest("base64url"));
}

/** The parts of a signature header. */
export interface SignatureHeader {
  keyId: string;
  /** Signing time, ISO 8601. */
  time: string;
  /** The signature, base64url without padding. */
  sig: string;
}

/**
 * Formats the signature header's value.
 *
 * @example
 * ```ts ignore
 * formatSignatureHeader({ keyId: "jlis-2026", time, sig }); // "keyId=jlis-2026; time=…; sig=…"
 * ```
 */
export function formatSignatureHeader(h: SignatureHeader): string {
  return `keyId=${h.keyId}; time=${h.time}; sig=${h.sig}`;
}

/**
 * Parses the signature header's value; null when it is malformed.
 *
 * @example
 * ```ts
 * parseSignatureHeader("keyId=k1; time=2026-11-26T00:00:00.000Z; sig=abc")?.keyId; // "k1"
 * ```
 */
export function parseSignatureHeader(value: string): SignatureHeader | null {
  const m = /^keyId=([A-Za-z0-9_-]+); time=([0-9T:.Z-]+); sig=([A-Za-z0-9_-]+)$/
    .exec(value);
  return m ? { keyId: m[1], time: m[2], sig: m[3] } : null;
}

/**
 * Joins signing-input lines under a context string; throws `TypeError` when
 * a field holds a line break (it could shift the other fields).
 *
 * @example
 * ```ts ignore
 * signingLines("konbini-jlis-response/v1", ["POST /kiosk/sessions", requestId]);
 * ```
 */
export function signingLines(
  context: string,
  fields: readonly string[],
): Uint8Array<ArrayBuffer> {
  for (const v of fields) {
    if (/[\n\r]/.test(v)) {
      throw new TypeError("Signed message fields cannot contain line breaks");
    }
  }
  return new TextEncoder().encode([context, ...fields].join("\n"));
}
