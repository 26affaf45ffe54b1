/**
 * The center's issuance ledger: one hash-chained entry per event of a
 * certificate — `issued` (released to the kiosk: when, kiosk and store,
 * applicant, type, options, people, sheets, fee), `delivered` (the kiosk
 * printed these pages), `voided` (pages lost to a paper jam or that the
 * kiosk could not print, fee refunded),
 * `revoked` (issued in error, by the municipality). Appends lock the chain's
 * head row for the length of one short transaction (lib/ledger/chain.ts for
 * the hashing); the status a verifier sees is derived from the entries.
 *
 * @module
 */
import { asc, eq, gt, type SQL, sql } from "drizzle-orm";
import {
  type CertificateType,
  isCertificateType,
} from "../../../lib/certificate/model.ts";
import {
  CERTIFICATE_CATALOGUE,
  CERTIFICATE_TYPES,
} from "../../../lib/certificate/types/mod.ts";
import type { Db, Tx } from "../../../lib/db/database.ts";
import { preparedSelect } from "../../../lib/db/prepared_select.ts";
import {
  canonicalJson,
  CHAIN_CONTEXT,
  type ChainEntry,
  type ChainValue,
  type ChainVerification,
  verifyChain,
} from "../../../lib/ledger/chain.ts";
import {
  issuanceRequests,
  ledger,
  ledgerHead,
} from "../../../db/jlis/schema.ts";
import type { PRINT_FAILURES } from "../../../lib/contracts/kiosk_center.ts";
import { JlisError } from "../errors.ts";

/** Kinds of ledger entry. */
export type LedgerKind = "issued" | "delivered" | "voided" | "revoked";

/** Fee per sheet, yen, by certificate type (the catalogue's `feePerSheet`). */
export const FEE_PER_SHEET: Readonly<Record<CertificateType, number>> = Object
  .fromEntries(
    CERTIFICATE_TYPES.map((t) => [t, CERTIFICATE_CATALOGUE[t].feePerSheet]),
  ) as Record<CertificateType, number>;

/** An entry to append. */
export interface LedgerAppend {
  at: Date;
  kind: LedgerKind;
  issueNumber: string;
  requestId: string;
  data: { [key: string]: ChainValue };
}

function bodyOf(e: LedgerAppend): ChainValue {
  return {
    at: e.at.toISOString(),
    kind: e.kind,
    issueNumber: e.issueNumber,
    requestId: e.requestId,
    data: e.data,
  };
}

/**
 * Appends an entry in one statement: the head row is advanced (its row lock
 * serializes appends for the length of this statement only), the entry's
 * hash computed by the database from the previous hash and the canonical
 * JSON made here (the same formula as `chainHash`, which `verifyLedger`
 * recomputes), and the entry inserted. With `guard` (an `UPDATE … RETURNING`
 * of the business change), the change and its entry commit together or not
 * at all; null when the guard matched no row (nothing written).
 *
 * @example
 * ```ts ignore
 * await appendLedger(db, { at, kind: "issued", issueNumber, requestId, data });
 * ```
 */
export async function appendLedger(
  db: Db | Tx,
  entry: LedgerAppend,
  guard?: SQL,
): Promise<{ seq: number; hash: string } | null> {
  const canon = canonicalJson(bodyOf(entry));
  const result = await db.execute(sql`
    with ${guard ? sql`g as (${guard}),` : sql``}
    h as (
      update ledger_head set
        prev_hash = hash,
        seq = seq + 1,
        hash = encode(sha256(convert_to(
          ${CHAIN_CONTEXT} || hash || E'\n' || (seq + 1)::text || E'\n' || ${canon}::text,
          'UTF8')), 'hex')
      where id = 1 ${guard ? sql`and exists (select 1 from g)` : sql``}
      returning seq, hash, prev_hash
    )
    insert into ledger (seq, at, kind, issue_number, request_id, data, prev_hash, hash)
    select seq, ${entry.at.toISOString()}::timestamptz, ${entry.kind}, ${entry.issueNumber},
      ${entry.requestId}, ${
    JSON.stringify(entry.data)
  }::jsonb, prev_hash, hash from h
    returning seq, hash`);
  const rows = Array.isArray(result)
    ? result
    : (result as { rows: unknown[] }).rows;
  const row = rows[0] as { seq: string | number; hash: string } | undefined;
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

/** What a verifier may learn about an issue number (no personal data). */
export type LedgerStatus = "valid" | "voided" | "revoked" | "unknown";

/** Status of a certificate and of each of its sheets. */
export interface IssueStatus {
  issueNumber: string;
  status: LedgerStatus;
  pages: { page: number; status: LedgerStatus }[];
  /** Fee charged after refunds, yen. */
  fee: number;
}

/**
 * The status of an issue number from its entries. The certificate is
 * `revoked` once revoked; `voided` when any of its sheets was voided (the
 * sheet in hand may be that one; ask with `page` for one sheet); `valid`
 * once issued; `unknown` when the center never issued it.
 *
 * @example
 * ```ts ignore
 * const s = await issueStatus(db, "401005-20261126-0000012");
 * ```
 */
export async function issueStatus(
  db: Db,
  issueNumber: string,
): Promise<IssueStatus> {
  const rows = await db.select().from(ledger).where(
    eq(ledger.issueNumber, issueNumber),
  ).orderBy(asc(ledger.seq));
  const issued = rows.find((r) => r.kind === "issued");
  if (!issued) return { issueNumber, status: "unknown", pages: [], fee: 0 };
  const data = issued.data as { pages: number; fee: number };
  const pageStatus = new Map<number, LedgerStatus>();
  for (let p = 1; p <= data.pages; p++) pageStatus.set(p, "valid");
  let fee = data.fee;
  let revoked = false;
  for (const r of rows) {
    const d = r.data as { pages?: number[]; refund?: number };
    if (r.kind === "voided") {
      for (const p of d.pages ?? []) pageStatus.set(p, "voided");
      fee -= d.refund ?? 0;
    }
    if (r.kind === "revoked") revoked = true;
  }
  const pages = [...pageStatus].map(([page, status]) => ({
    page,
    status: revoked ? "revoked" as const : status,
  }));
  const status: LedgerStatus = revoked
    ? "revoked"
    : pages.some((p) => p.status === "voided")
    ? "voided"
    : "valid";
  return { issueNumber, status, pages, fee };
}

/**
 * A lookup for the verification portal (`statusLookup`): the certificate's
 * status, or one sheet's when `page` is given.
 *
 * @example
 * ```ts ignore
 * const statusLookup = ledgerStatusLookup(db);
 * await statusLookup("401005-20261126-0000012"); // "valid"
 * ```
 */
export function ledgerStatusLookup(
  db: Db,
): (issueNumber: string, page?: number) => Promise<LedgerStatus> {
  return async (issueNumber, page) => {
    const s = await issueStatus(db, issueNumber);
    if (page === undefined || s.status === "unknown") return s.status;
    return s.pages.find((p) => p.page === page)?.status ?? "unknown";
  };
}

/**
 * The ledger's entries in sequence order, as the chain hashes them (read in
 * batches).
 *
 * @example
 * ```ts ignore
 * for await (const e of ledgerChainEntries(db)) console.log(e.seq);
 * ```
 */
export async function* ledgerChainEntries(
  db: Db,
  batch = 2000,
): AsyncIterable<ChainEntry> {
  let after = 0;
  for (;;) {
    const rows = await db.select().from(ledger).where(gt(ledger.seq, after))
      .orderBy(asc(ledger.seq)).limit(batch);
    for (const r of rows) {
      yield {
        seq: Number(r.seq),
        prevHash: r.prevHash,
        hash: r.hash,
        body: bodyOf({
          at: r.at,
          kind: r.kind as LedgerKind,
          issueNumber: r.issueNumber,
          requestId: r.requestId,
          data: r.data as { [key: string]: ChainValue },
        }),
      };
    }
    if (rows.length < batch) return;
    after = Number(rows[rows.length - 1].seq);
  }
}

/** The head recorded in `ledger_head`. */
export async function ledgerHeadOf(
  db: Db,
): Promise<{ seq: number; hash: string } | undefined> {
  const [head] = await db.select().from(ledgerHead).where(eq(ledgerHead.id, 1));
  return head ? { seq: Number(head.seq), hash: head.hash } : undefined;
}

/**
 * Walks the whole chain and checks it ends at the recorded head.
 *
 * @example
 * ```ts ignore
 * const v = await verifyLedger(db);
 * console.log(v.ok ? `${v.entries} entries intact` : `broken at ${v.seq}: ${v.problem}`);
 * ```
 */
export async function verifyLedger(db: Db): Promise<ChainVerification> {
  return await verifyChain(ledgerChainEntries(db), {
    expectedHead: await ledgerHeadOf(db),
  });
}

/** Entries of one issue number (tests, operators). */
export async function ledgerEntries(db: Db, issueNumber: string) {
  return await db.select().from(ledger).where(
    eq(ledger.issueNumber, issueNumber),
  ).orderBy(asc(ledger.seq));
}

/** What the kiosk reports after printing. */
export interface PrintReport {
  requestId: string;
  kioskId: string;
  /** The page that jammed (it and every later page are voided), or null. */
  jammedPage: number | null;
  /**
   * The first page the kiosk could not print (render or write) and why: it
   * and every later page are voided, as at a jam (never with `jammedPage`).
   */
  printFailure?: PrintFailure | null;
  at: Date;
}

/** A page the kiosk could not print, and why (lib/contracts/kiosk_center.ts). */
export interface PrintFailure {
  page: number;
  reason: typeof PRINT_FAILURES[number];
}

/** The ledger's account of a print. */
export interface PrintOutcome {
  issueNumber: string;
  delivered: number[];
  voided: number[];
  /** Yen returned to the applicant. */
  refund: number;
  /** Yen charged after the refund. */
  fee: number;
}

/** A request by id (built once: every print report reads it). */
const requestById = preparedSelect(
  issuanceRequests,
  eq(issuanceRequests.requestId, sql.placeholder("requestId")),
);

/**
 * Records what the kiosk printed, as one ledger entry: `delivered` (every
 * page), or on a paper jam `voided` (the jammed page and all later ones,
 * stamped 無効 and handed back or never printed; their fee refunded; the
 * pages before the jam delivered; reason `paper_jam`). A page the kiosk
 * could not print (`printFailure`: it could not render or write it) stops
 * the print the same way: that page and all later ones voided and refunded,
 * reason `print_failed` with the kiosk's `printFailure` code and the
 * `failedPage`. Once per request; throws REQUEST_NOT_FOUND (not this
 * kiosk's released request), OUTCOME_ALREADY_REPORTED,
 * JAMMED_PAGE_OUT_OF_RANGE or FAILED_PAGE_OUT_OF_RANGE.
 *
 * @example
 * ```ts ignore
 * const out = await recordPrintOutcome(db, { requestId, kioskId, jammedPage: null, at: clock.now() });
 * ```
 */
export async function recordPrintOutcome(
  db: Db,
  report: PrintReport,
): Promise<PrintOutcome> {
  const [req] = await requestById(db, { requestId: report.requestId });
  if (
    !req || req.kioskId !== report.kioskId || !req.pages ||
    ["building", "refused", "failed", "withheld"].includes(req.state)
  ) {
    throw new JlisError("REQUEST_NOT_FOUND", { requestId: report.requestId });
  }
  const already = () =>
    new JlisError("OUTCOME_ALREADY_REPORTED", { requestId: report.requestId });
  if (req.state !== "released") throw already();
  const pages = req.pages;
  const jam = report.jammedPage;
  const failure = report.printFailure ?? null;
  if (jam !== null && failure !== null) {
    throw new TypeError("A print stops once: a jam or a print failure");
  }
  const outOfRange = (p: number) => !Number.isInteger(p) || p < 1 || p > pages;
  if (jam !== null && outOfRange(jam)) {
    throw new JlisError("JAMMED_PAGE_OUT_OF_RANGE", { jammedPage: jam, pages });
  }
  if (failure !== null && outOfRange(failure.page)) {
    throw new JlisError("FAILED_PAGE_OUT_OF_RANGE", {
      failedPage: failure.page,
      pages,
    });
  }
  // The print stops at the jammed page or at the first page it could not print.
  const stop = jam ?? failure?.page ?? null;
  const all = Array.from({ length: pages }, (_, i) => i + 1);
  const delivered = stop === null ? all : all.filter((p) => p < stop);
  const voided = stop === null ? [] : all.filter((p) => p >= stop);
  if (!isCertificateType(req.type)) {
    throw new RangeError(
      `Request ${req.requestId} has unknown certificate type ${req.type}`,
    );
  }
  const perSheet = FEE_PER_SHEET[req.type];
  const refund = voided.length * perSheet;
  const state = voided.length ? "voided" : "delivered";
  const appended = await appendLedger(
    db,
    {
      at: report.at,
      kind: voided.length ? "voided" : "delivered",
      issueNumber: req.issueNumber,
      requestId: req.requestId,
      data: voided.length
        ? {
          kioskId: req.kioskId,
          storeId: req.storeId,
          delivered,
          pages: voided,
          ...(failure
            ? {
              reason: "print_failed",
              failedPage: failure.page,
              printFailure: failure.reason,
            }
            : { reason: "paper_jam", jammedPage: jam! }),
          refund,
        }
        : { kioskId: req.kioskId, pages: delivered },
    },
    sql`update issuance_requests set state = ${state}
      where request_id = ${req.requestId} and state = 'released' returning 1`,
  );
  if (!appended) throw already();
  return {
    issueNumber: req.issueNumber,
    delivered,
    voided,
    refund,
    fee: pages * perSheet - refund,
  };
}

/**
 * Revokes a certificate issued in error (the municipality, for its own
 * certificates). Throws ISSUE_NOT_FOUND, WRONG_MUNICIPALITY,
 * ALREADY_REVOKED.
 *
 * @example
 * ```ts ignore
 * await revokeIssue(db, issueNumber, { actor: "city-401005", municipalities: ["401005"], reason: "誤交付", at });
 * ```
 */
export async function revokeIssue(
  db: Db,
  issueNumber: string,
  opts: { actor: string; municipalities: string[]; reason: string; at: Date },
): Promise<IssueStatus> {
  const [req] = await db.select().from(issuanceRequests).where(
    eq(issuanceRequests.issueNumber, issueNumber),
  );
  if (
    !req || !req.pages ||
    ["building", "refused", "failed", "withheld"].includes(req.state)
  ) {
    throw new JlisError("ISSUE_NOT_FOUND", { issueNumber });
  }
  if (!opts.municipalities.includes(req.municipalityCode)) {
    throw new JlisError("WRONG_MUNICIPALITY", { issueNumber });
  }
  const appended = req.state === "revoked" ? null : await appendLedger(
    db,
    {
      at: opts.at,
      kind: "revoked",
      issueNumber,
      requestId: req.requestId,
      data: { by: opts.actor, reason: opts.reason },
    },
    sql`update issuance_requests set state = 'revoked'
      where request_id = ${req.requestId} and state <> 'revoked' returning 1`,
  );
  if (!appended) throw new JlisError("ALREADY_REVOKED", { issueNumber });
  return await issueStatus(db, issueNumber);
}
