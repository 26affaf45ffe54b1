/**
 * The protocol between a store kiosk and the J-LIS center, one definition
 * for both sides: the center declares these schemas as its OpenAPI
 * request and response schemas (services/jlis/api), the kiosk
 * (services/kiosk) parses every answer with them, and both use
 * {@linkcode responseSigningInput} — the exact bytes the center signs for
 * every response it sends (`X-Center-Signature`), so an answer cannot be
 * replayed for another request.
 *
 * One run: `POST /kiosk/sessions` → {@linkcode kioskSessionSchema};
 * `POST /kiosk/sessions/{id}/authenticate` ({@linkcode cardAuthenticationRequestSchema})
 * → {@linkcode cardAuthenticationSchema};
 * `GET /kiosk/sessions/{id}/household` → {@linkcode kioskHouseholdSchema}
 * (optional: the names to choose members by; does not use the session up);
 * `POST /kiosk/sessions/{id}/certificates` ({@linkcode kioskCertificateRequestSchema})
 * → {@linkcode releasedDocumentSchema}; `POST /kiosk/requests/{id}/outcome`
 * ({@linkcode printReportSchema}: delivered, a jam, or a page the kiosk could
 * not print) → {@linkcode printOutcomeSchema}. A
 * refusal is the common error body (`code`, `message_ja`, `message_en`).
 * A kiosk that refuses to print what it got (an answer whose signature
 * fails, a document that is not the one its session asked for) says so
 * with `POST /kiosk/failures` ({@linkcode kioskFailureReportSchema}) →
 * {@linkcode kioskFailureRecordedSchema}.
 *
 * The kiosk sends its own `X-Request-Id` on every call; the center adopts
 * it and signs it, so {@linkcode verifyCenterResponse} with
 * `expectRequestId` ties each answer to the call it answers.
 *
 * @module
 */
import { z } from "zod";
import { CERTIFICATE_TYPES } from "../certificate/model.ts";

/** The most copies (部数) a kiosk may ask for in one request. */
export const MAX_COPIES = 10;
/**
 * The most certificates (通) one released request holds: every copy of
 * every certificate (個票式: one per person) — as many as the pages a print
 * report can name.
 */
export const MAX_CERTIFICATES = 300;
import { verifyEcdsaP256 } from "../crypto/ecdsa.ts";
import { findVerificationKey, type KeyList } from "../crypto/key_list.ts";
import { backSideSchema, sheetWireSchema } from "./sheet_wire.ts";
import { householdFormatSchema } from "./form_profile.ts";
import {
  parseSignatureHeader,
  sha256B64,
  SIGNATURE_HEADER,
  signingLines,
} from "./signed_message.ts";

/** A single-use nonce bound to the kiosk, to be signed by the card. */
export const kioskSessionSchema = z.object({
  sessionId: z.string(),
  nonce: z.string(),
  expiresAt: z.string(),
});

/** The card's certificate and its signature over the session's nonce. */
export const cardAuthenticationRequestSchema = z.object({
  certificatePem: z.string().max(8192),
  signature: z.string().max(200).meta({
    description: "base64 (or base64url) of the 64-byte r‖s signature",
  }),
}).strict();

/** The authenticated card's municipality. */
export const cardAuthenticationSchema = z.object({
  sessionId: z.string(),
  municipalityCode: z.string(),
  cardSerial: z.string(),
  /**
   * The municipality's fee per copy (通) today, yen, by certificate type:
   * what the kiosk shows before printing (absent where the center does no
   * issuance). The released document carries what is actually charged.
   */
  fees: z.partialRecord(z.enum(CERTIFICATE_TYPES), z.number().int().min(0))
    .optional(),
});

/** A household member as the kiosk shows it: these three fields only. */
export const kioskHouseholdMemberSchema = z.object({
  residentId: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  relationship: z.string().max(50),
}).strict();

/**
 * The authenticated applicant's household, to choose members by name: the
 * applicant first, then householder, spouse, children, others. Every current
 * member is listed alike, protected or not (see lib/contracts/center_asp.ts);
 * a member who cannot be issued at a kiosk is refused when asked for, with
 * the neutral code when the reason is protected.
 *
 * `householdFormat`: how the municipality prints a 住民票 of several members
 * (個票式 `kohyo`: a certificate and a fee per person; 世帯連記式 `renki`:
 * one certificate, one fee), for the fee the kiosk quotes before the
 * resident confirms; absent when the municipality's node did not state it
 * (the kiosk then quotes per copy with a generic note). The released
 * document's fee is what is charged.
 */
export const kioskHouseholdSchema = z.object({
  members: z.array(kioskHouseholdMemberSchema).min(1).max(100),
  householdFormat: householdFormatSchema.optional().meta({
    description:
      "kohyo (個票式): each person is a certificate with its own fee; renki (世帯連記式): the chosen members are one certificate, one fee; absent: unknown",
  }),
}).strict();

/** A kiosk's household list as JSON carries it. */
export type KioskHouseholdJson = z.infer<typeof kioskHouseholdSchema>;

/** The certificate a kiosk asks for. */
export const kioskCertificateRequestSchema = z.object({
  type: z.enum(CERTIFICATE_TYPES),
  /** The applicant only, the whole household, or chosen members (resident ids). */
  members: z.union([
    z.literal("self"),
    z.literal("all"),
    z.array(z.string().min(1).max(64)).min(1).max(30),
  ]).default("self"),
  options: z.object({
    honseki: z.boolean().default(false),
    zokugara: z.boolean().default(false),
    myNumber: z.boolean().default(false),
  }).strict().default({ honseki: false, zokugara: false, myNumber: false }),
  /**
   * 部数: how many copies, each its own document with its own 発行番号 and
   * back sides (1–10; another number is refused with COPIES_OUT_OF_RANGE,
   * nothing issued).
   */
  copies: z.number().int().default(1).meta({
    description:
      "部数, 1–10: each copy its own document (発行番号, back sides, fee); out of range: 400 COPIES_OUT_OF_RANGE",
  }),
}).strict();

/**
 * One certificate (通) of a released request: its 発行番号, how many sheets
 * it has (its sheets follow the previous one's in `sheets` and `backs`) and
 * its fee. A copy (部数) of a 個票式 request is one certificate per person; of
 * a 世帯連記式 request or one person's, one certificate. The name `copy`
 * stays: each entry is one 通.
 */
export const releasedCopySchema = z.object({
  /** 1-based, in print order over every copy. */
  copy: z.number().int().min(1).max(MAX_CERTIFICATES),
  issueNumber: z.string(),
  /** Sheets of this copy. */
  pages: z.number().int().min(1),
  /** Yen for this copy (the municipality's fee of the day). */
  fee: z.number().int().min(0),
});

/**
 * The released document: print the sheets and their back sides, then
 * report. `sessionId`, `cardSerial` and `applicantResidentId` bind it to
 * the kiosk's session: the kiosk prints nothing that is not for the card it
 * authenticated on that session. The sheets and back sides are every
 * certificate's in print order — with several copies (部数) copy 1's
 * certificates, then copy 2's… — each certificate its own document: its own
 * 発行番号 on its sheets and backs, its sheets numbered from 1 (個票式: one
 * certificate per person, each 1/1; 世帯連記式: one for the household).
 */
export const releasedDocumentSchema = z.object({
  requestId: z.string(),
  /** The first copy's 発行番号 (every copy's is in `copies`). */
  issueNumber: z.string(),
  municipalityCode: z.string(),
  /** The kiosk session it was asked on. */
  sessionId: z.string(),
  /** The authenticated card's serial. */
  cardSerial: z.string(),
  /** The resident the card is linked to (the applicant). */
  applicantResidentId: z.string(),
  /** Sheets to print, all copies together. */
  pages: z.number().int().min(1),
  /** Yen for all copies. */
  fee: z.number(),
  /** Every certificate of every copy, in print order. */
  copies: z.array(releasedCopySchema).min(1).max(MAX_CERTIFICATES),
  sheets: z.array(sheetWireSchema),
  backs: z.array(backSideSchema),
}).refine((d) => d.sheets.length === d.pages && d.backs.length === d.pages, {
  message: "one sheet and one back side per page",
}).refine(
  (d) =>
    d.copies.reduce((n, c) => n + c.pages, 0) === d.pages &&
    d.copies.every((c, i) => c.copy === i + 1) &&
    d.copies.reduce((n, c) => n + c.fee, 0) === d.fee,
  { message: "copies numbered from 1, their pages and fees adding up" },
);

/** A released document as JSON carries it. */
export type ReleasedDocumentJson = z.infer<typeof releasedDocumentSchema>;

/**
 * Why a kiosk could not print a sheet it was given (its own fault, not the
 * center's answer): the sheet is voided and refunded like a jammed one.
 */
export const PRINT_FAILURES = [
  /** The sheet's front or back could not be rendered (e.g. an image that does not decode). */
  "RENDER_FAILED",
  /** The rendered print could not be written out (the printer's output failed). */
  "WRITE_FAILED",
] as const;

/** A print failure: the first sheet that could not be printed, and why. */
export const printFailureSchema = z.object({
  page: z.number().int().min(1).max(300),
  reason: z.enum(PRINT_FAILURES),
}).strict();

/**
 * The kiosk's print report: all delivered, the page that jammed, or the
 * first page it could not print (`printFailure`), counted in print order over
 * all copies. At a jam its copy is voided (every sheet of it, stamped 無効 and
 * handed back), the other copies delivered. At a print failure the print
 * stops: the copy containing that page and every later copy are voided and
 * refunded (a WRITE_FAILED loses the whole print: every copy voided), earlier
 * copies delivered. A print stops once: a jam or a failure, not both.
 */
export const printReportSchema = z.object({
  jammedPage: z.number().int().min(1).max(300).nullable().default(null),
  printFailure: printFailureSchema.nullable().default(null),
}).strict().refine((r) => r.jammedPage === null || r.printFailure === null, {
  message: "a print stops once: jammedPage or printFailure, not both",
});

/** A print report as JSON carries it. */
export type PrintReportJson = z.infer<typeof printReportSchema>;

/** One copy's outcome as the ledger recorded it. */
export const copyOutcomeSchema = z.object({
  copy: z.number().int().min(1),
  issueNumber: z.string(),
  status: z.enum(["delivered", "voided"]),
  /** Its pages, in print order over all copies. */
  pages: z.array(z.number().int()),
  /** Yen charged for it after its refund. */
  fee: z.number(),
  /** Yen returned for it (its whole fee when voided). */
  refund: z.number(),
});

/** The print as the ledger recorded it. */
export const printOutcomeSchema = z.object({
  /** The first copy's 発行番号. */
  issueNumber: z.string(),
  /** Pages delivered / voided, in print order over all copies. */
  delivered: z.array(z.number().int()),
  voided: z.array(z.number().int()),
  /** Yen returned in all. */
  refund: z.number(),
  /** Yen charged in all, after refunds. */
  fee: z.number(),
  copies: z.array(copyOutcomeSchema).min(1),
});

/** Why a kiosk refused to use an answer of the center. */
export const KIOSK_FAILURE_REASONS = [
  /** The answer's `X-Center-Signature` is missing or does not verify with the pinned keys. */
  "ANSWER_NOT_SIGNED",
  /** The answer breaks the protocol's schema. */
  "ANSWER_MALFORMED",
  /** The released document is not the one the session asked for. */
  "DOCUMENT_MISMATCH",
] as const;

/** What did not match in a released document (codes only: no personal data). */
export const DOCUMENT_PROBLEMS = [
  "session",
  "card-serial",
  "municipality",
  "issue-number",
  "type",
  "pages",
  "applicant",
  "subject",
  "copies",
] as const;

/**
 * A kiosk's failure report: the kiosk printed nothing because an answer
 * failed its checks. With the session's id, the center voids what it
 * released on that session (nothing delivered, fee refunded).
 */
export const kioskFailureReportSchema = z.object({
  stage: z.enum([
    "session",
    "authenticate",
    "household",
    "certificate",
    "outcome",
  ]),
  reason: z.enum(KIOSK_FAILURE_REASONS),
  sessionId: z.uuid().optional(),
  problems: z.array(z.enum(DOCUMENT_PROBLEMS)).max(DOCUMENT_PROBLEMS.length)
    .optional(),
}).strict();

/** A kiosk's failure report as JSON carries it. */
export type KioskFailureReport = z.infer<typeof kioskFailureReportSchema>;

/** The failure report as the center recorded it. */
export const kioskFailureRecordedSchema = z.object({
  recorded: z.literal(true),
  /** What the center voided on that session (null: nothing was released). */
  voided: z.object({
    /** The first copy's 発行番号. */
    issueNumber: z.string(),
    /** Every copy's. */
    issueNumbers: z.array(z.string()),
    /** Pages in print order over all copies. */
    pages: z.array(z.number().int()),
  }).nullable(),
});

/** What a response signature covers. */
export interface SignedResponseFields {
  method: string;
  path: string;
  requestId: string;
  status: number;
  /** Signing time, ISO 8601. */
  time: string;
  /** SHA-256 of the body, base64url. */
  bodySha256: string;
}

const RESPONSE_CONTEXT = "konbini-jlis-response/v1";

/**
 * The exact bytes the center signs for a response; throws `TypeError` when a
 * field holds a line break.
 *
 * @example
 * ```ts ignore
 * const bytes = responseSigningInput({ method: "POST", path: "/kiosk/sessions", requestId, status: 201, time, bodySha256 });
 * ```
 */
export function responseSigningInput(
  f: SignedResponseFields,
): Uint8Array<ArrayBuffer> {
  return signingLines(RESPONSE_CONTEXT, [
    `${f.method} ${f.path}`,
    f.requestId,
    String(f.status),
    f.time,
    f.bodySha256,
  ]);
}

/** Result of {@linkcode verifyCenterResponse}. */
export type ResponseVerification =
  | { ok: true; keyId: string; requestId: string; time: string }
  | {
    ok: false;
    reason:
      | "missing"
      | "malformed"
      | "unknown-key"
      | "bad-signature"
      | "wrong-request";
  };

/**
 * Checks the center's signature on a response (clients: the kiosk, tests)
 * with a key list the client was provisioned with (never one fetched over
 * the same link). With `expectRequestId` (the `X-Request-Id` the client
 * sent), an answer to another call is `wrong-request`. Reads a clone, so
 * the response stays readable.
 *
 * @example
 * ```ts ignore
 * const v = await verifyCenterResponse(res, { method: "POST", path: "/kiosk/sessions", keyList });
 * if (!v.ok) throw new Error(v.reason);
 * ```
 */
export async function verifyCenterResponse(
  res: Response,
  opts: {
    method: string;
    path: string;
    keyList: KeyList;
    expectRequestId?: string;
  },
): Promise<ResponseVerification> {
  const header = res.headers.get(SIGNATURE_HEADER);
  if (!header) return { ok: false, reason: "missing" };
  const parsed = parseSignatureHeader(header);
  const requestId = res.headers.get("X-Request-Id");
  if (!parsed || !requestId) return { ok: false, reason: "malformed" };
  if (
    opts.expectRequestId !== undefined && requestId !== opts.expectRequestId
  ) {
    return { ok: false, reason: "wrong-request" };
  }
  const { keyId, time, sig } = parsed;
  const found = await findVerificationKey(opts.keyList, keyId, new Date(time));
  if (found.status !== "ok") return { ok: false, reason: "unknown-key" };
  const body = new Uint8Array(await res.clone().arrayBuffer());
  let signature: Uint8Array<ArrayBuffer>;
  let input: Uint8Array<ArrayBuffer>;
  try {
    signature = Uint8Array.fromBase64(sig, { alphabet: "base64url" });
    input = responseSigningInput({
      method: opts.method,
      path: opts.path,
      requestId,
      status: res.status,
      time,
      bodySha256: await sha256B64(body),
    });
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const ok = await verifyEcdsaP256(found.key, signature, input);
  return ok
    ? { ok: true, keyId, requestId, time }
    : { ok: false, reason: "bad-signature" };
}
