/**
 * Starts the registry: reads config, opens and migrates its database, seeds
 * demo residents on first run when asked, and serves.
 *
 * @module
 */
import { serviceDatabaseOptions } from "../../lib/db/config.ts";
import { type Database, openDatabase } from "../../lib/db/database.ts";
import { createLogger } from "../../lib/service/logger.ts";
import { createMetrics } from "../../lib/service/metrics.ts";
import { systemClock } from "../../lib/time/clock.ts";
import { serveHttp } from "../../lib/service/serve.ts";
import { createRegistryApp } from "./app.ts";
import { clientsFromTokens } from "./auth.ts";
import { loadRegistryConfig } from "./config.ts";
import { createFeedNotifier } from "./feed_notifier.ts";
import { startConfiguredCheckpointPull } from "./checkpoints.ts";

/** A running registry. */
export interface RunningRegistry {
  url: string;
  /** The mutual-TLS endpoint for LGWAN peers (the ASP's feed), when started with `tls`. */
  tlsUrl?: string;
  database: Database;
  stop(): Promise<void>;
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
  opts: { tls?: { cert: string; key: string; ca: string; port?: number } } = {},
): Promise<RunningRegistry> {
  const config = loadRegistryConfig(env);
  const logger = createLogger({ service: "registry" });
  const database = await openDatabase(
    await serviceDatabaseOptions("registry", env),
  );
  await database.migrate(MIGRATIONS);
  const app = createRegistryApp({
    db: database.db,
    clock: systemClock,
    clients: clientsFromTokens(config.clients),
    notifier: createFeedNotifier(),
    logger,
    metrics: createMetrics(),
  });
  const plain = await serveHttp(app.fetch, {
    port: config.port,
    hostname: config.hostname,
  });
  const lgwan = opts.tls
    ? await serveHttp(app.fetch, {
      port: opts.tls.port ?? config.port + 10,
      hostname: config.hostname,
      tls: opts.tls,
    })
    : undefined;
  const checkpointPull = await startConfiguredCheckpointPull(env, {
    db: database.db,
    logger,
  });
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
      await database.close();
    },
  };
}

if (import.meta.main) {
  const reg = await startRegistry();
  console.log(
    `registry: ${reg.url}  (OpenAPI ${reg.url}/openapi.json, Swagger UI ${reg.url}/docs)`,
  );
  Deno.addSignalListener("SIGINT", async () => {
    await reg.stop();
    Deno.exit(0);
  });
}
