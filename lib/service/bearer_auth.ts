/**
 * Client authentication shared by every service: who is calling, and what
 * it may do. Each configured client has an id, scopes, the subject CN of its
 * TLS client certificate (by default its id) and, optionally, a bearer token
 * (kept only as a SHA-256 digest).
 *
 * - Over mutual TLS (lib/tls `serveMtls`) the verified certificate names
 *   the client: its CN must be the certificate of exactly one configured
 *   client, or the request is refused (403) — a certificate from the
 *   project's CA is not a pass for every role. A bearer token, when one is
 *   still presented, must be that same client's (unknown → 401, another
 *   client's → 403).
 * - Without a TLS peer (in-process `app.request` in tests, a plain-HTTP
 *   baseline of a benchmark) only a bearer token can name the client; a
 *   client configured without a token cannot be reached that way.
 *
 * The presented token is hashed once (SHA-256), looked up by its digest and
 * compared in constant time. Services name their own scopes and may carry
 * extra fields per client (a municipality, a store).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createMiddleware } from "hono/factory";
import { type PeerSubject, peerSubject } from "../tls/mtls.ts";
import { DomainError } from "./errors.ts";

/** A configured client; a token is kept only as a digest. */
export interface BearerClient<S extends string = string> {
  id: string;
  /** SHA-256 of the bearer token, hex; absent for a certificate-only client. */
  tokenSha256?: string;
  /** Subject CN of the client's TLS certificate (its id unless configured). */
  certificate: string;
  scopes: S[];
}

/** A client as configuration writes it (plain token, if any). */
export interface ClientConfig<S extends string = string> {
  id: string;
  /** Bearer token; omitted where the TLS certificate identifies the client. */
  token?: string;
  /** Subject CN of the client's certificate (default: `id`). */
  certificate?: string;
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
 * Builds a client list from configuration (plain tokens, if any, are hashed).
 * Two clients may not share a certificate CN or a token: either would make
 * the identity of a caller ambiguous.
 *
 * @example
 * ```ts
 * const clients = bearerClients([
 *   { id: "city-401005", scopes: ["read"] },
 *   { id: "ops", token: "a-long-random-token", scopes: ["admin"] },
 * ]);
 * ```
 */
export function bearerClients<S extends string>(
  list: ClientConfig<S>[],
): BearerClient<S>[] {
  const out = list.map((c) => {
    const client: BearerClient<S> = {
      id: c.id,
      scopes: [...c.scopes],
      certificate: c.certificate ?? c.id,
    };
    if (c.token) client.tokenSha256 = hashToken(c.token);
    return client;
  });
  const unique = (
    key: (c: BearerClient<S>) => string | undefined,
    what: string,
  ) => {
    const seen = new Set<string>();
    for (const c of out) {
      const k = key(c);
      if (k === undefined) continue;
      if (seen.has(k)) {
        throw new TypeError(`Two clients share one ${what} (client ${c.id})`);
      }
      seen.add(k);
    }
  };
  unique((c) => c.certificate, "certificate");
  unique((c) => c.tokenSha256, "token");
  return out;
}

/** Context variables set by {@linkcode requireBearer}. */
export type BearerEnv<C> = {
  Variables: {
    client: C;
    /** The verified TLS peer the client was identified by (null without TLS). */
    peer: PeerSubject | null;
  };
};

const unauthenticated = (en: string) =>
  new DomainError(
    "UNAUTHENTICATED",
    en === "Missing client credential"
      ? "認証情報がありません"
      : "認証に失敗しました",
    en,
  );

const forbidden = (ja: string, en: string) =>
  new DomainError("FORBIDDEN", ja, en);

/**
 * Resolves the calling client: by its verified certificate over mutual TLS
 * (a token, if presented, must be the same client's), else by its bearer
 * token. Throws the 401/403 `DomainError` of a refusal.
 */
export function identifyClient<C extends BearerClient>(
  clients: C[],
): (
  peer: PeerSubject | null,
  authorization: string | undefined,
) => C {
  const byDigest = new Map(
    clients.filter((cl) => cl.tokenSha256).map((cl) => [cl.tokenSha256!, cl]),
  );
  const byCertificate = new Map(clients.map((cl) => [cl.certificate, cl]));
  const byToken = (authorization: string): C => {
    const m = /^Bearer\s+(\S+)$/.exec(authorization);
    if (!m) throw unauthenticated("Malformed client credential");
    const digest = hashToken(m[1]);
    const candidate = byDigest.get(digest);
    if (!candidate || !sameDigest(candidate.tokenSha256!, digest)) {
      throw unauthenticated("Invalid client credential");
    }
    return candidate;
  };
  return (peer, authorization) => {
    if (peer) {
      const client = byCertificate.get(peer.commonName);
      if (!client) {
        throw forbidden(
          "このクライアント証明書は登録されていません",
          "The client certificate is not registered with this service",
        );
      }
      if (authorization !== undefined && byToken(authorization) !== client) {
        throw forbidden(
          "認証情報がクライアント証明書と一致しません",
          "The credential does not belong to the client certificate",
        );
      }
      return client;
    }
    if (authorization === undefined) {
      throw unauthenticated("Missing client credential");
    }
    return byToken(authorization);
  };
}

/**
 * Middleware: identifies the caller (see the module documentation) and
 * requires one of `scopes`. A client holding `superScope` (e.g. "admin")
 * passes every check. Sets `client` and `peer` on the context.
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
  const identify = identifyClient(clients);
  return createMiddleware<BearerEnv<C>>(async (c, next) => {
    const peer = peerSubject(c);
    const found = identify(peer, c.req.header("Authorization"));
    const allowed = scopes.some((s) => found.scopes.includes(s)) ||
      (opts.superScope !== undefined && found.scopes.includes(opts.superScope));
    if (!allowed) {
      throw forbidden(
        "この操作は許可されていません",
        `Client lacks one of the scopes: ${scopes.join(", ")}`,
      );
    }
    c.set("client", found);
    c.set("peer", peer);
    await next();
  });
}
