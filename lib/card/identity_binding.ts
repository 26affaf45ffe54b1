/**
 * The center's own binding of a card to its holder: a keyed digest of the
 * holder's basic identity (氏名, 生年月日, 性別 — what the card's JPKI
 * certificate holds), made by the issuing municipality with a binding key
 * it shares with the center, one key per municipality. The registry, the
 * municipal window and the center compute it here, from one canonical
 * input, so they agree byte for byte:
 *
 * - the name NFC-normalised (nothing else: the registry and the sheets
 *   carry it as recorded, 外字 and spaces included);
 * - the birth date as ISO `YYYY-MM-DD`;
 * - the sex code (`male` | `female`).
 *
 * The digest is HMAC-SHA256 over the JSON array
 * `["konbini-card-binding/v1", name, birthDate, sex]`, base64url. The center
 * never learns the identity from the binding; it recomputes the digest from
 * the applicant the ASP answers with and compares.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { type DevSecret, devSecret } from "../service/dev_secrets.ts";
import type { Env } from "../service/env.ts";

/** The items of a person the binding covers. */
export interface HolderIdentity {
  /** 氏名, as recorded. */
  name: string;
  /** 生年月日, ISO `YYYY-MM-DD`. */
  birthDate: string;
  /** 性別 */
  sex: "male" | "female";
}

const CONTEXT = "konbini-card-binding/v1";

/** A binding digest: base64url of 32 bytes. */
export const BINDING_DIGEST_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The canonical bytes of an identity; throws `RangeError` for a malformed
 * item (an empty name, a date that is not ISO, an unknown sex code).
 *
 * @example
 * ```ts
 * canonicalIdentity({ name: "山田　太郎", birthDate: "1980-04-01", sex: "male" });
 * ```
 */
export function canonicalIdentity(id: HolderIdentity): Uint8Array {
  const name = String(id.name ?? "").normalize("NFC");
  if (!name) throw new RangeError("identity: empty name");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(String(id.birthDate))) {
    throw new RangeError("identity: birth date is not YYYY-MM-DD");
  }
  if (id.sex !== "male" && id.sex !== "female") {
    throw new RangeError("identity: unknown sex code");
  }
  return new TextEncoder().encode(
    JSON.stringify([CONTEXT, name, id.birthDate, id.sex]),
  );
}

/**
 * The binding digest of an identity under a municipality's binding key.
 *
 * @example
 * ```ts
 * const key = new Uint8Array(32);
 * bindingDigest(key, { name: "山田　太郎", birthDate: "1980-04-01", sex: "male" });
 * ```
 */
export function bindingDigest(key: Uint8Array, id: HolderIdentity): string {
  if (key.length < 32) throw new RangeError("binding key: 32 bytes or more");
  return createHmac("sha256", key).update(canonicalIdentity(id)).digest(
    "base64url",
  );
}

/**
 * Whether `id` matches `digest` under `key` (constant-time comparison; a
 * malformed identity never matches).
 *
 * @example
 * ```ts
 * const key = new Uint8Array(32);
 * const id = { name: "山田　太郎", birthDate: "1980-04-01", sex: "male" } as const;
 * matchesBinding(key, bindingDigest(key, id), id); // true
 * ```
 */
export function matchesBinding(
  key: Uint8Array,
  digest: string,
  id: HolderIdentity,
): boolean {
  let mine: string;
  try {
    mine = bindingDigest(key, id);
  } catch {
    return false;
  }
  const a = new TextEncoder().encode(mine);
  const b = new TextEncoder().encode(digest);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The binding keys of municipalities, by code. */
export type BindingKeys = (municipalityCode: string) => Uint8Array | null;

/** The variable holding the binding keys: `{"401005": "<base64 32 bytes>", …}`. */
export const BINDING_KEYS_VAR = "CARD_BINDING_KEYS";

/**
 * The binding keys from `CARD_BINDING_KEYS` (JSON object code → base64),
 * or, in development, one key per municipality made on first use under
 * `<DATA_DIR>/dev-secrets.json` (every party started from the same
 * directory shares them). Production without the variable: an error on the
 * first key asked for. `onDevKey` is told where a development key lives.
 *
 * @example
 * ```ts ignore
 * const keys = bindingKeysFromEnv(Deno.env);
 * const key = keys("401005");
 * ```
 */
export function bindingKeysFromEnv(
  env: Env,
  onDevKey?: (code: string, secret: DevSecret) => void,
): BindingKeys {
  const raw = env.get(BINDING_KEYS_VAR);
  if (raw) {
    let parsed: Record<string, string>;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new Error(`${BINDING_KEYS_VAR} must be a JSON object`);
    }
    const keys = new Map<string, Uint8Array>();
    for (const [code, b64] of Object.entries(parsed ?? {})) {
      let key: Uint8Array;
      try {
        key = Uint8Array.fromBase64(String(b64));
      } catch {
        throw new Error(`${BINDING_KEYS_VAR}: ${code} is not base64`);
      }
      if (!/^\d{6}$/.test(code) || key.length < 32) {
        throw new Error(
          `${BINDING_KEYS_VAR}: ${code} needs a 6-digit code and 32 bytes`,
        );
      }
      keys.set(code, key);
    }
    return (code) => keys.get(code) ?? null;
  }
  const cache = new Map<string, Uint8Array>();
  return (code) => {
    if (!/^\d{6}$/.test(code)) return null;
    let key = cache.get(code);
    if (!key) {
      const secret = devSecret(env, `card-binding-key-${code}`, {
        requiredVar: BINDING_KEYS_VAR,
      });
      onDevKey?.(code, secret);
      key = Uint8Array.fromBase64(secret.value);
      cache.set(code, key);
    }
    return key;
  };
}
