/**
 * The ASP's configuration, parsed once at start; a bad value fails fast
 * naming the variable.
 *
 * @module
 */
import { devSecret, isProduction } from "../../lib/service/dev_secrets.ts";
import { type Env, envInt } from "../../lib/service/env.ts";
import type { AspScope } from "./auth.ts";
import type { ClientConfig } from "../../lib/service/bearer_auth.ts";
import { type MasterKey, parseMasterKey } from "./keys.ts";
import type { TenantConfig } from "./tenancy.ts";

/** Parsed configuration. */
export interface AspConfig {
  port: number;
  hostname: string;
  /** What this process runs. */
  mode: "all" | "api" | "worker";
  /** Master keys; the first wraps new data keys. */
  masterKeys: MasterKey[];
  /** Where the development master key lives, when it is in use. */
  devMasterKey: string | null;
  /** The registry's mutual-TLS API (the feed). */
  registryUrl: string;
  /** A bearer token at the registry, if one is configured besides the certificate. */
  registryToken?: string;
  /** Callers: the certificate CN names each (default its id); a token is optional. */
  clients: ClientConfig<AspScope>[];
  tenants: TenantConfig[];
  syncWaitSeconds: number;
  /** Most events per feed request, i.e. per sync transaction. */
  syncBatch: number;
  retentionIntervalMs: number;
  /** Between scheduled live reconciliations of a tenant (ms; default 10 minutes). */
  reconcileIntervalMs: number;
  /** This node's answer-signing key (`{ notBefore, notAfter, jwk }`, 0600). */
  signingKeyFile: string;
  /** Whether a missing signing key may be generated (development). */
  generateSigningKey: boolean;
  /** Where this node exports its public key list (what the center is provisioned with). */
  publicKeysFile: string;
  /** The center's public key list this node verifies requests with (provisioned, never fetched). */
  centerKeysFile: string;
}

/**
 * Development callers used when ASP_CLIENTS is not set: identified by their
 * certificates from `npx -y deno@2.9.6 task certs` (the center `jlis`, the
 * operators `ops`), no tokens.
 */
export const DEV_CLIENTS: AspConfig["clients"] = [
  { id: "jlis", scopes: ["issue"] },
  { id: "ops", scopes: ["admin"] },
];

/**
 * Development tenants used when ASP_TENANTS is not set. No name or mayor:
 * the registry's municipality record is their one source (the feed).
 */
export const DEV_TENANTS: TenantConfig[] = [
  { code: "401005" },
  { code: "401307" },
];

/**
 * A tenant of ASP_TENANTS without a name or mayor: what the forms print
 * comes from the registry's record only, never from this configuration.
 */
function withoutRecordFields(
  { name: _name, mayor: _mayor, ...rest }: TenantConfig,
): TenantConfig {
  return rest;
}

function json<T>(
  env: Env,
  name: string,
  check: (v: unknown) => boolean,
  def: T,
): T {
  const raw = env.get(name);
  if (!raw) return def;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new Error(`${name} is not valid JSON`);
  }
  if (!check(v)) {
    throw new Error(`${name} has the wrong shape (see .env.example)`);
  }
  return v as T;
}

/**
 * Reads the configuration from the environment.
 *
 * @example
 * ```ts
 * const config = loadAspConfig(Deno.env);
 * ```
 */
export function loadAspConfig(env: Env): AspConfig {
  const mode = (env.get("ASP_MODE") ?? "all") as AspConfig["mode"];
  if (!["all", "api", "worker"].includes(mode)) {
    throw new Error(`ASP_MODE must be all, api or worker, got '${mode}'`);
  }
  const keyB64 = env.get("ASP_MASTER_KEY");
  // No key in source: without ASP_MASTER_KEY a development key made on this
  // machine (refused when KONBINI_ENV=production).
  const dev = keyB64
    ? null
    : devSecret(env, "asp-master-key", { requiredVar: "ASP_MASTER_KEY" });
  let masterKeys: MasterKey[];
  try {
    masterKeys = [
      parseMasterKey(
        env.get("ASP_MASTER_KEY_ID") ?? (keyB64 ? "mk1" : "dev"),
        keyB64 ?? dev!.value,
      ),
    ];
    const previous = env.get("ASP_PREVIOUS_MASTER_KEYS");
    if (previous) {
      for (const pair of previous.split(",")) {
        const [id, b64] = pair.split(":");
        masterKeys.push(parseMasterKey(id, b64 ?? ""));
      }
    }
  } catch (err) {
    throw new Error(
      `ASP_MASTER_KEY / ASP_PREVIOUS_MASTER_KEYS: ${(err as Error).message}`,
    );
  }
  const dataDir = env.get("DATA_DIR") ?? "./data";
  const signingKeyFile = env.get("ASP_SIGNING_KEY_FILE");
  if (!signingKeyFile && isProduction(env)) {
    throw new Error(
      "ASP_SIGNING_KEY_FILE is required: KONBINI_ENV=production never generates a signing key",
    );
  }
  return {
    signingKeyFile: signingKeyFile ??
      `${dataDir}/asp/keys/asp-signing-key.json`,
    generateSigningKey: !signingKeyFile,
    publicKeysFile: env.get("ASP_PUBLIC_KEYS_FILE") ??
      `${dataDir}/asp/keys/asp-keys.json`,
    centerKeysFile: env.get("ASP_CENTER_KEYS_FILE") ??
      `${dataDir}/jlis/keys/jlis-keys.json`,
    port: envInt(env, "ASP_PORT", 8102, 0, 65535),
    hostname: env.get("ASP_HOST") ?? "127.0.0.1",
    mode,
    masterKeys,
    devMasterKey: dev?.path ?? null,
    registryUrl: env.get("ASP_REGISTRY_URL") ?? "https://localhost:8111",
    registryToken: env.get("ASP_REGISTRY_TOKEN") || undefined,
    clients: json(
      env,
      "ASP_CLIENTS",
      (v) =>
        Array.isArray(v) &&
        v.every((c) =>
          typeof c?.id === "string" && c.id &&
          (c.token === undefined || typeof c.token === "string") &&
          (c.certificate === undefined || typeof c.certificate === "string") &&
          Array.isArray(c?.scopes)
        ),
      DEV_CLIENTS,
    ),
    tenants: json(
      env,
      "ASP_TENANTS",
      (v) => Array.isArray(v) && v.every((t) => /^\d{6}$/.test(t?.code)),
      DEV_TENANTS,
    ).map(withoutRecordFields),
    syncWaitSeconds: envInt(env, "ASP_SYNC_WAIT_SECONDS", 20, 0, 60),
    syncBatch: envInt(env, "ASP_SYNC_BATCH", 500, 1, 5000),
    retentionIntervalMs:
      envInt(env, "ASP_RETENTION_INTERVAL_MINUTES", 60, 1, 60) * 60_000,
    reconcileIntervalMs:
      envInt(env, "ASP_RECONCILE_INTERVAL_MINUTES", 10, 1, 100_000) * 60_000,
  };
}
