/**
 * The issuance pipeline at the center, one request from an authenticated
 * kiosk session to a released document:
 *
 * 1. hours (06:30–23:00 JST, not 29 Dec–3 Jan), the session (this kiosk's,
 *    authenticated, recent, never used for a certificate), the card's status
 *    read again now, the tenant not halted, the ASP node hosting the card's
 *    municipality;
 * 2. a new request id and issue number, recorded (`building`);
 * 3. under one deadline (`AbortSignal` passed to every call and checked
 *    between every step): the build at the ASP (which resolves the card to
 *    its resident and applies the replica rules in one transaction), the
 *    subject check against the
 *    applicant's household at the replica sequence read, the back sides,
 *    and reading every back side back from its modules and comparing it with
 *    its front;
 *    — numbers per certificate: the ASP's sheets are certificates (a
 *    certificate starts at page 1: 個票式 one per person, 世帯連記式 one for
 *    the household) and carry the request's 発行番号; every further
 *    certificate, and every certificate of every further copy (部数), gets
 *    one more number from the same sequence in the same form, with its own
 *    back sides;
 * 4. release: the request becomes `released`, its certificates (one row of
 *    `issuance_copies` each: number, pages, fee) are recorded with their
 *    fees — one fee per certificate, the municipality's fee schedule on the
 *    day (fee_schedule.ts) — and the ledger's `issued` entry of each is
 *    appended, in one
 *    transaction; then the ASP is told the work data may go.
 *
 * A refusal or failure at any step leaves nothing released (the request is
 * `refused`, `failed` or `withheld`); a mismatch records an incident and
 * halts the tenant. All state of a request lives in this call's locals:
 * nothing is shared between requests, and no lock is held while work runs.
 *
 * Logs: one outcome line per request (`issuance released` at info,
 * `issuance refused` at info — warn for ASP_UNAVAILABLE and
 * ISSUANCE_TIMEOUT, error for a withheld document — `issuance failed` at
 * error), with the specific `code` (and `kioskCode` when the kiosk is told
 * the neutral one) and, once the request is recorded, its
 * `issuanceRequestId`, `issueNumber` and `municipalityCode`. Every line is
 * written to the caller's request logger, so it carries the run's
 * `correlationId` too, which also travels to the ASP node with every call.
 *
 * @module
 */
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { BackSideBuilder } from "../../../lib/backside/mod.ts";
import {
  type BackSide,
  certificatesOf,
  type CertificateType,
  type JuminhyoOptions,
  type KisaiItems,
  peopleOf,
  type SheetContent,
} from "../../../lib/certificate/model.ts";
import type { ContentKey } from "../../../lib/crypto/content_key.ts";
import type { KeyList } from "../../../lib/crypto/key_list.ts";
import type { Signer } from "../../../lib/crypto/signer.ts";
import { type Db, rowsOf } from "../../../lib/db/database.ts";
import type { Logger } from "../../../lib/service/logger.ts";
import type {
  Counter,
  Histogram,
  MetricsRegistry,
} from "../../../lib/service/metrics.ts";
import { type Clock, jstDate, jstIso } from "../../../lib/time/clock.ts";
import {
  type AspCertificateRequest,
  builtCertificateSchema,
} from "../../../lib/contracts/center_asp.ts";
import { sheetContentSchema } from "../../../lib/certificate/types/mod.ts";
import { parseMessage } from "../../../lib/contracts/wire.ts";
import {
  cards,
  issuanceCopies,
  issuanceRequests,
  kioskSessions,
  tenantHalts,
} from "../../../db/jlis/schema.ts";
import {
  AspAnswerRejected,
  type AspDirectory,
  type AspNode,
  callAsp,
} from "./asp_directory.ts";
import { checkBackSide } from "./back_side_check.ts";
import { aspRefusal, replicaMismatch } from "./asp_refusal.ts";
import { forKiosk, JlisError } from "../errors.ts";
import { assertOpen } from "./hours.ts";
import {
  FAILURE_KINDS,
  type FailureKind,
  type FailurePolicy,
  type IncidentInput,
  recordFailure,
  recordIncidentAndHalt,
} from "./incidents.ts";
import type { Conformance } from "./conformance.ts";
import { appendLedger } from "./ledger.ts";
import { furtherIssueNumbers, issueNumberSql } from "./issue_number.ts";
import { municipalFee } from "./fee_schedule.ts";
import {
  MAX_CERTIFICATES,
  MAX_COPIES,
} from "../../../lib/contracts/kiosk_center.ts";
import type { DeliveryConfirmer } from "./delivery.ts";
import type { MessageLog } from "./message_log.ts";
import {
  applicantIdentities,
  certificateRules,
  checkSubjects,
} from "./subject_check.ts";
import { bindingProblem, readBinding } from "../cards/binding.ts";
import type { BindingKeys } from "../../../lib/card/identity_binding.ts";

/** What the pipeline needs. */
export interface IssuanceDeps {
  db: Db;
  /** The center's message log (calls to the ASP nodes). */
  messages: MessageLog;
  /** Delivery confirmations to the nodes. */
  deliveries: DeliveryConfirmer;
  /** Their grouping window, ms (0: each confirmed before the release returns). */
  deliveryWindowMs: number;
  clock: Clock;
  /** Signs the messages to the ASP nodes (holds the key). */
  signer: Signer;
  /** The center's own published key list (to read its back sides back). */
  keyList: () => Promise<KeyList>;
  contentKey: ContentKey;
  /** Each municipality's card-binding key: the applicant must match the card's holder binding. */
  bindingKeys: BindingKeys;
  backSides: BackSideBuilder;
  directory: AspDirectory;
  logger: Logger;
  metrics: MetricsRegistry;
  /** The whole request's deadline, ms (default 10 s). */
  timeoutMs?: number;
  /** How long after authentication a session may ask for a certificate (default 5 min). */
  sessionWindowMs?: number;
  /** The check of what the nodes state they run (conformance.ts; absent: none). */
  conformance?: Conformance;
  /** Repeated failures that open an incident (incidents.ts; default 3 in 10 min). */
  failurePolicy?: FailurePolicy;
}

/** What the kiosk asks for. */
export interface IssueRequest {
  sessionId: string;
  kioskId: string;
  storeId: string;
  type: CertificateType;
  members: "self" | "all" | string[];
  options: JuminhyoOptions;
  /** 部数, 1–10 (default 1). */
  copies?: number;
}

/** One copy of a released request. */
export interface IssuedCopy {
  /** 1-based, in print order. */
  copy: number;
  issueNumber: string;
  /** Sheets of this copy. */
  pages: number;
  /** Yen for this copy. */
  fee: number;
}

/** A released document. */
export interface IssuedDocument {
  requestId: string;
  issueNumber: string;
  municipalityCode: string;
  /** The authenticated card's serial (the kiosk checks it against its own). */
  cardSerial: string;
  /** The resident the ASP resolved the card to. */
  applicantResidentId: string;
  /** Sheets of all copies. */
  pages: number;
  /** Yen for all copies, charged at the kiosk. */
  fee: number;
  /** Each copy (its sheets follow the previous copy's). */
  copies: IssuedCopy[];
  /** Every copy's sheets and back sides, in print order. */
  sheets: SheetContent[];
  backs: BackSide[];
}

/** Options of {@linkcode issueCertificate}. */
export interface IssueOptions {
  /** Aborts the request (the kiosk went away). */
  signal?: AbortSignal;
  /** The request's logger (its request and correlation ids); default deps.logger. */
  logger?: Logger;
  /** The run's correlation id, sent on to the ASP node; default the issuance request id. */
  correlationId?: string;
  /** Called once the request is recorded, with its issuance request id. */
  onRecorded?: (requestId: string) => void;
}

/** What a request's log lines carry; gains the request's ids once recorded. */
interface Trace {
  log: Logger;
  correlationId?: string;
}

/**
 * The ASP's build answer as the center reads it: the contract's schema with
 * each sheet decoded by the catalogue's codec in the same pass (one parse of
 * the answer, not a parse and then a second parse of every sheet).
 */
const builtAnswerSchema = builtCertificateSchema.extend({
  sheets: z.array(sheetContentSchema),
});

/** Default deadline of one request. */
export const DEFAULT_ISSUANCE_TIMEOUT_MS = 10_000;
/** Default window between card authentication and the request. */
export const DEFAULT_SESSION_WINDOW_MS = 5 * 60_000;

interface IssuanceMetrics {
  outcomes: Counter;
  seconds: Histogram;
  incidents: Counter;
}

const metricsCache = new WeakMap<MetricsRegistry, IssuanceMetrics>();

function issuanceMetrics(m: MetricsRegistry): IssuanceMetrics {
  let h = metricsCache.get(m);
  if (!h) {
    h = {
      outcomes: m.counter(
        "jlis_issuance_total",
        "Issuance requests by outcome (released or the code)",
      ),
      seconds: m.histogram(
        "jlis_issuance_seconds",
        "Issuance request duration (released)",
        [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ),
      incidents: m.counter(
        "jlis_incidents_total",
        "Documents withheld before release, by kind",
      ),
    };
    metricsCache.set(m, h);
  }
  return h;
}

/** Withheld before release: incident recorded, tenant halted. */
class Withheld extends Error {
  constructor(
    readonly kind: IncidentInput["kind"],
    readonly details: Record<string, unknown>,
  ) {
    super(`${kind}: ${JSON.stringify(details)}`);
  }
}

function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: string }).code === "23505") return true;
    if (/duplicate key value/.test(String((e as Error).message ?? ""))) {
      return true;
    }
  }
  return false;
}

/**
 * Whether an error is an abort (the caller went away or a deadline passed).
 *
 * @example
 * ```ts
 * isAbort(new DOMException("late", "TimeoutError")); // true
 * ```
 */
export function isAbort(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === "AbortError" || name === "TimeoutError";
}

/**
 * The items a document prints, for its ledger entry: the sheet's own
 * (a 記載事項証明書's items, a 住民票's options), else what was asked.
 */
function printedOptions(
  sheet: SheetContent | undefined,
  asked: JuminhyoOptions,
): JuminhyoOptions | KisaiItems {
  return sheet && "options" in sheet ? sheet.options : asked;
}

/**
 * Runs one issuance request. Throws a JlisError with the refusal or failure
 * code as the kiosk may see it — a protected reason (支援措置, opt-out, a
 * municipal block) as the one neutral code, after the request record, the
 * metrics and the log have kept the specific one; returns the released
 * document otherwise.
 *
 * @example
 * ```ts ignore
 * const doc = await issueCertificate(deps, { sessionId, kioskId, storeId, type: "juminhyo",
 *   members: "self", options: { honseki: false, zokugara: false, myNumber: false } }, { signal });
 * ```
 */
export async function issueCertificate(
  deps: IssuanceDeps,
  input: IssueRequest,
  opts: IssueOptions = {},
): Promise<IssuedDocument> {
  const m = issuanceMetrics(deps.metrics);
  const t0 = performance.now();
  const trace: Trace = {
    log: opts.logger ?? deps.logger,
    correlationId: opts.correlationId,
  };
  try {
    const doc = await run(deps, input, opts, trace);
    m.outcomes.inc({ outcome: "released" });
    m.seconds.observe((performance.now() - t0) / 1000);
    trace.log.info("issuance released", {
      type: input.type,
      copies: doc.copies.length,
      pages: doc.pages,
      fee: doc.fee,
    });
    return doc;
  } catch (err) {
    // The specific code is counted and logged; the kiosk may be told only
    // the neutral one.
    if (!(err instanceof JlisError)) {
      m.outcomes.inc({ outcome: "ERROR" });
      trace.log.error("issuance failed", { code: "ERROR", error: err });
      throw err;
    }
    m.outcomes.inc({ outcome: err.code });
    const shown = forKiosk(err);
    trace.log[refusalLevel(err.code)]("issuance refused", {
      type: input.type,
      code: err.code,
      ...(shown.code !== err.code ? { kioskCode: shown.code } : {}),
    });
    throw shown;
  }
}

/** How loud a refusal is in the log: the exchange failing is not a rule. */
function refusalLevel(code: string): "info" | "warn" | "error" {
  if (code === "ISSUANCE_WITHHELD" || code === "ASP_NOT_CONFORMING") {
    return "error";
  }
  if (code === "ASP_UNAVAILABLE" || code === "ISSUANCE_TIMEOUT") return "warn";
  return "info";
}

async function run(
  deps: IssuanceDeps,
  input: IssueRequest,
  opts: IssueOptions,
  trace: Trace,
): Promise<IssuedDocument> {
  const outer = opts.signal;
  const { db, clock } = deps;
  const now = clock.now();
  assertOpen(now);
  const copies = input.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1 || copies > MAX_COPIES) {
    throw new JlisError("COPIES_OUT_OF_RANGE", { copies, max: MAX_COPIES });
  }
  const window = deps.sessionWindowMs ?? DEFAULT_SESSION_WINDOW_MS;
  const requestId = `req-${crypto.randomUUID()}`;
  const options: JuminhyoOptions = {
    ...certificateRules(input.type, input.options).options,
  };
  // One statement records the request only if the session is this kiosk's,
  // authenticated and recent, its card valid *now* (a stop made after the
  // authentication is refused) and its municipality not halted; the 発行番号
  // (j1040: JST date, municipality, the kiosk as terminal, its printer and a
  // serial from the center's sequence) is made by issue_number.ts.
  let row: {
    issue_number: string;
    municipality_code: string;
    card_serial: string;
  } | undefined;
  try {
    const result = await db.execute(sql`
      insert into issuance_requests (request_id, session_id, kiosk_id, store_id,
        municipality_code, card_serial, issue_number, type, members, options, copies, state,
        created_at)
      select ${requestId}, s.id, s.kiosk_id, ${input.storeId}, s.municipality_code, s.card_serial,
        ${
      issueNumberSql({
        date: jstDate(now),
        municipalityCode: sql`s.municipality_code`,
        kioskId: sql`s.kiosk_id`,
      })
    },
        ${input.type}, ${JSON.stringify(input.members)}::jsonb, ${
      JSON.stringify(options)
    }::jsonb, ${copies}, 'building', ${now.toISOString()}::timestamptz
      from kiosk_sessions s join cards c on c.serial = s.card_serial
      where s.id = ${input.sessionId} and s.kiosk_id = ${input.kioskId}
        and s.outcome = 'AUTHENTICATED'
        and s.created_at > ${
      new Date(now.getTime() - window).toISOString()
    }::timestamptz
        and c.status = 'valid'
        and not exists (select 1 from tenant_halts h
          where h.municipality_code = s.municipality_code and h.resumed_at is null)
      returning issue_number, municipality_code, card_serial`);
    row = rowsOf(result)[0] as typeof row;
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new JlisError("SESSION_ALREADY_USED", {
        sessionId: input.sessionId,
      });
    }
    throw err;
  }
  if (!row) await whyRefused(db, input, now, window); // throws
  const code = row!.municipality_code;
  const serial = row!.card_serial;
  const issueNumber = row!.issue_number;
  trace.log = trace.log.child({
    issuanceRequestId: requestId,
    issueNumber,
    municipalityCode: code,
  });
  opts.onRecorded?.(requestId);
  const node = deps.directory.route(code);
  if (!node) {
    await db.update(issuanceRequests).set({
      state: "refused",
      outcome: "MUNICIPALITY_NOT_SERVED",
      finishedAt: now,
    }).where(eq(issuanceRequests.requestId, requestId));
    throw new JlisError("MUNICIPALITY_NOT_SERVED", { municipalityCode: code });
  }
  const log = trace.log;
  const deadline = new AbortController();
  const timer = setTimeout(
    () =>
      deadline.abort(
        new DOMException("issuance deadline passed", "TimeoutError"),
      ),
    deps.timeoutMs ?? DEFAULT_ISSUANCE_TIMEOUT_MS,
  );
  const signal = outer
    ? AbortSignal.any([outer, deadline.signal])
    : deadline.signal;
  const finish = async (state: string, outcome: string) => {
    await db.update(issuanceRequests).set({
      state,
      outcome,
      aspNode: node.id,
      finishedAt: clock.now(),
    }).where(eq(issuanceRequests.requestId, requestId));
  };
  try {
    return await build(deps, trace, {
      input,
      node,
      code,
      serial,
      requestId,
      issueNumber,
      copies,
      options,
      issuedAt: now,
      signal,
    });
  } catch (err) {
    if (err instanceof Withheld) {
      log.error("document withheld: incident recorded, tenant halted", {
        code: "ISSUANCE_WITHHELD",
        aspNode: node.id,
        kind: err.kind,
        details: err.details,
      });
      issuanceMetrics(deps.metrics).incidents.inc({ kind: err.kind });
      const incidentId = await recordIncidentAndHalt(db, {
        at: clock.now(),
        kind: err.kind,
        municipalityCode: code,
        requestId,
        kioskId: input.kioskId,
        aspNode: node.id,
        details: err.details,
      });
      await finish("withheld", err.kind);
      throw new JlisError("ISSUANCE_WITHHELD", { requestId, incidentId });
    }
    const failure = {
      municipalityCode: code,
      requestId,
      kioskId: input.kioskId,
      aspNode: node.id,
    };
    if (isAbort(err) || signal.aborted) {
      log.warn("issuance aborted", {
        code: "ISSUANCE_TIMEOUT",
        aspNode: node.id,
        reason: signal.reason instanceof Error
          ? signal.reason.name
          : String(signal.reason),
      });
      await finish("failed", "ISSUANCE_TIMEOUT");
      // The kiosk's own abort is not the node's failure.
      if (!outer?.aborted) {
        await noteFailure(deps, log, { ...failure, kind: "ASP_TIMEOUT" });
      }
      throw new JlisError("ISSUANCE_TIMEOUT", { requestId });
    }
    if (err instanceof JlisError) {
      // The request records the specific reason, protected or not.
      await finish(
        err.code === "ASP_UNAVAILABLE" ? "failed" : "refused",
        err.code,
      );
      const kind = FAILURE_OF_CODE[err.code];
      if (kind) await noteFailure(deps, log, { ...failure, kind });
      throw err;
    }
    await finish("failed", "ERROR");
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Refusals that count toward a tenant's repeated-failure incident. */
const FAILURE_OF_CODE: Partial<Record<string, FailureKind>> = {
  ASP_UNAVAILABLE: "ASP_UNAVAILABLE",
  CARD_NOT_BOUND: "CARD_NOT_BOUND",
};

/**
 * Records a failure of a tenant (incidents.ts `recordFailure`); logs the
 * incident it opens. Never throws: the request's own outcome stands.
 *
 * @example
 * ```ts ignore
 * await noteFailure(deps, log, { kind: "ASP_TIMEOUT", municipalityCode, requestId, kioskId, aspNode });
 * ```
 */
export async function noteFailure(
  deps: Pick<IssuanceDeps, "db" | "clock" | "failurePolicy" | "metrics">,
  log: Logger,
  f: {
    kind: FailureKind;
    municipalityCode: string;
    requestId: string;
    kioskId: string;
    aspNode: string | null;
  },
): Promise<void> {
  try {
    const incident = await recordFailure(
      deps.db,
      { ...f, at: deps.clock.now() },
      deps.failurePolicy,
    );
    if (incident?.opened) {
      issuanceMetrics(deps.metrics).incidents.inc({
        kind: FAILURE_KINDS[f.kind].incident,
      });
      log.error("repeated failures: incident opened", {
        failure: f.kind,
        incidentId: incident.id,
        aspNode: f.aspNode,
      });
    }
  } catch (err) {
    log.error("failure not recorded", { failure: f.kind, error: err });
  }
}

/**
 * Why a session cannot ask for a certificate (throws the refusal): another
 * kiosk's or unknown (SESSION_NOT_FOUND), not authenticated or too old,
 * the card stopped since, the municipality halted. Also used by the
 * household list, which checks a session the same way.
 *
 * @example
 * ```ts ignore
 * await whyRefused(db, { sessionId, kioskId }, clock.now(), DEFAULT_SESSION_WINDOW_MS);
 * ```
 */
export async function whyRefused(
  db: Db,
  input: Pick<IssueRequest, "sessionId" | "kioskId">,
  now: Date,
  window: number,
): Promise<never> {
  const [session] = await db.select({
    kioskId: kioskSessions.kioskId,
    outcome: kioskSessions.outcome,
    createdAt: kioskSessions.createdAt,
    cardSerial: kioskSessions.cardSerial,
    municipalityCode: kioskSessions.municipalityCode,
    cardStatus: cards.status,
    halted: sql<boolean>`exists (select 1 from ${tenantHalts}
      where ${tenantHalts.municipalityCode} = ${kioskSessions.municipalityCode}
        and ${tenantHalts.resumedAt} is null)`,
  }).from(kioskSessions).leftJoin(
    cards,
    eq(cards.serial, kioskSessions.cardSerial),
  ).where(eq(kioskSessions.id, input.sessionId));
  if (!session || session.kioskId !== input.kioskId) {
    throw new JlisError("SESSION_NOT_FOUND", { sessionId: input.sessionId });
  }
  if (
    session.outcome !== "AUTHENTICATED" || !session.cardSerial ||
    !session.municipalityCode ||
    now.getTime() - session.createdAt.getTime() > window
  ) {
    throw new JlisError("SESSION_NOT_AUTHENTICATED", {
      sessionId: input.sessionId,
    });
  }
  if (session.cardStatus === "suspended") throw new JlisError("CARD_SUSPENDED");
  if (session.cardStatus !== "valid") throw new JlisError("CARD_REVOKED");
  if (session.halted === true || String(session.halted) === "t") {
    throw new JlisError("TENANT_HALTED", {
      municipalityCode: session.municipalityCode,
    });
  }
  throw new JlisError("SESSION_NOT_AUTHENTICATED", {
    sessionId: input.sessionId,
  });
}

interface BuildContext {
  input: IssueRequest;
  node: AspNode;
  code: string;
  serial: string;
  requestId: string;
  issueNumber: string;
  /** 部数: how many copies of every certificate. */
  copies: number;
  options: JuminhyoOptions;
  issuedAt: Date;
  signal: AbortSignal;
}

async function build(
  deps: IssuanceDeps,
  trace: Trace,
  ctx: BuildContext,
): Promise<IssuedDocument> {
  const { db, clock } = deps;
  const { node, code, requestId, signal } = ctx;
  const correlationId = trace.correlationId ?? requestId;
  const call = (
    method: "GET" | "POST",
    path: string,
    body?: unknown,
  ) =>
    callAsp(deps, node, {
      method,
      path,
      requestId,
      correlationId,
      body,
      signal,
      municipalityCode: code,
      kioskId: ctx.input.kioskId,
    }).catch(
      (err) => {
        if (err instanceof JlisError) throw err; // ASP_NOT_CONFORMING
        if (err instanceof AspAnswerRejected) {
          throw new Withheld("ANSWER_SIGNATURE_INVALID", {
            reason: err.reason,
            status: err.status,
            path,
          });
        }
        if (isAbort(err) || signal.aborted) throw err;
        throw new JlisError("ASP_UNAVAILABLE", { error: String(err) });
      },
    );

  // The build: the node resolves the card to its resident (the active card
  // link) and applies the replica's rules in one transaction, and answers
  // the sheets with the applicant and the household it read.
  const request: AspCertificateRequest = {
    requestId,
    cardSerial: ctx.serial,
    type: ctx.input.type,
    members: ctx.input.members,
    options: ctx.options,
    issueNumber: ctx.issueNumber,
    issuedAt: jstIso(ctx.issuedAt),
    includePdf: false,
  };
  // The center's own binding of the card to its holder: none, no issuance.
  const binding = await readBinding(db, ctx.serial);
  if (!binding) throw new JlisError("CARD_NOT_BOUND");
  signal.throwIfAborted();
  const built = await call("POST", `/tenants/${code}/certificates`, request);
  if (built.status === 404 && built.body.code === "CARD_NOT_FOUND") {
    throw new JlisError("CARD_NOT_LINKED");
  }
  if (built.status === 404 && built.body.code === "TENANT_NOT_FOUND") {
    throw new JlisError("MUNICIPALITY_NOT_SERVED", { municipalityCode: code });
  }
  // The node's reconciliation found its replica wrong and halted the
  // municipality there: an incident, and the municipality halted here too.
  const mismatch = replicaMismatch(built.body);
  if (mismatch) throw new Withheld("REPLICA_MISMATCH", mismatch);
  if (built.status !== 201) {
    throw aspRefusal(built.status, built.body, trace.log);
  }
  signal.throwIfAborted();

  // The answer is checked against the protocol before anything is read from
  // it: a malformed one is withheld like a mismatch, never half-used.
  let answer: z.output<typeof builtAnswerSchema>;
  let sheets: SheetContent[];
  try {
    answer = parseMessage(
      builtAnswerSchema,
      built.body,
      "The ASP's build answer",
    );
    sheets = answer.sheets;
  } catch (e) {
    throw new Withheld("MALFORMED_ANSWER", { error: String(e) });
  }
  const applicantId = answer.applicantResidentId;
  const household = answer.household;
  const replicaSeq = answer.replicaSeq;
  const problems = checkSubjects({
    requestId,
    issueNumber: ctx.issueNumber,
    municipalityCode: code,
    type: ctx.input.type,
    members: ctx.input.members,
    options: ctx.options,
    applicantId,
  }, {
    requestId: answer.requestId,
    replicaSeq,
    sheets,
    household,
  });
  if (problems.length) {
    throw new Withheld("SUBJECT_MISMATCH", { problems, replicaSeq });
  }
  // The applicant must be the card's holder as the municipality bound it: a
  // card linked to another person (registry or replica) stops here.
  const unbound = bindingProblem(
    deps.bindingKeys,
    code,
    binding,
    applicantIdentities(applicantId, sheets, answer.applicant),
  );
  if (unbound) {
    throw new Withheld("BINDING_MISMATCH", { problem: unbound, replicaSeq });
  }

  // Every certificate of every copy its own 発行番号 (個票式: one per
  // person; 世帯連記式: one for the household), the first the request's.
  const perCopy = certificatesOf(sheets);
  const certificates = Array.from({ length: ctx.copies }, () => perCopy)
    .flat();
  // More certificates than a document carries (a 個票式 household of more
  // than 30 in 10 copies): fewer copies are asked for.
  if (certificates.length > MAX_CERTIFICATES) {
    throw new JlisError("TOO_MANY_CERTIFICATES", {
      copies: ctx.copies,
      certificates: certificates.length,
      max: MAX_CERTIFICATES,
    });
  }
  const issueNumbers = [
    ctx.issueNumber,
    ...await furtherIssueNumbers(
      db,
      ctx.issueNumber,
      certificates.length - 1,
    ),
  ];
  const numbered = certificates.map((c, i) =>
    c.map((s) => ({ ...s, issueNumber: issueNumbers[i] }))
  );
  const allSheets = numbered.flat();

  // The back sides, each read back from its modules and compared.
  const keyList = await deps.keyList();
  const backs: BackSide[] = [];
  for (const sheet of allSheets) {
    signal.throwIfAborted();
    const back = await deps.backSides.build(sheet);
    const checked = await checkBackSide(back, sheet, {
      keyList,
      contentKey: deps.contentKey,
    });
    if (!checked.ok) {
      throw new Withheld("BACK_SIDE_MISMATCH", {
        page: sheet.page,
        problem: checked.problem,
      });
    }
    backs.push(back);
  }
  signal.throwIfAborted();

  // The fee per certificate (通): the municipality's schedule on the day.
  const pages = sheets.length;
  const feePerCopy = await municipalFee(
    db,
    code,
    ctx.input.type,
    jstDate(ctx.issuedAt),
  );
  const copies: IssuedCopy[] = numbered.map((c, i) => ({
    copy: i + 1,
    issueNumber: issueNumbers[i],
    pages: c.length,
    fee: feePerCopy,
  }));

  // Release, one transaction: the request's state, its copies and each
  // copy's `issued` entry.
  const at = clock.now();
  signal.throwIfAborted();
  await db.transaction(async (tx) => {
    for (const c of copies) {
      const appended = await appendLedger(
        tx,
        {
          at,
          kind: "issued",
          issueNumber: c.issueNumber,
          requestId,
          data: {
            kioskId: ctx.input.kioskId,
            storeId: ctx.input.storeId,
            municipalityCode: code,
            cardSerial: ctx.serial,
            applicantId,
            type: ctx.input.type,
            members: ctx.input.members,
            // The items printed (j300): a 記載事項証明書's are its sheet's
            // (the municipality's profile), the others' what was asked.
            options: {
              ...printedOptions(numbered[c.copy - 1][0], ctx.options),
            },
            subjects: numbered[c.copy - 1].flatMap((s) =>
              peopleOf(s).map((p) => p.residentId)
            ),
            copy: c.copy,
            copies: copies.length,
            pages: c.pages,
            fee: c.fee,
            replicaSeq,
            aspNode: node.id,
          },
        },
        c.copy === 1
          ? sql`update issuance_requests set state = 'released', outcome = 'RELEASED',
              asp_node = ${node.id}, applicant_id = ${applicantId},
              replica_seq = ${replicaSeq}, pages = ${pages},
              finished_at = ${at.toISOString()}::timestamptz
            where request_id = ${requestId} and state = 'building' returning 1`
          : undefined,
      );
      if (!appended) {
        throw new Error(`Request ${requestId} is no longer building`);
      }
    }
    await tx.insert(issuanceCopies).values(copies.map((c) => ({
      issueNumber: c.issueNumber,
      requestId,
      copy: c.copy,
      pages: c.pages,
      fee: c.fee,
      state: "released",
    })));
  });

  // The ASP may now drop its work data (its own audit records the
  // delivery); with a window the confirmation goes later, in a group.
  const confirmed = deps.deliveries.confirm(node, code, requestId, {
    correlationId,
  });
  if (deps.deliveryWindowMs === 0) await confirmed;

  return {
    requestId,
    issueNumber: ctx.issueNumber,
    municipalityCode: code,
    cardSerial: ctx.serial,
    applicantResidentId: applicantId,
    pages: allSheets.length,
    fee: copies.reduce((n, c) => n + c.fee, 0),
    copies,
    sheets: allSheets,
    backs,
  };
}
