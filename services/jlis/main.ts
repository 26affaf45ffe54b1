/**
 * Starts one instance of the center: reads config, loads its keys (card CA,
 * response signing, back-side content key), opens and migrates its
 * database, connects to the ASP nodes of its directory over mutual TLS, and
 * serves its API over mutual TLS: kiosks (registered terminals), municipal
 * windows, the portal, operators and the emergency line present their
 * certificates, and the certificate names the client (a kiosk's CN is the
 * terminal id the ledger records). TLS identity: `JLIS_TLS_CERT_FILE`,
 * `JLIS_TLS_KEY_FILE`, `JLIS_TLS_CA_FILE` (default `./certs/jlis.pem`,
 * `jlis-key.pem`, `ca.pem`; `JLIS_TLS_DIR` or `CERTS_DIR` moves the
 * folder). Several instances may run on one database (PostgreSQL) with the
 * same key files; `JLIS_INSTANCES` > 1 on the embedded PGlite refuses to
 * start (lib/db/layout.ts).
 *
 * @module
 */
import { parseCli } from "../../lib/service/cli.ts";
import { serviceDatabaseOptions } from "../../lib/db/config.ts";
import { assertLayout, declaredLayout } from "../../lib/db/layout.ts";
import { type Database, openDatabase } from "../../lib/db/database.ts";
import { createLogger } from "../../lib/service/logger.ts";
import { createMetrics } from "../../lib/service/metrics.ts";
import { type Clock, clockFrom, systemClock } from "../../lib/time/clock.ts";
import { serveHttp } from "../../lib/service/serve.ts";
import { createJlisApp } from "./app.ts";
import { jlisClients } from "./auth.ts";
import { bindingKeysFromEnv } from "../../lib/card/identity_binding.ts";
import { loadJlisConfig } from "./config.ts";
import { loadCenterKeys, loadContentKey } from "./keys.ts";
import { createAspDirectory } from "./issuance/asp_directory.ts";
import { keyListFile } from "../../lib/crypto/key_store.ts";
import { type LedgerStatus, ledgerStatusLookup } from "./issuance/ledger.ts";
import {
  checkpointIntervalMs,
  startCheckpointTimer,
} from "./issuance/checkpoints.ts";
import {
  centerRetentionConfig,
  createCenterRetentionJob,
} from "./work_retention.ts";
import type { ContentKey } from "../../lib/crypto/content_key.ts";
import type { KeyList } from "../../lib/crypto/key_list.ts";
import {
  type MtlsFetch,
  mtlsFetch,
  readTlsIdentity,
} from "../../lib/tls/mod.ts";

/** A running center instance. */
export interface RunningJlis {
  url: string;
  database: Database;
  /** The CA certificate (PEM), e.g. for kiosks to pin. */
  caCertificatePem: string;
  /** The public key list of the response and back-side signatures. */
  keyList: KeyList;
  /** The file that list is exported to (what kiosks are provisioned with). */
  publicKeysFile: string;
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
  // Several instances share one database only on PostgreSQL.
  assertLayout("jlis", env, declaredLayout("jlis", env));
  const logger = createLogger({ service: "jlis" });
  const { authority, signer, publicKeysFile } = await loadCenterKeys(
    config,
    systemClock,
  );
  const contentKey = await loadContentKey(
    config.contentKeyFile,
    config.generateKeys || !!env.get("JLIS_CONTENT_KEY_GENERATE"),
  );
  // One TLS identity: the center serves its API over mutual TLS with it and
  // calls the ASP nodes with it (one pooled client for every node).
  const identity = config.tls ? await readTlsIdentity(config.tls) : undefined;
  let tlsFetch: MtlsFetch | undefined;
  let aspFetch = opts.aspFetch;
  if (!aspFetch && identity) aspFetch = tlsFetch = mtlsFetch(identity);
  const transport = aspFetch ?? ((input, init) => fetch(input, init));
  // Each node's answer-signing keys: its provisioned file, never fetched.
  const directory = createAspDirectory(
    config.aspNodes.map((n) => ({
      ...n,
      fetch: transport,
      keys: keyListFile(n.keysFile ?? config.aspKeysFile, {
        reloadAfterMs: 60_000,
      }),
    })),
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
  const metrics = createMetrics();
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
      // Card ↔ holder binding keys, shared with each municipality.
      bindingKeys: bindingKeysFromEnv(env),
      timeoutMs: config.issueTimeoutMs,
      deliveryWindowMs: config.deliveryWindowMs,
      failurePolicy: config.failurePolicy,
      unsetDigests: config.unsetDigests,
    },
    logger,
    metrics,
  });
  const served = await serveHttp(app.fetch, {
    port: config.port,
    hostname: config.hostname,
    tls: identity,
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
  // Work data (kiosk sessions) purged at least hourly, figures in /metrics.
  const retention = createCenterRetentionJob({
    db: database.db,
    clock,
    logger,
    metrics,
    ...centerRetentionConfig(env),
    failureWindowMs: config.failurePolicy.windowMs,
  });
  retention.start();
  return {
    url,
    database,
    caCertificatePem: authority.certificatePem,
    keyList: await signer.keyList(),
    publicKeysFile,
    contentKey,
    ledgerStatus: (n) => lookup(n),
    clock,
    async stop() {
      await served.stop();
      await checkpoints.stop();
      await retention.stop();
      tlsFetch?.close();
      await database.close();
    },
  };
}

if (import.meta.main) {
  parseCli({
    task: "jlis",
    usage: "",
    description:
      "Starts one instance of the J-LIS center (cards, kiosk sessions, issuance, ledger) over\n" +
      "mutual TLS on JLIS_PORT (8103). Environment: DATABASE_URL, CERTS_DIR, DATA_DIR,\n" +
      "JLIS_ASP_NODES, JLIS_CLOCK_START (see services/jlis/README.md).",
    options: {},
  });
  const jlis = await startJlis();
  console.log(
    `jlis: ${jlis.url}  (OpenAPI ${jlis.url}/openapi.json, Swagger UI ${jlis.url}/docs)`,
  );
  Deno.addSignalListener("SIGINT", async () => {
    await jlis.stop();
    Deno.exit(0);
  });
}
