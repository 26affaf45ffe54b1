/**
 * Per-client bearer credentials shared by every service:
 * `Authorization: Bearer <token>`. The presented token is hashed once
 * (SHA-256), looked up by its digest and compared in constant time — one
 * hash and one comparison per request, whatever the number of clients.
 * Services name their own scopes and may carry extra fields per client.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createMiddleware } from "hono/factory";
import { DomainError } from "./errors.ts";

/** A configured client; the token itself is kept only as a digest. */
export interface BearerClient<S extends string = string> {
  id: string;
  /** SHA-256 of the token, hex. */
  tokenSha256: string;
  scopes: S[];
}

/** Hashes a token as the client list keeps it (SHA-256, hex). */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Builds a client list from plain tokens (config or tests).
 *
 * @example
 * ```ts
 * const clients = bearerClients([{ id: "city", token: "secret", scopes: ["read"] }]);
 * ```
 */
export function bearerClients<S extends string>(
  list: { id: string; token: string; scopes: S[] }[],
): BearerClient<S>[] {
  return list.map((c) => ({
    id: c.id,
    scopes: [...c.scopes],
    tokenSha256: hashToken(c.token),
  }));
}

/** Context variables set by {@linkcode requireBearer}. */
export type BearerEnv<C> = { Variables: { client: C } };

/**
 * Middleware: authenticates the caller and requires one of `scopes`. A
 * client holding `superScope` (e.g. "admin") passes every check.
 *
 * @example
 * ```ts ignore
 * app.use(requireBearer(clients, ["read"], { superScope: "admin" }));
 * ```
 */
export function requireBearer<S extends string, C extends BearerClient<S>>(
  clients: C[],
  scopes: S[],
  opts: { superScope?: S } = {},
) {
  const byDigest = new Map(clients.map((cl) => [cl.tokenSha256, cl]));
  return createMiddleware<BearerEnv<C>>(async (c, next) => {
    const m = /^Bearer\s+(\S+)$/.exec(c.req.header("Authorization") ?? "");
    if (!m) {
      throw new DomainError(
        "UNAUTHENTICATED",
        "認証情報がありません",
        "Missing client credential",
      );
    }
    const digest = hashToken(m[1]);
    const candidate = byDigest.get(digest);
    const found = candidate && sameDigest(candidate.tokenSha256, digest)
      ? candidate
      : undefined;
    if (!found) {
      throw new DomainError(
        "UNAUTHENTICATED",
        "認証に失敗しました",
        "Invalid client credential",
      );
    }
    const allowed = scopes.some((s) => found.scopes.includes(s)) ||
      (opts.superScope !== undefined && found.scopes.includes(opts.superScope));
    if (!allowed) {
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
