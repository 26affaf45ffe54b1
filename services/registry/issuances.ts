/**
 * The municipality's 交付履歴 (issuance history, j300): the center's ledger
 * entries of the municipality's certificates — issued, delivered, voided
 * (処分: sheets lost to a jam, not printed, or refused by the kiosk),
 * revoked — delivered
 * to the registry exactly once and in order, and folded into one row per
 * certificate that the city reads and searches
 * (`GET /municipalities/{code}/issuances`, api/issuances.ts).
 *
 * Delivery is a pull, like the checkpoint copies (checkpoints.ts): the
 * center numbers each municipality's entries 1, 2, 3, … without gaps in the
 * ledger's order (`GET /ledger/municipalities/{code}/entries?after=n`,
 * lib/contracts/ledger_feed.ts), and the registry asks over the
 * municipality's own link to the center (its certificate, as
 * center_binding.ts does) for the entries after the last number it holds
 * without a gap. A page is taken up to its first gap (an entry missing on
 * the way, or the page ending below the center's head): that prefix is
 * stored in one transaction — idempotently by (municipality, seq) — and
 * the rest asked for again at once. A stored entry lost later (a row
 * deleted) is found by {@linkcode rewindToFirstHole}, which a pull runs
 * first (the job: at its first pull and then at most every
 * `REGISTRY_ISSUANCE_HOLE_CHECK_MS`, default 10 min): the count of entries
 * held must equal the last contiguous number, else the cursor goes back to
 * before the first hole and the pull fetches again from there.
 *
 * @module
 */
import { and, asc, desc, eq, gt, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db, Tx } from "../../lib/db/database.ts";
import { rowsOf } from "../../lib/db/database.ts";
import {
  issueRevokePath,
  type LedgerFeedEntry,
  ledgerFeedPath,
  parseLedgerFeedPage,
} from "../../lib/contracts/ledger_feed.ts";
import { ISSUE_NUMBER_PATTERN } from "../../lib/contracts/issue_number.ts";
import { type Env, envInt } from "../../lib/service/env.ts";
import { type Logger, safeError } from "../../lib/service/logger.ts";
import type { MetricsRegistry } from "../../lib/service/metrics.ts";
import { validationError } from "../../lib/service/errors.ts";
import {
  issuanceEntries,
  issuanceFeedHeads,
  type IssuanceRow,
  issuances,
  municipalities,
} from "../../db/registry/schema.ts";
import {
  CenterPullError,
  type PullJob,
  refuseFailedAnswer,
  startPullJob,
} from "./center_pull.ts";

/** The municipality's link to the center (the registry's own transports). */
export interface CenterLink {
  /** The center's base URL. */
  centerUrl: string;
  /**
   * The municipality's transport to the center: mutual TLS with its own
   * certificate, which identifies it there; null when it has none.
   */
  fetchFor: (municipalityCode: string) => typeof fetch | null;
  /** A bearer token at the center, where one is kept besides the certificate. */
  tokenFor?: (municipalityCode: string) => string | null;
}

/**
 * One call to the center over the municipality's link; null when the
 * municipality has no link.
 */
async function centerCall(
  link: CenterLink,
  code: string,
  path: string,
  init: RequestInit = {},
): Promise<Response | null> {
  const f = link.fetchFor(code);
  if (!f) return null;
  const token = link.tokenFor?.(code) ?? null;
  return await f(`${link.centerUrl}${path}`, {
    ...init,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(init.body ? { "Content-Type": "application/json" } : {}),
    },
  });
}

/** Statuses of a certificate in the history, spelled once. */
export const ISSUANCE_STATUSES = [
  "issued",
  "delivered",
  "voided",
  "revoked",
] as const;

/** Status of a certificate in the history. */
export type IssuanceStatus = typeof ISSUANCE_STATUSES[number];

/**
 * One 処分 (disposal) of sheets: voided after a jam (`paper_jam`), a sheet
 * the kiosk could not print (`print_failed`, with its `printFailure` code
 * and, on the copy it hit, `failedPage`) or a kiosk's refusal
 * (`kiosk_refused`).
 */
export interface Disposal {
  at: string;
  pages: number[];
  reason: string;
  jammedPage?: number;
  failedPage?: number;
  printFailure?: string;
  kioskReason?: string;
  refund: number;
}

type Data = Record<string, unknown>;
const nums = (v: unknown): number[] =>
  Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : [];
const str = (v: unknown): string | null => typeof v === "string" ? v : null;

/**
 * Folds a certificate's entries (in order) into its history row; null
 * before its `issued` entry is held.
 *
 * @example
 * ```ts ignore
 * const row = foldIssuance("401005", entries);
 * ```
 */
export function foldIssuance(
  code: string,
  entries: Pick<
    LedgerFeedEntry,
    "seq" | "at" | "kind" | "issueNumber" | "data"
  >[],
): typeof issuances.$inferInsert | null {
  const issued = entries.find((e) => e.kind === "issued");
  if (!issued) return null;
  const d = issued.data as Data;
  const pages = typeof d.pages === "number" ? d.pages : 0;
  const row: typeof issuances.$inferInsert = {
    issueNumber: issued.issueNumber,
    municipalityCode: code,
    issuedAt: issued.at,
    storeId: str(d.storeId) ?? "",
    kioskId: str(d.kioskId) ?? "",
    applicantId: str(d.applicantId),
    cardSerial: str(d.cardSerial),
    type: str(d.type) ?? "",
    members: d.members ?? null,
    options: d.options ?? null,
    subjects: Array.isArray(d.subjects) ? d.subjects : [],
    pages,
    fee: typeof d.fee === "number" ? d.fee : 0,
    status: "issued",
    deliveredPages: [],
    voidedPages: [],
    disposal: [],
    revokedAt: null,
    revokedBy: null,
    revokeReason: null,
    lastSeq: issued.seq,
  };
  const disposal: Disposal[] = [];
  const voided = new Set<number>();
  for (const e of entries) {
    const x = e.data as Data;
    row.lastSeq = Math.max(Number(row.lastSeq), e.seq);
    if (e.kind === "delivered") {
      row.deliveredPages = nums(x.pages);
      if (row.status === "issued") row.status = "delivered";
    } else if (e.kind === "voided") {
      row.deliveredPages = nums(x.delivered);
      for (const p of nums(x.pages)) voided.add(p);
      const refund = typeof x.refund === "number" ? x.refund : 0;
      row.fee = Number(row.fee) - refund;
      disposal.push({
        at: e.at,
        pages: nums(x.pages),
        reason: str(x.reason) ?? "voided",
        ...(typeof x.jammedPage === "number"
          ? { jammedPage: x.jammedPage }
          : {}),
        ...(typeof x.failedPage === "number"
          ? { failedPage: x.failedPage }
          : {}),
        ...(str(x.printFailure) ? { printFailure: str(x.printFailure)! } : {}),
        ...(str(x.kioskReason) ? { kioskReason: str(x.kioskReason)! } : {}),
        refund,
      });
      if (row.status !== "revoked") row.status = "voided";
    } else if (e.kind === "revoked") {
      row.status = "revoked";
      row.revokedAt = e.at;
      row.revokedBy = str(x.by);
      row.revokeReason = str(x.reason);
    }
  }
  row.voidedPages = [...voided].sort((a, b) => a - b);
  row.disposal = disposal;
  return row;
}

async function refold(tx: Tx, code: string, issueNumber: string) {
  const entries = await tx.select().from(issuanceEntries).where(and(
    eq(issuanceEntries.municipalityCode, code),
    eq(issuanceEntries.issueNumber, issueNumber),
  )).orderBy(asc(issuanceEntries.seq));
  const row = foldIssuance(
    code,
    entries.map((e) => ({
      seq: Number(e.seq),
      at: new Date(e.at).toISOString(),
      kind: e.kind as LedgerFeedEntry["kind"],
      issueNumber: e.issueNumber,
      data: e.data as Data,
    })),
  );
  if (!row) return;
  const { issueNumber: _, ...set } = row;
  await tx.insert(issuances).values(row).onConflictDoUpdate({
    target: issuances.issueNumber,
    set,
  });
}

/** Where the municipality's history stands. */
export async function feedHeadOf(
  db: Db | Tx,
  code: string,
): Promise<{ contiguous: number; centerHead: number }> {
  const [row] = await db.select().from(issuanceFeedHeads).where(
    eq(issuanceFeedHeads.municipalityCode, code),
  );
  return {
    contiguous: Number(row?.contiguousSeq ?? 0),
    centerHead: Number(row?.centerHead ?? 0),
  };
}

/**
 * Stores entries that continue the contiguous run (idempotent by
 * (municipality, seq)) and refolds their certificates, in one transaction.
 */
async function storeRun(
  db: Db,
  code: string,
  run: LedgerFeedEntry[],
  centerHead: number,
  now: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    if (run.length) {
      await tx.insert(issuanceEntries).values(run.map((e) => ({
        municipalityCode: code,
        seq: e.seq,
        ledgerSeq: e.ledgerSeq,
        at: e.at,
        kind: e.kind,
        issueNumber: e.issueNumber,
        requestId: e.requestId,
        data: e.data,
        hash: e.hash,
      }))).onConflictDoNothing();
      for (const n of new Set(run.map((e) => e.issueNumber))) {
        await refold(tx, code, n);
      }
    }
    const contiguous = run.at(-1)?.seq;
    await tx.insert(issuanceFeedHeads).values({
      municipalityCode: code,
      contiguousSeq: contiguous ?? 0,
      centerHead,
      pulledAt: now.toISOString(),
    }).onConflictDoUpdate({
      target: issuanceFeedHeads.municipalityCode,
      set: {
        ...(contiguous !== undefined ? { contiguousSeq: contiguous } : {}),
        centerHead,
        pulledAt: now.toISOString(),
      },
    });
  });
}

/**
 * Checks that every entry up to the contiguous number is still held; when
 * one is missing, moves the cursor back to just before the first hole (the
 * next pull fetches from there) and returns the hole's number, else null.
 *
 * @example
 * ```ts ignore
 * const hole = await rewindToFirstHole(db, "401005");
 * ```
 */
export async function rewindToFirstHole(
  db: Db,
  code: string,
): Promise<number | null> {
  const { contiguous } = await feedHeadOf(db, code);
  if (!contiguous) return null;
  const [{ n }] = rowsOf<{ n: string | number }>(
    await db.execute(sql`select count(*) as n from issuance_entries
      where municipality_code = ${code} and seq <= ${contiguous}`),
  );
  if (Number(n) >= contiguous) return null;
  const [{ hole }] = rowsOf<{ hole: string | number }>(
    await db.execute(sql`select case
        when not exists (select 1 from issuance_entries
          where municipality_code = ${code} and seq = 1) then 1
        else (select min(e.seq) + 1 from issuance_entries e
          where e.municipality_code = ${code} and e.seq < ${contiguous}
            and not exists (select 1 from issuance_entries f
              where f.municipality_code = ${code} and f.seq = e.seq + 1))
      end as hole`),
  );
  const first = Number(hole);
  await db.update(issuanceFeedHeads).set({ contiguousSeq: first - 1 }).where(
    eq(issuanceFeedHeads.municipalityCode, code),
  );
  return first;
}

/**
 * The refusal of a pull (what was stored before it stays); its code is
 * `NO_CENTER_LINK`, `CENTER_ANSWER` (status or malformed page) or
 * `LEDGER_GAP` (a gap the center did not fill after refetches).
 */
export class IssuancePullError extends CenterPullError {}

/** What {@linkcode pullIssuances} needs. */
export interface IssuancePullDeps {
  db: Db;
  link: CenterLink;
  /** Now (recorded as the pull's time). */
  now?: () => Date;
  metrics?: MetricsRegistry;
  /** Page size (default 500). */
  pageSize?: number;
  /** Refetches of one gap before giving up for this pull (default 3). */
  maxRefetches?: number;
}

/** Options of one pull. */
export interface IssuancePullOptions {
  /** Check first for stored entries gone missing (default true). */
  checkHoles?: boolean;
}

/** What one pull did. */
export interface IssuancePullResult {
  /** Entries stored. */
  stored: number;
  /** Gaps seen (each refetched). */
  gaps: number;
  /** A stored entry found missing and fetched again (its number), or null. */
  hole: number | null;
  contiguous: number;
  centerHead: number;
}

function issuanceMetrics(m: MetricsRegistry | undefined) {
  return m && {
    stored: m.counter(
      "registry_issuance_entries_stored_total",
      "Ledger entries of the municipality stored in its 交付履歴",
    ),
    gaps: m.counter(
      "registry_issuance_gaps_total",
      "Gaps seen in the center's feed of ledger entries (each fetched again)",
    ),
    lag: m.gauge(
      "registry_issuance_lag_entries",
      "The center's head minus the last entry held without a gap",
    ),
  };
}

/**
 * Pulls the municipality's ledger entries newer than those held, page by
 * page, each taken up to its first gap and the rest fetched again. Throws
 * {@linkcode IssuancePullError} (earlier pages stay stored).
 *
 * @example
 * ```ts ignore
 * const r = await pullIssuances({ db, link }, "401005");
 * ```
 */
export async function pullIssuances(
  deps: IssuancePullDeps,
  code: string,
  opts: IssuancePullOptions = {},
): Promise<IssuancePullResult> {
  const limit = deps.pageSize ?? 500;
  const maxRefetches = deps.maxRefetches ?? 3;
  const m = issuanceMetrics(deps.metrics);
  const now = deps.now ?? (() => new Date());
  const hole = opts.checkHoles === false
    ? null
    : await rewindToFirstHole(deps.db, code);
  if (hole !== null) m?.gaps.inc({ municipality: code });
  let stored = 0;
  let gaps = hole !== null ? 1 : 0;
  let refetches = 0;
  for (;;) {
    const { contiguous } = await feedHeadOf(deps.db, code);
    const res = await centerCall(
      deps.link,
      code,
      ledgerFeedPath(code, contiguous, limit),
    ).catch((err) => {
      throw new IssuancePullError(
        "CENTER_ANSWER",
        `The center cannot be reached (${(err as Error).name})`,
      );
    });
    if (!res) {
      throw new IssuancePullError(
        "NO_CENTER_LINK",
        "The municipality has no link to the center",
      );
    }
    await refuseFailedAnswer(res, IssuancePullError);
    let page;
    try {
      page = parseLedgerFeedPage(await res.json());
    } catch {
      throw new IssuancePullError(
        "CENTER_ANSWER",
        "The center's page of ledger entries is malformed",
      );
    }
    if (page.municipalityCode !== code) {
      throw new IssuancePullError(
        "CENTER_ANSWER",
        "The center answered for another municipality",
      );
    }
    // The run that continues what is held; the rest waits for a refetch.
    const run: LedgerFeedEntry[] = [];
    for (const e of page.entries) {
      if (e.seq !== contiguous + run.length + 1) break;
      run.push(e);
    }
    const last = contiguous + run.length;
    const gap = run.length < page.entries.length ||
      (page.entries.length < limit && last < page.head);
    await storeRun(deps.db, code, run, page.head, now());
    stored += run.length;
    if (run.length) m?.stored.inc({ municipality: code }, run.length);
    m?.lag.set(Math.max(0, page.head - last), { municipality: code });
    if (gap) {
      gaps++;
      m?.gaps.inc({ municipality: code });
      if (run.length === 0 && ++refetches > maxRefetches) {
        throw new IssuancePullError(
          "LEDGER_GAP",
          `entry ${last + 1} is missing from the center's answers`,
        );
      }
      continue;
    }
    refetches = 0;
    if (page.entries.length < limit) {
      return { stored, gaps, hole, contiguous: last, centerHead: page.head };
    }
  }
}

/**
 * A running pull job over every municipality of the registry:
 * `tick(code?)` pulls now, for one municipality or all (what each tick
 * does).
 */
export type IssuancePull = PullJob<string, Record<string, IssuancePullResult>>;

/**
 * The pull interval from `REGISTRY_ISSUANCE_PULL_MS` (default 5 s).
 *
 * @example
 * ```ts
 * issuancePullIntervalMs(new Map([["REGISTRY_ISSUANCE_PULL_MS", "1000"]])); // 1000
 * ```
 */
export function issuancePullIntervalMs(env: Env): number {
  return envInt(env, "REGISTRY_ISSUANCE_PULL_MS", 5000, 100, 3_600_000);
}

/**
 * The least time between two checks for stored entries gone missing, from
 * `REGISTRY_ISSUANCE_HOLE_CHECK_MS` (default 10 min; 0: every pull).
 *
 * @example
 * ```ts
 * issuanceHoleCheckMs(new Map()); // 600000
 * ```
 */
export function issuanceHoleCheckMs(env: Env): number {
  return envInt(env, "REGISTRY_ISSUANCE_HOLE_CHECK_MS", 600_000, 0, 86_400_000);
}

/**
 * Pulls every municipality's entries at start and then every `intervalMs`
 * (0: on demand only); a refusal or an unreachable center is logged (code
 * only) and retried at the next tick. Pulls run one after another.
 *
 * @example
 * ```ts ignore
 * const pull = startIssuancePull({ db, link, logger, metrics, intervalMs: 5000 });
 * await pull.stop();
 * ```
 */
export function startIssuancePull(
  deps: IssuancePullDeps & {
    logger: Logger;
    intervalMs: number;
    /**
     * Least time between two checks for stored entries gone missing (a
     * count over the municipality's entries), ms (default 10 min; 0: every
     * pull). The first pull of each municipality always checks.
     */
    holeCheckMs?: number;
  },
): IssuancePull {
  const holeCheckMs = deps.holeCheckMs ?? 600_000;
  const checkedAt = new Map<string, number>();
  const now = deps.now ?? (() => new Date());
  const all = async (only?: string) => {
    const codes = only ? [only] : (await deps.db.select({
      code: municipalities.code,
    }).from(municipalities)).map((r) => r.code);
    const out: Record<string, IssuancePullResult> = {};
    for (const code of codes) {
      if (!deps.link.fetchFor(code)) continue;
      try {
        const t = now().getTime();
        const last = checkedAt.get(code);
        const checkHoles = last === undefined || t - last >= holeCheckMs;
        if (checkHoles) checkedAt.set(code, t);
        out[code] = await pullIssuances(deps, code, { checkHoles });
        if (out[code].stored || out[code].gaps) {
          deps.logger.info("issuance history pulled", {
            municipalityCode: code,
            stored: out[code].stored,
            gaps: out[code].gaps,
            contiguous: out[code].contiguous,
          });
        }
      } catch (err) {
        deps.logger.error("issuance history pull failed", {
          municipalityCode: code,
          code: err instanceof IssuancePullError ? err.code : undefined,
          error: safeError(err),
        });
      }
    }
    return out;
  };
  return startPullJob(all, deps.intervalMs);
}

/** Filters of the history (all optional, combined with AND). */
export interface IssuanceFilter {
  /** A resident id: the applicant or a resident on the sheets. */
  person?: string;
  /** Issued on or after (ISO 8601 date or instant). */
  from?: string;
  /** Issued before (ISO 8601 date or instant; a date means through that day, JST). */
  to?: string;
  issueNumber?: string;
  status?: IssuanceStatus;
}

/** A page of the history. */
export interface IssuancePage {
  items: IssuanceRow[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

const encodeCursor = (at: string, n: string) =>
  btoa(JSON.stringify({ at, n })).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");

function decodeCursor(c: string): { at: string; n: string } {
  try {
    const o = JSON.parse(atob(c.replaceAll("-", "+").replaceAll("_", "/")));
    if (
      typeof o?.at === "string" && typeof o?.n === "string" &&
      !Number.isNaN(Date.parse(o.at)) && ISSUE_NUMBER_PATTERN.test(o.n)
    ) return o;
  } catch { /* refused below */ }
  throw validationError([{ path: ["cursor"], message: "not a cursor" }]);
}

/** A date (JST day) or an instant, as an instant. */
function instantOf(v: string, endOfDay: boolean): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const d = new Date(`${v}T00:00:00+09:00`);
    if (endOfDay) d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString();
  }
  return new Date(v).toISOString();
}

/**
 * A page of the municipality's history, newest first (issued time, then
 * issue number), after `cursor`.
 *
 * @example
 * ```ts ignore
 * const page = await listIssuances(db, "401005", { person: "401005-00000001" }, { limit: 50 });
 * ```
 */
export async function listIssuances(
  db: Db,
  code: string,
  f: IssuanceFilter,
  page: { limit: number; cursor?: string },
): Promise<IssuancePage> {
  const where: SQL[] = [eq(issuances.municipalityCode, code)];
  if (f.person) {
    where.push(
      or(
        eq(issuances.applicantId, f.person),
        sql`${issuances.subjects} @> ${JSON.stringify([f.person])}::jsonb`,
      )!,
    );
  }
  if (f.from) {
    where.push(sql`${issuances.issuedAt} >= ${instantOf(f.from, false)}`);
  }
  if (f.to) where.push(sql`${issuances.issuedAt} < ${instantOf(f.to, true)}`);
  if (f.issueNumber) where.push(eq(issuances.issueNumber, f.issueNumber));
  if (f.status) where.push(eq(issuances.status, f.status));
  if (page.cursor) {
    const c = decodeCursor(page.cursor);
    where.push(
      or(
        lt(issuances.issuedAt, c.at),
        and(eq(issuances.issuedAt, c.at), lt(issuances.issueNumber, c.n)),
      )!,
    );
  }
  const rows = await db.select().from(issuances).where(and(...where))
    .orderBy(desc(issuances.issuedAt), desc(issuances.issueNumber))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit).map((r) => ({
    ...r,
    issuedAt: new Date(r.issuedAt).toISOString(),
    revokedAt: r.revokedAt ? new Date(r.revokedAt).toISOString() : null,
    lastSeq: Number(r.lastSeq),
  }));
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > page.limit && last
      ? encodeCursor(last.issuedAt, last.issueNumber)
      : null,
  };
}

/** The center's answer to a revocation. */
export type RevokeAnswer =
  | { ok: true; status: unknown }
  | { ok: false; httpStatus: number; code: string | null }
  | { ok: false; httpStatus: 0; code: "NO_CENTER_LINK" | "UNREACHABLE" };

/**
 * Asks the center to revoke one of the municipality's issues, over the
 * municipality's link (the center lets a municipality revoke its own
 * issues only).
 *
 * @example
 * ```ts ignore
 * const a = await revokeAtCenter(link, "401005", issueNumber, "誤交付");
 * ```
 */
export async function revokeAtCenter(
  link: CenterLink,
  code: string,
  issueNumber: string,
  reason: string,
): Promise<RevokeAnswer> {
  let res: Response | null;
  try {
    res = await centerCall(link, code, issueRevokePath(issueNumber), {
      method: "POST",
      body: JSON.stringify({ reason }),
    });
  } catch {
    return { ok: false, httpStatus: 0, code: "UNREACHABLE" };
  }
  if (!res) return { ok: false, httpStatus: 0, code: "NO_CENTER_LINK" };
  const body = await res.json().catch(() => null);
  if (res.status === 200) return { ok: true, status: body };
  return {
    ok: false,
    httpStatus: res.status,
    code: typeof body?.code === "string" ? body.code : null,
  };
}

/** The municipality's stored entries after a number, in order (tests, operators). */
export async function storedEntries(db: Db, code: string, after = 0) {
  return await db.select().from(issuanceEntries).where(and(
    eq(issuanceEntries.municipalityCode, code),
    gt(issuanceEntries.seq, after),
  )).orderBy(asc(issuanceEntries.seq));
}
