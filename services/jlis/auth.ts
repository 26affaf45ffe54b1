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
import { createHash } from "node:crypto";
import { createMiddleware } from "hono/factory";
import { DomainError } from "../../lib/service/errors.ts";

/** What a client may do. */
export type JlisScope = "kiosk" | "stop" | "municipal" | "portal" | "operator";

/** A configured client (the token is only kept hashed). */
export interface JlisClient {
  id: string;
  /** SHA-256 of the token, hex. */
  tokenSha256: string;
  scopes: JlisScope[];
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

/** Hashes a token for the client list (SHA-256, hex). */
export function hashToken(token: string): Promise<string> {
  return Promise.resolve(createHash("sha256").update(token).digest("hex"));
}

/** Compares two equal-length hex digests in constant time. */
function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Builds the client list from plain tokens (config or tests).
 *
 * @example
 * ```ts
 * const clients = await jlisClients([{ id: "kiosk-0001", token: "t", scopes: ["kiosk"] }]);
 * ```
 */
export async function jlisClients(
  list: JlisClientConfig[],
): Promise<JlisClient[]> {
  return await Promise.all(list.map(async (c) => ({
    id: c.id,
    scopes: [...c.scopes],
    municipalities: [...(c.municipalities ?? [])],
    store: c.store ?? `store-${c.id}`,
    tokenSha256: await hashToken(c.token),
  })));
}

/** Context variables set by {@linkcode requireScope}. */
export type JlisAuthEnv = { Variables: { client: JlisClient } };

/**
 * Middleware: authenticates the caller and checks that it holds one of
 * `scopes`.
 *
 * @example
 * ```ts
 * app.use(requireScope(clients, "kiosk"));
 * ```
 */
export function requireScope(clients: JlisClient[], ...scopes: JlisScope[]) {
  // Looked up by the token's SHA-256 (what an attacker cannot steer), then
  // compared in constant time: one comparison per request, whatever the fleet.
  const byDigest = new Map(clients.map((cl) => [cl.tokenSha256, cl]));
  return createMiddleware<JlisAuthEnv>(async (c, next) => {
    const m = /^Bearer\s+(\S+)$/.exec(c.req.header("Authorization") ?? "");
    if (!m) {
      throw new DomainError(
        "UNAUTHENTICATED",
        "認証情報がありません",
        "Missing client credential",
      );
    }
    const digest = await hashToken(m[1]);
    const candidate = byDigest.get(digest);
    const found: JlisClient | undefined =
      candidate && sameDigest(candidate.tokenSha256, digest)
        ? candidate
        : undefined;
    if (!found) {
      throw new DomainError(
        "UNAUTHENTICATED",
        "認証に失敗しました",
        "Invalid client credential",
      );
    }
    if (!scopes.some((s) => found.scopes.includes(s))) {
      throw new DomainError(
        "FORBIDDEN",
        "この操作は許可されていません",
        `Client lacks one of the scopes: ${scopes.join(", ")}`,
      );
    }
    c.set("client", found);
    await next();
  });
}
