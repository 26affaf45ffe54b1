/**
 * The registry's clients and scopes, on the shared bearer credentials of
 * lib/service/bearer_auth.ts.
 *
 * @module
 */
import {
  type BearerClient,
  bearerClients,
  type BearerEnv,
  type ClientConfig,
  hashToken,
  requireBearer,
} from "../../lib/service/bearer_auth.ts";

export { hashToken };

/** What a client may do. */
export type Scope = "read" | "write" | "feed" | "admin";

/** A configured client (the token is only kept hashed). */
export type ClientCredential = BearerClient<Scope>;

/** Builds a client list from plain tokens (config or tests). */
export function clientsFromTokens(
  list: ClientConfig<Scope>[],
): ClientCredential[] {
  return bearerClients(list);
}

/** Context variables set by {@linkcode requireClient}. */
export type AuthEnv = BearerEnv<ClientCredential>;

/**
 * Middleware: authenticates the caller and checks a scope ("admin" passes all).
 *
 * @example
 * ```ts ignore
 * app.use(requireClient(clients, "read"));
 * ```
 */
export function requireClient(clients: ClientCredential[], scope: Scope) {
  return requireBearer(clients, [scope], { superScope: "admin" });
}
