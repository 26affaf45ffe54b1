/**
 * The registry service (住民基本台帳): residents, households, change events,
 * seals, blocks, card links, an ordered change feed, and an audit trail.
 *
 * @module
 */
import { mountApiDocs } from "../../lib/service/api_docs.ts";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { createServiceApp } from "../../lib/service/app.ts";
import type { Logger } from "../../lib/service/logger.ts";
import type { MetricsRegistry } from "../../lib/service/metrics.ts";
import { createCheckpointCopiesApp } from "./api/checkpoints.ts";
import { createEventsApp } from "./api/events.ts";
import { createFeedApp } from "./api/feed.ts";
import { createGaijiApp } from "./api/gaiji.ts";
import { createIssuancesApp } from "./api/issuances.ts";
import { createMunicipalitiesApp } from "./api/municipalities.ts";
import { createReconciliationApp } from "./api/reconciliation.ts";
import {
  createBlocksApp,
  createCardLinksApp,
  createSealsApp,
} from "./api/records.ts";
import { createResidentsApp } from "./api/residents.ts";
import type { RegistryDeps, RegistryEnv } from "./api/common.ts";
import { registryStatusOf } from "./errors.ts";

/** Everything the registry app needs. */
export interface RegistryAppDeps extends RegistryDeps {
  logger: Logger;
  metrics: MetricsRegistry;
}

/**
 * Builds the registry's Hono app.
 *
 * @example
 * ```ts ignore
 * const app = createRegistryApp({ db, clock: systemClock, clients, notifier: createFeedNotifier(), logger, metrics });
 * Deno.serve({ port: 8101 }, app.fetch);
 * ```
 */
export function createRegistryApp(
  deps: RegistryAppDeps,
): OpenAPIHono<RegistryEnv> {
  const app = createServiceApp<RegistryEnv>({
    service: "registry",
    logger: deps.logger,
    metrics: deps.metrics,
    statusOf: registryStatusOf,
    health: async () => {
      await deps.db.execute(sql`select 1`);
      return { database: "ok" };
    },
  });
  app.route("/municipalities", createMunicipalitiesApp(deps));
  app.route("/municipalities/:code/events", createEventsApp(deps));
  app.route("/municipalities/:code/residents", createResidentsApp(deps));
  app.route("/municipalities/:code/seals", createSealsApp(deps));
  app.route("/municipalities/:code/blocks", createBlocksApp(deps));
  app.route("/municipalities/:code/card-links", createCardLinksApp(deps));
  app.route("/municipalities/:code/feed", createFeedApp(deps));
  app.route("/municipalities/:code/gaiji", createGaijiApp(deps));
  app.route("/municipalities/:code/issuances", createIssuancesApp(deps));
  app.route(
    "/municipalities/:code/reconciliation",
    createReconciliationApp(deps),
  );
  app.route("/ledger-checkpoints", createCheckpointCopiesApp(deps));
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
  });
  mountApiDocs(app, { title: "Registry (住民基本台帳) API", version: "1.0.0" });
  return app;
}
