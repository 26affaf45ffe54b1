/**
 * ECDSA P-256 with SHA-256 over raw 64-byte r‖s signatures (WebCrypto's
 * format), through libcrypto when it loads (about 30× faster than Deno's
 * WebCrypto for one signature) and through WebCrypto otherwise. Both paths
 * accept and produce the same signatures (`ecdsa_test.ts` crosses them).
 *
 * Verification takes a WebCrypto public key; signing with a private key is
 * only offered to the signer module (lib/crypto/signer.ts) and to the
 * simulated card, as {@linkcode nativeSigningKey}.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { type Libcrypto, loadLibcrypto, pointerCell } from "./libcrypto.ts";

const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" } as const;
const NULL = null;

/**
 * Each public key seen, parsed once into libcrypto (OpenSSL 3 spends
 * ~0.3 ms decoding a key, ten times the verification itself); null when it
 * cannot be (not exportable). Freed when the CryptoKey is collected.
 */
const nativePublic = new WeakMap<CryptoKey, Promise<NativePublicKey | null>>();

interface NativePublicKey {
  pkey: Deno.PointerObject;
}

const publicKeys = new FinalizationRegistry<Deno.PointerObject>((pkey) =>
  loadLibcrypto()?.EVP_PKEY_free(pkey)
);

function nativePublicKey(
  lib: Libcrypto,
  key: CryptoKey,
): Promise<NativePublicKey | null> {
  let p = nativePublic.get(key);
  if (!p) {
    p = (key.extractable
      ? crypto.subtle.exportKey("spki", key).then((b) => {
        const der = new Uint8Array(b);
        const pkey = lib.d2i_PUBKEY(NULL, pointerCell(der), BigInt(der.length));
        if (!pkey) {
          lib.ERR_clear_error();
          return null;
        }
        const held = { pkey };
        publicKeys.register(held, pkey);
        return held;
      })
      : Promise.resolve(null)).catch(() => null);
    nativePublic.set(key, p);
  }
  return p;
}

/** A DER INTEGER's content for a 32-byte unsigned big-endian value. */
function derInteger(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const body = v.subarray(i);
  if (body[0] & 0x80) {
    const out = new Uint8Array(body.length + 1);
    out.set(body, 1);
    return out;
  }
  return body;
}

/** r‖s (64 bytes) → DER `SEQUENCE { INTEGER r, INTEGER s }`. */
export function rawToDer(raw: Uint8Array): Uint8Array<ArrayBuffer> {
  if (raw.length !== 64) throw new RangeError("An r‖s signature is 64 bytes");
  const r = derInteger(raw.subarray(0, 32));
  const s = derInteger(raw.subarray(32));
  const out = new Uint8Array(6 + r.length + s.length);
  out.set([0x30, 4 + r.length + s.length, 0x02, r.length]);
  out.set(r, 4);
  out.set([0x02, s.length], 4 + r.length);
  out.set(s, 6 + r.length);
  return out;
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` → r‖s (64 bytes). */
export function derToRaw(der: Uint8Array): Uint8Array<ArrayBuffer> {
  const fail = () => new RangeError("Malformed DER ECDSA signature");
  if (der[0] !== 0x30 || der[1] !== der.length - 2) throw fail();
  const out = new Uint8Array(64);
  let at = 2;
  for (const half of [0, 32]) {
    if (der[at] !== 0x02) throw fail();
    const len = der[at + 1];
    let v = der.subarray(at + 2, at + 2 + len);
    if (v.length !== len) throw fail();
    while (v.length > 32 && v[0] === 0) v = v.subarray(1);
    if (v.length > 32) throw fail();
    out.set(v, half + 32 - v.length);
    at += 2 + len;
  }
  if (at !== der.length) throw fail();
  return out;
}

/**
 * Checks an ECDSA P-256/SHA-256 signature (64-byte r‖s) over `data`.
 * False for a wrong-length or non-verifying signature.
 *
 * @example
 * ```ts ignore
 * const ok = await verifyEcdsaP256(publicKey, signature, data);
 * ```
 */
export async function verifyEcdsaP256(
  publicKey: CryptoKey,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  if (signature.length !== 64) return false;
  const lib = loadLibcrypto();
  const native = lib ? await nativePublicKey(lib, publicKey) : null;
  if (lib && native) {
    const ctx = lib.EVP_MD_CTX_new();
    if (!ctx) throw new Error("EVP_MD_CTX_new failed");
    try {
      if (
        lib.EVP_DigestVerifyInit(
          ctx,
          NULL,
          lib.EVP_sha256(),
          NULL,
          native.pkey,
        ) !== 1
      ) {
        lib.ERR_clear_error();
        throw new Error("EVP_DigestVerifyInit failed");
      }
      const sig = rawToDer(signature);
      const rc = lib.EVP_DigestVerify(
        ctx,
        sig,
        BigInt(sig.length),
        data as Uint8Array<ArrayBuffer>,
        BigInt(data.length),
      );
      if (rc !== 1) lib.ERR_clear_error();
      return rc === 1;
    } finally {
      lib.EVP_MD_CTX_free(ctx);
    }
  }
  return await crypto.subtle.verify(
    ECDSA_SHA256,
    publicKey,
    signature as Uint8Array<ArrayBuffer>,
    data as Uint8Array<ArrayBuffer>,
  );
}

/** A private key held inside libcrypto: it can sign and nothing else. */
export interface NativeSigningKey {
  /** ECDSA P-256/SHA-256 over `data`, as 64-byte r‖s. */
  sign(data: Uint8Array): Uint8Array<ArrayBuffer>;
}

const held = new FinalizationRegistry<Deno.PointerValue>((ecKey) =>
  loadLibcrypto()?.EC_KEY_free(ecKey)
);

/** OpenSSL's NID_X9_62_prime256v1. */
const NID_P256 = 415;
/** DER of OID 1.2.840.10045.2.1 then OID 1.2.840.10045.3.1.7. */
const EC_P256_ALGORITHM = "06072a8648ce3d020106082a8648ce3d030107";

/** One DER element's header at `at`: tag, where its content starts and ends. */
function derElement(der: Uint8Array, at: number) {
  const tag = der[at];
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 2) throw new RangeError("Unsupported DER length");
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | der[start + i];
    start += n;
  }
  if (start + len > der.length) throw new RangeError("Truncated DER");
  return { tag, start, end: start + len };
}

/**
 * The `ECPrivateKey` (RFC 5915) inside a PKCS#8 `PrivateKeyInfo`:
 * `SEQUENCE { INTEGER version, SEQUENCE algorithm, OCTET STRING key }`.
 */
function ecPrivateKeyOf(pkcs8: Uint8Array): Uint8Array {
  const outer = derElement(pkcs8, 0);
  if (outer.tag !== 0x30) throw new RangeError("Not a PKCS#8 key");
  const version = derElement(pkcs8, outer.start);
  const algorithm = derElement(pkcs8, version.end);
  const key = derElement(pkcs8, algorithm.end);
  if (version.tag !== 0x02 || algorithm.tag !== 0x30 || key.tag !== 0x04) {
    throw new RangeError("Not a PKCS#8 key");
  }
  // { id-ecPublicKey, prime256v1 }: nothing else may be read as P-256.
  const alg = pkcs8.subarray(algorithm.start, algorithm.end);
  if (alg.toHex() !== EC_P256_ALGORITHM) {
    throw new RangeError("Not a P-256 key");
  }
  return pkcs8.subarray(key.start, key.end);
}

/**
 * Loads a PKCS#8 P-256 private key into libcrypto, or null when libcrypto
 * is not available or the key is not P-256. The caller should wipe `pkcs8`
 * afterwards; the key then exists only inside libcrypto, reachable through
 * the returned object.
 *
 * The key goes in as an `EC_KEY` on the P-256 group (d2i_ECPrivateKey of
 * the PKCS#8 payload, ~25 µs) rather than through OpenSSL 3's decoders
 * (d2i_PrivateKey: ~150 µs; d2i_AutoPrivateKey: ~600 µs), which matters for
 * the simulated card, whose key is decrypted for each signature; signing is
 * ECDSA_sign over the SHA-256 digest.
 *
 * @example
 * ```ts ignore
 * const key = nativeSigningKey(pkcs8);
 * pkcs8.fill(0);
 * const sig = key?.sign(bytes);
 * ```
 */
export function nativeSigningKey(pkcs8: Uint8Array): NativeSigningKey | null {
  const lib = loadLibcrypto();
  if (!lib) return null;
  let inner: Uint8Array;
  try {
    inner = ecPrivateKeyOf(pkcs8);
  } catch {
    return null;
  }
  const ecKey = lib.EC_KEY_new_by_curve_name(NID_P256);
  if (!ecKey) throw new Error("EC_KEY_new_by_curve_name failed");
  // d2i fills the EC_KEY given by reference (its group is already set: the
  // PKCS#8 payload names no curve of its own).
  const ref = new BigUint64Array([
    BigInt(Deno.UnsafePointer.value(ecKey)),
  ]);
  if (!lib.d2i_ECPrivateKey(ref, pointerCell(inner), BigInt(inner.length))) {
    lib.ERR_clear_error();
    lib.EC_KEY_free(ecKey);
    return null;
  }
  const der = new Uint8Array(80);
  const len = new Uint32Array(1);
  const key: NativeSigningKey = {
    sign(data) {
      const digest = createHash("sha256").update(data).digest();
      len[0] = der.length;
      if (lib.ECDSA_sign(0, digest, 32, der, len, ecKey) !== 1) {
        lib.ERR_clear_error();
        throw new Error("ECDSA signing through libcrypto failed");
      }
      return derToRaw(der.subarray(0, len[0]));
    },
  };
  held.register(key, ecKey);
  return key;
}
