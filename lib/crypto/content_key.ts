/**
 * Content keys: the AES-256-GCM keys that encrypt a back side's content.
 * The center holds them; the verification site holds the same keys to
 * decrypt. Each key has an id that is printed in clear in the envelope so a
 * verifier knows which key to use.
 *
 * @module
 */

/** An AES-256-GCM key with its id. */
export interface ContentKey {
  /** Id stored in clear in every envelope encrypted with this key. */
  keyId: string;
  /** AES-GCM 256-bit key. */
  key: CryptoKey;
}

const AES_GCM_256 = { name: "AES-GCM", length: 256 } as const;

/**
 * Generates a new non-extractable content key.
 *
 * @example
 * ```ts
 * const contentKey = await generateContentKey("enc-2026-01");
 * ```
 */
export async function generateContentKey(keyId: string): Promise<ContentKey> {
  checkKeyId(keyId);
  const key = await crypto.subtle.generateKey(AES_GCM_256, false, [
    "encrypt",
    "decrypt",
  ]);
  return { keyId, key };
}

/**
 * Imports a content key from its 32 raw bytes (non-extractable).
 *
 * @example
 * ```ts ignore
 * const contentKey = await importContentKey("enc-2026-01", rawBytes);
 * ```
 */
export async function importContentKey(
  keyId: string,
  raw: Uint8Array,
): Promise<ContentKey> {
  checkKeyId(keyId);
  if (raw.length !== 32) {
    throw new RangeError(`Content key must be 32 bytes, got ${raw.length}`);
  }
  const key = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(raw),
    AES_GCM_256,
    false,
    ["encrypt", "decrypt"],
  );
  return { keyId, key };
}

function checkKeyId(keyId: string) {
  const bytes = new TextEncoder().encode(keyId).length;
  if (bytes === 0 || bytes > 64) {
    throw new RangeError(`Content key id must be 1–64 bytes, got ${bytes}`);
  }
}
