/**
 * THE signer: the one module that holds the center's private signing keys.
 * Keys are WebCrypto `CryptoKey`s created or imported non-extractable, kept
 * in a closure of the signer object, and never handed out; everything else
 * asks the signer to sign bytes and gets back a 64-byte ECDSA P-256 r‖s
 * signature. The signer also publishes the matching public key list.
 *
 * Keys made by {@linkcode generateSigningKey} or {@linkcode importSigningKey}
 * are also loaded into libcrypto (when it loads; lib/crypto/ecdsa.ts) and
 * signed with there — ~30 µs instead of ~1 ms for WebCrypto in Deno; the
 * native key is reachable only from this module and is checked against
 * the WebCrypto public key before it is used.
 *
 * @module
 */

import { type NativeSigningKey, nativeSigningKey } from "./ecdsa.ts";
import { keyIdFromPublicKey, type KeyList } from "./key_list.ts";
import { type Clock, systemClock } from "../time/clock.ts";

/** One signing key pair handed to {@linkcode createSigner}. */
export interface SigningKey {
  /** Key id; derived from the public key when omitted. */
  keyId?: string;
  /** ECDSA P-256 private key, non-extractable. */
  privateKey: CryptoKey;
  /** The matching public key. */
  publicKey: CryptoKey;
  /** Start of the key's validity. */
  notBefore: Date;
  /** End of the key's validity. */
  notAfter: Date;
}

/** Signs with the center's keys; the only holder of private keys. */
export interface Signer {
  /** Id of the key to sign with now: the newest key valid at the clock's time. */
  activeKeyId(): string;
  /**
   * Signs `data` with key `keyId` (ECDSA P-256, SHA-256), returning the
   * 64-byte r‖s signature. Throws `RangeError` for a key the signer does not
   * hold or one not valid at the clock's time.
   */
  sign(keyId: string, data: Uint8Array): Promise<Uint8Array<ArrayBuffer>>;
  /** The public key list to publish for verifiers. */
  keyList(): Promise<KeyList>;
}

/** Options of {@linkcode createSigner}. */
export interface SignerOptions {
  /** Clock for key validity; defaults to the system clock. */
  clock?: Clock;
}

const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" } as const;

/** The libcrypto twin of each private key this module made (module-private). */
const natives = new WeakMap<CryptoKey, NativeSigningKey>();

/**
 * Loads a PKCS#8 key into libcrypto as the twin of `privateKey`, after a
 * test signature verifies under `publicKey`; wipes `pkcs8`.
 */
async function attachNative(
  privateKey: CryptoKey,
  publicKey: CryptoKey,
  pkcs8: Uint8Array,
): Promise<void> {
  const native = nativeSigningKey(pkcs8);
  pkcs8.fill(0);
  if (!native) return;
  const probe = crypto.getRandomValues(new Uint8Array(32));
  if (
    await crypto.subtle.verify(
      ECDSA_SHA256,
      publicKey,
      native.sign(probe),
      probe,
    )
  ) natives.set(privateKey, native);
}

/**
 * Builds a signer from key pairs. Refuses extractable private keys, so a key
 * held by a signer can never be exported through it or its callers.
 *
 * @example
 * ```ts
 * const key = await generateSigningKey({
 *   notBefore: new Date("2026-01-01T00:00:00+09:00"),
 *   notAfter: new Date("2027-12-31T23:59:59+09:00"),
 * });
 * const signer = await createSigner([key]);
 * const sig = await signer.sign(signer.activeKeyId(), new Uint8Array([1, 2, 3]));
 * ```
 */
export async function createSigner(
  keys: SigningKey[],
  options: SignerOptions = {},
): Promise<Signer> {
  if (keys.length === 0) throw new TypeError("A signer needs at least one key");
  const clock = options.clock ?? systemClock;
  const held = new Map<
    string,
    {
      privateKey: CryptoKey;
      native?: NativeSigningKey;
      publicJwk: JsonWebKey;
      notBefore: Date;
      notAfter: Date;
    }
  >();
  for (const k of keys) {
    if (k.privateKey.type !== "private" || k.privateKey.extractable) {
      throw new TypeError(
        "Signer keys must be non-extractable private keys",
      );
    }
    const alg = k.privateKey.algorithm as EcKeyAlgorithm;
    if (alg.name !== "ECDSA" || alg.namedCurve !== "P-256") {
      throw new TypeError("Signer keys must be ECDSA P-256");
    }
    if (!(k.notBefore < k.notAfter)) {
      throw new RangeError("Signing key notBefore must precede notAfter");
    }
    const publicJwk = await crypto.subtle.exportKey("jwk", k.publicKey);
    const keyId = k.keyId ?? await keyIdFromPublicKey(publicJwk);
    if (held.has(keyId)) throw new TypeError(`Duplicate signing key ${keyId}`);
    held.set(keyId, {
      privateKey: k.privateKey,
      native: natives.get(k.privateKey),
      publicJwk: {
        kty: publicJwk.kty,
        crv: publicJwk.crv,
        x: publicJwk.x,
        y: publicJwk.y,
      },
      notBefore: k.notBefore,
      notAfter: k.notAfter,
    });
  }

  function validAt(keyId: string, now: Date) {
    const k = held.get(keyId);
    return k !== undefined && k.notBefore <= now && now <= k.notAfter;
  }

  return {
    activeKeyId() {
      const now = clock.now();
      let best: string | undefined;
      for (const [id, k] of held) {
        if (!validAt(id, now)) continue;
        if (!best || k.notBefore > held.get(best)!.notBefore) best = id;
      }
      if (!best) {
        throw new RangeError(
          `No signing key is valid at ${now.toISOString()}`,
        );
      }
      return best;
    },
    async sign(keyId, data) {
      const k = held.get(keyId);
      if (!k) throw new RangeError(`Signer holds no key ${keyId}`);
      const now = clock.now();
      if (!validAt(keyId, now)) {
        throw new RangeError(
          `Signing key ${keyId} is not valid at ${now.toISOString()}`,
        );
      }
      if (k.native) return k.native.sign(data);
      return new Uint8Array(
        await crypto.subtle.sign(
          ECDSA_SHA256,
          k.privateKey,
          data as BufferSource,
        ),
      );
    },
    keyList() {
      return Promise.resolve({
        keys: [...held].map(([keyId, k]) => ({
          keyId,
          publicKeyJwk: { ...k.publicJwk },
          notBefore: k.notBefore.toISOString(),
          notAfter: k.notAfter.toISOString(),
          use: "sign" as const,
        })),
      });
    },
  };
}

/**
 * Generates a fresh ECDSA P-256 key pair whose private half is
 * non-extractable, ready for {@linkcode createSigner}.
 *
 * @example
 * ```ts
 * const key = await generateSigningKey({
 *   notBefore: new Date("2026-01-01"), notAfter: new Date("2028-01-01"),
 * });
 * ```
 */
export async function generateSigningKey(
  options: { keyId?: string; notBefore: Date; notAfter: Date },
): Promise<SigningKey> {
  const pair = await crypto.subtle.generateKey(ECDSA_P256, true, [
    "sign",
    "verify",
  ]);
  const pkcs8 = new Uint8Array(
    await crypto.subtle.exportKey("pkcs8", pair.privateKey),
  );
  const privateKey = await crypto.subtle.importKey(
    "pkcs8",
    pkcs8,
    ECDSA_P256,
    false,
    ["sign"],
  );
  await attachNative(privateKey, pair.publicKey, pkcs8);
  return { ...options, privateKey, publicKey: pair.publicKey };
}

/**
 * Imports a signing key from a private JWK (as kept in an HSM export or a
 * sealed config file) as non-extractable. The public key is derived from the
 * JWK's x and y.
 *
 * @example
 * ```ts ignore
 * const key = await importSigningKey(privateJwk, {
 *   notBefore: new Date("2026-01-01"), notAfter: new Date("2028-01-01"),
 * });
 * ```
 */
export async function importSigningKey(
  privateJwk: JsonWebKey,
  options: { keyId?: string; notBefore: Date; notAfter: Date },
): Promise<SigningKey> {
  const { kty, crv, x, y, d } = privateJwk;
  if (kty !== "EC" || crv !== "P-256" || !d) {
    throw new TypeError("Signing key must be a private EC P-256 JWK");
  }
  const privateKey = await crypto.subtle.importKey(
    "jwk",
    { kty, crv, x, y, d },
    ECDSA_P256,
    false,
    ["sign"],
  );
  const publicKey = await crypto.subtle.importKey(
    "jwk",
    { kty, crv, x, y },
    ECDSA_P256,
    true,
    ["verify"],
  );
  const extractable = await crypto.subtle.importKey(
    "jwk",
    { kty, crv, x, y, d },
    ECDSA_P256,
    true,
    ["sign"],
  );
  await attachNative(
    privateKey,
    publicKey,
    new Uint8Array(await crypto.subtle.exportKey("pkcs8", extractable)),
  );
  return { ...options, privateKey, publicKey };
}

/** DER of a P-256 PKCS#8 key up to its 32-byte private scalar (RFC 5915, no public key). */
const P256_PKCS8_PREFIX = Uint8Array.fromHex(
  "3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420",
);

/**
 * Derives a signing key from a secret (for instance a development secret
 * kept in `<DATA_DIR>/dev-secrets.json`, lib/service/dev_secrets.ts): the
 * private scalar is SHA-256 of a context label and the secret, so the same
 * secret always gives the same key. The private key is non-extractable.
 *
 * @example
 * ```ts
 * const key = await signingKeyFromSecret(crypto.getRandomValues(new Uint8Array(32)), {
 *   notBefore: new Date("2026-01-01"), notAfter: new Date("2036-01-01"),
 * });
 * ```
 */
export async function signingKeyFromSecret(
  secret: Uint8Array,
  options: { keyId?: string; notBefore: Date; notAfter: Date },
): Promise<SigningKey> {
  if (secret.length < 16) throw new TypeError("The secret is too short");
  const label = new TextEncoder().encode("konbini-signing-key/v1\n");
  const d = new Uint8Array(
    await crypto.subtle.digest(
      "SHA-256",
      new Uint8Array([...label, ...secret]),
    ),
  );
  const pkcs8 = new Uint8Array([...P256_PKCS8_PREFIX, ...d]);
  d.fill(0);
  const extractable = await crypto.subtle.importKey(
    "pkcs8",
    pkcs8,
    ECDSA_P256,
    true,
    ["sign"],
  );
  pkcs8.fill(0);
  const jwk = await crypto.subtle.exportKey("jwk", extractable);
  try {
    return await importSigningKey(jwk, options);
  } finally {
    jwk.d = undefined;
  }
}
