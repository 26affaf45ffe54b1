/**
 * Shared pieces of the ASP's HTTP resources.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { ServiceEnv } from "../../../lib/service/app.ts";
import { errorResponse } from "../../../lib/service/openapi.ts";
import type { Clock } from "../../../lib/time/clock.ts";
import type { Renderer } from "../../../lib/render/mod.ts";
import type { AspAuthEnv, AspClient } from "../auth.ts";
import type { Tenancy } from "../tenancy.ts";
import type { AspSignatureDeps } from "../signatures.ts";
import type { Telemetry } from "../telemetry.ts";
import type { Reconciler } from "../reconciliation.ts";

/** What the ASP's resources need. */
export interface AspDeps extends Telemetry {
  tenancy: Tenancy;
  clock: Clock;
  clients: AspClient[];
  /** The front renderer, created once and shared. */
  renderer: () => Promise<Renderer>;
  /**
   * The center's request signatures (checked on every route the center
   * calls, with its provisioned key list) and this node's signer for its
   * answers (services/asp/signatures.ts).
   */
  signatures: AspSignatureDeps;
  /**
   * Live reconciliation with the registry (services/asp/reconciliation.ts),
   * run on an operator's demand; absent where the node has no feed link
   * (the run endpoint then answers RECONCILIATION_UNAVAILABLE).
   */
  reconciler?: Pick<Reconciler, "run">;
}

/** Hono env of the ASP's routes. */
export type AspEnv = {
  Variables: ServiceEnv["Variables"] & AspAuthEnv["Variables"];
};

/** Standard error responses. */
export const errorResponses = {
  400: errorResponse("Invalid input"),
  401: errorResponse("No or bad credential"),
  403: errorResponse("Scope missing"),
  404: errorResponse("Not found"),
  409: errorResponse("Refused by a rule"),
  503: errorResponse("Replica not fresh"),
} as const;

/** Path parameter: tenant (municipality) code. */
export const TenantParam = z.object({
  code: z.string().regex(/^\d{6}$/).openapi({
    param: { name: "code", in: "path" },
    example: "401005",
  }),
});
