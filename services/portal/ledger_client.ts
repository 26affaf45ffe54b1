/**
 * The portal's client for the center's ledger status
 * (`GET /ledger/{issueNumber}/status`, lib/contracts/ledger_status.ts): a
 * {@linkcode StatusLookup} over HTTP for a portal that runs apart from the
 * center. The answer is parsed with the protocol's schema; anything else
 * (a refusal, a malformed answer, no answer) rejects, and the verifier then
 * reports the status as unavailable. The center serves over mutual TLS: the
 * portal's certificate (CN `portal`, see {@linkcode portalCenterFetch})
 * identifies it, no token needed.
 *
 * @module
 */
import {
  issueStatusPath,
  parseIssueStatus,
} from "../../lib/contracts/ledger_status.ts";
import type { StatusLookup } from "./verify.ts";
import {
  type MtlsFetch,
  mtlsFetch,
  readTlsIdentity,
  tlsFiles,
} from "../../lib/tls/mod.ts";

/**
 * The portal's mutual-TLS client to the center: its certificate
 * (`PORTAL_CENTER_TLS_CERT_FILE`, `…_KEY_FILE`, `…_CA_FILE`; default
 * `./certs/portal.pem`, `portal-key.pem`, `ca.pem`, `CERTS_DIR` moves the
 * folder). One pooled client; `close()` it on stop.
 *
 * @example
 * ```ts ignore
 * const f = await portalCenterFetch(Deno.env);
 * ```
 */
export async function portalCenterFetch(
  env: { get(k: string): string | undefined },
): Promise<MtlsFetch> {
  return mtlsFetch(
    await readTlsIdentity(tlsFiles(env, "PORTAL_CENTER", "portal")),
  );
}

/** Options of {@linkcode createLedgerStatusClient}. */
export interface LedgerStatusClientOptions {
  /** The center's base URL. */
  centerUrl: string;
  /** A bearer token at the center, if one is configured besides the certificate. */
  token?: string;
  /** HTTP client (default `fetch`; mutual TLS with the portal's certificate). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
}

/**
 * A status lookup that asks the center.
 *
 * @example
 * ```ts ignore
 * const statusLookup = createLedgerStatusClient({
 *   centerUrl: "https://jlis.lgwan:8103",
 *   fetch: await portalCenterFetch(Deno.env),
 * });
 * await statusLookup("20261126-401005-kiosk-0001-01-0000012"); // "valid"
 * await statusLookup("20261126-401005-kiosk-0001-01-0000012", 2); // its sheet 2: "voided"
 * ```
 */
export function createLedgerStatusClient(
  opts: LedgerStatusClientOptions,
): StatusLookup {
  const f = opts.fetch ?? ((input, init) => fetch(input, init));
  const base = opts.centerUrl.replace(/\/$/, "");
  return async (issueNumber, page) => {
    const path = issueStatusPath(issueNumber);
    const res = await f(`${base}${path}`, {
      headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`GET ${path}: the center answered ${res.status}`);
    }
    const status = parseIssueStatus(await res.json());
    if (status.issueNumber !== issueNumber) {
      throw new Error(
        `GET ${path}: the center answered for ${status.issueNumber}`,
      );
    }
    // One sheet's status: a delivered sheet of a partly jammed issue is valid.
    const sheet = page === undefined
      ? undefined
      : status.pages.find((p) => p.page === page);
    return sheet?.status ?? status.status;
  };
}
