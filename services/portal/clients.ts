/**
 * Who is verifying: banks' systems with per-client API keys (bulk use,
 * their own rate), everyone else anonymous (a strict rate per address).
 * API keys are kept only as SHA-256 digests and compared in constant time;
 * anonymous addresses are never stored or logged, only a keyed hash of them.
 *
 * @module
 */
import { timingSafeEqual } from "hono/utils/buffer";

/** A configured API client. */
export interface ApiClient {
  id: string;
  /** Burst of the client's bucket. */
  capacity: number;
  /** Sustained verifications a minute. */
  perMinute: number;
}

/** An API client as configured, with its plain key. */
export interface ApiClientConfig {
  id: string;
  key: string;
  capacity?: number;
  perMinute?: number;
}

/** Looks API keys up. */
export interface ApiKeyRegistry {
  /** The client owning `key`, or undefined. */
  authenticate(key: string): Promise<ApiClient | undefined>;
  readonly size: number;
}

async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return new Uint8Array(d).toHex();
}

/**
 * Builds the registry from configured keys (hashed at once).
 *
 * @example
 * ```ts ignore
 * const keys = await createApiKeyRegistry([{ id: "bank-a", key: "s3cret-…" }]);
 * (await keys.authenticate("s3cret-…"))?.id; // "bank-a"
 * ```
 */
export async function createApiKeyRegistry(
  list: ApiClientConfig[],
): Promise<ApiKeyRegistry> {
  const entries = await Promise.all(list.map(async (c) => {
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(c.id)) {
      throw new TypeError(`API client id must be [a-z0-9._-], got "${c.id}"`);
    }
    if (c.key.length < 16) {
      throw new RangeError(`API key of ${c.id} must be at least 16 characters`);
    }
    return {
      digest: await sha256Hex(c.key),
      client: {
        id: c.id,
        capacity: c.capacity ?? 120,
        perMinute: c.perMinute ?? 600,
      },
    };
  }));
  return {
    size: entries.length,
    async authenticate(key) {
      if (key.length > 256) return undefined;
      const digest = await sha256Hex(key);
      let found: ApiClient | undefined;
      for (const e of entries) {
        if (await timingSafeEqual(e.digest, digest)) found = e.client;
      }
      return found;
    },
  };
}

/**
 * The API key of a request: `Authorization: Bearer <key>` or `X-API-Key`.
 * Undefined when neither header is present; "" when one is malformed.
 *
 * @example
 * ```ts
 * apiKeyOf(new Headers({ "X-API-Key": "abc" })); // "abc"
 * ```
 */
export function apiKeyOf(headers: Headers): string | undefined {
  const x = headers.get("x-api-key");
  if (x !== null) return x.trim();
  const auth = headers.get("authorization");
  if (auth === null) return undefined;
  return /^Bearer\s+(\S+)$/i.exec(auth)?.[1] ?? "";
}

/**
 * A keyed hash of a client address, for rate limiting and the audit of
 * anonymous use without keeping the address.
 *
 * @example
 * ```ts ignore
 * const anon = await createAnonymizer(secret);
 * await anon("203.0.113.7"); // "anon:3f9c…" (16 hex)
 * ```
 */
export async function createAnonymizer(
  secret: Uint8Array,
): Promise<(address: string) => Promise<string>> {
  const key = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return async (address) => {
    const mac = new Uint8Array(
      await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(address)),
    );
    return "anon:" + mac.subarray(0, 8).toHex();
  };
}
