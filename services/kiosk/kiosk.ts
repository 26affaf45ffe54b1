/**
 * The store kiosk (multi-function printer) as a program: reads the card,
 * takes the PIN, talks to the J-LIS center, prints both sides, reports the
 * print to the center's ledger, and raises the alarm when the card or the
 * paper is left behind.
 *
 * One run:
 * 1. `POST /kiosk/sessions` → a nonce; the card checks the PIN and signs it
 *    (a wrong PIN or a locked card is refused by the card itself);
 * 2. `POST /kiosk/sessions/{id}/authenticate` → the card's municipality;
 *    (optionally `GET /kiosk/sessions/{id}/household` → the household's
 *    names, to choose members by; the session is not used up by it);
 * 3. `POST /kiosk/sessions/{id}/certificates` → the released document
 *    (sheets and back sides), or a refusal code with the Japanese message;
 * 4. print (render front + back of every sheet to PDF: lib/render, then
 *    write it) every copy (部数), each its own document with its own
 *    発行番号; a jam voids the copy it hits (its sheets are stamped 無効 and
 *    handed back) and the print goes on with the next copy; a sheet the
 *    kiosk cannot render (an image that does not decode, …) stops the print:
 *    its copy and every later one are not printed, and a PDF it cannot write
 *    prints nothing — never a crash after the release;
 * 5. `POST /kiosk/requests/{requestId}/outcome` → delivered pages, voided
 *    pages and the refund, per copy and in all, as the ledger recorded them
 *    (the first page not printed is reported as `printFailure`:
 *    `RENDER_FAILED`, `WRITE_FAILED`).
 *
 * `run(choice)` does it all at once; a screen that asks the applicant
 * between steps uses the steps one by one — `authenticate(card, pin)` (the
 * PIN is used there and not kept), `household(session)`, `issue(session,
 * choice)` (request, print, report, alarms) — carrying only the returned
 * {@linkcode KioskSession} between them.
 *
 * Trust is pinned: the center's response-signing keys come only from the
 * kiosk's provisioning (`keyList`, read from the file the center's key
 * store exports — {@linkcode loadProvisionedKeyList}), never from the link;
 * a kiosk without them refuses to start. Every call carries the kiosk's own
 * `X-Request-Id`, and every answer is checked against its signature
 * (`X-Center-Signature` over method, path, that request id, status, body)
 * and parsed with the protocol's schema (lib/contracts/kiosk_center.ts)
 * before it is used. Before printing, the released document is checked
 * against the kiosk's own session (services/kiosk/document_check.ts: the
 * session, the card's serial, its municipality, the issue number, the type,
 * and that every person on it is one the kiosk asked for). An answer that
 * fails any check prints nothing: the applicant sees a refusal
 * (lib/refusals/kiosk.ts), the failure is reported to the center
 * (`POST /kiosk/failures`: it voids what it released on that session),
 * logged (codes only) and counted (`kiosk_refused_answers_total`).
 *
 * Logs (with a `logger`): each run has a correlation id
 * (lib/contracts/correlation.ts) sent as `X-Correlation-Id` on every call, so
 * the center's and the ASP node's lines for the run carry it too. One line
 * per call at debug (path, status, refusal code), and one outcome line at
 * info — `issued` (issuance request id, issue number, pages, delivered,
 * voided, refund) or `refused` (stage, code, status) — plus the alarms and a
 * run that failed. Never a name, an address or a PIN: the kiosk logs ids,
 * codes and counts only.
 *
 * @module
 */
import type { z } from "zod";
import { type Card, CardError } from "../../lib/card/card.ts";
import type { KeyList } from "../../lib/crypto/key_list.ts";
import { readKeyListFile } from "../../lib/crypto/key_store.ts";
import type { Counter, MetricsRegistry } from "../../lib/service/metrics.ts";
import {
  KIOSK_PRINT_FAILURES,
  KIOSK_REFUSALS,
  type KioskPrintFailureCode,
} from "../../lib/refusals/kiosk.ts";
import { say } from "../../lib/refusals/entry.ts";
import { documentProblems } from "./document_check.ts";
import { PageRenderError, type Renderer } from "../../lib/render/mod.ts";
import { CERTIFICATE_CATALOGUE } from "../../lib/certificate/types/mod.ts";
import type {
  BackSide,
  CertificateType,
  JuminhyoOptions,
  SheetContent,
} from "../../lib/certificate/model.ts";
import {
  cardAuthenticationSchema,
  type DOCUMENT_PROBLEMS,
  type KIOSK_FAILURE_REASONS,
  kioskFailureRecordedSchema,
  type KioskFailureReport,
  kioskHouseholdSchema,
  kioskSessionSchema,
  printOutcomeSchema,
  releasedDocumentSchema,
  verifyCenterResponse,
} from "../../lib/contracts/kiosk_center.ts";
import { decodeBackSide, decodeSheet } from "../../lib/contracts/sheet_wire.ts";
import type { HouseholdFormat } from "../../lib/contracts/form_profile.ts";
import { ContractError, parseMessage } from "../../lib/contracts/wire.ts";
import {
  CORRELATION_HEADER,
  newCorrelationId,
} from "../../lib/contracts/correlation.ts";
import type { Logger } from "../../lib/service/logger.ts";

/** How the kiosk reaches the center. */
export interface KioskOptions {
  /** The center's base URL (ignored by an in-process `fetch`). */
  centerUrl: string;
  /**
   * A bearer token at the center; omitted where the kiosk's TLS client
   * certificate (its `fetch`, lib/tls `mtlsFetch`) identifies it.
   */
  token?: string;
  /** HTTP client (default `fetch`; mTLS with the kiosk's certificate, or in-process in tests). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /**
   * The center's response-signing keys, from this kiosk's provisioning
   * ({@linkcode loadProvisionedKeyList}); required, never fetched.
   */
  keyList: KeyList;
  /**
   * Check the center's signature on every answer (default true), or only on
   * the released document ("document": load generators).
   */
  verifySignatures?: boolean | "document";
  /**
   * For 世帯全員 on a session whose household was not read yet, read it
   * first, so the document check knows who may be on the certificate
   * (default true). false (load generators): the check then holds the
   * session, the card, the issue number, the applicant and no one twice.
   */
  readHouseholdForAll?: boolean;
  /**
   * Renders the print (needed only to write a PDF: without it, a released
   * document asked with `pdfPath` is reported as not printed, RENDER_FAILED).
   */
  renderer?: () => Promise<Renderer>;
  /** Kiosk events (screens, alarms), in order. */
  onEvent?: (e: KioskEvent) => void;
  /** Where the kiosk logs its runs (default: nowhere). */
  logger?: Logger;
  /**
   * Where the kiosk counts the answers it refused (default: nowhere); one
   * kiosk per registry (the counter is registered when the kiosk is made).
   */
  metrics?: MetricsRegistry;
}

/** Something the kiosk shows or sounds. */
export type KioskEvent =
  | { kind: "screen"; message_ja: string }
  | { kind: "alarm"; what: "card" | "paper"; message_ja: string };

/** What the applicant chooses at the kiosk. */
export interface KioskChoice {
  card: Card;
  pin: string;
  type: CertificateType;
  members?: "self" | "all" | string[];
  options?: Partial<JuminhyoOptions>;
  /**
   * 部数: how many copies (1–10, default 1). Each copy is one certificate —
   * or, where the municipality prints 個票式, one per person — each its own
   * document (発行番号, fee).
   */
  copies?: number;
  /**
   * Simulate a paper jam on this page (1-based, in print order over all
   * copies; -1: the last): the copy it hits is voided and refunded, the
   * other copies delivered.
   */
  jamPage?: number | null;
  /**
   * Simulate a paper jam on the first sheet of this certificate (1-based
   * over every copy's certificates; overrides `jamPage`).
   */
  jamCopy?: number | null;
  /**
   * Write the printed pages (front and back) here. Without it nothing is
   * rendered (load generators): every page not jammed counts as delivered.
   */
  pdfPath?: string;
  /** The applicant walks away without the card / the paper. */
  leaveCard?: boolean;
  leavePaper?: boolean;
  /** How long the kiosk waits before sounding an alarm (default 10 s). */
  alarmAfterMs?: number;
}

/** What a step-by-step issue takes: the choice without the card and PIN. */
export type KioskIssueChoice = Omit<KioskChoice, "card" | "pin">;

/** An authenticated session: all the steps after authentication need. */
export interface KioskSession {
  ok: true;
  /** The center's session id. */
  sessionId: string;
  /** The run's correlation id (in the center's and the ASP's logs too). */
  correlationId: string;
  /** The serial of the card authenticated (read from the card, confirmed by the center). */
  cardSerial: string;
  /** The card's municipality (the center's signed answer). */
  municipalityCode: string;
  /** The municipality's fee per copy today by type, yen (the center's signed answer). */
  fees?: Partial<Record<CertificateType, number>>;
}

/**
 * What the steps after authentication carry: the session, as kept between
 * requests. {@linkcode Kiosk.household} records the resident ids the center
 * listed (`household`, the applicant first) on the ref it is given, so the
 * document check knows who may be on the certificate.
 */
export type KioskSessionRef =
  & Pick<
    KioskSession,
    "sessionId" | "correlationId" | "cardSerial" | "municipalityCode"
  >
  & { household?: string[] };

/** The applicant's household as the center lists it. */
export interface KioskHousehold {
  ok: true;
  /** The applicant first, then the others in certificate order (j1010). */
  members: { residentId: string; name: string; relationship: string }[];
  /**
   * How the municipality prints a 住民票 of several members (個票式: a
   * certificate and a fee per person; 世帯連記式: one), for the fee quote;
   * absent when the center did not say (unknown).
   */
  householdFormat?: HouseholdFormat;
}

/** A refusal, by the card or by the center. */
export interface KioskRefusal {
  ok: false;
  /** The run's correlation id (in the center's and the ASP's logs too). */
  correlationId?: string;
  /** Where it was refused. */
  stage:
    | "card"
    | "session"
    | "authenticate"
    | "household"
    | "certificate"
    | "outcome";
  code: string;
  message_ja: string;
  message_en: string;
  status?: number;
  /** Card refusals: wrong PINs still allowed. */
  remainingTries?: number;
}

/** One copy on the receipt. */
export interface ReceiptCopy {
  copy: number;
  issueNumber: string;
  status: "delivered" | "voided";
  /** Its pages, in print order over all copies. */
  pages: number[];
  /** Yen charged for it after its refund. */
  fee: number;
  refund: number;
}

/**
 * A sheet the kiosk could not print (render or write): it and the sheets
 * after it were voided and refunded, as at a jam.
 */
export interface KioskPrintFailure {
  /** The first sheet not printed (1-based). */
  page: number;
  /** Why (reported to the center as `printFailure.reason`). */
  reason: KioskPrintFailureCode;
  /** What the screen showed. */
  message_ja: string;
  message_en: string;
}

/** A completed run. */
export interface KioskReceipt {
  ok: true;
  requestId: string;
  /** The run's correlation id (in the center's and the ASP's logs too). */
  correlationId: string;
  /** The first copy's 発行番号 (every copy's is in `copies`). */
  issueNumber: string;
  municipalityCode: string;
  /** Sheets printed or voided, all copies. */
  pages: number;
  /** Pages in print order over all copies. */
  delivered: number[];
  voided: number[];
  /** Yen charged after any refund, all copies. */
  fee: number;
  refund: number;
  /** Each copy: its 発行番号, delivered or voided, its pages, fee and refund. */
  copies: ReceiptCopy[];
  /**
   * Who is printed, page after page (resident ids, for tests and the
   * summary; a 世帯連記式 sheet's further members after its subject).
   */
  subjects: string[];
  /** The released document, decoded on first read (tests check it). */
  readonly sheets: SheetContent[];
  readonly backs: BackSide[];
  /** The PDF written (absent when nothing was printed). */
  pdfPath?: string;
  /** A sheet the kiosk could not print (render or write), if any. */
  printFailure?: KioskPrintFailure;
  alarms: ("card" | "paper")[];
}

/** A kiosk. */
export interface Kiosk {
  /** One whole run: authenticate, request, print, report, alarms. */
  run(choice: KioskChoice): Promise<KioskReceipt | KioskRefusal>;
  /** A session and the card's signature (PIN checked by the card) → an authenticated session. */
  authenticate(card: Card, pin: string): Promise<KioskSession | KioskRefusal>;
  /** The household's names for an authenticated session (it stays usable). */
  household(session: KioskSessionRef): Promise<KioskHousehold | KioskRefusal>;
  /** The certificate on an authenticated session: request, print, report, alarms. */
  issue(
    session: KioskSessionRef,
    choice: KioskIssueChoice,
  ): Promise<KioskReceipt | KioskRefusal>;
}

const ALARM_MESSAGES = {
  card: "カードのお取り忘れにご注意ください。カードをお取りください。",
  paper: "証明書のお取り忘れにご注意ください。用紙をお取りください。",
} as const;

/** What one kiosk holds between runs. */
interface KioskState {
  opts: KioskOptions;
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  verify: boolean | "document";
  keyList: KeyList;
  /** `kiosk_refused_answers_total`, when the kiosk has a metrics registry. */
  refusedAnswers?: Counter;
}

/** One run: its correlation id and its logger (which gains the request id once released). */
interface Run {
  correlationId: string;
  log?: Logger;
  /** The center's session, once its answer was verified. */
  sessionId?: string;
}

type FailureReason = typeof KIOSK_FAILURE_REASONS[number];
type Problem = typeof DOCUMENT_PROBLEMS[number];

/** An answer the kiosk will not use: nothing is printed, the center is told. */
class Untrusted extends Error {
  constructor(
    readonly stage: KioskRefusal["stage"],
    readonly reason: FailureReason,
    readonly detail: { why?: string; problems?: Problem[] } = {},
  ) {
    super(`${stage}: ${reason} ${detail.why ?? detail.problems?.join(",")}`);
    this.name = "Untrusted";
  }
}

/** An answer of the center, its body parsed as JSON (or a `NOT_JSON` stand-in). */
interface CenterAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** The released document as the kiosk holds it, decoded on first use. */
interface Released {
  doc: z.infer<typeof releasedDocumentSchema>;
  sheets(): SheetContent[];
  backs(): BackSide[];
}

/**
 * Creates a kiosk.
 *
 * @example
 * ```ts ignore
 * const kiosk = createKiosk({
 *   centerUrl: "https://localhost:8103",
 *   fetch: mtlsFetch(await readTlsIdentity(tlsFiles(Deno.env, "KIOSK", "kiosk-0001"))),
 *   keyList: await loadProvisionedKeyList("data/jlis/keys/jlis-keys.json"),
 * });
 * const r = await kiosk.run({ card, pin: "1234", type: "juminhyo", members: "all", pdfPath: "out.pdf" });
 * ```
 */
export function createKiosk(opts: KioskOptions): Kiosk {
  if (!opts.keyList?.keys?.length) {
    throw new TypeError(
      "A kiosk needs the center's key list from its provisioning (keyList): it never fetches it",
    );
  }
  const st: KioskState = {
    opts,
    fetch: opts.fetch ?? ((input, init) => fetch(input, init)),
    verify: opts.verifySignatures ?? true,
    keyList: opts.keyList,
    refusedAnswers: opts.metrics?.counter(
      "kiosk_refused_answers_total",
      "Answers of the center the kiosk refused to use (nothing printed), by stage and reason",
    ),
  };
  return {
    run: (choice) => runKiosk(st, choice),
    authenticate: (card, pin) => authenticateOnly(st, card, pin),
    household: (session) => householdOf(st, session),
    issue: (session, choice) => issueOn(st, session, choice),
  };
}

function emit(st: KioskState, e: KioskEvent): void {
  st.opts.onEvent?.(e);
}

/**
 * Reads the center's public key list a kiosk is provisioned with (the file
 * the center's key store exports, `jlis-keys.json`); throws naming the file
 * when it is missing or malformed — a kiosk without it does not run.
 *
 * @example
 * ```ts ignore
 * const kiosk = createKiosk({ centerUrl, token, keyList: await loadProvisionedKeyList("data/jlis/keys/jlis-keys.json") });
 * ```
 */
export function loadProvisionedKeyList(path: string): Promise<KeyList> {
  return readKeyListFile(path);
}

/** One call to the center; its signature checked before the body is read. */
async function callCenter(
  st: KioskState,
  run: Run,
  stage: KioskRefusal["stage"],
  path: string,
  body: unknown,
  method: "GET" | "POST" = "POST",
): Promise<CenterAnswer> {
  const callId = `kiosk-${crypto.randomUUID()}`;
  const res = await st.fetch(`${st.opts.centerUrl}${path}`, {
    method,
    headers: {
      ...(st.opts.token ? { Authorization: `Bearer ${st.opts.token}` } : {}),
      "X-Request-Id": callId,
      [CORRELATION_HEADER]: run.correlationId,
      ...(method === "POST" ? { "Content-Type": "application/json" } : {}),
    },
    body: method === "POST" ? JSON.stringify(body) : undefined,
  });
  if (
    st.verify === true ||
    (st.verify === "document" && /\/certificates$/.test(path))
  ) {
    const v = await verifyCenterResponse(res, {
      method,
      path,
      keyList: st.keyList,
      expectRequestId: callId,
    });
    if (!v.ok) {
      await res.body?.cancel();
      throw new Untrusted(stage, "ANSWER_NOT_SIGNED", { why: v.reason });
    }
  }
  const text = await res.text();
  let answer: CenterAnswer;
  try {
    answer = { status: res.status, body: JSON.parse(text) };
  } catch {
    answer = {
      status: res.status,
      body: { code: "NOT_JSON", message_en: text.slice(0, 200) },
    };
  }
  run.log?.debug("center answered", {
    path,
    status: answer.status,
    centerRequestId: res.headers.get("X-Request-Id") ?? undefined,
    ...(answer.status >= 400 ? { code: String(answer.body.code) } : {}),
  });
  return answer;
}

/** The center's refusal as the kiosk shows it. */
function refused(
  st: KioskState,
  run: Run,
  stage: KioskRefusal["stage"],
  r: CenterAnswer,
): KioskRefusal {
  const out: KioskRefusal = {
    ok: false,
    correlationId: run.correlationId,
    stage,
    code: String(r.body.code ?? "ERROR"),
    message_ja: String(r.body.message_ja ?? "エラーが発生しました。"),
    message_en: String(r.body.message_en ?? ""),
    status: r.status,
  };
  emit(st, { kind: "screen", message_ja: out.message_ja });
  return out;
}

/** Parses an answer with its schema; a malformed one is not used (Untrusted). */
function parseAnswer<S extends z.ZodType>(
  stage: KioskRefusal["stage"],
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  try {
    return parseMessage(schema, value, what);
  } catch (err) {
    if (!(err instanceof ContractError)) throw err;
    throw new Untrusted(stage, "ANSWER_MALFORMED", { why: err.message });
  }
}

/**
 * Nothing is printed: the refusal the applicant sees, the failure logged
 * (codes only) and counted, and reported to the center.
 */
async function untrustedRefusal(
  st: KioskState,
  run: Run,
  err: Untrusted,
): Promise<KioskRefusal> {
  st.refusedAnswers?.inc({ stage: err.stage, reason: err.reason });
  run.log?.error("answer refused: nothing printed", {
    stage: err.stage,
    code: err.reason,
    ...(err.detail.problems ? { problems: err.detail.problems } : {}),
    ...(err.detail.why ? { why: err.detail.why } : {}),
  });
  await reportFailure(st, run, {
    stage: err.stage === "card" ? "authenticate" : err.stage,
    reason: err.reason,
    ...(run.sessionId ? { sessionId: run.sessionId } : {}),
    ...(err.detail.problems ? { problems: err.detail.problems } : {}),
  });
  const { ja, en } = KIOSK_REFUSALS[err.reason];
  emit(st, { kind: "screen", message_ja: ja });
  return {
    ok: false,
    correlationId: run.correlationId,
    stage: err.stage,
    code: err.reason,
    message_ja: ja,
    message_en: en,
  };
}

/**
 * Tells the center what the kiosk refused (`POST /kiosk/failures`). Best
 * effort: the link may be the one that failed; the answer is used only for
 * the log.
 */
async function reportFailure(
  st: KioskState,
  run: Run,
  report: KioskFailureReport,
): Promise<void> {
  try {
    const a = await callCenter(st, run, "outcome", "/kiosk/failures", report);
    const ok = a.status === 200 &&
      kioskFailureRecordedSchema.safeParse(a.body).success;
    run.log?.warn("failure reported to the center", {
      reason: report.reason,
      status: a.status,
      recorded: ok,
    });
  } catch (err) {
    run.log?.warn("failure report not confirmed", {
      reason: report.reason,
      error: err instanceof Untrusted ? err.reason : err,
    });
  }
}

/** Runs a step; an answer that fails the kiosk's checks ends it as a refusal. */
async function refusingUntrusted<T>(
  st: KioskState,
  run: Run,
  step: () => Promise<T | KioskRefusal>,
): Promise<T | KioskRefusal> {
  try {
    return await step();
  } catch (err) {
    if (!(err instanceof Untrusted)) throw err;
    return await untrustedRefusal(st, run, err);
  }
}

/** Steps 1–2: a session, the card's signature on its nonce, authentication. */
async function authenticate(
  st: KioskState,
  run: Run,
  choice: Pick<KioskChoice, "card" | "pin">,
): Promise<
  | {
    sessionId: string;
    cardSerial: string;
    municipalityCode: string;
    fees?: KioskSession["fees"];
  }
  | KioskRefusal
> {
  const session = await callCenter(st, run, "session", "/kiosk/sessions", {});
  if (session.status !== 201) return refused(st, run, "session", session);
  const offer = parseAnswer(
    "session",
    kioskSessionSchema,
    session.body,
    "The center's session",
  );
  run.sessionId = offer.sessionId;
  let signature: Uint8Array;
  try {
    signature = await choice.card.sign(choice.pin, offer.nonce);
  } catch (err) {
    if (!(err instanceof CardError)) throw err;
    emit(st, { kind: "screen", message_ja: err.ja });
    return {
      ok: false,
      correlationId: run.correlationId,
      stage: "card",
      code: err.code,
      message_ja: err.ja,
      message_en: err.en,
      remainingTries: err.remainingTries,
    };
  }
  const auth = await callCenter(
    st,
    run,
    "authenticate",
    `/kiosk/sessions/${offer.sessionId}/authenticate`,
    {
      certificatePem: choice.card.certificatePem,
      signature: signature.toBase64(),
    },
  );
  if (auth.status !== 200) return refused(st, run, "authenticate", auth);
  const authenticated = parseAnswer(
    "authenticate",
    cardAuthenticationSchema,
    auth.body,
    "The center's authentication",
  );
  // The center must have authenticated this card, on this session.
  if (
    authenticated.sessionId !== offer.sessionId ||
    authenticated.cardSerial.toLowerCase() !==
      choice.card.serial.toLowerCase()
  ) {
    throw new Untrusted("authenticate", "DOCUMENT_MISMATCH", {
      problems: authenticated.sessionId !== offer.sessionId
        ? ["session"]
        : ["card-serial"],
    });
  }
  return {
    sessionId: offer.sessionId,
    cardSerial: choice.card.serial.toLowerCase(),
    municipalityCode: authenticated.municipalityCode,
    ...(authenticated.fees ? { fees: authenticated.fees } : {}),
  };
}

/** Between 2 and 3 (optional): the household's names, or the center's refusal. */
async function readHousehold(
  st: KioskState,
  run: Run,
  session: KioskSessionRef,
): Promise<KioskHousehold | KioskRefusal> {
  const answer = await callCenter(
    st,
    run,
    "household",
    `/kiosk/sessions/${session.sessionId}/household`,
    undefined,
    "GET",
  );
  if (answer.status !== 200) return refused(st, run, "household", answer);
  const { members, householdFormat } = parseAnswer(
    "household",
    kioskHouseholdSchema,
    answer.body,
    "The center's household list",
  );
  session.household = members.map((m) => m.residentId);
  return { ok: true, members, ...(householdFormat ? { householdFormat } : {}) };
}

/** Step 3: the released document, or the center's refusal. */
async function requestDocument(
  st: KioskState,
  run: Run,
  session: KioskSessionRef,
  choice: KioskIssueChoice,
): Promise<Released | KioskRefusal> {
  const issued = await callCenter(
    st,
    run,
    "certificate",
    `/kiosk/sessions/${session.sessionId}/certificates`,
    {
      type: choice.type,
      members: choice.members ?? "self",
      options: {
        honseki: choice.options?.honseki ?? false,
        zokugara: choice.options?.zokugara ?? false,
        myNumber: choice.options?.myNumber ?? false,
      },
      copies: choice.copies ?? 1,
    },
  );
  if (issued.status !== 200) return refused(st, run, "certificate", issued);
  const doc = parseAnswer(
    "certificate",
    releasedDocumentSchema,
    issued.body,
    "The released document",
  );
  const problems = documentProblems(doc, {
    sessionId: session.sessionId,
    cardSerial: session.cardSerial,
    municipalityCode: session.municipalityCode,
    type: choice.type,
    members: choice.members ?? "self",
    copies: choice.copies ?? 1,
    household: session.household,
  });
  if (problems.length) {
    throw new Untrusted("certificate", "DOCUMENT_MISMATCH", { problems });
  }
  let sheets: SheetContent[] | undefined;
  let backs: BackSide[] | undefined;
  return {
    doc,
    sheets: () => sheets ??= doc.sheets.map(decodeSheet),
    backs: () => backs ??= doc.backs.map(decodeBackSide),
  };
}

/** What the printer did. */
interface Printed {
  /** The PDF written, if any page was. */
  pdfPath?: string;
  /**
   * The first page not printed (in print order over all copies) and why: its
   * copy and every later one are voided.
   */
  failure?: { page: number; reason: KioskPrintFailureCode };
}

/**
 * Step 4: renders the pages to print (front and back of each; 1-based, in
 * print order over all copies; each copy its own document) — all of them,
 * before the outcome is reported — and writes them into the PDF, if asked.
 * A page that cannot be rendered stops the print there: the copies before
 * its copy are printed, its copy and the later ones are not (a failure at
 * that page). A sheet not rendered after a jam stops the print from the
 * jammed copy on (a failure at its first page: one stop per print). A PDF
 * that cannot be written prints nothing (a failure at page 1). Never throws for what the released document holds: after the
 * release, every page either prints or is reported as not printed.
 */
async function print(
  st: KioskState,
  run: Run,
  released: Released,
  choice: KioskIssueChoice,
  printed: number[],
  jam: number | null,
): Promise<Printed> {
  if (!choice.pdfPath || printed.length === 0) return {};
  let pdf: Uint8Array | undefined;
  let failure: Printed["failure"];
  try {
    pdf = await renderPages(st, released, printed);
  } catch (err) {
    // PageRenderError counts the PDF's pages: map it back to print order.
    const at = err instanceof PageRenderError
      ? printed[err.page - 1] ?? printed[0]
      : printed[0];
    // A print stops once: a sheet not rendered after a jam stops it from the
    // jammed copy on (reported as the failure, at that copy's first page).
    const jammed = jam === null ? undefined : copyAt(released.doc, jam);
    const page = jammed && at > jam!
      ? firstPageOf(released.doc, jammed.copy)
      : at;
    failure = { page, reason: "RENDER_FAILED" };
    run.log?.error("page not rendered: print stopped", {
      page,
      ...(err instanceof PageRenderError ? { side: err.side } : {}),
      error: err,
    });
    // The copies before its copy still print.
    const first = firstPageOf(
      released.doc,
      copyAt(released.doc, page)?.copy ?? 1,
    );
    const before = printed.filter((p) => p < first);
    if (before.length > 0) {
      pdf = await renderPages(st, released, before).catch((again) => {
        run.log?.error("page not rendered: print stopped", {
          page: before[0],
          error: again,
        });
        failure = { page: before[0], reason: "RENDER_FAILED" };
        return undefined;
      });
    }
  }
  if (!pdf) return { failure };
  try {
    await Deno.writeFile(choice.pdfPath, pdf);
  } catch (err) {
    run.log?.error("print not written: nothing printed", { error: err });
    await Deno.remove(choice.pdfPath).catch(() => {});
    return { failure: { page: 1, reason: "WRITE_FAILED" } };
  }
  return { pdfPath: choice.pdfPath, failure };
}

/**
 * The given pages (1-based, in print order over all copies; front and back)
 * as one PDF, each copy its own document; throws what the renderer throws
 * (PageRenderError counts the PDF's pages).
 */
async function renderPages(
  st: KioskState,
  released: Released,
  printed: number[],
): Promise<Uint8Array> {
  if (!st.opts.renderer) throw new TypeError("Writing a PDF needs a renderer");
  const renderer = await st.opts.renderer();
  const sheets = released.sheets();
  const backs = released.backs();
  // Each copy printed is its own document (its own 発行番号).
  const docs = released.doc.copies.map((c) => {
    const first = firstPageOf(released.doc, c.copy);
    const pages = printed.filter((p) => p >= first && p < first + c.pages);
    return {
      doc: {
        requestId: released.doc.requestId,
        sheets: pages.map((p) => sheets[p - 1]),
      },
      backs: pages.map((p) => backs[p - 1]),
    };
  }).filter((d) => d.doc.sheets.length > 0);
  return renderer.pdfOfDocuments(docs);
}

/** The first page of a copy, in print order over all copies. */
function firstPageOf(doc: Released["doc"], copy: number): number {
  return 1 + doc.copies.filter((c) => c.copy < copy).reduce(
    (n, c) => n + c.pages,
    0,
  );
}

/** The copy a page (in print order) belongs to. */
function copyAt(
  doc: Released["doc"],
  page: number,
): Released["doc"]["copies"][number] | undefined {
  return doc.copies.find((c) => {
    const first = firstPageOf(doc, c.copy);
    return page >= first && page < first + c.pages;
  });
}

/** The page the simulated jam hits (in print order), or null. */
function jamPageOf(
  doc: Released["doc"],
  choice: KioskIssueChoice,
): number | null {
  if (choice.jamCopy != null) {
    return doc.copies.some((c) => c.copy === choice.jamCopy)
      ? firstPageOf(doc, choice.jamCopy)
      : doc.pages + 1; // beyond the print: the center refuses the report
  }
  return choice.jamPage === -1 ? doc.pages : choice.jamPage ?? null;
}

/** The card or the paper left behind sounds its alarm after a while. */
async function leaveBehindAlarms(
  st: KioskState,
  choice: KioskIssueChoice,
  deliveredAny: boolean,
): Promise<("card" | "paper")[]> {
  const left: ("card" | "paper")[] = [];
  if (choice.leaveCard) left.push("card");
  if (choice.leavePaper && deliveredAny) left.push("paper");
  if (!left.length) return [];
  await new Promise((r) => setTimeout(r, choice.alarmAfterMs ?? 10_000));
  for (const what of left) {
    emit(st, { kind: "alarm", what, message_ja: ALARM_MESSAGES[what] });
  }
  return left;
}

/** A new run: a new correlation id, and a logger carrying it. */
function newRun(st: KioskState): Run {
  return runOf(st, newCorrelationId("run"));
}

/** The run of a correlation id (a session's, for the steps after authentication). */
function runOf(st: KioskState, correlationId: string, sessionId?: string): Run {
  return {
    correlationId,
    sessionId,
    log: st.opts.logger?.child({ correlationId }),
  };
}

/** Runs a step, logging the error that ends it (and rethrowing it). */
async function failLogged<T>(run: Run, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    run.log?.error("run failed", { error: err });
    throw err;
  }
}

/** The refusal's outcome line. */
function logRefused(
  run: Run,
  r: KioskRefusal,
  type?: CertificateType,
): void {
  run.log?.info("refused", {
    ...(type ? { type } : {}),
    stage: r.stage,
    code: r.code,
    ...(r.status !== undefined ? { status: r.status } : {}),
  });
}

/** Step by step, 1–2: an authenticated session (the PIN is not kept). */
function authenticateOnly(
  st: KioskState,
  card: Card,
  pin: string,
): Promise<KioskSession | KioskRefusal> {
  const run = newRun(st);
  return failLogged(run, async () => {
    const r = await refusingUntrusted(
      st,
      run,
      () => authenticate(st, run, { card, pin }),
    );
    if ("ok" in r) {
      logRefused(run, r);
      return r;
    }
    return {
      ok: true,
      sessionId: r.sessionId,
      correlationId: run.correlationId,
      cardSerial: r.cardSerial,
      municipalityCode: r.municipalityCode,
      ...(r.fees ? { fees: r.fees } : {}),
    };
  });
}

/** Step by step: the household's names on an authenticated session. */
function householdOf(
  st: KioskState,
  session: KioskSessionRef,
): Promise<KioskHousehold | KioskRefusal> {
  const run = runOf(st, session.correlationId, session.sessionId);
  return failLogged(run, async () => {
    const r = await refusingUntrusted(
      st,
      run,
      () => readHousehold(st, run, session),
    );
    if (!r.ok) logRefused(run, r);
    return r;
  });
}

/** Step by step, 3–5: the certificate on an authenticated session. */
function issueOn(
  st: KioskState,
  session: KioskSessionRef,
  choice: KioskIssueChoice,
): Promise<KioskReceipt | KioskRefusal> {
  const run = runOf(st, session.correlationId, session.sessionId);
  return failLogged(run, async () => {
    const r = await refusingUntrusted(
      st,
      run,
      () => issueSteps(st, run, session, choice),
    );
    logOutcome(run, choice.type, r);
    return r;
  });
}

/** The outcome line of a request: issued, or refused. */
function logOutcome(
  run: Run,
  type: CertificateType,
  r: KioskReceipt | KioskRefusal,
): void {
  if (r.ok) {
    run.log?.info("issued", {
      type,
      pages: r.pages,
      delivered: r.delivered.length,
      voided: r.voided.length,
      fee: r.fee,
      refund: r.refund,
      ...(r.printFailure
        ? {
          printFailure: r.printFailure.reason,
          failedPage: r.printFailure.page,
        }
        : {}),
    });
  } else logRefused(run, r, type);
}

/** One kiosk run, logged: its outcome line, or the error that ended it. */
function runKiosk(
  st: KioskState,
  choice: KioskChoice,
): Promise<KioskReceipt | KioskRefusal> {
  const run = newRun(st);
  return failLogged(run, async () => {
    const r = await refusingUntrusted(st, run, () => runSteps(st, run, choice));
    logOutcome(run, choice.type, r);
    return r;
  });
}

/** The steps of one run: authenticate, request, print, report, alarms. */
async function runSteps(
  st: KioskState,
  run: Run,
  choice: KioskChoice,
): Promise<KioskReceipt | KioskRefusal> {
  const session = await authenticate(st, run, choice);
  if ("ok" in session) return session;
  return await issueSteps(st, run, {
    ...session,
    correlationId: run.correlationId,
  }, choice);
}

/** Steps 3–5 on an authenticated session: request, print, report, alarms. */
async function issueSteps(
  st: KioskState,
  run: Run,
  session: KioskSessionRef,
  choice: KioskIssueChoice,
): Promise<KioskReceipt | KioskRefusal> {
  // The whole household: who is in it comes from the center's own signed
  // list for this session, read first when not yet known.
  if (
    choice.members === "all" && !session.household &&
    CERTIFICATE_CATALOGUE[choice.type].household &&
    st.opts.readHouseholdForAll !== false
  ) {
    const listed = await readHousehold(st, run, session);
    if (!listed.ok) return listed;
  }
  const released = await requestDocument(st, run, session, choice);
  if ("ok" in released) return released;
  const { doc } = released;
  run.log = run.log?.child({
    issuanceRequestId: doc.requestId,
    issueNumber: doc.issueNumber,
    municipalityCode: doc.municipalityCode,
  });
  const jam = jamPageOf(doc, choice);
  // A jam voids the copy it hits; every other copy is printed.
  const jammed = jam === null ? undefined : copyAt(doc, jam);
  const printed = doc.copies.filter((c) => c !== jammed).flatMap((c) =>
    Array.from({ length: c.pages }, (_, i) => firstPageOf(doc, c.copy) + i)
  );
  const { pdfPath, failure } = await print(
    st,
    run,
    released,
    choice,
    printed,
    jam,
  );
  let printFailure: KioskPrintFailure | undefined;
  if (failure) {
    const { ja, en } = say(KIOSK_PRINT_FAILURES[failure.reason], failure);
    printFailure = { ...failure, message_ja: ja, message_en: en };
    emit(st, { kind: "screen", message_ja: ja });
  } else if (jam !== null) {
    emit(st, {
      kind: "screen",
      message_ja: `用紙が詰まりました（${
        jammed ? `${jammed.copy}通目、` : ""
      }${jam}枚目）。その証明書の用紙は無効となり、店員が「無効」と押印してお返しします。その証明書の料金は返金します。`,
    });
  }
  // The print stopped once: at the first page it could not print (before
  // any jam), or at the jam.
  const outcome = await callCenter(
    st,
    run,
    "outcome",
    `/kiosk/requests/${doc.requestId}/outcome`,
    failure ? { jammedPage: null, printFailure: failure } : { jammedPage: jam },
  );
  if (outcome.status !== 200) return refused(st, run, "outcome", outcome);
  const o = parseAnswer(
    "outcome",
    printOutcomeSchema,
    outcome.body,
    "The center's print outcome",
  );
  const alarms = await leaveBehindAlarms(st, choice, o.delivered.length > 0);
  for (const what of alarms) {
    run.log?.warn("alarm: left behind", { what });
  }
  return {
    ok: true,
    requestId: doc.requestId,
    correlationId: run.correlationId,
    issueNumber: doc.issueNumber,
    municipalityCode: doc.municipalityCode,
    pages: doc.pages,
    delivered: o.delivered,
    voided: o.voided,
    fee: o.fee,
    refund: o.refund,
    copies: o.copies,
    subjects: doc.sheets.flatMap((s) =>
      [s.subject, ...(s.type === "juminhyo" ? s.members ?? [] : [])].map((p) =>
        p.residentId
      )
    ),
    get sheets() {
      return released.sheets();
    },
    get backs() {
      return released.backs();
    },
    pdfPath,
    ...(printFailure ? { printFailure } : {}),
    alarms,
  };
}
