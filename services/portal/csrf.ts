/**
 * CSRF protection of the upload form (which must work without JavaScript):
 * a signed double-submit token. The start page sets the token in an
 * HttpOnly, SameSite=Strict cookie and repeats it in a hidden form field;
 * a form post is accepted only when both are present, equal, carry a valid
 * HMAC of this server and are younger than `maxAgeMs`. The signature stops
 * a token planted in the cookie by a sibling site from being accepted.
 *
 * @module
 */
import { timingSafeEqual } from "hono/utils/buffer";
import type { Clock } from "../../lib/time/clock.ts";

/** Name of the cookie and of the form field. */
export const CSRF_COOKIE = "portal_csrf";
export const CSRF_FIELD = "_csrf";

/** Issues and checks tokens. */
export interface CsrfTokens {
  issue(): Promise<string>;
  /** True when the cookie's and the field's tokens match and are valid. */
  verify(
    cookie: string | undefined,
    field: string | undefined,
  ): Promise<boolean>;
  /** True when a token (from the cookie) is valid and not about to expire. */
  isFresh(token: string | undefined): Promise<boolean>;
}

const BASE64URL = { alphabet: "base64url", omitPadding: true } as const;

/**
 * Creates the token issuer from a secret (at least 32 bytes).
 *
 * @example
 * ```ts ignore
 * const csrf = await createCsrfTokens(crypto.getRandomValues(new Uint8Array(32)), systemClock);
 * const token = await csrf.issue();
 * await csrf.verify(token, token); // true
 * ```
 */
export async function createCsrfTokens(
  secret: Uint8Array,
  clock: Clock,
  maxAgeMs = 2 * 3600_000,
): Promise<CsrfTokens> {
  if (secret.length < 32) {
    throw new RangeError(
      `CSRF secret must be ≥ 32 bytes, got ${secret.length}`,
    );
  }
  const key = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = async (text: string) =>
    new Uint8Array(
      await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text)),
    ).toBase64(BASE64URL);
  const check = async (token: string, minLeftMs: number) => {
    const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/
      .exec(token);
    if (!m) return false;
    const age = clock.now().getTime() - parseInt(m[1], 36);
    if (age < -60_000 || age > maxAgeMs - minLeftMs) return false;
    return await timingSafeEqual(await mac(`${m[1]}.${m[2]}`), m[3]);
  };
  return {
    async issue() {
      const body = `${clock.now().getTime().toString(36)}.${
        crypto.getRandomValues(new Uint8Array(16)).toBase64(BASE64URL)
      }`;
      return `${body}.${await mac(body)}`;
    },
    async verify(cookie, field) {
      if (!cookie || !field || cookie.length > 200 || field.length > 200) {
        return false;
      }
      if (!(await timingSafeEqual(cookie, field))) return false;
      return await check(cookie, 0);
    },
    async isFresh(token) {
      if (!token || token.length > 200) return false;
      return await check(token, maxAgeMs / 2);
    },
  };
}
