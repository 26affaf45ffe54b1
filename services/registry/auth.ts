/**
 * The registry's clients, on the shared bearer credentials of
 * lib/service/bearer_auth.ts, each bound to scopes and to municipalities
 * (least privilege): a client acts only for the municipalities it lists —
 * `admin` (operators) alone is global — and only with its scopes.
 *
 * - `read`: residents (search, record, history) and the municipality;
 * - `write`: change events (異動), seals and blocks;
 * - `card_link`: linking a card to its holder, unlinking it, reading a
 *   link (the municipal window at card issuance);
 * - `feed`: the change feed (the LGWAN-ASP's replica) and nothing else;
 * - `issuances`: reading the municipality's 交付履歴 (certificates issued
 *   at kiosks, by person, date, issue number, status);
 * - `revoke`: revoking a certificate issued in error (sent to the center
 *   over the municipality's link);
 * - `admin`: everything, every municipality (creating municipalities).
 *
 * Unknown or missing credential → 401; a scope missing or a municipality
 * other than the client's → 403 (the service's error JSON).
 *
 * @module
 */
import { createMiddleware } from "hono/factory";
import {
  type BearerClient,
  bearerClients,
  type BearerEnv,
  type ClientConfig,
  hashToken,
  requireBearer,
} from "../../lib/service/bearer_auth.ts";
import { DomainError } from "../../lib/service/errors.ts";

export { hashToken };

/** What a client may do. */
export type Scope =
  | "read"
  | "write"
  | "card_link"
  | "feed"
  | "issuances"
  | "revoke"
  | "admin";

/** Every scope, for config validation and the credential matrix. */
export const SCOPES: readonly Scope[] = [
  "read",
  "write",
  "card_link",
  "feed",
  "issuances",
  "revoke",
  "admin",
];

/** A configured client (the token is only kept hashed). */
export interface ClientCredential extends BearerClient<Scope> {
  /** The municipality codes the client acts for (`admin`: ignored, global). */
  municipalities: string[];
}

/** A client as configured: certificate CN (default its id), optional token. */
export interface RegistryClientConfig extends ClientConfig<Scope> {
  /** Required unless the client is `admin`. */
  municipalities?: string[];
}

/**
 * Builds a client list from configuration (config or tests).
 *
 * @example
 * ```ts
 * const clients = clientsFromTokens([
 *   { id: "city-401005", token: "t", scopes: ["read"], municipalities: ["401005"] },
 * ]);
 * ```
 */
export function clientsFromTokens(
  list: RegistryClientConfig[],
): ClientCredential[] {
  const base = bearerClients(list);
  return list.map((c, i) => ({
    ...base[i],
    municipalities: [...(c.municipalities ?? [])],
  }));
}

/** Context variables set by {@linkcode requireClient}. */
export type AuthEnv = BearerEnv<ClientCredential>;

/** Whether a client may act for a municipality. */
export function actsFor(client: ClientCredential, code: string): boolean {
  return client.scopes.includes("admin") ||
    client.municipalities.includes(code);
}

/**
 * Middleware: authenticates the caller, checks a scope ("admin" passes
 * all) and that the municipality in the path (`:code`) is one the client
 * acts for.
 *
 * @example
 * ```ts ignore
 * app.use(requireClient(clients, "read"));
 * ```
 */
export function requireClient(
  clients: ClientCredential[],
  scope: Scope,
  opts: { municipalityWide?: boolean } = {},
) {
  const bearer = requireBearer<Scope, ClientCredential>(clients, [scope], {
    superScope: "admin",
  });
  return createMiddleware<AuthEnv>(async (c, next) => {
    await bearer(c, async () => {
      // A resource of no one municipality (the center's signed checkpoints):
      // the scope alone decides.
      if (opts.municipalityWide) return await next();
      const code = c.req.param("code");
      if (code === undefined || !actsFor(c.get("client"), code)) {
        throw new DomainError(
          "FORBIDDEN",
          "この市区町村の操作は許可されていません",
          "Client may not act for this municipality",
        );
      }
      await next();
    });
  });
}
