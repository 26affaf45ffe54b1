/**
 * Shared pieces of the center's HTTP resources: dependencies, Hono env,
 * error schema and the validation hook.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { Db } from "../../../lib/db/database.ts";
import type { Signer } from "../../../lib/crypto/signer.ts";
import type { ServiceEnv } from "../../../lib/service/app.ts";
import { errorResponse } from "../../../lib/service/openapi.ts";
import type { Clock } from "../../../lib/time/clock.ts";
import type { BackSideBuilder } from "../../../lib/backside/mod.ts";
import type { ContentKey } from "../../../lib/crypto/content_key.ts";
import type { Logger } from "../../../lib/service/logger.ts";
import type { MetricsRegistry } from "../../../lib/service/metrics.ts";
import type { AspDirectory } from "../issuance/asp_directory.ts";
import type { MessageLog } from "../issuance/message_log.ts";
import type { JlisAuthEnv, JlisClient } from "../auth.ts";
import type { CardAuthority } from "../cards/card_authority.ts";
import type { BindingKeys } from "../../../lib/card/identity_binding.ts";
import type { FailurePolicy } from "../issuance/incidents.ts";
import type { UnsetDigests } from "../issuance/conformance.ts";

/** What issuance needs besides the center's base dependencies. */
export interface IssuanceConfig {
  /** The ASP nodes and the municipalities each hosts. */
  directory: AspDirectory;
  /** Encrypts back sides (the portal holds the same key to decrypt). */
  contentKey: ContentKey;
  /** Each municipality's card-binding key (shared with it), for the holder check. */
  bindingKeys: BindingKeys;
  /** Back-side builder (default: one bound to the signer and content key). */
  backSides?: BackSideBuilder;
  /** Deadline of one issuance request, ms (default 10 s). */
  timeoutMs?: number;
  /** Window between card authentication and the request, ms (default 5 min). */
  sessionWindowMs?: number;
  /**
   * Delivery confirmations to a node gather this long and go as one call,
   * ms (default 0: one call per certificate, before the release returns).
   */
  deliveryWindowMs?: number;
  /** Repeated failures that open an incident (default 3 within 10 min). */
  failurePolicy?: FailurePolicy;
  /**
   * An ASP answer for a municipality with no expected digests set:
   * `accept` (default; the digests seen are recorded) or `refuse`.
   */
  unsetDigests?: UnsetDigests;
  /**
   * Check what the nodes state they run (default true). False only for a
   * benchmark's baseline without the check (bench/p3.ts `P3_DIGEST_CHECKS=0`).
   */
  digestChecks?: boolean;
}

/** What the center's resources need. */
export interface JlisDeps {
  db: Db;
  clock: Clock;
  clients: JlisClient[];
  /** The card CA (holds its key). */
  authority: CardAuthority;
  /** Signs the center's responses (holds its key). */
  signer: Signer;
  /** Lifetime of a kiosk session's nonce, ms (default 60 s). */
  sessionTtlMs?: number;
  /** Issuance (routing, pipeline, ledger); absent: cards and authentication only. */
  issuance?: IssuanceConfig;
  /** The message log (default: a group-commit log on `db`, one per app). */
  messages?: MessageLog;
}

/** What the issuance routes get: the base, issuance, telemetry. */
export interface IssuanceRouteDeps extends JlisDeps {
  issuance: IssuanceConfig;
  logger: Logger;
  metrics: MetricsRegistry;
}

/** Hono env of the center's routes. */
export type JlisEnv = {
  Variables: ServiceEnv["Variables"] & JlisAuthEnv["Variables"];
};

/** Standard error responses for a route. */
export const errorResponses = {
  400: errorResponse("Invalid input"),
  401: errorResponse("No or bad credential; certificate or signature refused"),
  403: errorResponse("Scope missing; card refused"),
  404: errorResponse("Not found"),
  409: errorResponse("Refused by a rule"),
} as const;

/** Path parameter: a card serial (lowercase hex). */
export const SerialParam = z.object({
  serial: z.string().regex(/^[0-9a-fA-F]{2,64}$/).openapi({
    param: { name: "serial", in: "path" },
    example: "5bdddda40c86e83c5b7e3a6ad1ff3063",
  }),
});
