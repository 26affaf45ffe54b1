/**
 * The registry's configuration, parsed once at start; a bad value fails fast
 * naming the variable.
 *
 * @module
 */
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
export function loadRegistryConfig(
  env: { get(k: string): string | undefined },
): RegistryConfig {
  const port = Number(env.get("REGISTRY_PORT") ?? 8101);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `REGISTRY_PORT must be a port number, got '${env.get("REGISTRY_PORT")}'`,
    );
  }
  let clients = DEV_CLIENTS;
  const raw = env.get("REGISTRY_CLIENTS");
  if (raw) {
    try {
      clients = JSON.parse(raw);
      if (
        !Array.isArray(clients) ||
        clients.some((c) => !c.id || !c.token || !Array.isArray(c.scopes))
      ) throw 0;
    } catch {
      throw new Error(
        "REGISTRY_CLIENTS must be a JSON array of { id, token, scopes[] }",
      );
    }
  }
  return { port, hostname: env.get("REGISTRY_HOST") ?? "127.0.0.1", clients };
}
