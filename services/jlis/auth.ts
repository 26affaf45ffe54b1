/**
 * Client credentials of the center: `Authorization: Bearer <token>`,
 * compared as SHA-256 digests in constant time. A client has scopes and, for
 * municipal clients, the municipalities it acts for.
 *
 * - `kiosk`: a store kiosk; its client id is the kiosk id.
 * - `stop`: the 24-hour emergency line; may only suspend.
 * - `municipal`: a municipality's window; issues, resumes and revokes its
 *   own municipality's cards, and revokes certificates issued in error.
 * - `portal`: the verification portal; reads a certificate's ledger status.
 * - `operator`: the center's operators; incidents, tenant halts and resumes.
 *
 * @module
 */
import {
  type BearerClient,
  bearerClients,
  type BearerEnv,
  requireBearer,
} from "../../lib/service/bearer_auth.ts";

/** What a client may do. */
export type JlisScope = "kiosk" | "stop" | "municipal" | "portal" | "operator";

/** A configured client (the token is only kept hashed). */
export interface JlisClient extends BearerClient<JlisScope> {
  /** Municipal clients: the municipality codes they act for. */
  municipalities: string[];
  /** Kiosk clients: the store the kiosk stands in. */
  store: string;
}

/** A client as written in config (plain token). */
export interface JlisClientConfig {
  id: string;
  token: string;
  scopes: JlisScope[];
  municipalities?: string[];
  /** Kiosks: the store (default `store-<id>`). */
  store?: string;
}

/**
 * Builds the client list from plain tokens (config or tests).
 *
 * @example
 * ```ts
 * const clients = jlisClients([{ id: "kiosk-0001", token: "t", scopes: ["kiosk"] }]);
 * ```
 */
export function jlisClients(list: JlisClientConfig[]): JlisClient[] {
  return list.map((c) => ({
    ...bearerClients([c])[0],
    municipalities: [...(c.municipalities ?? [])],
    store: c.store ?? `store-${c.id}`,
  }));
}

/** Context variables set by {@linkcode requireScope}. */
export type JlisAuthEnv = BearerEnv<JlisClient>;

/**
 * Middleware: authenticates the caller and checks that it holds one of
 * `scopes`.
 *
 * @example
 * ```ts ignore
 * app.use(requireScope(clients, "kiosk"));
 * ```
 */
export function requireScope(clients: JlisClient[], ...scopes: JlisScope[]) {
  return requireBearer(clients, scopes);
}
