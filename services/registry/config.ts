/**
 * The registry's configuration, parsed once at start; a bad value fails fast
 * naming the variable.
 *
 * @module
 */
import { type Env, envInt, parseJsonArray } from "../../lib/service/env.ts";
import { type RegistryClientConfig as ClientConfig, SCOPES } from "./auth.ts";

/** Parsed configuration. */
export interface RegistryConfig {
  port: number;
  hostname: string;
  /**
   * Clients: the subject CN of each one's TLS certificate (`certificate`,
   * default its id) names it over mutual TLS; a token (hashed before use)
   * is optional. Each non-admin client acts for its listed municipalities.
   */
  clients: ClientConfig[];
}

/**
 * Development clients used when REGISTRY_CLIENTS is not set (see
 * .env.example): certificate only, one per party of `npx -y deno@2.9.6 task certs`.
 */
export const DEV_CLIENTS: RegistryConfig["clients"] = [
  { id: "ops", scopes: ["admin"] },
  // Least privilege: each city window acts for its own municipality only;
  // the ASP reads the feed only; the center has no registry credential.
  ...["401005", "401307"].map((code) => ({
    id: `city-${code}`,
    scopes: [
      "read",
      "write",
      "card_link",
      "issuances",
      "revoke",
    ] as ClientConfig["scopes"],
    municipalities: [code],
  })),
  { id: "asp", scopes: ["feed"], municipalities: ["401005", "401307"] },
];

/** A configured client is valid: known scopes, municipalities unless admin. */
function validClient(c: ClientConfig): boolean {
  const scopes = Array.isArray(c?.scopes) ? c.scopes : [];
  const codes = c?.municipalities;
  return !!c?.id && (c.token === undefined || typeof c.token === "string") &&
    (c.certificate === undefined || typeof c.certificate === "string") &&
    scopes.length > 0 &&
    scopes.every((s) => SCOPES.includes(s)) &&
    (codes === undefined ||
      (Array.isArray(codes) &&
        codes.every((m) => /^\d{6}$/.test(String(m))))) &&
    (scopes.includes("admin") || (codes?.length ?? 0) > 0);
}

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
    ? parseJsonArray<ClientConfig>(
      raw,
      validClient,
      'REGISTRY_CLIENTS must be a JSON array of { id, certificate?, token?, scopes: ("read"|"write"|"card_link"|"feed"|"issuances"|"revoke"|"admin")[], municipalities: string[] (unless admin) }',
    )
    : DEV_CLIENTS;
  return {
    port: envInt(env, "REGISTRY_PORT", 8101, 0, 65535),
    hostname: env.get("REGISTRY_HOST") ?? "127.0.0.1",
    clients,
  };
}
