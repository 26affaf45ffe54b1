/**
 * One verification, end to end: read the multipart upload under a byte
 * limit, sniff and check the file (scan_guard.ts), decode the back side
 * (lib/backside `decodeScan`) — in the worker pool (decode_pool.ts) when
 * the portal has one, else on this thread with a bounded number running at
 * once — ask
 * the center's ledger whether a genuine certificate was voided or revoked
 * (and answer anyway, with a note, when the ledger does not answer), audit
 * the outcome, and forget the scan: its bytes are overwritten before the
 * answer leaves, and nothing of it is written anywhere.
 *
 * @module
 */
import { parseSimpleMultipart, simpleBoundary } from "./multipart.ts";
import type { SheetContent } from "../../lib/certificate/model.ts";
import type { ContentKey } from "../../lib/crypto/content_key.ts";
import type { KeyList } from "../../lib/crypto/key_list.ts";
import {
  decodeScan,
  type DecodeScanOptions,
  type ScanVerification,
} from "../../lib/backside/decode_scan.ts";
import type { Logger } from "../../lib/service/logger.ts";
import { safeError } from "../../lib/service/logger.ts";
import type { Clock } from "../../lib/time/clock.ts";
import type { AuditSink } from "./audit.ts";
import type { DecodePool, PoolDecodeOutcome } from "./decode_pool.ts";
import { type Refusal, refusal } from "./refusals.ts";
import {
  inspectScan,
  type PdfInspector,
  type ScanKind,
  type ScanLimits,
} from "./scan_guard.ts";
import {
  type LedgerStatus,
  portalReason,
  type PortalVerdict,
  type StatusCheck,
  statusNote,
} from "./verdicts.ts";

/**
 * Looks an issue number up in the center's issuance ledger: the status of
 * one of its sheets when `page` is given (a sheet of a partly jammed issue
 * is valid, the jammed one voided), else of the certificate.
 */
export type StatusLookup = (
  issueNumber: string,
  page?: number,
) => Promise<LedgerStatus>;

/** One sheet's verdict (a back side of the upload) and its front as issued. */
export interface SheetResult {
  /** The page of the uploaded file the back side was on (1-based). */
  filePage: number;
  verdict: PortalVerdict;
  reason: { code: string; ja: string; en: string };
  status: StatusCheck;
  statusNote?: { ja: string; en: string };
  issueNumber?: string;
  keyId?: string;
  /** The decoded sheet: only when the content could be read. */
  certificate?: SheetContent;
  /** The front re-rendered, reduced (PNG): only when the content could be read. */
  frontImagePng?: Uint8Array;
}

/**
 * A verdict with everything the page and the API show: the overall verdict
 * (the worst sheet's, whose details it repeats) and every sheet's own.
 */
export interface VerificationResult {
  verdict: PortalVerdict;
  reason: { code: string; ja: string; en: string };
  status: StatusCheck;
  statusNote?: { ja: string; en: string };
  issueNumber?: string;
  keyId?: string;
  /** The decoded sheet: only when the content could be read. */
  certificate?: SheetContent;
  /** The front re-rendered, reduced (PNG): only when the content could be read. */
  frontImagePng?: Uint8Array;
  fileType: ScanKind;
  ms: number;
  /** Every back side of the upload, in file order (one for a one-sheet scan). */
  sheets: SheetResult[];
  /** Pages of the file skipped as fronts (no back-side codes beside back sides). */
  frontPages: number[];
}

/** A verification's outcome: a verdict, or a refusal of the request or file. */
export type VerifyOutcome =
  | { ok: true; result: VerificationResult }
  | { ok: false; refusal: Refusal };

/** Who asked, for the audit. */
export interface Requester {
  channel: "form" | "api";
  /** `key:<id>` or `anon:<hash>`. */
  client: string;
  requestId: string;
}

/** Dependencies of {@linkcode createVerifier}. */
export interface VerifierOptions {
  keyList: KeyList;
  decryptionKeys: ReadonlyArray<ContentKey>;
  statusLookup: StatusLookup;
  /** Renders the reduced front image of a decoded sheet. */
  renderFront?: (sheet: SheetContent) => Promise<Uint8Array>;
  limits: ScanLimits;
  audit: AuditSink;
  clock: Clock;
  logger: Logger;
  /** Replaces `decodeScan` (tests of the pages). */
  decode?: (
    bytes: Uint8Array,
    options: DecodeScanOptions,
  ) => Promise<ScanVerification>;
  /** Replaces `pdfinfo` (tests). */
  pdfInspector?: PdfInspector;
  /** How long to wait for the ledger (default 2 s). */
  statusTimeoutMs?: number;
  /**
   * Decodes in these workers (browser uploads first; each channel has its
   * own queue bound). Without it, scans decode on this thread.
   */
  pool?: DecodePool;
  /** On this thread: decodes running at once (default 2) and waiting (default 16). */
  maxConcurrent?: number;
  maxQueue?: number;
}

/** Options of {@linkcode Verifier.verifyRequest}. */
export interface VerifyRequestOptions {
  /** Checks the form's other fields (CSRF) before anything is decoded. */
  checkFields?: (
    fields: Record<string, string>,
  ) => Promise<Refusal | undefined>;
}

/** The verifier. */
export interface Verifier {
  /** Reads the upload (field `scan`) from a multipart request and verifies it. */
  verifyRequest(
    req: Request,
    who: Requester,
    options?: VerifyRequestOptions,
  ): Promise<VerifyOutcome & { fields: Record<string, string> }>;
  /** Verifies scan bytes. The bytes are overwritten afterwards. */
  verifyBytes(bytes: Uint8Array, who: Requester): Promise<VerifyOutcome>;
}

/** Room for the multipart framing and the small form fields. */
const FORM_OVERHEAD = 64 * 1024;

type Upload =
  | { ok: true; scan?: Uint8Array; fields: Record<string, string> }
  | { ok: false; refusal: Refusal };

async function readUpload(req: Request, maxBytes: number): Promise<Upload> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;\s*boundary=/i.test(type)) {
    await req.body?.cancel().catch(() => {});
    return { ok: false, refusal: refusal("NOT_MULTIPART") };
  }
  const tooLarge = () => ({
    ok: false as const,
    refusal: refusal("SCAN_TOO_LARGE", {
      maxMb: Math.round(maxBytes / 1024 / 1024),
    }),
  });
  const cap = maxBytes + FORM_OVERHEAD;
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > cap) {
    await req.body?.cancel().catch(() => {});
    return tooLarge();
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  if (req.body) {
    const reader = req.body.getReader();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > cap) {
          await reader.cancel().catch(() => {});
          return tooLarge();
        }
        parts.push(value);
      }
    } catch {
      return { ok: false, refusal: refusal("MALFORMED_UPLOAD") };
    }
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    body.set(p, at);
    at += p.length;
    p.fill(0);
  }
  const boundary = simpleBoundary(type);
  const simple = boundary ? parseSimpleMultipart(body, boundary) : undefined;
  if (simple) {
    const fields: Record<string, string> = {};
    let scan: Uint8Array | undefined;
    const decoder = new TextDecoder();
    for (const part of simple) {
      if (part.filename === undefined) {
        if (!(part.name in fields) && part.name.length <= 64) {
          fields[part.name] = decoder.decode(part.data).slice(0, 256);
        }
      } else if (part.name === "scan" && !scan) {
        scan = part.data.slice(); // its own buffer: transferred to a worker
      }
    }
    body.fill(0);
    return { ok: true, scan, fields };
  }
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": type } })
      .formData();
  } catch {
    return { ok: false, refusal: refusal("MALFORMED_UPLOAD") };
  } finally {
    body.fill(0);
  }
  const fields: Record<string, string> = {};
  let scan: Uint8Array | undefined;
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") {
      if (!(name in fields) && name.length <= 64) {
        fields[name] = value.slice(0, 256);
      }
    } else if (name === "scan" && !scan) {
      scan = new Uint8Array(await value.arrayBuffer());
    }
  }
  return { ok: true, scan, fields };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${ms} ms`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

const LEDGER_STATUSES = new Set(["valid", "voided", "revoked", "unknown"]);

/** Decodes running at once, and the ones waiting for a turn. */
interface DecodeGate {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  active: number;
  readonly waiting: Array<() => void>;
}

/** Takes a turn to decode: false when the queue is full. */
async function acquire(gate: DecodeGate): Promise<boolean> {
  if (gate.active < gate.maxConcurrent) {
    gate.active++;
    return true;
  }
  if (gate.waiting.length >= gate.maxQueue) return false;
  await new Promise<void>((resolve) => gate.waiting.push(resolve));
  return true;
}

/** Hands the turn to the next waiting decode. */
function release(gate: DecodeGate): void {
  const next = gate.waiting.shift();
  if (next) next();
  else gate.active--;
}

/** A verifier's options and its decode gate. */
interface VerifierState {
  readonly options: VerifierOptions;
  readonly decode: NonNullable<VerifierOptions["decode"]>;
  readonly gate: DecodeGate;
}

/** What the file was, for the audit. */
interface FileFacts {
  fileType?: string;
  bytes?: number;
  /** Sheets verified (back sides found). */
  sheets?: number;
}

/** The audit fields of an outcome. */
function outcomeFields(outcome: VerifyOutcome) {
  return outcome.ok
    ? {
      outcome: "verdict" as const,
      verdict: outcome.result.verdict,
      code: outcome.result.reason.code,
      status: outcome.result.status,
      ...(outcome.result.issueNumber
        ? { issueNumber: outcome.result.issueNumber }
        : {}),
    }
    : {
      outcome: "refused" as const,
      ...(outcome.refusal.verdict ? { verdict: outcome.refusal.verdict } : {}),
      code: outcome.refusal.code,
    };
}

/** Audits an outcome; when the audit cannot be written, refuses instead. */
async function record(
  st: VerifierState,
  who: Requester,
  started: number,
  outcome: VerifyOutcome,
  extra: FileFacts,
): Promise<VerifyOutcome> {
  const { audit, clock, logger } = st.options;
  const ms = Math.round(performance.now() - started);
  try {
    await audit.write({
      time: clock.now().toISOString(),
      requestId: who.requestId,
      channel: who.channel,
      client: who.client,
      ...outcomeFields(outcome),
      ...extra,
      ms,
    });
  } catch (e) {
    logger.error("audit write failed", {
      requestId: who.requestId,
      error: safeError(e),
    });
    return { ok: false, refusal: refusal("AUDIT_UNAVAILABLE") };
  }
  return outcome;
}

/** The ledger's word on an issue number, or "unavailable" (timeout, error, nonsense). */
async function ledgerStatus(
  st: VerifierState,
  issueNumber: string,
  page: number | undefined,
  requestId: string,
): Promise<StatusCheck> {
  const { logger } = st.options;
  try {
    const s = await withTimeout(
      st.options.statusLookup(issueNumber, page),
      st.options.statusTimeoutMs ?? 2000,
    );
    if (LEDGER_STATUSES.has(s)) return s;
    logger.warn("ledger gave an unknown status", {
      requestId,
      status: String(s),
    });
    return "unavailable";
  } catch (e) {
    logger.warn("ledger status unavailable", {
      requestId,
      error: safeError(e),
    });
    return "unavailable";
  }
}

type Decoded =
  | { ok: true; scan: ScanVerification }
  | { ok: false; refusal: Refusal };

/** Decodes a checked file: in the pool when there is one, else on this thread. */
async function decodeBounded(
  st: VerifierState,
  bytes: Uint8Array,
  who: Requester,
  page?: number,
): Promise<Decoded> {
  const { options, gate } = st;
  if (options.pool) {
    return await decodeInPool(st, options.pool, bytes, who, page);
  }
  if (!(await acquire(gate))) return { ok: false, refusal: refusal("BUSY") };
  let scan: ScanVerification;
  try {
    scan = await st.decode(bytes, {
      keyList: options.keyList,
      decryptionKeys: options.decryptionKeys,
      renderFront: options.renderFront,
      maxInputPixels: options.limits.maxPixels,
      ...(page !== undefined ? { page } : {}),
    });
  } catch (e) {
    options.logger.error("decoding failed", {
      requestId: who.requestId,
      error: safeError(e),
    });
    return { ok: false, refusal: refusal("UNDECODABLE") };
  } finally {
    release(gate);
  }
  return readable(st, scan, who);
}

/**
 * Decodes in the pool. A pool that renders no front (a renderer was
 * injected) leaves the front to this thread.
 */
async function decodeInPool(
  st: VerifierState,
  pool: DecodePool,
  bytes: Uint8Array,
  who: Requester,
  page?: number,
): Promise<Decoded> {
  const { options } = st;
  const out = await pool.decode(bytes, {
    channel: who.channel,
    maxInputPixels: options.limits.maxPixels,
    ...(page !== undefined ? { page } : {}),
  });
  if (!out.ok) return { ok: false, refusal: poolRefusal(st, pool, out, who) };
  let scan = out.scan;
  const render = options.renderFront;
  if (scan.certificate && !scan.frontImagePng && !scan.frontImageError) {
    if (render) scan = await withFront(scan, scan.certificate, render);
  }
  return readable(st, scan, who);
}

/** The scan with its front rendered (or why it could not be), as decodeScan does. */
async function withFront(
  scan: ScanVerification,
  sheet: SheetContent,
  render: (sheet: SheetContent) => Promise<Uint8Array>,
): Promise<ScanVerification> {
  try {
    return { ...scan, frontImagePng: await render(sheet) };
  } catch (e) {
    return {
      ...scan,
      frontImageError: e instanceof Error ? e.message : String(e),
    };
  }
}

/** The refusal for a pool job that gave no result (logged: never a 500). */
function poolRefusal(
  st: VerifierState,
  pool: DecodePool,
  out: Extract<PoolDecodeOutcome, { ok: false }>,
  who: Requester,
): Refusal {
  const { logger } = st.options;
  const facts = { requestId: who.requestId, error: out.error ?? "" };
  switch (out.problem) {
    case "busy":
    case "closed":
      return refusal("BUSY");
    case "timeout":
      logger.error("decoding timed out; worker replaced", facts);
      return refusal("DECODE_TIMEOUT", {
        seconds: Math.round(pool.jobTimeoutMs / 1000),
      });
    case "crashed":
      logger.error("decode worker crashed; worker replaced", facts);
      return refusal("DECODER_CRASHED");
    case "failed":
      logger.error("decoding failed", facts);
      return refusal("UNDECODABLE");
    default: {
      const _: never = out.problem;
      return refusal("UNDECODABLE");
    }
  }
}

/** A decoded scan, unless the decoder could not read the image at all. */
function readable(
  st: VerifierState,
  scan: ScanVerification,
  who: Requester,
): Decoded {
  if (scan.frontImageError) {
    st.options.logger.warn("front image could not be rendered", {
      requestId: who.requestId,
      error: scan.frontImageError,
    });
  }
  if (scan.reason.code === "NOT_AN_IMAGE") {
    // Passed the header checks but the decoder could not read it.
    return { ok: false, refusal: refusal("UNDECODABLE") };
  }
  return { ok: true, scan };
}

/** The verdict after the ledger: a genuine sheet may have been voided or revoked since. */
async function ledgerVerdict(
  st: VerifierState,
  scan: ScanVerification,
  requestId: string,
): Promise<Pick<VerificationResult, "verdict" | "reason" | "status">> {
  let verdict: PortalVerdict = scan.verdict;
  let reason = scan.reason as VerificationResult["reason"];
  let status: StatusCheck = "not-checked";
  if (scan.verdict === "genuine") {
    const issueNumber = scan.issueNumber ?? scan.certificate!.issueNumber;
    // The sheet's own status: another sheet of the issue may have jammed.
    const page = scan.certificate?.page;
    status = await ledgerStatus(st, issueNumber, page, requestId);
    if (status === "voided") {
      verdict = "voided";
      reason = portalReason("VOIDED");
    } else if (status === "revoked") {
      verdict = "revoked";
      reason = portalReason("REVOKED");
    }
  }
  return { verdict, reason, status };
}

/** What the page and the API show of a sheet (issue number and key only when not tampered). */
function sheetOf(
  scan: ScanVerification,
  { verdict, reason, status }: Awaited<ReturnType<typeof ledgerVerdict>>,
  filePage: number,
): SheetResult {
  const note = statusNote(status);
  const showIssue = scan.verdict !== "tampered";
  return {
    filePage,
    verdict,
    reason: { code: reason.code, ja: reason.ja, en: reason.en },
    status,
    ...(note ? { statusNote: note } : {}),
    ...(showIssue && scan.issueNumber ? { issueNumber: scan.issueNumber } : {}),
    ...(showIssue && scan.keyId ? { keyId: scan.keyId } : {}),
    ...(scan.certificate ? { certificate: scan.certificate } : {}),
    ...(scan.frontImagePng ? { frontImagePng: scan.frontImagePng } : {}),
  };
}

/** Worst first: the overall verdict is the worst sheet's. */
const SEVERITY: readonly PortalVerdict[] = [
  "tampered",
  "revoked",
  "voided",
  "unknown-key",
  "unreadable",
  "not-a-certificate",
  "genuine",
];

/** The worst of the sheets (the first of equals). */
function worstSheet(sheets: readonly SheetResult[]): SheetResult {
  let worst = sheets[0];
  for (const s of sheets) {
    if (SEVERITY.indexOf(s.verdict) < SEVERITY.indexOf(worst.verdict)) {
      worst = s;
    }
  }
  return worst;
}

/** The overall result: the worst sheet's details, and every sheet's. */
function resultOf(
  sheets: SheetResult[],
  frontPages: number[],
  fileType: ScanKind,
): VerificationResult {
  const { filePage: _, ...worst } = worstSheet(sheets);
  return { ...worst, fileType, ms: 0, sheets, frontPages };
}

/**
 * Reasons of a page that carries no back-side code at all: in an upload
 * that also has back sides, such a page is a front (or a blank page) and
 * is skipped.
 */
const NO_BACK_SIDE = new Set([
  "FRONT_SIDE_ONLY",
  "NO_CERTIFICATE_SYMBOLS",
  "BLANK_IMAGE",
]);

/** A decoded page of the upload. */
interface DecodedPage {
  filePage: number;
  scan: ScanVerification;
}

/**
 * Decodes every page of a checked file, a few at a time (as many as the
 * pool has workers; each page its own copy of the bytes, so a worker can
 * take it); the first refusal refuses the whole upload.
 */
async function decodePages(
  st: VerifierState,
  bytes: Uint8Array,
  pages: number,
  who: Requester,
): Promise<
  { ok: true; pages: DecodedPage[] } | { ok: false; refusal: Refusal }
> {
  if (pages <= 1) {
    const one = await decodeBounded(st, bytes, who);
    return one.ok
      ? { ok: true, pages: [{ filePage: 1, scan: one.scan }] }
      : one;
  }
  const parallel = Math.max(
    1,
    st.options.pool?.workers ?? st.gate.maxConcurrent,
  );
  const out: DecodedPage[] = [];
  let next = 1;
  let refused: Refusal | undefined;
  const lane = async () => {
    while (!refused && next <= pages) {
      const page = next++;
      const copy = bytes.slice();
      const d = await decodeBounded(st, copy, who, page);
      // A copy handed to a worker is gone from here; one decoded here is wiped.
      if (copy.byteLength > 0) copy.fill(0);
      if (!d.ok) refused ??= d.refusal;
      else out.push({ filePage: page, scan: d.scan });
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, pages) }, lane));
  if (refused) return { ok: false, refusal: refused };
  out.sort((a, b) => a.filePage - b.filePage);
  return { ok: true, pages: out };
}

/**
 * The back sides among the decoded pages, and the pages skipped as fronts:
 * a page with no back-side code beside pages with codes is a front. An
 * upload with no back side at all is judged by its first page that says
 * more than "no codes" (else its first page).
 */
function backSides(
  pages: DecodedPage[],
): { backs: DecodedPage[]; frontPages: number[] } {
  const backs = pages.filter((p) => !NO_BACK_SIDE.has(p.scan.reason.code));
  if (backs.length > 0) {
    const frontPages = pages.filter((p) => !backs.includes(p)).map((p) =>
      p.filePage
    );
    return { backs, frontPages };
  }
  const telling = pages.find((p) =>
    p.scan.reason.code !== "FRONT_SIDE_ONLY" &&
    p.scan.reason.code !== "BLANK_IMAGE"
  ) ?? pages.find((p) => p.scan.reason.code === "FRONT_SIDE_ONLY") ??
    pages[0];
  return { backs: [telling], frontPages: [] };
}

/** Checks, decodes and judges scan bytes, and audits the outcome. */
async function judge(
  st: VerifierState,
  bytes: Uint8Array,
  who: Requester,
  started: number,
): Promise<VerifyOutcome> {
  const check = await inspectScan(bytes, st.options.limits, {
    pdfInspector: st.options.pdfInspector,
  });
  const file = { fileType: check.kind, bytes: bytes.length };
  if (!check.ok) {
    return await record(st, who, started, {
      ok: false,
      refusal: check.refusal,
    }, file);
  }
  const maxSheets = st.options.limits.maxSheets;
  if (check.pages > 2 * maxSheets) {
    const refused = {
      ok: false as const,
      refusal: refusal("TOO_MANY_SHEETS", { pages: check.pages, maxSheets }),
    };
    return await record(st, who, started, refused, file);
  }
  const decoded = await decodePages(st, bytes, check.pages, who);
  if (!decoded.ok) return await record(st, who, started, decoded, file);
  const { backs, frontPages } = backSides(decoded.pages);
  if (backs.length > maxSheets) {
    const refused = {
      ok: false as const,
      refusal: refusal("TOO_MANY_SHEETS", { pages: check.pages, maxSheets }),
    };
    return await record(st, who, started, refused, file);
  }
  const sheets = await Promise.all(backs.map(async (b) =>
    sheetOf(
      b.scan,
      await ledgerVerdict(st, b.scan, who.requestId),
      b.filePage,
    )
  ));
  const result = resultOf(sheets, frontPages, check.kind);
  const out = await record(st, who, started, { ok: true, result }, {
    ...file,
    sheets: sheets.length,
  });
  if (out.ok) out.result.ms = Math.round(performance.now() - started);
  return out;
}

/**
 * Verifies scan bytes, and overwrites them whatever happens (bytes handed
 * to a decode worker are gone from here: their buffer is detached, empty,
 * and the worker overwrites them).
 */
async function verifyBytes(
  st: VerifierState,
  bytes: Uint8Array,
  who: Requester,
  started = performance.now(),
): Promise<VerifyOutcome> {
  try {
    return await judge(st, bytes, who, started);
  } finally {
    if (bytes.byteLength > 0) bytes.fill(0);
  }
}

/** Reads a multipart upload, checks its fields, and verifies its scan. */
async function verifyRequest(
  st: VerifierState,
  req: Request,
  who: Requester,
  opts: VerifyRequestOptions,
): Promise<VerifyOutcome & { fields: Record<string, string> }> {
  const started = performance.now();
  const upload = await readUpload(req, st.options.limits.maxBytes);
  if (!upload.ok) {
    return { ...(await record(st, who, started, upload, {})), fields: {} };
  }
  const { scan, fields } = upload;
  const fieldProblem = await opts.checkFields?.(fields);
  if (fieldProblem) scan?.fill(0);
  const problem = fieldProblem ?? (scan ? undefined : refusal("SCAN_MISSING"));
  if (problem) {
    const refused = { ok: false as const, refusal: problem };
    return { ...(await record(st, who, started, refused, {})), fields };
  }
  return { ...(await verifyBytes(st, scan!, who, started)), fields };
}

/**
 * Creates the verifier.
 *
 * @example
 * ```ts ignore
 * const verifier = createVerifier({ keyList, decryptionKeys, statusLookup,
 *   limits: DEFAULT_LIMITS, audit, clock: systemClock, logger });
 * const out = await verifier.verifyBytes(bytes, { channel: "api", client: "key:bank-a", requestId });
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const st: VerifierState = {
    options,
    decode: options.decode ?? decodeScan,
    gate: {
      maxConcurrent: options.maxConcurrent ?? 2,
      maxQueue: options.maxQueue ?? 16,
      active: 0,
      waiting: [],
    },
  };
  return {
    verifyBytes: (bytes, who) => verifyBytes(st, bytes, who),
    verifyRequest: (req, who, opts = {}) => verifyRequest(st, req, who, opts),
  };
}
