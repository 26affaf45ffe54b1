/**
 * The portal's client for the center's ledger status
 * (`GET /ledger/{issueNumber}/status`, lib/contracts/ledger_status.ts): a
 * {@linkcode StatusLookup} over HTTP for a portal that runs apart from the
 * center. The answer is parsed with the protocol's schema; anything else
 * (a refusal, a malformed answer, no answer) rejects, and the verifier then
 * reports the status as unavailable.
 *
 * @module
 */
import {
  issueStatusPath,
  parseIssueStatus,
} from "../../lib/contracts/ledger_status.ts";
import type { StatusLookup } from "./verify.ts";

/** Options of {@linkcode createLedgerStatusClient}. */
export interface LedgerStatusClientOptions {
  /** The center's base URL. */
  centerUrl: string;
  /** The portal's bearer token at the center (scope `portal`). */
  token: string;
  /** HTTP client (default `fetch`; mutual TLS in production). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
}

/**
 * A status lookup that asks the center.
 *
 * @example
 * ```ts ignore
 * const statusLookup = createLedgerStatusClient({ centerUrl: "https://jlis.lgwan:8103", token });
 * await statusLookup("401005-20261126-0000012"); // "valid"
 * ```
 */
export function createLedgerStatusClient(
  opts: LedgerStatusClientOptions,
): StatusLookup {
  const f = opts.fetch ?? ((input, init) => fetch(input, init));
  const base = opts.centerUrl.replace(/\/$/, "");
  return async (issueNumber) => {
    const path = issueStatusPath(issueNumber);
    const res = await f(`${base}${path}`, {
      headers: { Authorization: `Bearer ${opts.token}` },
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
    return status.status;
  };
}
