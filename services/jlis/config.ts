/**
 * The center's configuration, parsed once at start; a bad value fails fast
 * naming the variable. Keys come from files (JLIS_CA_CERT_FILE +
 * JLIS_CA_KEY_FILE, JLIS_SIGNING_KEY_FILE); without them a development key
 * store under `<DATA_DIR>/jlis/keys` is created on first start and shared by
 * every instance started from the same directory.
 *
 * @module
 */
import { type Env, envInt, parseJsonArray } from "../../lib/service/env.ts";
import { isProduction } from "../../lib/service/dev_secrets.ts";
import type { FailurePolicy } from "./issuance/incidents.ts";
import type { UnsetDigests } from "./issuance/conformance.ts";
import { type AspNodeConfig, parseAspNodes } from "./issuance/asp_directory.ts";
import type { JlisClientConfig } from "./auth.ts";
import {
  plaintextTransport,
  type TlsFiles,
  tlsFiles,
} from "../../lib/tls/files.ts";

/** Parsed configuration. */
export interface JlisConfig {
  port: number;
  hostname: string;
  /** Clients: certificate CN (default the id), optional token (hashed before use). */
  clients: JlisClientConfig[];
  /** Kiosk session (nonce) lifetime, ms. */
  sessionTtlMs: number;
  /** CA certificate and key files (PEM, PKCS#8). */
  caCertFile: string;
  caKeyFile: string;
  /** Response-signing key file: `{ notBefore, notAfter, jwk }` (private EC P-256 JWK). */
  signingKeyFile: string;
  /** Whether missing key files may be generated (development key store only). */
  generateKeys: boolean;
  /** Back-side content key file: `{ keyId, rawBase64 }` (the portal needs the same). */
  contentKeyFile: string;
  /** Where the center exports its public key list (kiosks and ASP nodes are provisioned with it). */
  publicKeysFile: string;
  /** The ASP nodes' public key list (a node's own `keysFile` first). */
  aspKeysFile: string;
  /** The ASP nodes and the municipalities each hosts. */
  aspNodes: AspNodeConfig[];
  /** False when the development default directory is in use. */
  aspNodesConfigured: boolean;
  /**
   * The center's TLS identity (PEM files): it serves its API over mutual TLS
   * with it (kiosks and every other client present certificates) and is the
   * client identity toward the ASP nodes. Null only under
   * `KONBINI_TRANSPORT=plaintext`.
   */
  tls: TlsFiles | null;
  /** Serve the API in plain HTTP (`KONBINI_TRANSPORT=plaintext`, never in production). */
  plaintext: boolean;
  /** Deadline of one issuance request, ms. */
  issueTimeoutMs: number;
  /** Delivery confirmations gather this long per node before one call, ms. */
  deliveryWindowMs: number;
  /** Repeated failures of one kind for one tenant that open an incident. */
  failurePolicy: FailurePolicy;
  /**
   * What an ASP answer gets when no expected digest is set for its
   * municipality: `refuse` (default under KONBINI_ENV=production) or
   * `accept` (elsewhere; the digests seen are recorded).
   */
  unsetDigests: UnsetDigests;
  /**
   * Development and demonstrations only: the center's clock reads this
   * instant at start-up and runs from there (hours and holidays follow it).
   */
  clockStart: Date | null;
}

/**
 * Development ASP node: the local ASP (services/asp) with its two tenants,
 * over mutual TLS (the center's certificate identifies it: no token).
 */
export const DEV_ASP_NODES: AspNodeConfig[] = [{
  id: "asp-1",
  url: "https://localhost:8102",
  token: "",
  municipalities: ["401005", "401307"],
}];

/**
 * Development clients used when JLIS_CLIENTS is not set (see .env.example):
 * each is identified by its certificate from `npx -y deno@2.9.6 task certs` (CN = id),
 * no tokens.
 */
export const DEV_CLIENTS: JlisClientConfig[] = [
  { id: "kiosk-0001", scopes: ["kiosk"], store: "store-kokura-001" },
  { id: "kiosk-0002", scopes: ["kiosk"], store: "store-hakata-001" },
  { id: "portal", scopes: ["portal"] },
  { id: "ops", scopes: ["operator"] },
  { id: "emergency-line", scopes: ["stop"] },
  { id: "city-401005", scopes: ["municipal"], municipalities: ["401005"] },
  { id: "city-401307", scopes: ["municipal"], municipalities: ["401307"] },
];

function parseClients(raw: string): JlisClientConfig[] {
  return parseJsonArray<JlisClientConfig>(
    raw,
    (c) =>
      !!c && typeof c.id === "string" &&
      (c.token === undefined ||
        (typeof c.token === "string" && c.token.length >= 16)) &&
      (c.certificate === undefined || typeof c.certificate === "string") &&
      Array.isArray(c.scopes) && c.scopes.every((s: unknown) =>
        ["kiosk", "stop", "municipal", "portal", "operator"].includes(
          s as string,
        )
      ) &&
      (c.municipalities === undefined ||
        (Array.isArray(c.municipalities) &&
          c.municipalities.every((m: unknown) => /^\d{6}$/.test(String(m))))),
    'JLIS_CLIENTS must be a JSON array of { id, certificate?, token? (≥ 16 characters), scopes: ("kiosk"|"stop"|"municipal"|"portal"|"operator")[], municipalities?: string[], store?: string }',
  );
}

/**
 * Reads the configuration from the environment.
 *
 * @example
 * ```ts
 * const config = loadJlisConfig(Deno.env);
 * ```
 */
export function loadJlisConfig(env: Env): JlisConfig {
  const port = envInt(env, "JLIS_PORT", 8103, 0, 65535);
  const ttl = envInt(env, "JLIS_SESSION_TTL_MS", 60_000, 1000, 600_000);
  const raw = env.get("JLIS_CLIENTS");
  const keyDir = `${env.get("DATA_DIR") ?? "./data"}/jlis/keys`;
  const caCertFile = env.get("JLIS_CA_CERT_FILE");
  const caKeyFile = env.get("JLIS_CA_KEY_FILE");
  if (!!caCertFile !== !!caKeyFile) {
    throw new Error(
      "JLIS_CA_CERT_FILE and JLIS_CA_KEY_FILE must be set together",
    );
  }
  const signingKeyFile = env.get("JLIS_SIGNING_KEY_FILE");
  const rawNodes = env.get("JLIS_ASP_NODES");
  const plaintext = plaintextTransport(env);
  const aspNodes = rawNodes
    ? parseAspNodes(rawNodes)
    : plaintext
    ? DEV_ASP_NODES.map((n) => ({ ...n, url: "http://127.0.0.1:8102" }))
    : DEV_ASP_NODES;
  const insecure = env.get("JLIS_ASP_INSECURE") === "1" || plaintext;
  for (const n of aspNodes) {
    if (!n.url.startsWith("https://") && !insecure) {
      throw new Error(
        `JLIS_ASP_NODES: node ${n.id} must be https (mutual TLS); set JLIS_ASP_INSECURE=1 only for local tests`,
      );
    }
  }
  const tls = plaintext ? null : tlsFiles(env, "JLIS", "jlis");
  const timeout = envInt(env, "JLIS_ISSUE_TIMEOUT_MS", 10_000, 100, 120_000);
  const deliveryWindowMs = envInt(
    env,
    "JLIS_DELIVERY_WINDOW_MS",
    250,
    0,
    60_000,
  );
  const unset = env.get("JLIS_UNSET_DIGESTS") ??
    (isProduction(env) ? "refuse" : "accept");
  if (unset !== "accept" && unset !== "refuse") {
    throw new Error(
      `JLIS_UNSET_DIGESTS must be accept or refuse, got '${unset}'`,
    );
  }
  const rawStart = env.get("JLIS_CLOCK_START");
  const clockStart = rawStart ? new Date(rawStart) : null;
  if (
    rawStart &&
    (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(
      rawStart,
    ) || Number.isNaN(clockStart!.getTime()))
  ) {
    throw new Error(
      "JLIS_CLOCK_START must be an ISO 8601 instant with its offset, e.g. 2026-11-26T10:00:00+09:00",
    );
  }
  return {
    port,
    hostname: env.get("JLIS_HOST") ?? "127.0.0.1",
    clients: raw ? parseClients(raw) : DEV_CLIENTS,
    sessionTtlMs: ttl,
    caCertFile: caCertFile ?? `${keyDir}/card-ca.pem`,
    caKeyFile: caKeyFile ?? `${keyDir}/card-ca-key.pem`,
    signingKeyFile: signingKeyFile ?? `${keyDir}/response-signing-key.json`,
    generateKeys: !caCertFile && !signingKeyFile,
    contentKeyFile: env.get("JLIS_CONTENT_KEY_FILE") ??
      `${keyDir}/content-key.json`,
    publicKeysFile: env.get("JLIS_PUBLIC_KEYS_FILE") ??
      `${keyDir}/jlis-keys.json`,
    aspKeysFile: env.get("JLIS_ASP_KEYS_FILE") ??
      `${env.get("DATA_DIR") ?? "./data"}/asp/keys/asp-keys.json`,
    aspNodes,
    aspNodesConfigured: !!rawNodes,
    tls,
    plaintext,
    issueTimeoutMs: timeout,
    deliveryWindowMs,
    failurePolicy: {
      threshold: envInt(env, "JLIS_INCIDENT_FAILURES", 3, 1, 1000),
      windowMs: envInt(env, "JLIS_INCIDENT_WINDOW_SECONDS", 600, 1, 86_400) *
        1000,
    },
    unsetDigests: unset,
    clockStart,
  };
}
