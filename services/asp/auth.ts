/**
 * Callers of the ASP on the shared client credentials
 * (lib/service/bearer_auth.ts). Scopes: `issue` (the J-LIS center) and
 * `admin` (operators). The API is served over mutual TLS: the verified
 * certificate names the caller (its CN must be one configured caller's, or
 * 403), a bearer token, if still sent, must be the same caller's; the audit
 * names that caller.
 *
 * @module
 */
import {
  type BearerClient,
  bearerClients,
  type BearerEnv,
  type ClientConfig,
  requireBearer,
} from "../../lib/service/bearer_auth.ts";

/** What a caller may do. */
export type AspScope = "issue" | "admin";

/** A configured caller (token kept hashed). */
export type AspClient = BearerClient<AspScope>;

/**
 * Builds the caller list from configuration.
 *
 * @example
 * ```ts
 * const clients = aspClients([{ id: "jlis", scopes: ["issue"] }]);
 * ```
 */
export function aspClients(list: ClientConfig<AspScope>[]): AspClient[] {
  return bearerClients(list);
}

/** Context variables set by {@linkcode requireScope}. */
export type AspAuthEnv = BearerEnv<AspClient>;

/**
 * Middleware: authenticates the caller and checks a scope (no scope implies another).
 *
 * @example
 * ```ts ignore
 * app.use(requireScope(clients, "issue"));
 * ```
 */
export function requireScope(clients: AspClient[], scope: AspScope) {
  return requireBearer(clients, [scope]);
}
