/**
 * Starts one instance of the center: reads config, loads its keys (card CA,
 * response signing, back-side content key), opens and migrates its
 * database, connects to the ASP nodes of its directory over mutual TLS, and
 * serves. Several instances may run on one database (PostgreSQL) with the
 * same key files.
 *
 * @module
 */
import { serviceDatabaseOptions } from "../../lib/db/config.ts";
import { type Database, openDatabase } from "../../lib/db/database.ts";
import { createLogger } from "../../lib/service/logger.ts";
import { taskCommand } from "../../lib/service/commands.ts";
import { createMetrics } from "../../lib/service/metrics.ts";
import { type Clock, clockFrom, systemClock } from "../../lib/time/clock.ts";
import { serveHttp } from "../../lib/service/serve.ts";
import { createJlisApp } from "./app.ts";
import { jlisClients } from "./auth.ts";
import { loadJlisConfig } from "./config.ts";
import { loadCenterKeys, loadContentKey } from "./keys.ts";
import { createAspDirectory } from "./issuance/asp_directory.ts";
import { type LedgerStatus, ledgerStatusLookup } from "./issuance/ledger.ts";
import {
  checkpointIntervalMs,
  startCheckpointTimer,
} from "./issuance/checkpoints.ts";
import type { ContentKey } from "../../lib/crypto/content_key.ts";
import type { KeyList } from "../../lib/crypto/key_list.ts";
import { type MtlsFetch, mtlsFetch } from "../../lib/tls/mod.ts";

/** A running center instance. */
export interface RunningJlis {
  url: string;
  database: Database;
  /** The CA certificate (PEM), e.g. for kiosks to pin. */
  caCertificatePem: string;
  /** The public key list of the response and back-side signatures. */
  keyList: KeyList;
  /** The back-side content key (the verification portal decrypts with it). */
  contentKey: ContentKey;
  /**
   * The ledger's status of an issue number, for the portal's `statusLookup`
   * (in process; remotely: `GET /ledger/{issueNumber}/status`).
   */
  ledgerStatus(issueNumber: string): Promise<LedgerStatus>;
  /** The center's clock (the system's, or as set by `JLIS_CLOCK_START`). */
  clock: Clock;
  stop(): Promise<void>;
}

/** Options of {@linkcode startJlis}. */
export interface StartJlisOptions {
  /** Transport to the ASP nodes (default: mutual TLS with the configured certificate). */
  aspFetch?: (input: string, init?: RequestInit) => Promise<Response>;
}

/** The folder of the center's migrations. */
export const MIGRATIONS =
  new URL("../../db/migrations/jlis", import.meta.url).pathname;

/**
 * Starts the center.
 *
 * @example
 * ```ts ignore
 * const jlis = await startJlis();
 * console.log(jlis.url);
 * ```
 */
export async function startJlis(
  env: { get(k: string): string | undefined } = Deno.env,
  opts: StartJlisOptions = {},
): Promise<RunningJlis> {
  const config = loadJlisConfig(env);
  const logger = createLogger({ service: "jlis" });
  const { authority, signer } = await loadCenterKeys(config, systemClock);
  const contentKey = await loadContentKey(
    config.contentKeyFile,
    config.generateKeys || !!env.get("JLIS_CONTENT_KEY_GENERATE"),
  );
  let tlsFetch: MtlsFetch | undefined;
  let aspFetch = opts.aspFetch;
  if (!aspFetch && config.tls) {
    const tls = config.tls;
    const read = (p: string) =>
      Deno.readTextFile(p).catch((err) => {
        throw new Error(
          `Cannot read the center's TLS file ${p} (run \`${
            taskCommand("certs")
          }\`): ${err.message}`,
        );
      });
    try {
      tlsFetch = mtlsFetch({
        ca: await read(tls.caFile),
        cert: await read(tls.certFile),
        key: await read(tls.keyFile),
      });
      aspFetch = tlsFetch;
    } catch (err) {
      // A configured directory fails fast; the development default only warns
      // (cards and authentication still work; issuance answers ASP_UNAVAILABLE).
      if (config.aspNodesConfigured) throw err;
      logger.warn("issuance disabled until the TLS files exist", {
        error: (err as Error).message,
      });
      aspFetch = () =>
        Promise.reject(new Error(`No TLS identity: ${(err as Error).message}`));
    }
  }
  const transport = aspFetch ?? ((input, init) => fetch(input, init));
  const directory = createAspDirectory(
    config.aspNodes.map((n) => ({ ...n, fetch: transport })),
  );
  const database = await openDatabase(
    await serviceDatabaseOptions("jlis", env),
  );
  await database.migrate(MIGRATIONS);
  const clock = config.clockStart ? clockFrom(config.clockStart) : systemClock;
  if (config.clockStart) {
    logger.warn("clock set by JLIS_CLOCK_START: development only", {
      start: config.clockStart.toISOString(),
    });
  }
  const app = createJlisApp({
    db: database.db,
    clock,
    clients: jlisClients(config.clients),
    authority,
    signer,
    sessionTtlMs: config.sessionTtlMs,
    issuance: {
      directory,
      contentKey,
      timeoutMs: config.issueTimeoutMs,
      deliveryWindowMs: config.deliveryWindowMs,
    },
    logger,
    metrics: createMetrics(),
  });
  const served = await serveHttp(app.fetch, {
    port: config.port,
    hostname: config.hostname,
  });
  const url = served.url;
  logger.info("listening", {
    url,
    database: database.kind,
    aspNodes: config.aspNodes.map((n) =>
      `${n.id} ${n.url} ${n.municipalities.join(",")}`
    ),
  });
  const lookup = ledgerStatusLookup(database.db);
  const checkpoints = startCheckpointTimer({
    db: database.db,
    signer,
    clock,
    logger,
    intervalMs: checkpointIntervalMs(env),
  });
  return {
    url,
    database,
    caCertificatePem: authority.certificatePem,
    keyList: await signer.keyList(),
    contentKey,
    ledgerStatus: (n) => lookup(n),
    clock,
    async stop() {
      await served.stop();
      await checkpoints.stop();
      tlsFetch?.close();
      await database.close();
    },
  };
}

if (import.meta.main) {
  const jlis = await startJlis();
  console.log(
    `jlis: ${jlis.url}  (OpenAPI ${jlis.url}/openapi.json, Swagger UI ${jlis.url}/docs)`,
  );
  Deno.addSignalListener("SIGINT", async () => {
    await jlis.stop();
    Deno.exit(0);
  });
}
