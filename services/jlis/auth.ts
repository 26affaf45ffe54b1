/**
 * Client credentials of the center: `Authorization: Bearer <token>`,
 * compared as SHA-256 digests in constant time. A client has scopes and, for
 * municipal clients, the municipalities it acts for.
 *
 * - `kiosk`: a store kiosk; its client id is the kiosk id.
 * - `stop`: the 24-hour emergency line; may only suspend.
 * - `municipal`: a municipality's window; issues, resumes and revokes its
 *   own municipality's cards.
 *
 * @module
 */
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import { DomainError } from "../../lib/service/errors.ts";

/** What a client may do. */
export type JlisScope = "kiosk" | "stop" | "municipal";

/** A configured client (the token is only kept hashed). */
export interface JlisClient {
  id: string;
  /** SHA-256 of the token, hex. */
  tokenSha256: string;
  scopes: JlisScope[];
  /** Municipal clients: the municipality codes they act for. */
  municipalities: string[];
}

/** A client as written in config (plain token). */
export interface JlisClientConfig {
  id: string;
  token: string;
  scopes: JlisScope[];
  municipalities?: string[];
}

/** Hashes a token for the client list. */
export async function hashToken(token: string): Promise<string> {
  const d = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(token),
  );
  return new Uint8Array(d).toHex();
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
    let found: JlisClient | undefined;
    for (const cl of clients) {
      if (await timingSafeEqual(cl.tokenSha256, digest)) found = cl;
    }
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
