/**
 * Message signatures on the center ↔ ASP link, both ways. Every request on
 * the center's routes must carry the center's `X-Center-Signature` over
 * lib/contracts/center_asp.ts `requestSigningInput` (method, path,
 * `X-Request-Id`, signing time, body SHA-256), verified with the center's
 * public key list from this node's configuration (a provisioned file,
 * never fetched): a missing, foreign, altered, stale or replayed signature
 * is refused (401/403 with its code), logged and counted
 * (`asp_center_signature_refusals_total{reason}`). Every answer on those
 * routes — a refusal included — carries this node's `X-Asp-Signature` over
 * `aspResponseSigningInput` (the request's method, path and request id, the
 * status, the time, the answer body's SHA-256, and what the node states it
 * runs: its build digest `X-Asp-Build` and the tenant's configuration digest
 * `X-Asp-Tenant-Config` — ./node_identity.ts), made by its signer
 * (lib/crypto/signer.ts).
 *
 * Signing times are read from the system clock (the transport's time), not
 * from the business clock a test or a demonstration may shift.
 *
 * @module
 */
import { createMiddleware } from "hono/factory";
import {
  ASP_BUILD_HEADER,
  ASP_SIGNATURE_HEADER,
  ASP_TENANT_CONFIG_HEADER,
  aspResponseSigningInput,
  verifyCenterRequest,
} from "../../lib/contracts/center_asp.ts";
import {
  createReplayGuard,
  DEFAULT_MAX_SKEW_MS,
  sha256B64,
  SIGNATURE_HEADER,
  type SignatureFailure,
  signHeader,
} from "../../lib/contracts/signed_message.ts";
import type { KeyListSource } from "../../lib/crypto/key_store.ts";
import type { Signer } from "../../lib/crypto/signer.ts";
import type { ServiceEnv } from "../../lib/service/app.ts";
import type { Counter, MetricsRegistry } from "../../lib/service/metrics.ts";
import { type AspCode, AspError } from "./errors.ts";
import type { NodeIdentity } from "./node_identity.ts";

/** What the node needs to check the center and sign its own answers. */
export interface AspSignatureDeps {
  /** This node's signer (its private key stays inside). */
  signer: Signer;
  /** The center's public keys, from this node's configuration. */
  centerKeys: KeyListSource;
  /**
   * The digest of the build this node runs (./node_identity.ts
   * `computeBuildDigest`, once at start), stated in every answer.
   */
  buildDigest: string;
  /**
   * How long a tenant's configuration digest is reused before its directory
   * row is read again, ms (default 5 s; tests 0).
   */
  tenantConfigTtlMs?: number;
  /** The transport's clock (default: the system's). */
  now?: () => Date;
  /** Freshness window of a request's signing time (default 5 min). */
  maxSkewMs?: number;
}

/** A refusal reason and the code it is answered with. */
const REFUSAL_CODES: Record<SignatureFailure | "replayed", AspCode> = {
  missing: "CENTER_SIGNATURE_MISSING",
  malformed: "CENTER_SIGNATURE_INVALID",
  "unknown-key": "CENTER_SIGNATURE_INVALID",
  "bad-signature": "CENTER_SIGNATURE_INVALID",
  "expired-key": "CENTER_SIGNATURE_EXPIRED",
  stale: "CENTER_SIGNATURE_EXPIRED",
  replayed: "CENTER_SIGNATURE_REPLAYED",
};

function refusals(metrics: MetricsRegistry): Counter {
  return metrics.counter(
    "asp_center_signature_refusals_total",
    "Requests refused because the center's signature failed, by reason",
  );
}

/**
 * Middleware pair for the center's routes: `sign` (outermost: signs every
 * answer, a refusal included) and `verify` (refuses a request whose
 * center signature fails).
 *
 * @example
 * ```ts ignore
 * const s = centerSignatures(deps.signatures, identity, deps.metrics);
 * app.use("/tenants/:code/certificates/*", s.sign, s.verify);
 * ```
 */
export function centerSignatures(
  deps: AspSignatureDeps,
  identity: NodeIdentity,
  metrics: MetricsRegistry,
) {
  const now = deps.now ?? (() => new Date());
  const maxSkewMs = deps.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const replays = createReplayGuard({ windowMs: maxSkewMs });
  const counter = refusals(metrics);

  const sign = createMiddleware<ServiceEnv>(async (c, next) => {
    await next();
    const requestId = c.req.header("X-Request-Id") ?? c.get("requestId");
    const time = now().toISOString();
    const body = new Uint8Array(await c.res.clone().arrayBuffer());
    const code = /^\/tenants\/([^/]+)/.exec(c.req.path)?.[1];
    const tenantConfigDigest = code ? await identity.tenantDigest(code) : "";
    const { header } = await signHeader(
      deps.signer,
      time,
      aspResponseSigningInput({
        method: c.req.method,
        path: c.req.path,
        requestId,
        status: c.res.status,
        time,
        bodySha256: await sha256B64(body),
        buildDigest: identity.buildDigest,
        tenantConfigDigest,
      }),
    );
    c.res.headers.set(ASP_SIGNATURE_HEADER, header);
    c.res.headers.set(ASP_BUILD_HEADER, identity.buildDigest);
    c.res.headers.set(ASP_TENANT_CONFIG_HEADER, tenantConfigDigest);
  });

  const verify = createMiddleware<ServiceEnv>(async (c, next) => {
    const requestId = c.req.header("X-Request-Id");
    const body = c.req.method === "GET" || c.req.method === "HEAD"
      ? new Uint8Array(0)
      : new Uint8Array(await c.req.arrayBuffer());
    const at = now();
    const v = requestId
      ? await verifyCenterRequest(
        c.req.header(SIGNATURE_HEADER),
        {
          method: c.req.method,
          path: c.req.path,
          requestId,
          bodySha256: await sha256B64(body),
        },
        { keyList: await deps.centerKeys(), now: at, maxSkewMs },
      )
      : { ok: false as const, reason: "missing" as const };
    const reason = !v.ok
      ? v.reason
      : replays.accept(v.sig, v.time, at)
      ? null
      : "replayed" as const;
    if (reason) {
      counter.inc({ reason });
      c.get("logger").warn("center signature refused", {
        reason,
        ...(!v.ok && v.keyId ? { keyId: v.keyId } : {}),
        ...(v.ok ? { keyId: v.keyId } : {}),
      });
      throw new AspError(REFUSAL_CODES[reason]);
    }
    await next();
  });

  return { sign, verify };
}
