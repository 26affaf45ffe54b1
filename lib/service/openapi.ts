/**
 * OpenAPI pieces every service shares: the error body's schema, error
 * responses for route definitions, and resource sub-apps whose schema
 * failures become the common VALIDATION_FAILED refusal.
 *
 * @module
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Env } from "hono";
import { validationError } from "./errors.ts";

/** The error body `{ code, message_ja, message_en, details? }`. */
export const ErrorSchema = z.object({
  code: z.string().openapi({ example: "VALIDATION_FAILED" }),
  message_ja: z.string(),
  message_en: z.string(),
  details: z.unknown().optional(),
}).openapi("Error");

/** One error response of a route, with its description. */
export function errorResponse(description: string) {
  return {
    description,
    content: { "application/json": { schema: ErrorSchema } },
  };
}

/** The hook that turns a schema failure into VALIDATION_FAILED. */
export const validationHook = {
  defaultHook: (r: { success: boolean; error?: { issues: unknown } }) => {
    if (!r.success) throw validationError(r.error?.issues);
  },
};

/**
 * A sub-app for one resource, mounted with `app.route`.
 *
 * @example
 * ```ts ignore
 * const residents = createResourceApp<RegistryEnv>();
 * ```
 */
export function createResourceApp<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>(validationHook);
}

/**
 * Names a shared schema (lib/contracts, built with plain zod) as a component
 * of the OpenAPI document. zod copies `.openapi` onto a schema when it is
 * built, so a schema built before @hono/zod-openapi was loaded has none: the
 * name goes on a clone, which validates exactly as the original.
 *
 * @example
 * ```ts ignore
 * const ReleasedDocument = component(releasedDocumentSchema, "ReleasedDocument");
 * ```
 */
export function component<T extends z.ZodType>(schema: T, name: string): T {
  return schema.clone().openapi(name);
}
