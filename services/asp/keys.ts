/**
 * Envelope encryption of the replica. Each tenant has its own 256-bit data
 * key, stored only wrapped (AES-256-GCM) by a master key from config; rows
 * are sealed with AES-256-GCM under the data key, bound to their tenant,
 * table and id so a ciphertext cannot be moved to another row or tenant.
 *
 * Sealed format: `01 | iv (12) | ciphertext | tag (16)`.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A master key (kept in config, never in the database). */
export interface MasterKey {
  /** Stored beside each wrapped key so keys can be rotated. */
  id: string;
  /** 32 raw bytes. */
  raw: Uint8Array;
}

/** A row or a key could not be decrypted: wrong key, wrong binding or tampering. */
export class DecryptError extends Error {
  constructor(what: string) {
    super(`Cannot decrypt ${what}: wrong key or altered data`);
    this.name = "DecryptError";
  }
}

/**
 * Parses a master key from base64 (32 bytes).
 *
 * @example
 * ```ts
 * const master = parseMasterKey("mk-2026", Deno.env.get("ASP_MASTER_KEY")!);
 * ```
 */
export function parseMasterKey(id: string, base64: string): MasterKey {
  let raw: Uint8Array;
  try {
    raw = Uint8Array.from(atob(base64.trim()), (c) => c.charCodeAt(0));
  } catch {
    throw new TypeError(`Master key '${id}' is not valid base64`);
  }
  if (raw.length !== 32) {
    throw new RangeError(
      `Master key '${id}' must be 32 bytes, got ${raw.length}`,
    );
  }
  if (!id || id.length > 64) {
    throw new RangeError("Master key id must be 1–64 characters");
  }
  return { id, raw };
}

function seal(key: Uint8Array, aad: Uint8Array, plain: Uint8Array): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(aad);
  const body = c.update(plain);
  const fin = c.final();
  const tag = c.getAuthTag();
  const out = new Uint8Array(
    1 + IV_BYTES + body.length + fin.length + TAG_BYTES,
  );
  out[0] = VERSION;
  out.set(iv, 1);
  out.set(body, 1 + IV_BYTES);
  out.set(fin, 1 + IV_BYTES + body.length);
  out.set(tag, out.length - TAG_BYTES);
  return out;
}

function open(
  key: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
  what: string,
): Uint8Array {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) {
    throw new DecryptError(what);
  }
  try {
    const d = createDecipheriv(
      "aes-256-gcm",
      key,
      sealed.subarray(1, 1 + IV_BYTES),
    );
    d.setAAD(aad);
    d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const body = d.update(
      sealed.subarray(1 + IV_BYTES, sealed.length - TAG_BYTES),
    );
    const fin = d.final();
    if (!fin.length) {
      return new Uint8Array(body.buffer, body.byteOffset, body.length);
    }
    const out = new Uint8Array(body.length + fin.length);
    out.set(body);
    out.set(fin, body.length);
    return out;
  } catch {
    throw new DecryptError(what);
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Seals and opens one tenant's rows with its data key. */
export interface TenantCipher {
  /** The tenant this cipher belongs to. */
  readonly code: string;
  /** Encrypts a JSON value bound to (tenant, table, id). */
  sealJson(table: string, id: string, value: unknown): Uint8Array;
  /** Decrypts what {@linkcode TenantCipher.sealJson} produced for the same binding. */
  openJson<T>(table: string, id: string, sealed: Uint8Array): T;
}

function tenantCipher(code: string, dataKey: Uint8Array): TenantCipher {
  const aad = (table: string, id: string) =>
    enc.encode(`asp1\u0000${code}\u0000${table}\u0000${id}`);
  return {
    code,
    sealJson: (table, id, value) =>
      seal(dataKey, aad(table, id), enc.encode(JSON.stringify(value))),
    openJson: (table, id, sealed) =>
      JSON.parse(
        dec.decode(
          open(
            dataKey,
            aad(table, id),
            sealed,
            `${table} row of tenant ${code}`,
          ),
        ),
      ),
  };
}

/** Creates, wraps and unwraps tenants' data keys. */
export interface Keyring {
  /** Id of the master key that wraps new data keys. */
  readonly currentMasterKeyId: string;
  /** A fresh data key for a tenant, wrapped by the current master key. */
  newDataKey(code: string): { wrapped: Uint8Array; masterKeyId: string };
  /** The tenant's cipher (cached) from its wrapped data key. */
  cipher(code: string, wrapped: Uint8Array, masterKeyId: string): TenantCipher;
}

/**
 * Creates a keyring over one or more master keys (the first wraps new keys;
 * the others still unwrap older ones).
 *
 * @example
 * ```ts
 * const keyring = createKeyring([parseMasterKey("mk1", b64)]);
 * const { wrapped, masterKeyId } = keyring.newDataKey("401005");
 * const cipher = keyring.cipher("401005", wrapped, masterKeyId);
 * ```
 */
export function createKeyring(masterKeys: MasterKey[]): Keyring {
  if (!masterKeys.length) {
    throw new TypeError("createKeyring needs at least one master key");
  }
  const byId = new Map(masterKeys.map((k) => [k.id, k]));
  const cache = new Map<string, TenantCipher>();
  const wrapAad = (code: string, id: string) =>
    enc.encode(`asp-dek\u0000${code}\u0000${id}`);
  return {
    currentMasterKeyId: masterKeys[0].id,
    newDataKey(code) {
      const master = masterKeys[0];
      const dataKey = randomBytes(32);
      const wrapped = seal(master.raw, wrapAad(code, master.id), dataKey);
      dataKey.fill(0);
      return { wrapped, masterKeyId: master.id };
    },
    cipher(code, wrapped, masterKeyId) {
      const cacheKey = `${code}\u0000${masterKeyId}`;
      const hit = cache.get(cacheKey);
      if (hit) return hit;
      const master = byId.get(masterKeyId);
      if (!master) {
        throw new DecryptError(
          `data key of tenant ${code} (master key '${masterKeyId}' unknown)`,
        );
      }
      const dataKey = open(
        master.raw,
        wrapAad(code, masterKeyId),
        new Uint8Array(wrapped),
        `data key of tenant ${code}`,
      );
      const c = tenantCipher(code, dataKey);
      cache.set(cacheKey, c);
      return c;
    },
  };
}

/** A random master key as base64 (for `.env` and tests). */
export function generateMasterKeyBase64(): string {
  return btoa(String.fromCharCode(...randomBytes(32)));
}
