/**
 * Callers of the ASP: `Authorization: Bearer <token>`, compared as SHA-256
 * digests in constant time. Scopes: `issue` (the J-LIS center) and `admin`
 * (operators). Mutual TLS is added in front of this by the deployment.
 *
 * @module
 */
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import { DomainError } from "../../lib/service/errors.ts";

/** What a caller may do. */
export type AspScope = "issue" | "admin";

/** A configured caller (token kept hashed). */
export interface AspClient {
  id: string;
  tokenSha256: string;
  scopes: AspScope[];
}

async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * Builds the caller list from plain tokens.
 *
 * @example
 * ```ts
 * const clients = await aspClients([{ id: "jlis", token: "dev-asp-center", scopes: ["issue"] }]);
 * ```
 */
export async function aspClients(
  list: { id: string; token: string; scopes: AspScope[] }[],
): Promise<AspClient[]> {
  return await Promise.all(
    list.map(async (c) => ({
      id: c.id,
      scopes: c.scopes,
      tokenSha256: await sha256Hex(c.token),
    })),
  );
}

/** Context variables set by {@linkcode requireScope}. */
export type AspAuthEnv = { Variables: { client: AspClient } };

/**
 * Middleware: authenticates the caller and checks a scope.
 *
 * @example
 * ```ts
 * app.use(requireScope(clients, "issue"));
 * ```
 */
export function requireScope(clients: AspClient[], scope: AspScope) {
  return createMiddleware<AspAuthEnv>(async (c, next) => {
    const m = /^Bearer\s+(\S+)$/.exec(c.req.header("Authorization") ?? "");
    if (!m) {
      throw new DomainError(
        "UNAUTHENTICATED",
        "認証情報がありません",
        "Missing client credential",
      );
    }
    const digest = await sha256Hex(m[1]);
    let found: AspClient | undefined;
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
    if (!found.scopes.includes(scope)) {
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
