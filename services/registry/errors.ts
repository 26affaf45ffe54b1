/**
 * The registry's refusals. Codes, statuses and messages are one table in
 * the registry's catalogue (lib/refusals/registry.ts); the status table
 * here is derived from it.
 *
 * @module
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  isRegistryCode,
  REGISTRY_REFUSALS,
  type RegistryCode,
} from "../../lib/refusals/registry.ts";
import { DomainError } from "../../lib/service/errors.ts";

export type { RegistryCode };

/**
 * Maps a code to its status; undefined for a code that is not the
 * registry's (the error handler then tries the common codes).
 *
 * @example
 * ```ts
 * registryStatusOf("RESIDENT_REMOVED"); // 409
 * ```
 */
export function registryStatusOf(
  code: string,
): ContentfulStatusCode | undefined {
  return isRegistryCode(code) ? REGISTRY_REFUSALS[code].status : undefined;
}

/**
 * A refusal of the registry.
 *
 * @example
 * ```ts ignore
 * throw new RegistryError("RESIDENT_REMOVED", { residentId: "401005-00000001" });
 * ```
 */
export class RegistryError extends DomainError {
  override readonly code: RegistryCode;
  constructor(code: RegistryCode, details?: unknown) {
    const { ja, en } = REGISTRY_REFUSALS[code];
    super(code, ja, en, details);
    this.name = "RegistryError";
    this.code = code;
  }
}
