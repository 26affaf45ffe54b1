/**
 * The portal's configuration, parsed once at start; a bad value fails fast
 * naming the variable.
 *
 * @module
 */
import {
  type Env,
  envFlag,
  envInt,
  parseJsonArray,
} from "../../lib/service/env.ts";
import type { ApiClientConfig } from "./clients.ts";
import { devSecret } from "../../lib/service/dev_secrets.ts";

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
  /** Most sheets verified in one upload (`PORTAL_MAX_SHEETS`, default 20: 40 pages with fronts). */
  maxSheets: number;
  anonymousPerMinute: number;
  trustProxy: boolean;
  secureCookies: boolean;
  /** Decode workers (0: decode on the main thread). */
  decodeWorkers: number;
  /** Scans waiting for a worker, per channel, before 503 BUSY. */
  decodeQueue: { form: number; api: number };
  /** A decode running longer is stopped and its worker replaced. */
  decodeTimeoutMs: number;
  /**
   * Serve HTTPS with this certificate and key (PEM files,
   * `PORTAL_TLS_CERT_FILE` + `PORTAL_TLS_KEY_FILE`); plain HTTP when absent
   * (development on localhost; production sits behind a TLS proxy).
   */
  tls: { certFile: string; keyFile: string } | null;
}

/**
 * The development API client used when PORTAL_API_CLIENTS is not set: a
 * bank `dev-bank` whose key is made once under `<DATA_DIR>/dev-secrets.json`
 * (mode 0600; never in source). Production without PORTAL_API_CLIENTS:
 * an error naming the variable.
 *
 * @example
 * ```ts ignore
 * const [bank] = devApiClients(Deno.env);
 * console.log(`X-API-Key: ${bank.key}`);
 * ```
 */
export function devApiClients(env: Env): ApiClientConfig[] {
  const secret = devSecret(env, "portal-bank-api-key", {
    requiredVar: "PORTAL_API_CLIENTS",
  });
  return [{ id: "dev-bank", key: secret.value, perMinute: 600 }];
}

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
export function loadPortalConfig(env: Env): PortalConfig {
  const rawClients = env.get("PORTAL_API_CLIENTS");
  const apiClients = rawClients
    ? parseJsonArray<ApiClientConfig>(
      rawClients,
      (c) => typeof c?.id === "string" && typeof c.key === "string",
      "PORTAL_API_CLIENTS must be a JSON array of { id, key, capacity?, perMinute? }",
    )
    : devApiClients(env);
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
  const certFile = env.get("PORTAL_TLS_CERT_FILE");
  const keyFile = env.get("PORTAL_TLS_KEY_FILE");
  if (!!certFile !== !!keyFile) {
    throw new Error(
      "PORTAL_TLS_CERT_FILE and PORTAL_TLS_KEY_FILE must be set together",
    );
  }
  const tls = certFile && keyFile ? { certFile, keyFile } : null;
  return {
    port: envInt(env, "PORTAL_PORT", 8106, 0, 65535),
    hostname: env.get("PORTAL_HOST") ?? "127.0.0.1",
    apiClients,
    secret,
    auditFile: env.get("PORTAL_AUDIT_FILE") ?? "data/portal/audit.jsonl",
    maxUploadBytes: envInt(env, "PORTAL_MAX_UPLOAD_MB", 20, 1, 200) * 1024 *
      1024,
    maxSheets: envInt(env, "PORTAL_MAX_SHEETS", 20, 1, 200),
    anonymousPerMinute: envInt(env, "PORTAL_ANON_PER_MINUTE", 10, 1, 10_000),
    trustProxy: envFlag(env, "PORTAL_TRUST_PROXY"),
    secureCookies: envFlag(env, "PORTAL_SECURE_COOKIES") || !!tls,
    decodeWorkers: envInt(
      env,
      "PORTAL_DECODE_WORKERS",
      navigator.hardwareConcurrency || 1,
      0,
      64,
    ),
    decodeQueue: {
      form: envInt(env, "PORTAL_DECODE_QUEUE_BROWSER", 8, 0, 1000),
      api: envInt(env, "PORTAL_DECODE_QUEUE_API", 16, 0, 1000),
    },
    decodeTimeoutMs: envInt(
      env,
      "PORTAL_DECODE_TIMEOUT_S",
      30,
      1,
      600,
    ) * 1000,
    tls,
  };
}
