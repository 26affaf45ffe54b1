/**
 * Starts the ASP: reads config, opens and migrates its database, provisions
 * the configured tenants, then runs the sync worker, the retention job and
 * the HTTP API (ASP_MODE=all|api|worker). A layout the database cannot
 * carry — `ASP_INSTANCES` > 1 (API and worker processes count one each) on
 * the embedded PGlite — refuses to start (lib/db/layout.ts). The build
 * digest every answer states is computed once here (./node_identity.ts).
 *
 * Every link is mutual TLS with the ASP's one identity (`ASP_TLS_CERT_FILE`,
 * `ASP_TLS_KEY_FILE`, `ASP_TLS_CA_FILE`; default `./certs/asp.pem`,
 * `asp-key.pem`, `ca.pem`, `CERTS_DIR` moves the folder): the API it serves
 * (the center, operators: their certificates name them) and the registry's
 * feed it reads (one pooled client). `KONBINI_TRANSPORT=plaintext` (never in
 * production) runs both in plain HTTP, for a benchmark's baseline.
 *
 * @module
 */
import { parseCli } from "../../lib/service/cli.ts";
import { serviceDatabaseOptions } from "../../lib/db/config.ts";
import { assertLayout, declaredLayout } from "../../lib/db/layout.ts";
import { computeBuildDigest } from "./node_identity.ts";
import { type Database, openDatabase } from "../../lib/db/database.ts";
import { createRenderer, type Renderer } from "../../lib/render/mod.ts";
import { createLogger } from "../../lib/service/logger.ts";
import { createMetrics } from "../../lib/service/metrics.ts";
import { systemClock } from "../../lib/time/clock.ts";
import { serveHttp, type ServeTls } from "../../lib/service/serve.ts";
import {
  type MtlsFetch,
  mtlsFetch,
  plaintextTransport,
  readTlsIdentity,
  tlsFiles,
} from "../../lib/tls/mod.ts";
import { createAspApp } from "./app.ts";
import { aspClients } from "./auth.ts";
import { loadAspConfig } from "./config.ts";
import { createKeyring } from "./keys.ts";
import { createRetentionJob } from "./retention.ts";
import {
  keyListFile,
  signerFromKeyFile,
  writeKeyListFile,
} from "../../lib/crypto/key_store.ts";
import { createSyncWorker, type SyncHooks } from "./sync_worker.ts";
import { createReconciler } from "./reconciliation.ts";
import { CONTROL_MIGRATIONS, createTenancy, type Tenancy } from "./tenancy.ts";

type Env = { get(k: string): string | undefined };

/** A running ASP. */
export interface RunningAsp {
  /** Base URL of the API (absent in worker mode). */
  url?: string;
  database: Database;
  tenancy: Tenancy;
  stop(): Promise<void>;
}

/** Test hooks from the environment (crash tests only; absent in production). */
function testHooks(
  env: Env,
  log: (msg: string, f: Record<string, unknown>) => void,
): SyncHooks | undefined {
  const pauseAt = Number(env.get("ASP_TEST_PAUSE_BEFORE_COMMIT") ?? NaN);
  const delay = Number(env.get("ASP_TEST_APPLY_DELAY_MS") ?? 0);
  if (Number.isNaN(pauseAt) && !delay) return undefined;
  return {
    async beforeCommit(code, from, to) {
      if (delay) await new Promise((r) => setTimeout(r, delay));
      if (from <= pauseAt && pauseAt <= to) {
        log("test hook: paused before commit", { tenant: code, from, to });
        await new Promise(() => {}); // until killed
      }
    },
  };
}

/**
 * Starts the ASP service.
 *
 * @example
 * ```ts ignore
 * const asp = await startAsp();
 * console.log(asp.url);
 * ```
 */
export async function startAsp(
  env: Env = Deno.env,
  opts: {
    /** Transport to the registry's feed (default: mutual TLS with `tls`). */
    fetch?: (input: string, init?: RequestInit) => Promise<Response>;
    /** The ASP's TLS identity (default: read from its files, see above). */
    tls?: ServeTls;
  } = {},
): Promise<RunningAsp> {
  const config = loadAspConfig(env);
  // Refuse a layout the database cannot carry (before anything is opened).
  assertLayout("asp", env, declaredLayout("asp", env));
  const tls = plaintextTransport(env)
    ? undefined
    : opts.tls ?? await readTlsIdentity(tlsFiles(env, "ASP", "asp"));
  let feedClient: MtlsFetch | undefined;
  const feedFetch = opts.fetch ??
    (tls ? (feedClient = mtlsFetch(tls)) : undefined);
  const logger = createLogger({ service: "asp" });
  const metrics = createMetrics();
  if (config.devMasterKey) {
    logger.warn(
      "ASP_MASTER_KEY is not set: using this machine's development master key",
      { file: config.devMasterKey },
    );
  }
  const database = await openDatabase(await serviceDatabaseOptions("asp", env));
  await database.migrate(CONTROL_MIGRATIONS);
  const tenancy = createTenancy({
    database,
    keyring: createKeyring(config.masterKeys),
  });
  for (const t of config.tenants) await tenancy.provision(t);
  await tenancy.upgradeAll();

  const stops: (() => Promise<void>)[] = [];
  let url: string | undefined;
  // What this node states it runs in every answer (computed once).
  const buildDigest = await computeBuildDigest();
  // Live reconciliation over the feed link: scheduled where the sync runs,
  // on demand (operator endpoint) wherever the API runs.
  const reconciler = createReconciler({
    tenancy,
    registryUrl: config.registryUrl,
    token: config.registryToken,
    fetch: feedFetch,
    clock: systemClock,
    logger,
    metrics,
    intervalMs: config.reconcileIntervalMs,
  });
  stops.push(() => reconciler.stop());
  if (config.mode !== "api") {
    const worker = createSyncWorker({
      tenancy,
      registryUrl: config.registryUrl,
      token: config.registryToken,
      fetch: feedFetch,
      clock: systemClock,
      logger,
      metrics,
      waitSeconds: config.syncWaitSeconds,
      limit: config.syncBatch,
      hooks: testHooks(env, (msg, f) => logger.info(msg, f)),
    });
    await worker.start(config.tenants.map((t) => t.code));
    const retention = createRetentionJob({
      tenancy,
      clock: systemClock,
      logger,
      metrics,
      intervalMs: config.retentionIntervalMs,
    });
    retention.start();
    await reconciler.start(config.tenants.map((t) => t.code));
    stops.push(() => worker.stop(), () => retention.stop());
  }
  if (config.mode !== "worker") {
    let renderer: Promise<Renderer> | undefined;
    // This node's answer-signing key, and its public list exported for the
    // center's provisioning; the center's list read from this node's own.
    const signer = await signerFromKeyFile(config.signingKeyFile, {
      generate: config.generateSigningKey,
      clock: systemClock,
    });
    await writeKeyListFile(config.publicKeysFile, await signer.keyList());
    const app = createAspApp({
      signatures: {
        signer,
        centerKeys: keyListFile(config.centerKeysFile, {
          reloadAfterMs: 60_000,
        }),
        buildDigest,
      },
      tenancy,
      clock: systemClock,
      clients: aspClients(config.clients),
      renderer: () => renderer ??= createRenderer(),
      logger,
      metrics,
      reconciler,
    });
    const served = await serveHttp(app.fetch, {
      port: config.port,
      hostname: config.hostname,
      tls,
    });
    url = served.url;
    stops.unshift(() => served.stop());
  }
  logger.info("started", {
    url,
    mode: config.mode,
    database: database.kind,
    tenants: config.tenants.map((t) => t.code),
    buildDigest,
  });
  return {
    url,
    database,
    tenancy,
    async stop() {
      for (const s of stops) await s();
      feedClient?.close();
      await database.close();
    },
  };
}

if (import.meta.main) {
  parseCli({
    task: "asp",
    usage: "",
    description:
      "Starts the LGWAN-ASP issuing system (its replica and certificate builds) over mutual TLS\n" +
      "on ASP_PORT (8102). Environment: DATABASE_URL, CERTS_DIR, DATA_DIR, ASP_MASTER_KEY,\n" +
      "ASP_REGISTRY_URL, ASP_CENTER_KEYS_FILE (see services/asp/README.md).",
    options: {},
  });
  const asp = await startAsp();
  if (asp.url) {
    console.log(
      `asp: ${asp.url}  (OpenAPI ${asp.url}/openapi.json, Swagger UI ${asp.url}/docs)`,
    );
  }
  const shutdown = async () => {
    await asp.stop();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", shutdown);
  Deno.addSignalListener("SIGTERM", shutdown);
}
