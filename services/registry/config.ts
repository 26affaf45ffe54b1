/**
 * The registry's configuration, parsed once at start; a bad value fails fast
 * naming the variable.
 *
 * @module
 */
import { type Env, envInt, parseJsonArray } from "../../lib/service/env.ts";
import type { Scope } from "./auth.ts";

/** Parsed configuration. */
export interface RegistryConfig {
  port: number;
  hostname: string;
  /** Plain client tokens (hashed before use). */
  clients: { id: string; token: string; scopes: Scope[] }[];
}

/** Development clients used when REGISTRY_CLIENTS is not set (see .env.example). */
export const DEV_CLIENTS: RegistryConfig["clients"] = [
  { id: "admin", token: "dev-registry-admin", scopes: ["admin"] },
  { id: "city-window", token: "dev-registry-city", scopes: ["read", "write"] },
  { id: "asp", token: "dev-registry-asp", scopes: ["feed"] },
  { id: "jlis", token: "dev-registry-jlis", scopes: ["read", "write"] },
];

/**
 * Reads the configuration from the environment.
 *
 * @example
 * ```ts
 * const config = loadRegistryConfig(Deno.env);
 * ```
 */
export function loadRegistryConfig(env: Env): RegistryConfig {
  const raw = env.get("REGISTRY_CLIENTS");
  const clients = raw
    ? parseJsonArray<RegistryConfig["clients"][number]>(
      raw,
      (c) => !!c?.id && !!c.token && Array.isArray(c.scopes),
      "REGISTRY_CLIENTS must be a JSON array of { id, token, scopes[] }",
    )
    : DEV_CLIENTS;
  return {
    port: envInt(env, "REGISTRY_PORT", 8101, 0, 65535),
    hostname: env.get("REGISTRY_HOST") ?? "127.0.0.1",
    clients,
  };
}
