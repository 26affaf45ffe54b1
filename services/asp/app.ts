/**
 * The LGWAN-ASP issuing system: a per-municipality replica of the registry,
 * kept fresh by the sync worker, from which certificates are built for the
 * J-LIS center.
 *
 * @module
 */
import { mountApiDocs } from "../../lib/service/api_docs.ts";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { createServiceApp } from "../../lib/service/app.ts";
import { createCertificatesApp } from "./api/certificates.ts";
import type { AspDeps, AspEnv } from "./api/common.ts";
import { createCardsApp, createResidentsApp } from "./api/residents.ts";
import { createTenantsApp } from "./api/tenants.ts";
import { createReconciliationApp } from "./api/reconciliation.ts";
import { aspStatusOf } from "./errors.ts";
import { centerSignatures } from "./signatures.ts";
import { createNodeIdentity } from "./node_identity.ts";
import { requireScope } from "./auth.ts";

export type { AspDeps } from "./api/common.ts";

/**
 * Builds the ASP's Hono app.
 *
 * @example
 * ```ts ignore
 * const app = createAspApp({ tenancy, clock: systemClock, clients, renderer: () => rendererPromise, logger, metrics,
 *   signatures: { signer, centerKeys: keyListFile("data/jlis/keys/jlis-keys.json"), buildDigest } });
 * Deno.serve({ port: 8102 }, app.fetch);
 * ```
 */
export function createAspApp(deps: AspDeps): OpenAPIHono<AspEnv> {
  const app = createServiceApp<AspEnv>({
    service: "asp",
    logger: deps.logger,
    metrics: deps.metrics,
    statusOf: aspStatusOf,
    health: async () => {
      await deps.tenancy.db.execute(sql`select 1`);
      return { database: "ok" };
    },
  });
  // The center's routes: every answer signed; the caller is identified
  // first (a wrong party is refused as such, 403), then its signature is
  // checked.
  const signed = centerSignatures(
    deps.signatures,
    createNodeIdentity({
      buildDigest: deps.signatures.buildDigest,
      tenancy: deps.tenancy,
      signer: deps.signatures.signer,
      ttlMs: deps.signatures.tenantConfigTtlMs,
    }),
    deps.metrics,
  );
  const center = requireScope(deps.clients, "issue");
  for (const resource of ["certificates", "residents", "cards"]) {
    // (`/*` matches the resource's own path too)
    app.use(`/tenants/:code/${resource}/*`, signed.sign, center, signed.verify);
  }
  app.route("/tenants", createTenantsApp(deps));
  app.route("/tenants/:code", createReconciliationApp(deps));
  app.route("/tenants/:code/certificates", createCertificatesApp(deps));
  app.route("/tenants/:code/residents", createResidentsApp(deps));
  app.route("/tenants/:code/cards", createCardsApp(deps));
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
  });
  mountApiDocs(app, {
    title: "LGWAN-ASP issuing system (証明書コンビニ交付システム) API",
    version: "1.0.0",
  });
  return app;
}
