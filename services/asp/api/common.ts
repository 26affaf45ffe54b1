/**
 * Shared pieces of the ASP's HTTP resources.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { ServiceEnv } from "../../../lib/service/app.ts";
import { validationError } from "../../../lib/service/errors.ts";
import type { Clock } from "../../../lib/time/clock.ts";
import type { Renderer } from "../../../lib/render/mod.ts";
import type { AspAuthEnv, AspClient } from "../auth.ts";
import type { Tenancy } from "../tenancy.ts";
import type { Telemetry } from "../telemetry.ts";

/** What the ASP's resources need. */
export interface AspDeps extends Telemetry {
  tenancy: Tenancy;
  clock: Clock;
  clients: AspClient[];
  /** The front renderer, created once and shared. */
  renderer: () => Promise<Renderer>;
}

/** Hono env of the ASP's routes. */
export type AspEnv = {
  Variables: ServiceEnv["Variables"] & AspAuthEnv["Variables"];
};

/** The error body in the OpenAPI document. */
export const ErrorSchema = z.object({
  code: z.string().openapi({ example: "REPLICA_STALE" }),
  message_ja: z.string(),
  message_en: z.string(),
  details: z.unknown().optional(),
}).openapi("Error");

const err = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});

/** Standard error responses. */
export const errorResponses = {
  400: err("Invalid input"),
  401: err("No or bad credential"),
  403: err("Scope missing"),
  404: err("Not found"),
  409: err("Refused by a rule"),
  503: err("Replica not fresh"),
} as const;

/** Path parameter: tenant (municipality) code. */
export const TenantParam = z.object({
  code: z.string().regex(/^\d{6}$/).openapi({
    param: { name: "code", in: "path" },
    example: "401005",
  }),
});

/** Options of every sub-app: validation errors become VALIDATION_FAILED. */
export const hook = {
  defaultHook: (r: { success: boolean; error?: { issues: unknown } }) => {
    if (!r.success) throw validationError(r.error?.issues);
  },
};
