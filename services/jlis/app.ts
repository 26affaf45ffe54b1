/**
 * The J-LIS certificate issuance center (証明書交付センター): the card CA
 * and card status, kiosk card authentication, and (with `issuance`) routing
 * to the ASP nodes, the issuance pipeline, the ledger and incidents. Every
 * message is logged and every response signed (message_log.ts).
 *
 * @module
 */
import { mountApiDocs } from "../../lib/service/api_docs.ts";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { createServiceApp } from "../../lib/service/app.ts";
import { limitBody } from "../../lib/service/body_limit.ts";
import { refuseUnsafeText } from "../../lib/service/input_guard.ts";
import type { Logger } from "../../lib/service/logger.ts";
import type { MetricsRegistry } from "../../lib/service/metrics.ts";
import { createCardsApp } from "./api/cards.ts";
import type { JlisDeps, JlisEnv } from "./api/common.ts";
import { createKioskApp } from "./api/kiosk.ts";
import { createKioskFailuresApp } from "./api/kiosk_failures.ts";
import { createFeeScheduleApp } from "./api/fees.ts";
import {
  createLedgerApp,
  createMunicipalAssuranceApp,
  createOperationsApp,
  createPrintReportApp,
} from "./api/ledger.ts";
import { jlisStatusOf } from "./errors.ts";
import { createMessageLog, messageLogger } from "./issuance/message_log.ts";

/** Everything the center's app needs. */
export interface JlisAppDeps extends JlisDeps {
  logger: Logger;
  metrics: MetricsRegistry;
}

/**
 * Builds the center's Hono app. Several instances may share one database:
 * no state is kept in the app between requests.
 *
 * @example
 * ```ts ignore
 * const app = createJlisApp({ db, clock: systemClock, clients, authority, signer, logger, metrics });
 * Deno.serve({ port: 8103 }, app.fetch);
 * ```
 */
export function createJlisApp(given: JlisAppDeps): OpenAPIHono<JlisEnv> {
  const deps = {
    ...given,
    messages: given.messages ?? createMessageLog(given.db),
  };
  const app = createServiceApp<JlisEnv>({
    service: "jlis",
    inputGuard: "app",
    logger: deps.logger,
    metrics: deps.metrics,
    statusOf: jlisStatusOf,
    health: async () => {
      await deps.db.execute(sql`select 1`);
      return { database: "ok" };
    },
  });
  // Public, unlogged: the CA certificate, the response-signing keys, the API description.
  app.get(
    "/ca",
    (c) =>
      c.text(deps.authority.certificatePem, 200, {
        "Content-Type": "application/x-pem-file",
      }),
  );
  app.get("/keys", async (c) => c.json(await deps.signer.keyList(), 200));
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
  });
  mountApiDocs(app, {
    title: "J-LIS center (証明書交付センター) API",
    version: "1.0.0",
  });
  // Everything below is logged and signed.
  app.use(limitBody(64 * 1024));
  app.use(
    messageLogger({
      messages: deps.messages,
      signer: deps.signer,
      clock: deps.clock,
    }),
  );
  // Inside the message log: a refusal of unsafe text is logged and signed.
  app.use(refuseUnsafeText());
  app.route("/cards", createCardsApp(deps));
  app.route("/kiosk/sessions", createKioskApp(deps));
  app.route("/kiosk/failures", createKioskFailuresApp(deps));
  if (deps.issuance) {
    app.route("/kiosk/requests", createPrintReportApp(deps));
    app.route("/ledger", createLedgerApp(deps));
    app.route("/operations", createOperationsApp(deps));
    app.route("/municipalities", createMunicipalAssuranceApp(deps));
    app.route("/municipalities", createFeeScheduleApp(deps));
  }
  return app;
}
