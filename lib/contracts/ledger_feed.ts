/**
 * A municipality's feed of the center's ledger (its 交付履歴 at the
 * source): `GET /ledger/municipalities/{code}/entries?after=<seq>&limit=<n>`
 * answers {@linkcode ledgerFeedPageSchema} — the municipality's ledger
 * entries numbered 1, 2, 3, … without gaps, in the ledger's order, and the
 * municipality's head number, so a reader sees a gap also at the end of a
 * page. The municipality's registry pulls it over its own link
 * (services/registry/issuances.ts); the center answers only the
 * municipality itself (services/jlis/api/ledger.ts).
 *
 * Entries carry what the ledger holds: ids (applicant, subjects, card
 * serial, kiosk, store), never names or addresses.
 *
 * @module
 */
import { z } from "zod";
import { parseMessage } from "./wire.ts";
import { issueNumberSchema } from "./issue_number.ts";

/** Kinds of ledger entry, spelled once. */
export const LEDGER_ENTRY_KINDS = [
  "issued",
  "delivered",
  "voided",
  "revoked",
] as const;

/** One entry of a municipality's feed. */
export const ledgerFeedEntrySchema = z.object({
  /** The municipality's number of the entry (1, 2, 3, …). */
  seq: z.number().int().min(1),
  /** The entry's number in the center's whole ledger. */
  ledgerSeq: z.number().int().min(1),
  at: z.string(),
  kind: z.enum(LEDGER_ENTRY_KINDS),
  issueNumber: issueNumberSchema,
  requestId: z.string(),
  /** The entry's content as the ledger holds it (see ledger.ts at the center). */
  data: z.record(z.string(), z.unknown()),
  /** The entry's chain hash (hex). */
  hash: z.string(),
});

/** A page of a municipality's feed. */
export const ledgerFeedPageSchema = z.object({
  municipalityCode: z.string().regex(/^\d{6}$/),
  /** The municipality's last number at the center when the page was read. */
  head: z.number().int().min(0),
  entries: z.array(ledgerFeedEntrySchema),
});

/** One entry of a municipality's feed. */
export type LedgerFeedEntry = z.infer<typeof ledgerFeedEntrySchema>;
/** A page of a municipality's feed. */
export type LedgerFeedPage = z.infer<typeof ledgerFeedPageSchema>;

/**
 * Parses a page of the feed; throws `ContractError` when it does not match.
 *
 * @example
 * ```ts ignore
 * const page = parseLedgerFeedPage(await res.json());
 * ```
 */
export function parseLedgerFeedPage(json: unknown): LedgerFeedPage {
  return parseMessage(ledgerFeedPageSchema, json, "The ledger feed page");
}

/**
 * The path of a municipality's feed at the center.
 *
 * @example
 * ```ts
 * ledgerFeedPath("401005", 10, 500); // "/ledger/municipalities/401005/entries?after=10&limit=500"
 * ```
 */
export function ledgerFeedPath(
  code: string,
  after: number,
  limit: number,
): string {
  return `/ledger/municipalities/${code}/entries?after=${after}&limit=${limit}`;
}

/**
 * The path of an issue number's revocation at the center (the
 * municipality's own issues only).
 *
 * @example
 * ```ts
 * issueRevokePath("20261126-401005-kiosk-0001-01-0000012"); // "/ledger/20261126-401005-kiosk-0001-01-0000012/revoke"
 * ```
 */
export function issueRevokePath(issueNumber: string): string {
  return `/ledger/${encodeURIComponent(issueNumber)}/revoke`;
}
