/**
 * Per-client bearer credentials shared by every service:
 * `Authorization: Bearer <token>`, compared as SHA-256 digests in constant
 * time, each client with its scopes. Services name their own scopes.
 *
 * @module
 */
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import { DomainError } from "./errors.ts";

/** A configured client; the token itself is kept only as a digest. */
export interface BearerClient<S extends string = string> {
  id: string;
  /** SHA-256 of the token, hex. */
  tokenSha256: string;
  scopes: S[];
}

/** Hashes a token as the client list keeps it. */
export async function hashToken(token: string): Promise<string> {
  const d = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(token),
  );
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * Builds a client list from plain tokens (config or tests).
 *
 * @example
 * ```ts
 * const clients = await bearerClients([{ id: "city", token: "secret", scopes: ["read"] }]);
 * ```
 */
export async function bearerClients<S extends string>(
  list: { id: string; token: string; scopes: S[] }[],
): Promise<BearerClient<S>[]> {
  return await Promise.all(
    list.map(async (c) => ({
      id: c.id,
      scopes: c.scopes,
      tokenSha256: await hashToken(c.token),
    })),
  );
}

/** Context variables set by {@linkcode requireBearer}. */
export type BearerEnv<S extends string = string> = {
  Variables: { client: BearerClient<S> };
};

/**
 * Middleware: authenticates the caller and checks a scope. A client holding
 * `superScope` (e.g. "admin") passes every check.
 *
 * @example
 * ```ts
 * app.use(requireBearer(clients, "read", { superScope: "admin" }));
 * ```
 */
export function requireBearer<S extends string>(
  clients: BearerClient<S>[],
  scope: S,
  opts: { superScope?: S } = {},
) {
  return createMiddleware<BearerEnv<S>>(async (c, next) => {
    const m = /^Bearer\s+(\S+)$/.exec(c.req.header("Authorization") ?? "");
    if (!m) {
      throw new DomainError(
        "UNAUTHENTICATED",
        "認証情報がありません",
        "Missing client credential",
      );
    }
    const digest = await hashToken(m[1]);
    let found: BearerClient<S> | undefined;
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
    if (
      !found.scopes.includes(scope) &&
      !(opts.superScope && found.scopes.includes(opts.superScope))
    ) {
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
