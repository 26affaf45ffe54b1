/**
 * The verification portal as a Hono app: the shared service base (request
 * ids, JSON logs, /healthz, /metrics), strict security headers, the
 * Fresh-style routes of `routes/` (pages, `/api/verify`, the well-known key
 * list) with their islands, and the static folder.
 *
 * @module
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import type { SheetContent } from "../../lib/certificate/model.ts";
import type { ContentKey } from "../../lib/crypto/content_key.ts";
import type { KeyList } from "../../lib/crypto/key_list.ts";
import { createServiceApp, type ServiceEnv } from "../../lib/service/app.ts";
import { errorHandler } from "../../lib/service/errors.ts";
import {
  createLogger,
  type Logger,
  safeError,
} from "../../lib/service/logger.ts";
import {
  createMetrics,
  type MetricsRegistry,
} from "../../lib/service/metrics.ts";
import { type Clock, systemClock } from "../../lib/time/clock.ts";
import type { AuditSink } from "./audit.ts";
import {
  type AuditCheckpoints,
  createAuditCheckpointsApp,
} from "./audit_checkpoints.ts";
import {
  type ApiClient,
  type ApiKeyRegistry,
  createAnonymizer,
  createApiKeyRegistry,
} from "./clients.ts";
import { createCsrfTokens } from "./csrf.ts";
import { mountFresh } from "./fresh/server.ts";
import type { Manifest } from "./fresh/types.ts";
import { langOf } from "./i18n.ts";
import { STATIC_DIR } from "./paths.ts";
import { manifest as defaultManifest } from "./manifest.gen.ts";
import { createRateLimiter, type RateLimiter } from "./rate_limit.ts";
import {
  DEFAULT_LIMITS,
  type PdfInspector,
  type ScanLimits,
} from "./scan_guard.ts";
import type { PortalServices, PortalState } from "./state.ts";
import {
  createVerifier,
  type StatusLookup,
  type VerifierOptions,
} from "./verify.ts";

/** Dependencies of {@linkcode createPortalApp}. */
export interface PortalDeps {
  /** The center's published public signing keys. */
  keyList: KeyList;
  /** Content keys the portal holds to decrypt back sides. */
  decryptionKeys: ReadonlyArray<ContentKey>;
  /** The center's issuance ledger: valid, voided, revoked or unknown. */
  statusLookup: StatusLookup;
  /** Renders the reduced front image (lib/render `r.png`). */
  renderFront?: (sheet: SheetContent) => Promise<Uint8Array>;
  /** Where every verification is recorded. */
  audit: AuditSink;
  /** Signed checkpoints of the audit's head, published at `/audit/checkpoints`. */
  auditCheckpoints?: Pick<AuditCheckpoints, "list">;
  /** Banks' API keys (hashed here). */
  apiKeys?: ApiKeyRegistry;
  clock?: Clock;
  logger?: Logger;
  metrics?: MetricsRegistry;
  /** Upload and image limits (merged over the defaults). */
  limits?: Partial<ScanLimits>;
  /** Anonymous rate: burst and sustained per minute (default 10, 10). */
  anonymousRate?: { capacity: number; perMinute: number };
  /** Secret for CSRF tokens and address hashing (≥ 32 bytes; random when absent). */
  secret?: Uint8Array;
  /** Static folder with the built island scripts and css (default `static/`). */
  staticDir?: string;
  /** Take the client address from X-Forwarded-For (behind a proxy). */
  trustProxy?: boolean;
  /** Mark cookies Secure (behind HTTPS). */
  secureCookies?: boolean;
  /** Routes and islands (default: the generated manifest). */
  manifest?: Manifest;
  /**
   * Decodes in these workers (decode_pool.ts); the caller owns it and closes
   * it. Without it, scans decode on the main thread.
   */
  decodePool?: VerifierOptions["pool"];
  /** Test seams and tuning. */
  decode?: VerifierOptions["decode"];
  pdfInspector?: PdfInspector;
  statusTimeoutMs?: number;
  maxConcurrent?: number;
}

/** The portal app. */
export type PortalApp = ReturnType<typeof createServiceApp<ServiceEnv>>;

/** Paths that take a scan upload (their own byte limit applies). */
const UPLOAD_PATHS = new Set(["/verify", "/api/verify"]);

/** The Content-Security-Policy: scripts and styles only from this origin. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  formAction: ["'self'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
};

function remoteAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (fwd) return fwd;
  }
  const env = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return env?.remoteAddr?.hostname ?? "unknown";
}

/**
 * Creates the portal.
 *
 * @example
 * ```ts ignore
 * const app = await createPortalApp({
 *   keyList, decryptionKeys: [contentKey], audit,
 *   statusLookup: (n) => ledger.status(n),
 *   renderFront: (s) => Promise.resolve(renderer.png(s, { widthPx: 760 })),
 * });
 * Deno.serve({ port: 8106 }, app.fetch);
 * ```
 */
export async function createPortalApp(deps: PortalDeps): Promise<PortalApp> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger({ service: "portal" });
  const metrics = deps.metrics ?? createMetrics();
  const limits: ScanLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const secret = deps.secret ?? crypto.getRandomValues(new Uint8Array(32));
  const staticDir = deps.staticDir ?? STATIC_DIR;
  const verdicts = metrics.counter(
    "portal_verifications_total",
    "Verifications by channel and verdict or refusal code",
  );

  const verifier = createVerifier({
    keyList: deps.keyList,
    decryptionKeys: deps.decryptionKeys,
    statusLookup: deps.statusLookup,
    renderFront: deps.renderFront,
    limits,
    audit: {
      async write(record) {
        await deps.audit.write(record);
        verdicts.inc({
          channel: record.channel,
          outcome: record.outcome === "verdict" ? record.verdict! : record.code,
        });
      },
    },
    clock,
    logger,
    decode: deps.decode,
    pool: deps.decodePool,
    pdfInspector: deps.pdfInspector,
    statusTimeoutMs: deps.statusTimeoutMs,
    maxConcurrent: deps.maxConcurrent,
  });
  const anonymousRate = deps.anonymousRate ?? { capacity: 10, perMinute: 10 };
  const clientLimiters = new Map<string, RateLimiter>();
  const services: PortalServices = {
    verifier,
    keyList: deps.keyList,
    limits,
    csrf: await createCsrfTokens(secret, clock),
    apiKeys: deps.apiKeys ?? await createApiKeyRegistry([]),
    anonymousLimiter: createRateLimiter({ ...anonymousRate, clock }),
    limitApiClient(client: ApiClient) {
      let limiter = clientLimiters.get(client.id);
      if (!limiter) {
        limiter = createRateLimiter({
          capacity: client.capacity,
          perMinute: client.perMinute,
          clock,
        });
        clientLimiters.set(client.id, limiter);
      }
      return limiter.take(client.id);
    },
    anonymize: await createAnonymizer(secret),
    clock,
    logger,
    secureCookies: deps.secureCookies ?? false,
  };

  const app = createServiceApp({
    service: "portal",
    logger,
    metrics,
    statusOf: () => undefined,
    // /healthz shows the decode pool: workers, busy, queued per channel, replaced.
    health: deps.decodePool
      ? () => Promise.resolve({ decode: deps.decodePool!.stats() })
      : undefined,
    // The portal limits bodies itself, below: 64 KiB, except uploads, which
    // readUpload caps at the scan limit and refuses as SCAN_TOO_LARGE.
    maxBodyBytes: null,
  });
  app.use(secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    referrerPolicy: "no-referrer",
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
  }));
  const smallBodies = bodyLimit({ maxSize: 64 * 1024 });
  app.use(async (c, next) => {
    if (UPLOAD_PATHS.has(c.req.path)) return await next();
    return await smallBodies(c, next);
  });
  app.use(async (c, next) => {
    await next();
    if (!c.res.headers.has("Cache-Control")) {
      c.res.headers.set("Cache-Control", "no-store");
    }
  });

  if (deps.auditCheckpoints) {
    app.route(
      "/audit/checkpoints",
      createAuditCheckpointsApp(deps.auditCheckpoints),
    );
  }
  const fresh = mountFresh(app, {
    manifest: deps.manifest ?? defaultManifest,
    staticDir,
    state: (c): PortalState => ({
      lang: langOf(new URL(c.req.url), c.req.header("cookie")),
      requestId: c.get("requestId") ?? crypto.randomUUID(),
      remoteAddress: remoteAddress(c, deps.trustProxy ?? false),
      portal: services,
    }),
  });
  if (Object.keys(fresh.islandScripts).length === 0) {
    logger.warn("island scripts not built: pages work as plain forms", {
      staticDir,
    });
  }

  const jsonErrors = errorHandler({ logger, statusOf: () => undefined });
  const wantsJson = (c: Context) =>
    c.req.path.startsWith("/api/") || c.req.path.startsWith("/.well-known/");
  app.onError((err, c) => {
    if (wantsJson(c)) return jsonErrors(err, c);
    const status = (err as { status?: number }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return fresh.renderError(c, status, err);
    }
    logger.error("page failed", {
      requestId: c.get("requestId"),
      error: safeError(err),
    });
    return fresh.renderError(c, 500, err);
  });
  app.notFound((c) =>
    wantsJson(c)
      ? c.json({
        code: "NOT_FOUND",
        message_ja: "見つかりません",
        message_en: "Not found",
      }, 404)
      : fresh.renderError(c, 404)
  );
  return app;
}
