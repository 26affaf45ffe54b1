/**
 * Serves a service's app over plain HTTP (Deno.serve) or, for the LGWAN
 * links, mutual TLS (lib/tls), behind one small interface. A plain-HTTP
 * listener beside a TLS one serves only the probes (`/healthz`, `/metrics`):
 * see {@linkcode probesOnly}.
 *
 * @module
 */
import { serveMtls } from "../tls/mod.ts";

/** A listening server. */
export interface Served {
  /** Base URL (http://host:port, or https://localhost:port with TLS). */
  url: string;
  /** Stops listening and waits for the server to finish. */
  stop(): Promise<void>;
}

/** Where and how to listen. */
export interface ServeOptions {
  port: number;
  hostname: string;
  /** Mutual TLS: server certificate, key and the CA clients must chain to. */
  tls?: ServeTls;
}

/** A server's TLS identity. */
export interface ServeTls {
  /** Server certificate, PEM. */
  cert: string;
  /** Server private key, PEM. */
  key: string;
  /** The CA (PEM) client certificates must chain to. */
  ca: string;
  /** Demand a client certificate (default true; false only for a public server). */
  requireClientCertificate?: boolean;
}

/** The paths a probes-only listener answers. */
export const PROBE_PATHS: readonly string[] = ["/healthz", "/metrics"];

/**
 * Wraps `fetch` so that only the probes reach it; every other path is
 * answered 404 without touching the app (no API on a plaintext port).
 *
 * @example
 * ```ts ignore
 * await serveHttp(probesOnly(app.fetch), { port: 8101, hostname: "127.0.0.1" });
 * ```
 */
export function probesOnly<E>(
  fetch: (req: Request, env?: E) => Response | Promise<Response>,
): (req: Request, env?: E) => Response | Promise<Response> {
  return (req, env) => {
    const { pathname } = new URL(req.url);
    if (
      PROBE_PATHS.includes(pathname) &&
      (req.method === "GET" || req.method === "HEAD")
    ) return fetch(req, env);
    return Response.json({
      code: "NOT_FOUND",
      message_ja:
        "この接続では提供していません（相互TLSの接続を使ってください）",
      message_en: "Not served on this listener (use the mutual-TLS port)",
    }, { status: 404 });
  };
}

/**
 * Serves `fetch` and resolves once it listens.
 *
 * @example
 * ```ts ignore
 * const served = await serveHttp(app.fetch, { port: 8101, hostname: "127.0.0.1" });
 * await served.stop();
 * ```
 */
export async function serveHttp(
  // The env is the connection's info (Deno) or node bindings (mutual TLS).
  // deno-lint-ignore no-explicit-any
  fetch: (req: Request, env?: any) => Response | Promise<Response>,
  opts: ServeOptions,
): Promise<Served> {
  if (opts.tls) {
    const server = serveMtls(fetch, {
      port: opts.port,
      hostname: opts.hostname,
      ...opts.tls,
    });
    const { port } = await server.ready;
    return { url: `https://localhost:${port}`, stop: () => server.close() };
  }
  const ac = new AbortController();
  const server = Deno.serve({
    port: opts.port,
    hostname: opts.hostname,
    signal: ac.signal,
    onListen: () => {},
  }, fetch);
  return {
    url: `http://${opts.hostname}:${server.addr.port}`,
    async stop() {
      ac.abort();
      await server.finished;
    },
  };
}
