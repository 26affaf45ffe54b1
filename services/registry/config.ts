/**
 * The registry's configuration, parsed once at start; a bad value fails fast
 * naming the variable.
 *
 * @module
 */
import { type Env, envInt, parseJsonArray } from "../../lib/service/env.ts";
import type { Scope } from "./auth.ts";
import type { ClientConfig } from "../../lib/service/bearer_auth.ts";

/** Parsed configuration. */
export interface RegistryConfig {
  port: number;
  hostname: string;
  /**
   * Clients: the subject CN of each one's TLS certificate (`certificate`,
   * default its id) names it over mutual TLS; a token (hashed before use)
   * is optional.
   */
  clients: ClientConfig<Scope>[];
}

/**
 * Development clients used when REGISTRY_CLIENTS is not set (see
 * .env.example): certificate only, one per party of `npx -y deno@2.9.6 task certs`.
 */
export const DEV_CLIENTS: RegistryConfig["clients"] = [
  { id: "ops", scopes: ["admin"] },
  { id: "city-401005", scopes: ["read", "write"] },
  { id: "city-401307", scopes: ["read", "write"] },
  { id: "asp", scopes: ["feed"] },
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
      (c) =>
        !!c?.id && (c.token === undefined || typeof c.token === "string") &&
        (c.certificate === undefined || typeof c.certificate === "string") &&
        Array.isArray(c.scopes),
      "REGISTRY_CLIENTS must be a JSON array of { id, certificate?, token?, scopes[] }",
    )
    : DEV_CLIENTS;
  return {
    port: envInt(env, "REGISTRY_PORT", 8101, 0, 65535),
    hostname: env.get("REGISTRY_HOST") ?? "127.0.0.1",
    clients,
  };
}
