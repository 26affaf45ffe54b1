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
import { type Libcrypto, loadLibcrypto, pointerCell } from "./libcrypto.ts";

const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" } as const;
const NULL = null;
/** OpenSSL's NID_X9_62_id_ecPublicKey, the type of an EC key. */
const EVP_PKEY_EC = 408;

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
 * ```ts
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

const held = new FinalizationRegistry<Deno.PointerValue>((pkey) =>
  loadLibcrypto()?.EVP_PKEY_free(pkey)
);

/**
 * Loads a PKCS#8 P-256 private key into libcrypto, or null when libcrypto
 * is not available. The caller should wipe `pkcs8` afterwards; the key then
 * exists only inside libcrypto, reachable through the returned object.
 *
 * @example
 * ```ts
 * const key = nativeSigningKey(pkcs8);
 * pkcs8.fill(0);
 * const sig = key?.sign(bytes);
 * ```
 */
export function nativeSigningKey(pkcs8: Uint8Array): NativeSigningKey | null {
  const lib = loadLibcrypto();
  if (!lib) return null;
  // Naming the key type skips OpenSSL 3's probing of every decoder
  // (d2i_AutoPrivateKey: ~0.6 ms a key; this: ~0.15 ms), which matters for
  // the simulated card, whose key is decrypted for each signature.
  const pkey = lib.d2i_PrivateKey(
    EVP_PKEY_EC,
    NULL,
    pointerCell(pkcs8),
    BigInt(pkcs8.length),
  );
  if (!pkey) {
    lib.ERR_clear_error();
    return null;
  }
  const der = new Uint8Array(80);
  const len = new BigUint64Array(1);
  const key: NativeSigningKey = {
    sign(data) {
      const ctx = lib.EVP_MD_CTX_new();
      if (!ctx) throw new Error("EVP_MD_CTX_new failed");
      try {
        len[0] = BigInt(der.length);
        if (
          lib.EVP_DigestSignInit(ctx, NULL, lib.EVP_sha256(), NULL, pkey) !==
            1 ||
          lib.EVP_DigestSign(
              ctx,
              der,
              new Uint8Array(len.buffer),
              data as Uint8Array<ArrayBuffer>,
              BigInt(data.length),
            ) !== 1
        ) {
          lib.ERR_clear_error();
          throw new Error("ECDSA signing through libcrypto failed");
        }
        return derToRaw(der.subarray(0, Number(len[0])));
      } finally {
        lib.EVP_MD_CTX_free(ctx);
      }
    },
  };
  held.register(key, pkey);
  return key;
}
