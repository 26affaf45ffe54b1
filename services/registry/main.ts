/**
 * Starts the registry: reads config, opens and migrates its database, and
 * serves its API over mutual TLS only (city systems, the ASP's feed): the
 * certificate names the client (services/registry/config.ts). The plain-HTTP
 * port beside it answers only `/healthz` and `/metrics`.
 *
 * TLS identity: `REGISTRY_TLS_CERT_FILE`, `REGISTRY_TLS_KEY_FILE`,
 * `REGISTRY_TLS_CA_FILE` (default `./certs/registry.pem`, `registry-key.pem`,
 * `ca.pem`; `CERTS_DIR` moves the folder); port `REGISTRY_TLS_PORT`
 * (default `REGISTRY_PORT` + 10, i.e. 8111). `KONBINI_TRANSPORT=plaintext`
 * (never in production) serves the API on the plain port instead, for a
 * benchmark's baseline.
 *
 * @module
 */
import { parseCli } from "../../lib/service/cli.ts";
import { serviceDatabaseOptions } from "../../lib/db/config.ts";
import { type Database, openDatabase } from "../../lib/db/database.ts";
import { createLogger } from "../../lib/service/logger.ts";
import { createMetrics } from "../../lib/service/metrics.ts";
import { systemClock } from "../../lib/time/clock.ts";
import {
  probesOnly,
  serveHttp,
  type ServeTls,
} from "../../lib/service/serve.ts";
import {
  type MtlsFetch,
  mtlsFetch,
  plaintextTransport,
  readTlsIdentity,
  tlsFiles,
} from "../../lib/tls/mod.ts";
import { envInt } from "../../lib/service/env.ts";
import { createRegistryApp } from "./app.ts";
import { clientsFromTokens } from "./auth.ts";
import { loadRegistryConfig } from "./config.ts";
import { createFeedNotifier } from "./feed_notifier.ts";
import { bindingKeysFromEnv } from "../../lib/card/identity_binding.ts";
import {
  CENTER_PUSH_INTERVAL_MS,
  createCenterBindingPusher,
} from "./center_binding.ts";
import { startConfiguredCheckpointPull } from "./checkpoints.ts";
import {
  type CenterLink,
  issuanceHoleCheckMs,
  issuancePullIntervalMs,
  startIssuancePull,
} from "./issuances.ts";

/** A running registry. */
export interface RunningRegistry {
  /** The plain-HTTP listener: `/healthz` and `/metrics` only (the API too under `KONBINI_TRANSPORT=plaintext`). */
  url: string;
  /** The API over mutual TLS (city systems, the ASP's feed); absent under `KONBINI_TRANSPORT=plaintext`. */
  tlsUrl?: string;
  database: Database;
  stop(): Promise<void>;
}

/**
 * Each municipality's transport to the center: mutual TLS with the
 * municipality's own certificate (`<CERTS_DIR>/city-<code>.pem`), which
 * identifies it there; plain `fetch` under `KONBINI_TRANSPORT=plaintext`
 * with the token of REGISTRY_CENTER_TOKENS (JSON code → token). A
 * municipality without its certificate files sends nothing (logged).
 */
function centerTransports(
  env: { get(k: string): string | undefined },
  plaintext: boolean,
): {
  fetchFor: (code: string) => typeof fetch | null;
  tokenFor: (code: string) => string | null;
  close(): void;
} {
  const raw = env.get("REGISTRY_CENTER_TOKENS");
  let tokens: Record<string, string> = {};
  try {
    tokens = raw ? JSON.parse(raw) : {};
  } catch {
    throw new Error(
      "REGISTRY_CENTER_TOKENS must be a JSON object code → token",
    );
  }
  const clients = new Map<string, MtlsFetch | null>();
  const dir = (env.get("CERTS_DIR") ?? "./certs").replace(/\/+$/, "");
  const identityOf = (code: string) => {
    try {
      const read = (f: string) => Deno.readTextFileSync(`${dir}/${f}`);
      return mtlsFetch({
        cert: read(`city-${code}.pem`),
        key: read(`city-${code}-key.pem`),
        ca: read("ca.pem"),
      });
    } catch {
      return null;
    }
  };
  return {
    fetchFor: (code) => {
      if (plaintext) return fetch;
      if (!clients.has(code)) clients.set(code, identityOf(code));
      return clients.get(code) ?? null;
    },
    tokenFor: (code) => tokens[code] ?? null,
    close: () => clients.forEach((c) => c?.close()),
  };
}

/** The folder of the registry's migrations. */
export const MIGRATIONS =
  new URL("../../db/migrations/registry", import.meta.url).pathname;

/**
 * Starts the registry service.
 *
 * @example
 * ```ts ignore
 * const reg = await startRegistry();
 * console.log(reg.url);
 * ```
 */
export async function startRegistry(
  env: { get(k: string): string | undefined } = Deno.env,
  opts: { tls?: ServeTls & { port?: number } } = {},
): Promise<RunningRegistry> {
  const config = loadRegistryConfig(env);
  const plaintext = plaintextTransport(env);
  const tls = plaintext
    ? undefined
    : opts.tls ?? await readTlsIdentity(tlsFiles(env, "REGISTRY", "registry"));
  const logger = createLogger({ service: "registry" });
  const database = await openDatabase(
    await serviceDatabaseOptions("registry", env),
  );
  await database.migrate(MIGRATIONS);
  const toCenter = centerTransports(env, plaintext);
  const centerUrl = env.get("REGISTRY_CENTER_URL") ??
    (plaintext ? "http://127.0.0.1:8103" : "https://localhost:8103");
  const center: CenterLink = {
    centerUrl,
    fetchFor: toCenter.fetchFor,
    tokenFor: toCenter.tokenFor,
  };
  const metrics = createMetrics();
  // The 交付履歴: each municipality pulls its ledger entries over its own
  // link, once a center is configured or the interval is set (else on
  // demand, after a revocation).
  const issuancePull = startIssuancePull({
    db: database.db,
    link: center,
    logger,
    metrics,
    holeCheckMs: issuanceHoleCheckMs(env),
    intervalMs:
      env.get("REGISTRY_CENTER_URL") || env.get("REGISTRY_ISSUANCE_PULL_MS")
        ? issuancePullIntervalMs(env)
        : 0,
  });
  // Card ↔ holder bindings at the center, kept current by the municipality:
  // its calls are queued durably and retried by a job until answered.
  const centerBinding = createCenterBindingPusher({
    db: database.db,
    centerUrl,
    fetchFor: toCenter.fetchFor,
    tokenFor: toCenter.tokenFor,
    keys: bindingKeysFromEnv(env),
    logger,
    metrics,
    intervalMs: envInt(
      env,
      "REGISTRY_CENTER_PUSH_MS",
      CENTER_PUSH_INTERVAL_MS,
      100,
      3_600_000,
    ),
  });
  const app = createRegistryApp({
    db: database.db,
    clock: systemClock,
    clients: clientsFromTokens(config.clients),
    notifier: createFeedNotifier(),
    centerBinding,
    center,
    issuancePull,
    logger,
    metrics,
  });
  const plain = await serveHttp(tls ? probesOnly(app.fetch) : app.fetch, {
    port: config.port,
    hostname: config.hostname,
  });
  const tlsPort = opts.tls?.port ??
    envInt(
      env,
      "REGISTRY_TLS_PORT",
      config.port ? config.port + 10 : 0,
      0,
      65535,
    );
  const lgwan = tls
    ? await serveHttp(app.fetch, {
      port: tlsPort,
      hostname: config.hostname,
      tls,
    }).catch(async (err) => {
      await plain.stop();
      await database.close();
      throw err;
    })
    : undefined;
  const checkpointPull = await startConfiguredCheckpointPull(env, {
    db: database.db,
    logger,
  });
  // What a stop or an outage left pending goes now, then on the interval.
  centerBinding.start();
  const url = plain.url;
  const tlsUrl = lgwan?.url;
  logger.info("listening", { url, tlsUrl, database: database.kind });
  return {
    url,
    tlsUrl,
    database,
    async stop() {
      await lgwan?.stop();
      await plain.stop();
      await checkpointPull?.stop();
      await centerBinding.stop();
      await issuancePull.stop();
      toCenter.close();
      await database.close();
    },
  };
}

if (import.meta.main) {
  parseCli({
    task: "registry",
    usage: "",
    description:
      "Starts the resident registry (住民基本台帳): its API over mutual TLS only (REGISTRY_TLS_PORT,\n" +
      "default 8111), probes on REGISTRY_PORT (8101). Environment: DATABASE_URL, CERTS_DIR, DATA_DIR,\n" +
      "REGISTRY_CLIENTS, REGISTRY_CENTER_URL (see services/registry/README.md).",
    options: {},
  });
  const reg = await startRegistry();
  const api = reg.tlsUrl ?? reg.url;
  console.log(
    `registry: ${api}  (mutual TLS; OpenAPI ${api}/openapi.json, Swagger UI ${api}/docs; probes ${reg.url}/healthz)`,
  );
  Deno.addSignalListener("SIGINT", async () => {
    await reg.stop();
    Deno.exit(0);
  });
}
