/**
 * Callers of the ASP on the shared bearer credentials
 * (lib/service/bearer_auth.ts). Scopes: `issue` (the J-LIS center) and
 * `admin` (operators). Mutual TLS is added in front of this by the deployment.
 *
 * @module
 */
import {
  type BearerClient,
  bearerClients,
  type BearerEnv,
  requireBearer,
} from "../../lib/service/bearer_auth.ts";

/** What a caller may do. */
export type AspScope = "issue" | "admin";

/** A configured caller (token kept hashed). */
export type AspClient = BearerClient<AspScope>;

/**
 * Builds the caller list from plain tokens.
 *
 * @example
 * ```ts
 * const clients = await aspClients([{ id: "jlis", token: "dev-asp-center", scopes: ["issue"] }]);
 * ```
 */
export function aspClients(
  list: { id: string; token: string; scopes: AspScope[] }[],
): AspClient[] {
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
