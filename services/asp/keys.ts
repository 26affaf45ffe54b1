/**
 * Envelope encryption of the replica. Each tenant has its own 256-bit data
 * key, stored only wrapped (AES-256-GCM) by a master key from config; rows
 * are sealed with AES-256-GCM under the data key, bound to their tenant,
 * table and id so a ciphertext cannot be moved to another row or tenant.
 *
 * Sealed format: `01 | iv (12) | ciphertext | tag (16)`.
 *
 * Rows are sealed through OpenSSL's libcrypto (FFI) when it can be loaded —
 * in Deno one node:crypto `Cipheriv` costs 10–20 µs per row, libcrypto with
 * a context that keeps the key schedule about 1.5 µs — and through
 * node:crypto otherwise. Both produce the same format and open the same way
 * (`keys_test.ts` checks one against the other).
 *
 * @module
 */
import { loadLibcrypto } from "../../lib/crypto/libcrypto.ts";
import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  randomFillSync,
} from "node:crypto";

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
 * ```ts ignore
 * const master = parseMasterKey("mk-2026", Deno.env.get("ASP_MASTER_KEY")!);
 * ```
 */
export function parseMasterKey(id: string, base64: string): MasterKey {
  let raw: Uint8Array;
  try {
    raw = Uint8Array.fromBase64(base64.trim());
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

// IVs come from the CSPRNG 4 KiB at a time (one call instead of one per
// row); each 12-byte slice is used once.
const ivPool = new Uint8Array(IV_BYTES * 341);
let ivNext = ivPool.length;

function freshIv(): Uint8Array {
  if (ivNext + IV_BYTES > ivPool.length) {
    randomFillSync(ivPool);
    ivNext = 0;
  }
  const iv = ivPool.subarray(ivNext, ivNext + IV_BYTES);
  ivNext += IV_BYTES;
  return iv;
}

function seal(key: Uint8Array, aad: Uint8Array, plain: Uint8Array): Uint8Array {
  const iv = freshIv();
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

// ---- AES-256-GCM through libcrypto ---------------------------------------

/** `EVP_CTRL_AEAD_GET_TAG` of OpenSSL's evp.h. */
const EVP_CTRL_AEAD_GET_TAG = 0x10;

const contexts = new FinalizationRegistry<Deno.PointerValue>((ctx) =>
  loadLibcrypto()?.EVP_CIPHER_CTX_free(ctx)
);

/** Seals `plain` bound to `aad` in the sealed format. */
type Sealer = (aad: Uint8Array, plain: Uint8Array) => Uint8Array;

/**
 * A sealer keeping `key`'s schedule in one libcrypto context (each row then
 * only sets a fresh IV), or null when libcrypto is not available.
 */
function libcryptoSealer(key: Uint8Array): Sealer | null {
  const lib = loadLibcrypto();
  if (!lib) return null;
  const ctx = lib.EVP_CIPHER_CTX_new();
  if (!ctx) return null;
  if (
    lib.EVP_EncryptInit_ex(
      ctx,
      lib.EVP_aes_256_gcm(),
      null,
      key as Uint8Array<ArrayBuffer>,
      null,
    ) !== 1
  ) {
    lib.EVP_CIPHER_CTX_free(ctx);
    return null;
  }
  const outl = new Int32Array(1);
  const outlBytes = new Uint8Array(outl.buffer);
  const sealer: Sealer = (aad, plain) => {
    const iv = freshIv();
    const out = new Uint8Array(1 + IV_BYTES + plain.length + TAG_BYTES);
    out[0] = VERSION;
    out.set(iv, 1);
    const body = out.subarray(1 + IV_BYTES);
    const ok = lib.EVP_EncryptInit_ex(
          ctx,
          null,
          null,
          null,
          iv as Uint8Array<ArrayBuffer>,
        ) === 1 &&
      lib.EVP_EncryptUpdate(
          ctx,
          null,
          outlBytes,
          aad as Uint8Array<ArrayBuffer>,
          aad.length,
        ) === 1 &&
      lib.EVP_EncryptUpdate(
          ctx,
          body,
          outlBytes,
          plain as Uint8Array<ArrayBuffer>,
          plain.length,
        ) === 1 &&
      outl[0] === plain.length &&
      lib.EVP_EncryptFinal_ex(ctx, body.subarray(plain.length), outlBytes) ===
        1 &&
      outl[0] === 0 &&
      lib.EVP_CIPHER_CTX_ctrl(
          ctx,
          EVP_CTRL_AEAD_GET_TAG,
          TAG_BYTES,
          out.subarray(out.length - TAG_BYTES),
        ) === 1;
    if (!ok) throw new Error("AES-256-GCM through libcrypto failed");
    return out;
  };
  contexts.register(sealer, ctx);
  return sealer;
}

/**
 * Whether this process seals rows through libcrypto (else node:crypto).
 *
 * @example
 * ```ts
 * console.log(rowSealing()); // "libcrypto" | "node:crypto"
 * ```
 */
export function rowSealing(): "libcrypto" | "node:crypto" {
  return loadLibcrypto() ? "libcrypto" : "node:crypto";
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

/**
 * A tenant's cipher over its raw data key. Only for a worker of this
 * process that was handed the key by {@linkcode Keyring.dataKeyForWorker};
 * everything else gets its cipher from the keyring. `opts.sealer` forces
 * one implementation (tests compare them); by default libcrypto when it
 * loads.
 *
 * @example
 * ```ts ignore
 * const cipher = tenantCipher("401005", dataKey); // inside a worker
 * const sealed = cipher.sealJson("residents", "401005-R1", { name: "…" });
 * ```
 */
export function tenantCipher(
  code: string,
  dataKey: Uint8Array,
  opts: { sealer?: "libcrypto" | "node:crypto" } = {},
): TenantCipher {
  if (dataKey.length !== 32) {
    throw new RangeError(`A data key has 32 bytes, got ${dataKey.length}`);
  }
  const key = new Uint8Array(dataKey); // own copy: the caller's may be wiped
  const aad = (table: string, id: string) =>
    enc.encode(`asp1\u0000${code}\u0000${table}\u0000${id}`);
  const sealRow: Sealer = opts.sealer === "node:crypto"
    ? (a, p) => seal(key, a, p)
    : libcryptoSealer(key) ?? ((a, p) => seal(key, a, p));
  // The JSON's UTF-8 goes into a reused buffer (sealing copies it out):
  // TextEncoder.encode() allocating per row costs more than the cipher.
  let scratch = new Uint8Array(4096);
  const aadScratch = new Uint8Array(1024);
  return {
    code,
    sealJson(table, id, value) {
      const json = JSON.stringify(value);
      if (json.length * 3 > scratch.length) {
        scratch = new Uint8Array(json.length * 3);
      }
      const n = enc.encodeInto(json, scratch).written;
      const a = `asp1\u0000${code}\u0000${table}\u0000${id}`;
      const aadBytes = a.length * 3 <= aadScratch.length
        ? aadScratch.subarray(0, enc.encodeInto(a, aadScratch).written)
        : enc.encode(a);
      return sealRow(aadBytes, scratch.subarray(0, n));
    },
    openJson: (table, id, sealed) =>
      JSON.parse(
        dec.decode(
          open(
            key,
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
  /**
   * A copy of the tenant's raw data key, to hand to this process's own
   * workers (which build their cipher with {@linkcode tenantCipher}); never
   * to be stored, logged or sent anywhere else. Wipe it when done.
   */
  dataKeyForWorker(
    code: string,
    wrapped: Uint8Array,
    masterKeyId: string,
  ): Uint8Array;
}

/**
 * Creates a keyring over one or more master keys (the first wraps new keys;
 * the others still unwrap older ones).
 *
 * @example
 * ```ts ignore
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
  const unwrap = (code: string, wrapped: Uint8Array, masterKeyId: string) => {
    const master = byId.get(masterKeyId);
    if (!master) {
      throw new DecryptError(
        `data key of tenant ${code} (master key '${masterKeyId}' unknown)`,
      );
    }
    return open(
      master.raw,
      wrapAad(code, masterKeyId),
      new Uint8Array(wrapped),
      `data key of tenant ${code}`,
    );
  };
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
      const dataKey = unwrap(code, wrapped, masterKeyId);
      const c = tenantCipher(code, dataKey);
      dataKey.fill(0);
      cache.set(cacheKey, c);
      return c;
    },
    dataKeyForWorker: unwrap,
  };
}

/** A random master key as base64 (for `.env` and tests). */
export function generateMasterKeyBase64(): string {
  return randomBytes(32).toBase64();
}
