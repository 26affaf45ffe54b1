/**
 * Per-client credentials: `Authorization: Bearer <token>`, compared as
 * SHA-256 digests in constant time. Each client has scopes.
 *
 * @module
 */
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import { DomainError } from "../../lib/service/errors.ts";

/** What a client may do. */
export type Scope = "read" | "write" | "feed" | "admin";

/** A configured client (the token is only kept hashed). */
export interface ClientCredential {
  id: string;
  /** SHA-256 of the token, hex. */
  tokenSha256: string;
  scopes: Scope[];
}

/** Hashes a token for the client list. */
export async function hashToken(token: string): Promise<string> {
  const d = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(token),
  );
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** Builds a client list from plain tokens (config or tests). */
export async function clientsFromTokens(
  list: { id: string; token: string; scopes: Scope[] }[],
): Promise<ClientCredential[]> {
  return await Promise.all(
    list.map(async (c) => ({
      id: c.id,
      scopes: c.scopes,
      tokenSha256: await hashToken(c.token),
    })),
  );
}

/** Context variables set by {@linkcode requireClient}. */
export type AuthEnv = { Variables: { client: ClientCredential } };

/**
 * Middleware: authenticates the caller and checks a scope.
 *
 * @example
 * ```ts
 * app.use(requireClient(clients, "read"));
 * ```
 */
export function requireClient(clients: ClientCredential[], scope: Scope) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const header = c.req.header("Authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/.exec(header);
    if (!m) {
      throw new DomainError(
        "UNAUTHENTICATED",
        "認証情報がありません",
        "Missing client credential",
      );
    }
    const digest = await hashToken(m[1]);
    let found: ClientCredential | undefined;
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
    if (!found.scopes.includes(scope) && !found.scopes.includes("admin")) {
      throw new DomainError(
        "FORBIDDEN",
        "この操作は許可されていません",
        `Client lacks the '${scope}' scope`,
      );
    }
    c.set("client", found);
    await next();
  });
}
