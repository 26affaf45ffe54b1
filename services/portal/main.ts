/**
 * Starts the verification portal: reads config, builds the island scripts,
 * opens the audit file, starts the decode workers (which render the front
 * too) or prepares the front renderer on this thread, and serves: plain
 * HTTP on localhost for development, HTTPS with `PORTAL_TLS_CERT_FILE` and
 * `PORTAL_TLS_KEY_FILE` (no client certificates: the public uses it).
 *
 * Inside the whole system (`main.ts`) the center's key list, content keys
 * and ledger are passed in; `deno task portal` (scripts/portal_demo.ts)
 * runs it on its own with a demo center (a fresh signing key and content
 * key, a demo ledger) and writes sample scans to `data/portal/demo/` to try
 * every verdict.
 *
 * @module
 */
import { serveHttp } from "../../lib/service/serve.ts";
import type { SheetContent } from "../../lib/certificate/model.ts";
import type { ContentKey } from "../../lib/crypto/content_key.ts";
import type { KeyList } from "../../lib/crypto/key_list.ts";
import { createRenderer } from "../../lib/render/mod.ts";
import { createLogger, type Logger } from "../../lib/service/logger.ts";
import { createMetrics } from "../../lib/service/metrics.ts";
import { systemClock } from "../../lib/time/clock.ts";
import { createPortalApp } from "./app.ts";
import { type AuditSink, openJsonlAuditSink } from "./audit.ts";
import { openPortalAuditCheckpoints } from "./audit_checkpoints.ts";
import { buildPortal } from "./build.ts";
import { createApiKeyRegistry } from "./clients.ts";
import { loadPortalConfig } from "./config.ts";
import { createDecodePool, type DecodePool } from "./decode_pool.ts";
import type { StatusLookup } from "./verify.ts";

/** Options of {@linkcode startPortal}. */
export interface StartPortalOptions {
  /** The center's published public signing keys. */
  keyList: KeyList;
  /** Content keys the portal may decrypt with. */
  decryptionKeys: ReadonlyArray<ContentKey>;
  /** The center's issuance ledger. */
  statusLookup: StatusLookup;
  /** Environment (default Deno.env). */
  env?: { get(k: string): string | undefined };
  /** Audit sink (default: the JSON-lines file of PORTAL_AUDIT_FILE). */
  audit?: AuditSink;
  /** Front renderer (default: lib/render, 760 px wide). */
  renderFront?: (sheet: SheetContent) => Promise<Uint8Array>;
  /** Bundle the island scripts before serving (default true). */
  buildIslands?: boolean;
  /** Logger (default: JSON lines on stdout). */
  logger?: Logger;
}

/** A running portal. */
export interface RunningPortal {
  url: string;
  stop(): Promise<void>;
}

/** Width of the reduced front image, px. */
export const FRONT_WIDTH_PX = 760;

/**
 * Starts the portal.
 *
 * @example
 * ```ts ignore
 * const portal = await startPortal({ keyList, decryptionKeys: [contentKey],
 *   statusLookup: (n) => jlis.ledgerStatus(n) });
 * console.log(portal.url);
 * ```
 */
export async function startPortal(
  options: StartPortalOptions,
): Promise<RunningPortal> {
  const config = loadPortalConfig(options.env ?? Deno.env);
  const logger = options.logger ?? createLogger({ service: "portal" });
  if (options.buildIslands ?? true) {
    const built = await buildPortal();
    logger.info("island scripts built", {
      files: built.files.map((f) => `${f.name} ${f.bytes} B`),
      ms: built.ms,
    });
  }
  const fileAudit = options.audit
    ? undefined
    : await openJsonlAuditSink(config.auditFile);
  const auditCheckpoints = fileAudit
    ? await openPortalAuditCheckpoints(
      options.env ?? Deno.env,
      config.auditFile,
      fileAudit,
      systemClock,
      logger,
    )
    : undefined;
  let pool: DecodePool | undefined;
  let renderFront = options.renderFront;
  try {
    if (config.decodeWorkers > 0) {
      pool = await createDecodePool({
        keyList: options.keyList,
        decryptionKeys: options.decryptionKeys,
        workers: config.decodeWorkers,
        maxQueue: config.decodeQueue,
        jobTimeoutMs: config.decodeTimeoutMs,
        // An injected renderer runs on this thread; else the workers render.
        frontWidthPx: renderFront ? undefined : FRONT_WIDTH_PX,
        logger,
      });
      logger.info("decode workers started", {
        workers: config.decodeWorkers,
      });
    } else if (!renderFront) {
      const renderer = await createRenderer();
      renderFront = (sheet) =>
        Promise.resolve(renderer.png(sheet, { widthPx: FRONT_WIDTH_PX }));
    }
  } catch (e) {
    await auditCheckpoints?.close();
    await fileAudit?.close();
    throw e;
  }
  let served;
  try {
    const app = await createPortalApp({
      keyList: options.keyList,
      decryptionKeys: options.decryptionKeys,
      statusLookup: options.statusLookup,
      renderFront,
      decodePool: pool,
      audit: options.audit ?? fileAudit!,
      auditCheckpoints,
      apiKeys: await createApiKeyRegistry(config.apiClients),
      logger,
      metrics: createMetrics(),
      clock: systemClock,
      secret: config.secret,
      limits: { maxBytes: config.maxUploadBytes, maxSheets: config.maxSheets },
      anonymousRate: {
        capacity: config.anonymousPerMinute,
        perMinute: config.anonymousPerMinute,
      },
      trustProxy: config.trustProxy,
      secureCookies: config.secureCookies,
    });
    served = await serveHttp(app.fetch, {
      port: config.port,
      hostname: config.hostname,
      tls: config.tls
        ? {
          cert: await Deno.readTextFile(config.tls.certFile),
          key: await Deno.readTextFile(config.tls.keyFile),
          ca: "",
          requireClientCertificate: false,
        }
        : undefined,
    });
  } catch (e) {
    await pool?.close();
    await auditCheckpoints?.close();
    await fileAudit?.close();
    throw e;
  }
  const url = served.url;
  logger.info("listening", {
    url,
    auditFile: fileAudit ? config.auditFile : "injected",
  });
  return {
    url,
    async stop() {
      await served.stop();
      await pool?.close();
      await auditCheckpoints?.close();
      await fileAudit?.close();
    },
  };
}
