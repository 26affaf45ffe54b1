/**
 * The portal's configuration, parsed once at start; a bad value fails fast
 * naming the variable.
 *
 * @module
 */
import type { ApiClientConfig } from "./clients.ts";

/** Parsed configuration. */
export interface PortalConfig {
  port: number;
  hostname: string;
  /** Banks' API clients with their plain keys (hashed before use). */
  apiClients: ApiClientConfig[];
  /** CSRF / address-hashing secret; random per process when absent. */
  secret?: Uint8Array;
  /** The audit file (JSON lines, hash-chained). */
  auditFile: string;
  maxUploadBytes: number;
  anonymousPerMinute: number;
  trustProxy: boolean;
  secureCookies: boolean;
}

/** Development API client used when PORTAL_API_CLIENTS is not set. */
export const DEV_API_CLIENTS: ApiClientConfig[] = [
  { id: "dev-bank", key: "dev-portal-bank-key-0001", perMinute: 600 },
];

function hexOrBase64(text: string): Uint8Array {
  if (/^[0-9a-f]+$/i.test(text) && text.length % 2 === 0) {
    return Uint8Array.fromHex(text);
  }
  return Uint8Array.fromBase64(text);
}

/**
 * Reads the configuration from the environment.
 *
 * @example
 * ```ts
 * const config = loadPortalConfig(Deno.env);
 * ```
 */
export function loadPortalConfig(
  env: { get(k: string): string | undefined },
): PortalConfig {
  const num = (name: string, fallback: number, min: number, max: number) => {
    const raw = env.get(name);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new Error(
        `${name} must be a number from ${min} to ${max}, got '${raw}'`,
      );
    }
    return n;
  };
  const flag = (name: string) => {
    const raw = env.get(name);
    if (raw === undefined || raw === "" || raw === "0" || raw === "false") {
      return false;
    }
    if (raw === "1" || raw === "true") return true;
    throw new Error(`${name} must be true or false, got '${raw}'`);
  };
  let apiClients = DEV_API_CLIENTS;
  const rawClients = env.get("PORTAL_API_CLIENTS");
  if (rawClients) {
    try {
      apiClients = JSON.parse(rawClients);
      if (
        !Array.isArray(apiClients) ||
        apiClients.some((c) =>
          typeof c.id !== "string" || typeof c.key !== "string"
        )
      ) throw 0;
    } catch {
      throw new Error(
        "PORTAL_API_CLIENTS must be a JSON array of { id, key, capacity?, perMinute? }",
      );
    }
  }
  let secret: Uint8Array | undefined;
  const rawSecret = env.get("PORTAL_SECRET");
  if (rawSecret) {
    try {
      secret = hexOrBase64(rawSecret);
    } catch {
      throw new Error("PORTAL_SECRET must be hex or base64");
    }
    if (secret.length < 32) {
      throw new Error("PORTAL_SECRET must hold at least 32 bytes");
    }
  }
  return {
    port: num("PORTAL_PORT", 8106, 0, 65535),
    hostname: env.get("PORTAL_HOST") ?? "127.0.0.1",
    apiClients,
    secret,
    auditFile: env.get("PORTAL_AUDIT_FILE") ?? "data/portal/audit.jsonl",
    maxUploadBytes: num("PORTAL_MAX_UPLOAD_MB", 20, 1, 200) * 1024 * 1024,
    anonymousPerMinute: num("PORTAL_ANON_PER_MINUTE", 10, 1, 10_000),
    trustProxy: flag("PORTAL_TRUST_PROXY"),
    secureCookies: flag("PORTAL_SECURE_COOKIES"),
  };
}
