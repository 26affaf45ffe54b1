/**
 * The pieces every service shares: a Hono app with request ids, JSON request
 * logs, secure headers, `/healthz`, `/metrics` and the error mapping.
 *
 * Two ids are on every log line of a request:
 * - `requestId` (`X-Request-Id`): this hop. A well-formed incoming id
 *   (at most 100 of `A-Z a-z 0-9 _ - =`) is kept — the center sends the
 *   issuance request id to the ASP this way — otherwise one is generated.
 * - `correlationId` (`X-Correlation-Id`, lib/contracts/correlation.ts): the
 *   whole run, from the kiosk to the ASP and back. A well-formed incoming id
 *   is kept and passed on by whoever calls further (the center to the ASP);
 *   without one it is the request id. It is echoed on the response.
 *
 * Neither is trusted for anything but logs: a caller may choose them, so
 * they are never used to authorize, to look up records or as a key. The
 * authenticated caller is logged beside them.
 *
 * The request line (`msg: "request"`) carries the refusal `code` of every
 * 4xx/5xx JSON answer, and the fields handlers add with
 * {@linkcode annotateRequestLog}; {@linkcode quietRequestLog} lowers it to
 * debug (idle long polls).
 *
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  CORRELATION_HEADER,
  isWellFormedId,
} from "../contracts/correlation.ts";
import { limitBody } from "./body_limit.ts";
import { errorHandler } from "./errors.ts";
import { refuseUnsafeText } from "./input_guard.ts";
import { createResourceApp } from "./openapi.ts";
import type { Logger, LogLevel } from "./logger.ts";
import type { MetricsRegistry } from "./metrics.ts";

/** Variables every service sets on the context. */
export type ServiceEnv = {
  Variables: {
    requestId: string;
    /** The run's id (`X-Correlation-Id`, or the request id). */
    correlationId: string;
    /** The request's logger: requestId, correlationId and any annotations. */
    logger: Logger;
    /** The refusal code answered (set by the error handler). */
    errorCode?: string;
    /** Level of the request line (default info). */
    requestLogLevel?: LogLevel;
  };
};

/** A context of any service env (they all extend {@linkcode ServiceEnv}). */
// deno-lint-ignore no-explicit-any
type AnyServiceContext = Context<any>;

/**
 * Adds fields to the request's logger, so to every later line of the
 * request and to its request line (e.g. the issuance request id once known).
 * Never personal data.
 *
 * @example
 * ```ts ignore
 * annotateRequestLog(c, { issuanceRequestId: req.requestId });
 * ```
 */
export function annotateRequestLog(
  c: AnyServiceContext,
  fields: Record<string, unknown>,
): void {
  const log = c.get("logger") as Logger | undefined;
  if (log) c.set("logger", log.child(fields));
}

/**
 * Writes this request's line at debug instead of info: requests that are
 * routine and frequent, such as a feed long poll that found nothing.
 *
 * @example
 * ```ts ignore
 * if (!events.length) quietRequestLog(c);
 * ```
 */
export function quietRequestLog(c: AnyServiceContext): void {
  c.set("requestLogLevel", "debug");
}

/** The `code` of an error answer: set by the error handler, or read from its JSON body. */
async function answeredCode(c: AnyServiceContext): Promise<string | undefined> {
  if (c.res.status < 400) return undefined;
  const set = c.get("errorCode") as string | undefined;
  if (set) return set;
  if (!c.res.headers.get("Content-Type")?.includes("application/json")) {
    return undefined;
  }
  try {
    const body = await c.res.clone().json();
    return typeof body?.code === "string" ? body.code.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}

/** Options of {@linkcode createServiceApp}. */
export interface ServiceAppOptions {
  /** Service name, for logs and metrics. */
  service: string;
  logger: Logger;
  metrics: MetricsRegistry;
  /** Maps a DomainError code to a status (the service's one table). */
  statusOf: (code: string) => ContentfulStatusCode | undefined;
  /** Extra readiness check for /healthz (e.g. a database ping). */
  health?: () => Promise<Record<string, unknown>>;
  /**
   * Largest request body accepted, in bytes (413 beyond); default 1 MiB.
   * `null`: the service limits bodies itself, route by route (the portal's
   * uploads are streamed against their own limit and refusal).
   */
  maxBodyBytes?: number | null;
  /**
   * Where the unsafe-text guard runs: "first" (default) before every route,
   * or "app" when the service installs `refuseUnsafeText()` itself (the
   * center, inside its signed message log, so its refusals are signed too).
   */
  inputGuard?: "first" | "app";
}

/**
 * Creates the base app of a service. Mount resources on it with `app.route`.
 *
 * @example
 * ```ts ignore
 * const app = createServiceApp({ service: "registry", logger, metrics, statusOf });
 * app.route("/residents", residents);
 * ```
 */
export function createServiceApp<E extends ServiceEnv = ServiceEnv>(
  opts: ServiceAppOptions,
): OpenAPIHono<E> {
  const app = createResourceApp<E>();
  const requests = opts.metrics.counter(
    "http_requests_total",
    "HTTP requests by route and status",
  );
  const duration = opts.metrics.histogram(
    "http_request_duration_seconds",
    "HTTP request duration",
  );
  app.use(requestId({ headerName: "X-Request-Id", limitLength: 100 }));
  app.use(secureHeaders());
  app.use(async (c, next) => {
    const id = c.get("requestId");
    const incoming = c.req.header(CORRELATION_HEADER);
    const correlationId = isWellFormedId(incoming) ? incoming : id;
    c.set("correlationId", correlationId);
    c.header(CORRELATION_HEADER, correlationId);
    c.set("logger", opts.logger.child({ requestId: id, correlationId }));
    const t0 = performance.now();
    await next();
    const ms = performance.now() - t0;
    const route = c.req.routePath || "unmatched";
    requests.inc({ method: c.req.method, route, status: c.res.status });
    duration.observe(ms / 1000, { route });
    if (c.req.path !== "/healthz" && c.req.path !== "/metrics") {
      const code = await answeredCode(c);
      // The context's logger: it carries what handlers annotated.
      c.get("logger")[c.get("requestLogLevel") ?? "info"]("request", {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ...(code ? { code } : {}),
        ms: Math.round(ms * 10) / 10,
      });
    }
  });
  if (opts.maxBodyBytes !== null) {
    app.use(limitBody(opts.maxBodyBytes ?? 1024 * 1024));
  }
  if (opts.inputGuard !== "app") app.use(refuseUnsafeText());
  app.get("/healthz", async (c) => {
    try {
      const extra = opts.health ? await opts.health() : {};
      return c.json({ status: "ok", service: opts.service, ...extra });
    } catch (err) {
      return c.json({
        status: "unavailable",
        service: opts.service,
        error: err instanceof Error ? err.constructor.name : typeof err,
      }, 503);
    }
  });
  app.get(
    "/metrics",
    (c) =>
      c.text(opts.metrics.render(), 200, {
        "Content-Type": "text/plain; version=0.0.4",
      }),
  );
  app.onError(errorHandler({ logger: opts.logger, statusOf: opts.statusOf }));
  app.notFound((c) => {
    c.set("errorCode", "NOT_FOUND");
    return c.json({
      code: "NOT_FOUND",
      message_ja: "見つかりません",
      message_en: "Not found",
    }, 404);
  });
  return app;
}
