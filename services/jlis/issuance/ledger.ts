/**
 * The center's issuance ledger: one hash-chained entry per event of a
 * certificate, i.e. per copy (部数: each copy is its own document with its
 * own 発行番号) — `issued` (released to the kiosk: when, kiosk and store,
 * applicant, type, options, people, which copy of how many, sheets, the
 * copy's fee), `delivered` (the kiosk printed the copy), `voided` (the copy
 * lost to a paper jam or that the kiosk could not print, its fee refunded),
 * `revoked` (issued in error, by the municipality). The entries of one event
 * (a release or a print report of several copies) are appended in one
 * transaction. Appends lock the chain's
 * head row for the length of one short transaction (lib/ledger/chain.ts for
 * the hashing); the status a verifier sees is derived from the entries.
 *
 * @module
 */
import { and, asc, eq, gt, type SQL, sql } from "drizzle-orm";
import { type Db, rowsOf, type Tx } from "../../../lib/db/database.ts";
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
  issuanceCopies,
  issuanceRequests,
  ledger,
  ledgerHead,
  ledgerMunicipalEntries,
  ledgerMunicipalHeads,
} from "../../../db/jlis/schema.ts";
import type {
  LedgerFeedEntry,
  LedgerFeedPage,
} from "../../../lib/contracts/ledger_feed.ts";
import type { PRINT_FAILURES } from "../../../lib/contracts/kiosk_center.ts";
import { municipalityOfIssueNumber } from "../../../lib/contracts/issue_number.ts";
import { JlisError } from "../errors.ts";

/** Kinds of ledger entry. */
export type LedgerKind = "issued" | "delivered" | "voided" | "revoked";

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
 * The CTEs that number an entry in its municipality's feed (the 交付履歴 the
 * registry pulls): the municipality is the issue number's
 * (`municipalityOfIssueNumber`, either form); the municipality's head row is advanced after
 * the ledger's, in the same statement, so its numbers follow the ledger's
 * order without gaps. Nothing for an issue number of no municipality.
 */
function municipalNumbering(issueNumber: string): SQL {
  const code = municipalityOfIssueNumber(issueNumber);
  if (!code) return sql``;
  return sql`,
    m as (
      insert into ledger_municipal_heads (municipality_code, last_seq)
      select ${code}, 1 from h
      on conflict (municipality_code)
        do update set last_seq = ledger_municipal_heads.last_seq + 1
      returning last_seq
    ),
    me as (
      insert into ledger_municipal_entries (municipality_code, seq, ledger_seq)
      select ${code}, m.last_seq, h.seq from h, m
      returning 1
    )`;
}

/**
 * Appends an entry in one statement: the head row is advanced (its row lock
 * serializes appends for the length of this statement only), the entry's
 * hash computed by the database from the previous hash and the canonical
 * JSON made here (the same formula as `chainHash`, which `verifyLedger`
 * recomputes), the entry inserted and numbered in its municipality's feed
 * ({@linkcode municipalNumbering}). With `guard` (an `UPDATE … RETURNING`
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
    )${municipalNumbering(entry.issueNumber)}
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

/**
 * A page of a municipality's feed of the ledger (its entries numbered
 * without gaps, after `after`, at most `limit`) and its head number
 * (read after the page, so never behind it). Only the municipality itself
 * may read it (the route checks).
 *
 * @example
 * ```ts ignore
 * const page = await municipalLedgerPage(db, "401005", 0, 500);
 * ```
 */
export async function municipalLedgerPage(
  db: Db,
  code: string,
  after: number,
  limit: number,
): Promise<LedgerFeedPage> {
  const rows = await db.select({
    seq: ledgerMunicipalEntries.seq,
    ledgerSeq: ledger.seq,
    at: ledger.at,
    kind: ledger.kind,
    issueNumber: ledger.issueNumber,
    requestId: ledger.requestId,
    data: ledger.data,
    hash: ledger.hash,
  }).from(ledgerMunicipalEntries)
    .innerJoin(ledger, eq(ledger.seq, ledgerMunicipalEntries.ledgerSeq))
    .where(and(
      eq(ledgerMunicipalEntries.municipalityCode, code),
      gt(ledgerMunicipalEntries.seq, after),
    ))
    .orderBy(asc(ledgerMunicipalEntries.seq)).limit(limit);
  const [head] = await db.select({ lastSeq: ledgerMunicipalHeads.lastSeq })
    .from(ledgerMunicipalHeads).where(
      eq(ledgerMunicipalHeads.municipalityCode, code),
    );
  return {
    municipalityCode: code,
    head: Number(head?.lastSeq ?? 0),
    entries: rows.map((r): LedgerFeedEntry => ({
      seq: Number(r.seq),
      ledgerSeq: Number(r.ledgerSeq),
      at: r.at.toISOString(),
      kind: r.kind as LedgerKind,
      issueNumber: r.issueNumber,
      requestId: r.requestId,
      data: r.data as Record<string, unknown>,
      hash: r.hash,
    })),
  };
}

/** What the kiosk reports after printing. */
export interface PrintReport {
  requestId: string;
  kioskId: string;
  /**
   * The page that jammed, in print order over all copies (its copy is
   * voided, the other copies delivered), or null.
   */
  jammedPage: number | null;
  /**
   * The first page the kiosk could not print (render or write) and why: it
   * and every later page are voided, as at a jam (never with `jammedPage`).
   */
  printFailure?: PrintFailure | null;
  at: Date;
}

/** One copy's part of a print. */
export interface CopyOutcome {
  copy: number;
  issueNumber: string;
  status: "delivered" | "voided";
  /** Its pages, in print order over all copies. */
  pages: number[];
  /** Yen charged for it after its refund. */
  fee: number;
  /** Yen returned for it. */
  refund: number;
}

/** A page the kiosk could not print, and why (lib/contracts/kiosk_center.ts). */
export interface PrintFailure {
  page: number;
  reason: typeof PRINT_FAILURES[number];
}

/** The ledger's account of a print. */
export interface PrintOutcome {
  /** The first copy's 発行番号. */
  issueNumber: string;
  /** Pages in print order over all copies. */
  delivered: number[];
  voided: number[];
  /** Yen returned to the applicant. */
  refund: number;
  /** Yen charged after the refund. */
  fee: number;
  copies: CopyOutcome[];
}

/** A request by id (built once: every print report reads it). */
const requestById = preparedSelect(
  issuanceRequests,
  eq(issuanceRequests.requestId, sql.placeholder("requestId")),
);

/** A released copy and its pages in print order over all copies. */
export interface PrintedCopy {
  copy: number;
  issueNumber: string;
  pages: number;
  fee: number;
  state: string;
  /** Its first page in print order over all copies. */
  firstPage: number;
}

/**
 * The copies of a request, in print order (tests, operators, the print
 * report and the kiosk's failure report).
 *
 * @example
 * ```ts ignore
 * const copies = await requestCopies(db, requestId);
 * ```
 */
export async function requestCopies(
  db: Db | Tx,
  requestId: string,
): Promise<PrintedCopy[]> {
  const rows = await db.select().from(issuanceCopies).where(
    eq(issuanceCopies.requestId, requestId),
  ).orderBy(asc(issuanceCopies.copy));
  let first = 1;
  return rows.map((r) => {
    const c = {
      copy: r.copy,
      issueNumber: r.issueNumber,
      pages: r.pages,
      fee: r.fee,
      state: r.state,
      firstPage: first,
    };
    first += r.pages;
    return c;
  });
}

const range = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => from + i);

/**
 * Records what the kiosk printed, in one transaction: per copy a
 * `delivered` entry, or a `voided` one (its fee refunded). At a paper jam
 * (`jammedPage`, in print order over all copies) the copy the jam hit is
 * voided (every sheet of that copy, stamped 無効 and handed back or never
 * printed; reason `paper_jam`), the other copies delivered. A page the kiosk
 * could not print (`printFailure`: it could not render or write it) stops the
 * print: the copy containing that page and every later copy are voided
 * (nothing after the failure printed), earlier copies delivered; a
 * WRITE_FAILED voids every copy (the print was never written out); reason
 * `print_failed` with the kiosk's `printFailure` code and the copy's own
 * `failedPage` (on the copy it hit). A copy the municipality revoked before
 * the report keeps its state (no entry). Once per request; throws
 * REQUEST_NOT_FOUND (not this kiosk's released request),
 * OUTCOME_ALREADY_REPORTED, JAMMED_PAGE_OUT_OF_RANGE or
 * FAILED_PAGE_OUT_OF_RANGE.
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
  const copies = await requestCopies(db, req.requestId);
  const total = copies.reduce((n, c) => n + c.pages, 0);
  const jam = report.jammedPage;
  const failure = report.printFailure ?? null;
  if (jam !== null && failure !== null) {
    throw new TypeError("A print stops once: a jam or a print failure");
  }
  const outOfRange = (p: number) => !Number.isInteger(p) || p < 1 || p > total;
  if (jam !== null && outOfRange(jam)) {
    throw new JlisError("JAMMED_PAGE_OUT_OF_RANGE", {
      jammedPage: jam,
      pages: total,
    });
  }
  if (failure !== null && outOfRange(failure.page)) {
    throw new JlisError("FAILED_PAGE_OUT_OF_RANGE", {
      failedPage: failure.page,
      pages: total,
    });
  }
  const lastPage = (c: PrintedCopy) => c.firstPage + c.pages - 1;
  // A jam voids the copy it hit; a print failure stops the print: the copy it
  // hit and every later one (all of them when the print could not be written).
  const voids = (c: PrintedCopy) =>
    jam !== null
      ? jam >= c.firstPage && jam <= lastPage(c)
      : failure !== null &&
        (failure.reason === "WRITE_FAILED" || lastPage(c) >= failure.page);
  const outcomes: CopyOutcome[] = copies.map((c) => {
    const voided = voids(c);
    return {
      copy: c.copy,
      issueNumber: c.issueNumber,
      status: voided ? "voided" : "delivered",
      pages: range(c.firstPage, c.pages),
      fee: voided ? 0 : c.fee,
      refund: voided ? c.fee : 0,
    };
  });
  /** Why a copy was voided, with the page in the copy's own numbering when it was hit. */
  const voidReason = (c: PrintedCopy): { [key: string]: number | string } => {
    const own = (p: number) =>
      p >= c.firstPage && p <= lastPage(c) ? p - c.firstPage + 1 : null;
    if (failure !== null) {
      const failedPage = own(failure.page);
      return {
        reason: "print_failed",
        printFailure: failure.reason,
        ...(failedPage !== null ? { failedPage } : {}),
      };
    }
    return { reason: "paper_jam", jammedPage: own(jam!) ?? 0 };
  };
  const anyVoided = outcomes.some((o) => o.status === "voided");
  await db.transaction(async (tx) => {
    const [moved] = rowsOf(
      await tx.execute(sql`update issuance_requests
        set state = ${anyVoided ? "voided" : "delivered"}
        where request_id = ${req.requestId} and state = 'released' returning 1`),
    );
    if (!moved) throw already();
    for (const [i, o] of outcomes.entries()) {
      const c = copies[i];
      const own = range(1, c.pages);
      await appendLedger(
        tx,
        {
          at: report.at,
          kind: o.status,
          issueNumber: c.issueNumber,
          requestId: req.requestId,
          data: o.status === "voided"
            ? {
              kioskId: req.kioskId,
              storeId: req.storeId,
              copy: c.copy,
              delivered: [],
              pages: own,
              ...voidReason(c),
              refund: o.refund,
            }
            : { kioskId: req.kioskId, copy: c.copy, pages: own },
        },
        sql`update issuance_copies set state = ${o.status}
          where issue_number = ${c.issueNumber} and state = 'released' returning 1`,
      );
    }
  });
  const pagesWith = (status: CopyOutcome["status"]) =>
    outcomes.filter((o) => o.status === status).flatMap((o) => o.pages);
  return {
    issueNumber: req.issueNumber,
    delivered: pagesWith("delivered"),
    voided: pagesWith("voided"),
    refund: outcomes.reduce((n, o) => n + o.refund, 0),
    fee: outcomes.reduce((n, o) => n + o.fee, 0),
    copies: outcomes,
  };
}

/**
 * Revokes a certificate issued in error (the municipality, for its own
 * certificates): one copy, by its 発行番号. Throws ISSUE_NOT_FOUND, WRONG_MUNICIPALITY,
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
  const [copy] = await db.select({
    requestId: issuanceCopies.requestId,
    state: issuanceCopies.state,
    municipalityCode: issuanceRequests.municipalityCode,
  }).from(issuanceCopies).innerJoin(
    issuanceRequests,
    eq(issuanceRequests.requestId, issuanceCopies.requestId),
  ).where(eq(issuanceCopies.issueNumber, issueNumber));
  if (!copy) throw new JlisError("ISSUE_NOT_FOUND", { issueNumber });
  if (!opts.municipalities.includes(copy.municipalityCode)) {
    throw new JlisError("WRONG_MUNICIPALITY", { issueNumber });
  }
  // One copy: the other copies of the request stay as they are.
  const appended = copy.state === "revoked" ? null : await appendLedger(
    db,
    {
      at: opts.at,
      kind: "revoked",
      issueNumber,
      requestId: copy.requestId,
      data: { by: opts.actor, reason: opts.reason },
    },
    sql`update issuance_copies set state = 'revoked'
      where issue_number = ${issueNumber} and state <> 'revoked' returning 1`,
  );
  if (!appended) throw new JlisError("ALREADY_REVOKED", { issueNumber });
  return await issueStatus(db, issueNumber);
}
