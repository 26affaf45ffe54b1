/**
 * Serves a service's app over plain HTTP (Deno.serve) or, for the LGWAN
 * links, mutual TLS (lib/tls), behind one small interface.
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
  tls?: { cert: string; key: string; ca: string };
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
