/**
 * Message signatures as they travel, X-Road style: every response the
 * center sends and every request it makes to an ASP node carries
 * `X-Center-Signature: keyId=…; time=…; sig=…` (ECDSA P-256, base64url),
 * and every answer of an ASP node carries `X-Asp-Signature` in the same
 * form, over a signing input that each protocol defines
 * (lib/contracts/kiosk_center `responseSigningInput`,
 * lib/contracts/center_asp `requestSigningInput` and
 * `aspResponseSigningInput`), which covers the body's SHA-256.
 *
 * {@linkcode signHeader} makes a header with a signer
 * (lib/crypto/signer.ts); {@linkcode verifySignatureHeader} checks one
 * against a provisioned key list (never one fetched over the link it
 * protects), and {@linkcode createReplayGuard} refuses a signature seen
 * before.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { verifyEcdsaP256 } from "../crypto/ecdsa.ts";
import { findVerificationKey, type KeyList } from "../crypto/key_list.ts";
import type { Signer } from "../crypto/signer.ts";

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

/**
 * Signs `input` with the signer's active key and formats the header value.
 *
 * @example
 * ```ts ignore
 * const { header } = await signHeader(signer, time, aspResponseSigningInput(fields));
 * ```
 */
export async function signHeader(
  signer: Signer,
  time: string,
  input: Uint8Array,
): Promise<{ keyId: string; sig: string; header: string }> {
  const keyId = signer.activeKeyId();
  const sig = (await signer.sign(keyId, input)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
  return { keyId, sig, header: formatSignatureHeader({ keyId, time, sig }) };
}

/** Why a signature was not accepted. */
export type SignatureFailure =
  | "missing"
  | "malformed"
  | "unknown-key"
  | "expired-key"
  | "stale"
  | "bad-signature";

/** Result of {@linkcode verifySignatureHeader}. */
export type SignatureVerification =
  | { ok: true; keyId: string; time: string; sig: string }
  | { ok: false; reason: SignatureFailure; keyId?: string };

/** Options of {@linkcode verifySignatureHeader}. */
export interface VerifySignatureOptions {
  /** The signer's public keys, from provisioning (a file), never from the link. */
  keyList: KeyList;
  /** The signing input for the header's time. */
  input: (time: string) => Uint8Array;
  /**
   * With `now`: a signing time further than `maxSkewMs` (default 5 min)
   * from it is `stale`.
   */
  now?: Date;
  maxSkewMs?: number;
}

/** Default freshness window of a signed request. */
export const DEFAULT_MAX_SKEW_MS = 5 * 60_000;

/**
 * Checks a signature header: its form, its key (known, valid at the signing
 * time), the signing time's freshness (with `now`), then the ECDSA
 * signature over `input(time)`. The key's `CryptoKey` is imported once per
 * key list entry (lib/crypto/key_list.ts), so keep the list object.
 *
 * @example
 * ```ts ignore
 * const v = await verifySignatureHeader(req.headers.get(SIGNATURE_HEADER), {
 *   keyList, now: new Date(), input: (time) => requestSigningInput({ ...fields, time }),
 * });
 * ```
 */
export async function verifySignatureHeader(
  header: string | null | undefined,
  opts: VerifySignatureOptions,
): Promise<SignatureVerification> {
  if (!header) return { ok: false, reason: "missing" };
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: "malformed" };
  const { keyId, time, sig } = parsed;
  const at = new Date(time);
  if (Number.isNaN(at.getTime())) {
    return { ok: false, reason: "malformed", keyId };
  }
  const found = await findVerificationKey(opts.keyList, keyId, at);
  if (found.status === "unknown") {
    return { ok: false, reason: "unknown-key", keyId };
  }
  if (found.status !== "ok") {
    return { ok: false, reason: "expired-key", keyId };
  }
  if (
    opts.now &&
    Math.abs(opts.now.getTime() - at.getTime()) >
      (opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS)
  ) return { ok: false, reason: "stale", keyId };
  let signature: Uint8Array<ArrayBuffer>;
  let input: Uint8Array;
  try {
    signature = Uint8Array.fromBase64(sig, { alphabet: "base64url" });
    input = opts.input(time);
  } catch {
    return { ok: false, reason: "malformed", keyId };
  }
  return await verifyEcdsaP256(found.key, signature, input)
    ? { ok: true, keyId, time, sig }
    : { ok: false, reason: "bad-signature", keyId };
}

/** Remembers the signatures accepted within the freshness window. */
export interface ReplayGuard {
  /**
   * Records a signature accepted at `time` (ISO 8601); false when it was
   * seen before (a replay).
   */
  accept(sig: string, time: string, now: Date): boolean;
}

/**
 * A replay guard: each signature may be accepted once while it is fresh
 * (older ones are refused as `stale` anyway, so they are forgotten). Holds
 * at most `max` signatures (default 100 000); when full, the oldest go
 * first.
 *
 * @example
 * ```ts
 * const guard = createReplayGuard();
 * const now = new Date();
 * guard.accept("sig", now.toISOString(), now); // true
 * guard.accept("sig", now.toISOString(), now); // false
 * ```
 */
export function createReplayGuard(
  opts: { windowMs?: number; max?: number } = {},
): ReplayGuard {
  const windowMs = opts.windowMs ?? DEFAULT_MAX_SKEW_MS;
  const max = opts.max ?? 100_000;
  const seen = new Map<string, number>();
  return {
    accept(sig, time, now) {
      const t = now.getTime();
      for (const [s, until] of seen) {
        if (until >= t && seen.size < max) break;
        seen.delete(s);
      }
      if (seen.has(sig)) return false;
      seen.set(sig, Math.max(Date.parse(time), t) + windowMs);
      return true;
    },
  };
}
