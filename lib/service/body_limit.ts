/**
 * The request body limit every service has (413 beyond it): Hono's
 * `bodyLimit`, with the common case answered from the headers alone.
 *
 * Hono's middleware looks at `c.req.raw.body` first; under
 * `@hono/node-server` (the mTLS services) that builds the whole web
 * `Request` and a web stream over the socket for every request, and the
 * body is then read through that stream instead of straight from the
 * socket. A request with a `Content-Length` (and no `Transfer-Encoding`)
 * within the limit needs neither; GET and HEAD carry no body. Everything
 * else — a length over the limit, a streamed body — goes to Hono's
 * middleware as before, which answers the same 413.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Middleware refusing bodies over `maxSize` bytes (HTTP 413, as Hono's
 * `bodyLimit`), deciding from `Content-Length` where it can.
 *
 * @example
 * ```ts ignore
 * app.use(limitBody(1024 * 1024));
 * ```
 */
export function limitBody(maxSize: number): MiddlewareHandler {
  const counted = bodyLimit({ maxSize });
  return (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return next();
    const headers = c.req.raw.headers;
    const length = headers.get("content-length");
    if (
      length !== null && !headers.has("transfer-encoding") &&
      /^\d{1,15}$/.test(length) && Number(length) <= maxSize
    ) return next();
    return counted(c, next);
  };
}
