/**
 * Clients of the center on the shared client credentials
 * (lib/service/bearer_auth.ts): the center serves over mutual TLS and the
 * verified certificate names the client (its CN must be exactly one
 * configured client's, or 403); a bearer token, where one is still sent,
 * must be that same client's. A client has scopes and, for municipal
 * clients, the municipalities it acts for. A kiosk's client id is its
 * terminal id, the CN of its certificate: that is what the ledger records.
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
  type ClientConfig,
  requireBearer,
} from "../../lib/service/bearer_auth.ts";
import { JlisError, type JlisErrorCode } from "./errors.ts";

/** What a client may do. */
export type JlisScope = "kiosk" | "stop" | "municipal" | "portal" | "operator";

/** A configured client (the token is only kept hashed). */
export interface JlisClient extends BearerClient<JlisScope> {
  /** Municipal clients: the municipality codes they act for. */
  municipalities: string[];
  /** Kiosk clients: the store the kiosk stands in. */
  store: string;
}

/** A client as written in config (certificate CN, optional plain token). */
export interface JlisClientConfig extends ClientConfig<JlisScope> {
  municipalities?: string[];
  /** Kiosks: the store (default `store-<id>`). */
  store?: string;
}

/**
 * Builds the client list from configuration (config or tests).
 *
 * @example
 * ```ts
 * const clients = jlisClients([{ id: "kiosk-0001", token: "t", scopes: ["kiosk"] }]);
 * ```
 */
export function jlisClients(list: JlisClientConfig[]): JlisClient[] {
  for (const c of list) {
    if (c.scopes.includes("kiosk") && (c.certificate ?? c.id) !== c.id) {
      throw new TypeError(
        `Kiosk ${c.id}: its certificate CN must be its terminal id`,
      );
    }
  }
  return bearerClients(list).map((b, i) => ({
    ...b,
    municipalities: [...(list[i].municipalities ?? [])],
    store: list[i].store ?? `store-${b.id}`,
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

/**
 * Throws `refusal` (WRONG_MUNICIPALITY unless told) with the municipality's
 * code unless the caller acts for that municipality.
 *
 * @example
 * ```ts ignore
 * assertActsFor("401005", { municipalities: ["401307"] }); // throws WRONG_MUNICIPALITY
 * assertActsFor("401005", client, "FEE_SCHEDULE_NOT_YOURS");
 * ```
 */
export function assertActsFor(
  code: string,
  caller: { readonly municipalities: readonly string[] },
  refusal: JlisErrorCode = "WRONG_MUNICIPALITY",
): void {
  if (!caller.municipalities.includes(code)) {
    throw new JlisError(refusal, { municipalityCode: code });
  }
}
