/**
 * The pieces every service shares: a Hono app with request ids, JSON request
 * logs, secure headers, `/healthz`, `/metrics` and the error mapping.
 *
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { errorHandler } from "./errors.ts";
import { refuseUnsafeText } from "./input_guard.ts";
import { createResourceApp } from "./openapi.ts";
import type { Logger } from "./logger.ts";
import type { MetricsRegistry } from "./metrics.ts";

/** Variables every service sets on the context. */
export type ServiceEnv = {
  Variables: {
    requestId: string;
    logger: Logger;
  };
};

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
  /** Largest request body accepted, in bytes (413 beyond); default 1 MiB. */
  maxBodyBytes?: number;
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
  app.use(requestId({ headerName: "X-Request-Id" }));
  app.use(secureHeaders());
  app.use(async (c, next) => {
    const id = c.get("requestId");
    const log = opts.logger.child({ requestId: id });
    c.set("logger", log);
    const t0 = performance.now();
    await next();
    const ms = performance.now() - t0;
    const route = c.req.routePath || "unmatched";
    requests.inc({ method: c.req.method, route, status: c.res.status });
    duration.observe(ms / 1000, { route });
    if (c.req.path !== "/healthz" && c.req.path !== "/metrics") {
      log.info("request", {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(ms * 10) / 10,
      });
    }
  });
  app.use(bodyLimit({ maxSize: opts.maxBodyBytes ?? 1024 * 1024 }));
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
  app.notFound((c) =>
    c.json({
      code: "NOT_FOUND",
      message_ja: "見つかりません",
      message_en: "Not found",
    }, 404)
  );
  return app;
}
