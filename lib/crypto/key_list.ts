/**
 * The published list of the center's public signing keys, and the helpers a
 * verifier needs to pick the right key for a certificate: key ids derived
 * from the key itself, validity periods checked against the certificate's
 * issue time.
 *
 * A key list is public data: a verifier that holds only this list can check
 * a back side's signature and issue number offline, without any decryption key.
 *
 * @module
 */

/** One public key of the key list. */
export interface PublicKeyEntry {
  /** Id printed on the back side and inside the signed envelope. */
  keyId: string;
  /** The public key as a JWK (EC P-256). One of `publicKeyJwk` or `spki` is required. */
  publicKeyJwk?: JsonWebKey;
  /** The public key as base64 SubjectPublicKeyInfo DER. */
  spki?: string;
  /** First instant (ISO 8601) at which certificates signed with this key are valid. */
  notBefore: string;
  /** Last instant (ISO 8601) at which certificates signed with this key are valid. */
  notAfter: string;
  /** Always "sign": the list never carries encryption keys. */
  use: "sign";
}

/** The published key list. */
export interface KeyList {
  keys: PublicKeyEntry[];
}

/** Result of looking a key id up in a key list at a given instant. */
export type KeyLookup =
  | { status: "ok"; entry: PublicKeyEntry; key: CryptoKey }
  | { status: "unknown" }
  | { status: "not-yet-valid" | "expired"; entry: PublicKeyEntry };

const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;

/**
 * Derives a key id from an EC P-256 public key: the first 16 characters of its
 * RFC 7638 JWK thumbprint (SHA-256, base64url). Short enough to print, and
 * anyone holding the public key can recompute it.
 *
 * @example
 * ```ts
 * const { publicKey } = await crypto.subtle.generateKey(
 *   { name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
 * const id = await keyIdFromPublicKey(publicKey); // e.g. "sJq3Xv0e9Kk1aQ2B"
 * ```
 */
export async function keyIdFromPublicKey(
  publicKey: CryptoKey | JsonWebKey,
): Promise<string> {
  const jwk = "kty" in publicKey
    ? publicKey as JsonWebKey
    : await crypto.subtle.exportKey("jwk", publicKey as CryptoKey);
  if (jwk.kty !== "EC" || !jwk.crv || !jwk.x || !jwk.y) {
    throw new TypeError("Cannot derive a key id: not an EC public key");
  }
  // RFC 7638: members in lexicographic order, no whitespace.
  const canonical =
    `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical)),
  );
  return digest.toBase64({ alphabet: "base64url", omitPadding: true }).slice(
    0,
    16,
  );
}

/**
 * Checks the shape of a key list (for instance one fetched as JSON) and
 * returns it typed. Throws `TypeError` naming the first bad entry.
 *
 * @example
 * ```ts ignore
 * const list = parseKeyList(JSON.parse(await Deno.readTextFile("keys.json")));
 * ```
 */
export function parseKeyList(value: unknown): KeyList {
  if (typeof value !== "object" || value === null) {
    throw new TypeError("Key list must be an object with a keys array");
  }
  const keys = (value as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) {
    throw new TypeError("Key list must be an object with a keys array");
  }
  const seen = new Set<string>();
  const out: PublicKeyEntry[] = [];
  keys.forEach((raw, i) => {
    const e = raw as Partial<PublicKeyEntry>;
    if (typeof e?.keyId !== "string" || e.keyId.length === 0) {
      throw new TypeError(`Key list entry ${i}: keyId missing`);
    }
    if (seen.has(e.keyId)) {
      throw new TypeError(`Key list entry ${i}: duplicate keyId ${e.keyId}`);
    }
    seen.add(e.keyId);
    if (e.use !== "sign") {
      throw new TypeError(`Key list entry ${e.keyId}: use must be "sign"`);
    }
    if (!e.publicKeyJwk && typeof e.spki !== "string") {
      throw new TypeError(`Key list entry ${e.keyId}: no publicKeyJwk or spki`);
    }
    for (const field of ["notBefore", "notAfter"] as const) {
      if (typeof e[field] !== "string" || Number.isNaN(Date.parse(e[field]))) {
        throw new TypeError(`Key list entry ${e.keyId}: bad ${field}`);
      }
    }
    out.push({
      keyId: e.keyId,
      ...(e.publicKeyJwk ? { publicKeyJwk: e.publicKeyJwk } : {}),
      ...(e.spki ? { spki: e.spki } : {}),
      notBefore: e.notBefore!,
      notAfter: e.notAfter!,
      use: "sign",
    });
  });
  return { keys: out };
}

/**
 * Imports the public key of one key-list entry for ECDSA P-256 verification.
 *
 * @example
 * ```ts ignore
 * const key = await importPublicKey(list.keys[0]);
 * ```
 */
export function importPublicKey(
  entry: PublicKeyEntry,
): Promise<CryptoKey> {
  // One import per entry object: a verifier reuses its key list, and each
  // CryptoKey carries its parsed native twin (lib/crypto/ecdsa.ts).
  let p = importedKeys.get(entry);
  if (!p) {
    p = importEntry(entry);
    importedKeys.set(entry, p);
    p.catch(() => importedKeys.delete(entry));
  }
  return p;
}

const importedKeys = new WeakMap<PublicKeyEntry, Promise<CryptoKey>>();

async function importEntry(entry: PublicKeyEntry): Promise<CryptoKey> {
  if (entry.publicKeyJwk) {
    const { kty, crv, x, y } = entry.publicKeyJwk;
    return await crypto.subtle.importKey(
      "jwk",
      { kty, crv, x, y },
      ECDSA_P256,
      true,
      ["verify"],
    );
  }
  if (entry.spki) {
    return await crypto.subtle.importKey(
      "spki",
      // base64 or base64url alike
      Uint8Array.fromBase64(
        entry.spki.replaceAll("-", "+").replaceAll("_", "/"),
      ),
      ECDSA_P256,
      true,
      ["verify"],
    );
  }
  throw new TypeError(`Key list entry ${entry.keyId} has no public key`);
}

/**
 * Finds the key a certificate names and checks it was valid when the
 * certificate was issued. `at` is the certificate's issue time, not "now":
 * a certificate issued while the key was valid stays verifiable after the
 * key is retired.
 *
 * @example
 * ```ts ignore
 * const found = await findVerificationKey(list, "sJq3Xv0e9Kk1aQ2B",
 *   new Date("2026-11-26T10:00:00+09:00"));
 * if (found.status === "ok") { ... found.key ... }
 * ```
 */
export async function findVerificationKey(
  keyList: KeyList,
  keyId: string,
  at: Date,
): Promise<KeyLookup> {
  const entry = keyList.keys.find((k) => k.keyId === keyId);
  if (!entry || entry.use !== "sign") return { status: "unknown" };
  const t = at.getTime();
  if (Number.isNaN(t) || t < Date.parse(entry.notBefore)) {
    return { status: "not-yet-valid", entry };
  }
  if (t > Date.parse(entry.notAfter)) return { status: "expired", entry };
  return { status: "ok", entry, key: await importPublicKey(entry) };
}
