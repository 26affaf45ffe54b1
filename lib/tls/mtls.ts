/**
 * Mutual TLS between services (the LGWAN link). `Deno.serve` cannot demand
 * client certificates, so the server side runs the Hono app through
 * `node:https` and `@hono/node-server` with `requestCert` and
 * `rejectUnauthorized`; the client side is `fetch` with a
 * `Deno.createHttpClient` holding the client certificate.
 *
 * @module
 */
import { createServer } from "node:https";
import type { TLSSocket } from "node:tls";
import type { AddressInfo } from "node:net";
import { type HttpBindings, serve } from "@hono/node-server";

/** Options of {@linkcode serveMtls}. */
export interface ServeMtlsOptions {
  /** Port to listen on; 0 picks a free one (see `port` on the result). */
  port: number;
  /** Address to bind (default 127.0.0.1). */
  hostname?: string;
  /** Server certificate, PEM. */
  cert: string;
  /** Server private key, PEM. */
  key: string;
  /** The CA (PEM) client certificates must chain to. */
  ca: string;
  /**
   * Whether a client certificate from `ca` is demanded (default true). Only
   * a server for the public (the portal's own TLS option) turns it off.
   */
  requireClientCertificate?: boolean;
  /** Aborting it stops the server. */
  signal?: AbortSignal;
  /** Called once listening. */
  onListen?: (addr: { hostname: string; port: number }) => void;
}

/** A running mTLS server. */
export interface MtlsServer {
  /** The bound port, known once `ready` resolved. */
  readonly port: number;
  /** Resolves when the server is listening. */
  ready: Promise<{ hostname: string; port: number }>;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
  /** Stops the server (also done by the signal). */
  close(): Promise<void>;
}

/** The fetch function of a Hono app as node-server calls it. */
export type MtlsFetchHandler = (
  request: Request,
  env: HttpBindings,
) => Response | Promise<Response>;

/**
 * Serves `fetch` (typically `app.fetch` of a Hono app) over HTTPS, refusing
 * any client without a certificate from `ca` at the handshake. Which client a
 * certificate is, and what it may do, is decided per request by the
 * service's client list (`requireBearer` in lib/service/bearer_auth.ts maps
 * {@linkcode peerSubject} to exactly one configured client).
 *
 * @example
 * ```ts ignore
 * const ac = new AbortController();
 * const server = serveMtls(app.fetch, { port: 8443, cert, key, ca, signal: ac.signal });
 * await server.ready;
 * ```
 */
export function serveMtls(
  fetch: MtlsFetchHandler,
  opts: ServeMtlsOptions,
): MtlsServer {
  const mutual = opts.requireClientCertificate ?? true;
  if (!opts.cert || !opts.key || (mutual && !opts.ca)) {
    throw new TypeError("serveMtls needs cert, key and ca (PEM)");
  }
  const hostname = opts.hostname ?? "127.0.0.1";
  let port = opts.port;
  let readyResolve!: (a: { hostname: string; port: number }) => void;
  const ready = new Promise<{ hostname: string; port: number }>((
    r,
  ) => (readyResolve = r));
  const server = serve({
    fetch: fetch as (
      req: Request,
      env: unknown,
    ) => Response | Promise<Response>,
    port: opts.port,
    hostname,
    // Keep Deno's own Request/Response: Deno.serve in the same process
    // refuses Responses of another realm.
    overrideGlobalObjects: false,
    createServer,
    serverOptions: {
      cert: opts.cert,
      key: opts.key,
      ...(mutual
        ? { ca: opts.ca, requestCert: true, rejectUnauthorized: true }
        : { requestCert: false }),
      minVersion: "TLSv1.2",
    },
  }, (info: AddressInfo) => {
    port = info.port;
    const addr = { hostname, port };
    opts.onListen?.(addr);
    readyResolve(addr);
  });
  const finished = new Promise<void>((resolve) =>
    server.once("close", () => resolve())
  );
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as unknown as { closeAllConnections?: () => void })
        .closeAllConnections?.();
    });
    return closing;
  };
  if (opts.signal) {
    if (opts.signal.aborted) void close();
    else {opts.signal.addEventListener("abort", () => void close(), {
        once: true,
      });}
  }
  return {
    get port() {
      return port;
    },
    ready,
    finished,
    close,
  };
}

/** The authenticated peer of an mTLS request. */
export interface PeerSubject {
  /** Subject CN, e.g. `asp`. */
  commonName: string;
  /** Subject O. */
  organization?: string;
  /** Issuer CN. */
  issuerCommonName?: string;
  /** Certificate serial number (hex, upper case). */
  serialNumber?: string;
  /** SHA-256 fingerprint, `AA:BB:…`. */
  fingerprint256?: string;
}

function field(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The subject of the client certificate of a request served by
 * {@linkcode serveMtls}, or `null` when there is none (e.g. `app.request` in
 * tests, or a plain HTTP server).
 *
 * @example
 * ```ts ignore
 * app.get("/whoami", (c) => c.json(peerSubject(c)));
 * ```
 */
export function peerSubject(c: { env: unknown }): PeerSubject | null {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  const socket = incoming?.socket as TLSSocket | undefined;
  if (!socket || typeof socket.getPeerCertificate !== "function") return null;
  if (socket.authorized === false) return null;
  // A connection's peer certificate is fixed at its handshake: read it once
  // per socket (getPeerCertificate decodes the whole certificate each call,
  // and every request of a kept-alive connection asks at least twice).
  if (subjects.has(socket)) return subjects.get(socket)!;
  const subject = readPeerSubject(socket);
  subjects.set(socket, subject);
  return subject;
}

/** Each TLS connection's peer subject, once read (dropped with the socket). */
const subjects = new WeakMap<TLSSocket, PeerSubject | null>();

function readPeerSubject(socket: TLSSocket): PeerSubject | null {
  const peer = socket.getPeerCertificate();
  const cn = field(peer?.subject?.CN);
  if (!peer || !cn) return null;
  return {
    commonName: cn,
    organization: field(peer.subject.O),
    issuerCommonName: field(peer.issuer?.CN),
    serialNumber: peer.serialNumber,
    fingerprint256: peer.fingerprint256,
  };
}

/** Options of {@linkcode mtlsFetch}. */
export interface MtlsFetchOptions {
  /** The CA (PEM) the server certificate must chain to. */
  ca: string;
  /** Client certificate, PEM. */
  cert: string;
  /** Client private key, PEM. */
  key: string;
}

/** A fetch function bound to one client certificate; `close()` frees its pool. */
export type MtlsFetch = typeof fetch & { close(): void };

/**
 * A `fetch` that presents a client certificate and trusts `ca`.
 *
 * @example
 * ```ts ignore
 * const f = mtlsFetch({ ca: pki.ca.cert, ...pki.asp });
 * const res = await f("https://127.0.0.1:8443/feed");
 * f.close();
 * ```
 */
export function mtlsFetch(opts: MtlsFetchOptions): MtlsFetch {
  if (!opts.ca || !opts.cert || !opts.key) {
    throw new TypeError("mtlsFetch needs ca, cert and key (PEM)");
  }
  const client = Deno.createHttpClient({
    caCerts: [opts.ca],
    cert: opts.cert,
    key: opts.key,
  });
  const f =
    ((input: RequestInfo | URL, init?: RequestInit) =>
      fetch(input, { ...init, client })) as MtlsFetch;
  f.close = () => client.close();
  return f;
}
