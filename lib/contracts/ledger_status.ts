/**
 * The center's ledger status of an issued certificate, as the verification
 * portal asks for it: `GET /ledger/{issueNumber}/status` (and the answer to
 * `POST /ledger/{issueNumber}/revoke`) is {@linkcode issueStatusSchema} —
 * the center's OpenAPI response schema — and the portal's client parses the
 * answer with {@linkcode parseIssueStatus}. No personal data: the issue
 * number and each page's status only.
 *
 * @module
 */
import { z } from "zod";
import { parseMessage } from "./wire.ts";

/** The statuses of an issue number in the ledger, spelled once. */
export const LEDGER_STATUSES = [
  "valid",
  "voided",
  "revoked",
  "unknown",
] as const;

/** Status of an issue number (or one of its sheets) in the ledger. */
export const ledgerStatusSchema = z.enum(LEDGER_STATUSES);

/** Status of an issue number in the center's issuance ledger. */
export type LedgerStatus = z.infer<typeof ledgerStatusSchema>;

/** A certificate's status, and each sheet's. */
export const issueStatusSchema = z.object({
  issueNumber: z.string(),
  status: ledgerStatusSchema,
  pages: z.array(z.object({
    page: z.number().int().min(1),
    status: ledgerStatusSchema,
  })),
});

/** A certificate's status as JSON carries it. */
export type IssueStatus = z.infer<typeof issueStatusSchema>;

/**
 * Parses the center's status answer; throws `ContractError` when it does
 * not match.
 *
 * @example
 * ```ts ignore
 * const s = parseIssueStatus(await res.json());
 * s.status; // "valid"
 * ```
 */
export function parseIssueStatus(json: unknown): IssueStatus {
  return parseMessage(issueStatusSchema, json, "The ledger status");
}

/**
 * The path of an issue number's status at the center.
 *
 * @example
 * ```ts
 * issueStatusPath("20261126-401005-kiosk-0001-01-0000012"); // "/ledger/20261126-401005-kiosk-0001-01-0000012/status"
 * ```
 */
export function issueStatusPath(issueNumber: string): string {
  return `/ledger/${encodeURIComponent(issueNumber)}/status`;
}
