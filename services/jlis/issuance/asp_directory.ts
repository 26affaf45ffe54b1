/**
 * The directory of ASP nodes (LGWAN-ASP issuing systems) and the center's
 * client for them. Each node hosts its own municipalities in its own
 * database; the center routes a request by the card's municipality code.
 *
 * Every message to a node is signed by the center (`X-Center-Signature` over
 * method, path, request id, time and the body's SHA-256 —
 * lib/contracts/center_asp.ts `requestSigningInput` — made by the signer) and both the request and the response are written to the message
 * log (hashes, never bodies) before the response is used. Every answer must
 * carry the node's `X-Asp-Signature` over `aspResponseSigningInput`
 * (this request's method, path and request id, the status, the answer's
 * SHA-256), verified with the node's public key list from the center's
 * configuration (`keysFile`, provisioned, never fetched): an answer that
 * fails is never read — {@linkcode callAsp} throws
 * {@linkcode AspAnswerRejected} (logged, counted in
 * `jlis_asp_answer_signature_failures_total{node,reason}`), which the
 * issuance withholds as an `ANSWER_SIGNATURE_INVALID` incident. The
 * signature covers what the node states it runs (`X-Asp-Build`,
 * `X-Asp-Tenant-Config`); with a `conformance` check in the deps, an answer
 * stating another build or tenant configuration than the expected one is
 * refused before it is read (conformance.ts). The request
 * carries the issuance request id as `X-Request-Id` and the run's
 * correlation id as `X-Correlation-Id`, so the node's log lines name both
 * (lib/service/app.ts). In production the
 * node's `fetch` is a mutual-TLS client (lib/tls `mtlsFetch`); tests may use
 * an in-process one.
 *
 * @module
 */
import {
  ASP_BUILD_HEADER,
  ASP_SIGNATURE_HEADER,
  ASP_TENANT_CONFIG_HEADER,
  requestSigningInput,
  verifyAspAnswer,
} from "../../../lib/contracts/center_asp.ts";
import {
  sha256B64,
  SIGNATURE_HEADER,
  type SignatureFailure,
} from "../../../lib/contracts/signed_message.ts";
import type { KeyListSource } from "../../../lib/crypto/key_store.ts";
import type { Signer } from "../../../lib/crypto/signer.ts";
import type { Logger } from "../../../lib/service/logger.ts";
import type { MetricsRegistry } from "../../../lib/service/metrics.ts";
import { CORRELATION_HEADER } from "../../../lib/contracts/correlation.ts";
import { parseJsonArray } from "../../../lib/service/env.ts";
import type { Clock } from "../../../lib/time/clock.ts";
import type { Conformance, StatedDigests } from "./conformance.ts";
import {
  type MessageLog,
  type MessageRow,
  signMessage,
} from "./message_log.ts";

/** A node as written in config. */
export interface AspNodeConfig {
  /** Stable id, used as the peer name in the message log. */
  id: string;
  /** Base URL (https in production). */
  url: string;
  /** The center's bearer token at that node ("" when its certificate alone identifies it). */
  token: string;
  /** The municipality codes it hosts. */
  municipalities: string[];
  /**
   * The node's public key list file (provisioned; default: the center's
   * `JLIS_ASP_KEYS_FILE`).
   */
  keysFile?: string;
}

/** A node with its transport. */
export interface AspNode extends AspNodeConfig {
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  /** The node's answer-signing public keys (from the center's configuration). */
  keys: KeyListSource;
}

/**
 * A node's answer whose `X-Asp-Signature` is missing or fails: never read.
 * The issuance withholds the document and records an incident.
 */
export class AspAnswerRejected extends Error {
  constructor(
    readonly node: string,
    readonly reason: SignatureFailure,
    readonly status: number,
  ) {
    super(`ASP node ${node}: answer signature ${reason} (status ${status})`);
    this.name = "AspAnswerRejected";
  }
}

/** Routes municipality codes to nodes. */
export interface AspDirectory {
  readonly nodes: readonly AspNode[];
  /** The node hosting a municipality, or null. */
  route(municipalityCode: string): AspNode | null;
}

/**
 * Builds the directory; throws `TypeError` for duplicate ids, malformed
 * codes, or a municipality hosted by two nodes.
 *
 * @example
 * ```ts ignore
 * const dir = createAspDirectory([{ id: "asp-1", url, token, municipalities: ["401005"], fetch }]);
 * dir.route("401005")?.id; // "asp-1"
 * ```
 */
export function createAspDirectory(nodes: AspNode[]): AspDirectory {
  const byCode = new Map<string, AspNode>();
  const ids = new Set<string>();
  for (const n of nodes) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(n.id) || ids.has(n.id)) {
      throw new TypeError(`ASP node id '${n.id}' is malformed or repeated`);
    }
    ids.add(n.id);
    if (!/^https?:\/\/[^/]+/.test(n.url)) {
      throw new TypeError(`ASP node ${n.id}: url '${n.url}' is not http(s)`);
    }
    for (const code of n.municipalities) {
      if (!/^\d{6}$/.test(code)) {
        throw new TypeError(
          `ASP node ${n.id}: '${code}' is not a 6-digit code`,
        );
      }
      const other = byCode.get(code);
      if (other) {
        throw new TypeError(
          `Municipality ${code} is on two ASP nodes (${other.id}, ${n.id})`,
        );
      }
      byCode.set(code, n);
    }
  }
  return {
    nodes: [...nodes],
    route: (code) => byCode.get(code) ?? null,
  };
}

/**
 * Parses `JLIS_ASP_NODES` (a JSON array of {@linkcode AspNodeConfig}).
 *
 * @example
 * ```ts
 * const nodes = parseAspNodes('[{"id":"asp-1","url":"https://127.0.0.1:8102","token":"t","municipalities":["401005"]}]');
 * ```
 */
export function parseAspNodes(raw: string): AspNodeConfig[] {
  return parseJsonArray<AspNodeConfig>(
    raw,
    (n) =>
      !!n && typeof n.id === "string" && typeof n.url === "string" &&
      typeof n.token === "string" && Array.isArray(n.municipalities) &&
      n.municipalities.every((m: unknown) => typeof m === "string") &&
      (n.keysFile === undefined || typeof n.keysFile === "string"),
    "JLIS_ASP_NODES must be a JSON array of { id, url, token, municipalities: string[], keysFile?: string }",
  );
}

/** What a call to a node needs from the center. */
export interface AspCallDeps {
  /** The center's message log (both directions of every call). */
  messages: MessageLog;
  /** Signs the center's requests (holds its key). */
  signer: Signer;
  clock: Clock;
  /** Where a rejected answer is logged (default: nowhere; the caller logs too). */
  logger?: Logger;
  /** Where a rejected answer is counted. */
  metrics?: MetricsRegistry;
  /** The check of the node's stated build and tenant configuration (absent: none). */
  conformance?: Conformance;
}

function countRejected(
  metrics: MetricsRegistry | undefined,
  labels: { node: string; reason: string },
): void {
  metrics?.counter(
    "jlis_asp_answer_signature_failures_total",
    "ASP answers refused because their X-Asp-Signature failed, by node and reason",
  ).inc(labels);
}

/** A node's answer. */
export interface AspAnswer {
  status: number;
  body: Record<string, unknown>;
  /** What the node stated it runs (covered by its signature). */
  stated: StatedDigests;
}

/**
 * Sends one signed, logged request to a node. Aborting `signal` aborts the
 * call; the log rows are written either way (a failed call is logged with no
 * status). Throws what fetch throws (AbortError, TypeError for a network
 * failure) after logging, {@linkcode AspAnswerRejected} for an answer
 * whose node signature fails (after logging the rows), and JlisError
 * `ASP_NOT_CONFORMING` for a signed answer whose stated build or tenant
 * configuration is not the expected one (incident recorded).
 *
 * @example
 * ```ts ignore
 * const a = await callAsp(deps, node, { method: "GET", path: `/tenants/401005/cards/${serial}`, requestId, signal });
 * ```
 */
export async function callAsp(
  deps: AspCallDeps,
  node: AspNode,
  req: {
    method: "GET" | "POST";
    path: string;
    requestId: string;
    /** The run's correlation id (default: the request id). */
    correlationId?: string;
    body?: unknown;
    signal: AbortSignal;
    /** The municipality the call is about (checked by `deps.conformance`). */
    municipalityCode?: string;
    /** The kiosk behind the call, for an incident (default "center"). */
    kioskId?: string;
  },
): Promise<AspAnswer> {
  const bytes = req.body === undefined
    ? new Uint8Array(0)
    : new TextEncoder().encode(JSON.stringify(req.body));
  const sentAt = deps.clock.now();
  // The signing time is the transport's (the system clock): the node checks
  // its freshness against its own system clock, whatever business clock a
  // demonstration or a test runs the center on.
  const time = new Date().toISOString();
  const bodySha256 = await sha256B64(bytes);
  const signed = await signMessage(
    deps.signer,
    time,
    requestSigningInput({
      method: req.method,
      path: req.path,
      requestId: req.requestId,
      time,
      bodySha256,
    }),
  );
  const { keyId, signature } = signed;
  const correlationId = req.correlationId ?? req.requestId;
  const common = {
    peer: node.id,
    requestId: req.requestId,
    correlationId,
    method: req.method,
    path: req.path,
  };
  const out: MessageRow = {
    ...common,
    at: sentAt,
    direction: "out",
    messageSha256: bodySha256,
    signature,
    keyId,
  };
  let res: Response;
  let text: string;
  try {
    res = await node.fetch(`${node.url}${req.path}`, {
      method: req.method,
      headers: {
        ...(node.token ? { Authorization: `Bearer ${node.token}` } : {}),
        "X-Request-Id": req.requestId,
        [CORRELATION_HEADER]: correlationId,
        [SIGNATURE_HEADER]: signed.header,
        ...(req.body === undefined
          ? {}
          : { "Content-Type": "application/json" }),
      },
      body: req.body === undefined ? undefined : bytes,
      signal: req.signal,
    });
    text = await res.text();
  } catch (err) {
    await deps.messages.write([out]);
    throw err;
  }
  const inBytes = new TextEncoder().encode(text);
  const inSha256 = await sha256B64(inBytes);
  const aspSignature = res.headers.get(ASP_SIGNATURE_HEADER);
  await deps.messages.write([out, {
    ...common,
    at: deps.clock.now(),
    direction: "in",
    status: res.status,
    messageSha256: inSha256,
    signature: aspSignature,
  }]);
  const stated: StatedDigests = {
    build: res.headers.get(ASP_BUILD_HEADER) ?? "",
    config: res.headers.get(ASP_TENANT_CONFIG_HEADER) ?? "",
  };
  const verified = await verifyAspAnswer(aspSignature, {
    method: req.method,
    path: req.path,
    requestId: req.requestId,
    status: res.status,
    bodySha256: inSha256,
    buildDigest: stated.build,
    tenantConfigDigest: stated.config,
  }, await node.keys());
  if (!verified.ok) {
    countRejected(deps.metrics, { node: node.id, reason: verified.reason });
    deps.logger?.error("ASP answer refused: its signature fails", {
      aspNode: node.id,
      requestId: req.requestId,
      correlationId,
      status: res.status,
      reason: verified.reason,
    });
    throw new AspAnswerRejected(node.id, verified.reason, res.status);
  }
  if (deps.conformance && req.municipalityCode) {
    await deps.conformance.check({
      aspNode: node.id,
      municipalityCode: req.municipalityCode,
      requestId: req.requestId,
      kioskId: req.kioskId ?? "center",
      stated,
    });
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    body = { code: "NOT_JSON" };
  }
  return { status: res.status, body, stated };
}
