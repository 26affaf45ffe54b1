/**
 * Starts one instance of the center: reads config, loads its keys, opens
 * and migrates its database, and serves. Several instances may run on one
 * database (PostgreSQL) with the same key files.
 *
 * @module
 */
import { serviceDatabaseOptions } from "../../lib/db/config.ts";
import { type Database, openDatabase } from "../../lib/db/database.ts";
import { createLogger } from "../../lib/service/logger.ts";
import { createMetrics } from "../../lib/service/metrics.ts";
import { systemClock } from "../../lib/time/clock.ts";
import { createJlisApp } from "./app.ts";
import { jlisClients } from "./auth.ts";
import { loadJlisConfig } from "./config.ts";
import { loadCenterKeys } from "./keys.ts";

/** A running center instance. */
export interface RunningJlis {
  url: string;
  database: Database;
  /** The CA certificate (PEM), e.g. for kiosks to pin. */
  caCertificatePem: string;
  stop(): Promise<void>;
}

/** The folder of the center's migrations. */
export const MIGRATIONS =
  new URL("../../db/migrations/jlis", import.meta.url).pathname;

/**
 * Starts the center.
 *
 * @example
 * ```ts
 * const jlis = await startJlis();
 * console.log(jlis.url);
 * ```
 */
export async function startJlis(
  env: { get(k: string): string | undefined } = Deno.env,
): Promise<RunningJlis> {
  const config = loadJlisConfig(env);
  const logger = createLogger({ service: "jlis" });
  const { authority, signer } = await loadCenterKeys(config, systemClock);
  const database = await openDatabase(
    await serviceDatabaseOptions("jlis", env),
  );
  await database.migrate(MIGRATIONS);
  const app = createJlisApp({
    db: database.db,
    clock: systemClock,
    clients: await jlisClients(config.clients),
    authority,
    signer,
    sessionTtlMs: config.sessionTtlMs,
    logger,
    metrics: createMetrics(),
  });
  const ac = new AbortController();
  const server = Deno.serve({
    port: config.port,
    hostname: config.hostname,
    signal: ac.signal,
    onListen: () => {},
  }, app.fetch);
  const url = `http://${config.hostname}:${server.addr.port}`;
  logger.info("listening", { url, database: database.kind });
  return {
    url,
    database,
    caCertificatePem: authority.certificatePem,
    async stop() {
      ac.abort();
      await server.finished;
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
