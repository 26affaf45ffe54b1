/**
 * The protocol between the J-LIS center and an ASP node (LGWAN-ASP issuing
 * system), one definition for both sides: the ASP declares these schemas as
 * its OpenAPI request and response schemas (services/asp/api/certificates.ts)
 * and validates requests with them, the center (services/jlis) parses every
 * answer with them, and {@linkcode requestSigningInput} is the exact bytes
 * the center signs for each request it sends (`X-Center-Signature`).
 *
 * `POST /tenants/{code}/certificates` ({@linkcode aspCertificateRequestSchema})
 * → {@linkcode builtCertificateSchema}; `POST /tenants/{code}/certificates/delivered`
 * ({@linkcode deliveredManyRequestSchema}) → {@linkcode deliveredManySchema};
 * `POST /tenants/{code}/certificates/{requestId}/delivered` →
 * {@linkcode deliveredSchema}; `GET /tenants/{code}/cards/{serial}/household`
 * → {@linkcode aspHouseholdSchema} (the card's applicant's household as a
 * kiosk may show it). A refusal is the common error body.
 *
 * @module
 */
import { z } from "zod";
import { CERTIFICATE_TYPES } from "../certificate/model.ts";
import { sheetWireSchema } from "./sheet_wire.ts";
import { householdFormatSchema } from "./form_profile.ts";
import type { KeyList } from "../crypto/key_list.ts";
import {
  type SignatureVerification,
  signingLines,
  verifySignatureHeader,
} from "./signed_message.ts";

/** Header carrying an ASP node's signature on its answer. */
export const ASP_SIGNATURE_HEADER = "X-Asp-Signature";

/**
 * Header of every answer of a node: the digest of the build it runs
 * (services/asp/node_identity.ts), covered by its signature.
 */
export const ASP_BUILD_HEADER = "X-Asp-Build";

/**
 * Header of every answer of a node about a tenant: the digest of that
 * tenant's configuration on the node ("" when the node has none), covered by
 * its signature.
 */
export const ASP_TENANT_CONFIG_HEADER = "X-Asp-Tenant-Config";

const Id = z.string().min(1).max(64);

/** The center's request for a certificate's sheets. */
export const aspCertificateRequestSchema = z.object({
  requestId: z.string().regex(/^[A-Za-z0-9._:-]{8,100}$/).meta({
    example: "req-0f6c2a1e-2026",
  }),
  /** The applicant; absent: the resident `cardSerial` is linked to. */
  applicantResidentId: Id.optional(),
  type: z.enum(CERTIFICATE_TYPES),
  members: z.union([
    z.literal("self"),
    z.literal("all"),
    z.array(Id).min(1).max(30),
  ]).default("self"),
  options: z.object({
    honseki: z.boolean().default(false),
    zokugara: z.boolean().default(false),
    myNumber: z.boolean().default(false),
  }).strict().default({ honseki: false, zokugara: false, myNumber: false }),
  issueNumber: z.string().min(1).max(64),
  issuedAt: z.string().regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/,
  ),
  cardSerial: z.string().regex(/^[0-9A-Fa-f]{2,64}$/).optional(),
  includePdf: z.boolean().default(true),
}).strict().refine((r) => r.applicantResidentId || r.cardSerial, {
  message: "give applicantResidentId or cardSerial",
});

/** The request as the center sends it (defaults may be left out). */
export type AspCertificateRequest = z.input<typeof aspCertificateRequestSchema>;

/** The built certificate: its sheets, and what the build read. */
export const builtCertificateSchema = z.object({
  requestId: z.string(),
  applicantResidentId: z.string().min(1),
  /** The applicant's basic identity (what the card binds), for the center's holder check. */
  applicant: z.object({
    name: z.string().min(1).max(200),
    birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    sex: z.enum(["male", "female"]),
  }).strict().optional(),
  replicaSeq: z.number().int().min(0),
  sheets: z.array(sheetWireSchema),
  household: z.object({
    householdId: z.string(),
    householderId: z.string().nullable(),
    memberIds: z.array(z.string()),
  }).meta({
    description:
      "The applicant's household at replicaSeq (read in the build's transaction)",
  }),
  frontPdfBase64: z.string().optional(),
});

/** A built certificate as JSON carries it. */
export type BuiltCertificateJson = z.infer<typeof builtCertificateSchema>;

/** Several deliveries confirmed at once. */
export const deliveredManyRequestSchema = z.object({
  requestIds: z.array(z.string().min(8).max(100)).min(1).max(1000),
});

/** One delivery confirmed: the request's work data is deleted. */
export const deliveredSchema = z.object({
  requestId: z.string(),
  replicaSeq: z.number(),
});

/** Deliveries confirmed; request ids without work data are listed. */
export const deliveredManySchema = z.object({
  delivered: z.array(deliveredSchema),
  notFound: z.array(z.string()),
});

/**
 * One member of the applicant's household as a kiosk may show it: these
 * three fields and nothing else (no birth date, no address). `.strict()`: an
 * answer carrying any other field breaks the contract and is not used.
 */
export const aspHouseholdMemberSchema = z.object({
  residentId: Id,
  name: z.string().min(1).max(200),
  relationship: z.string().max(50).meta({ example: "妻" }),
}).strict();

/**
 * The household of the applicant a card serial is linked to, read in one
 * transaction at `replicaSeq`: every current member, listed alike — a member
 * under 支援措置 or another block is neither left out nor marked (leaving
 * them out would itself reveal it); asking for that member's certificate is
 * refused with the neutral code as any request is. The applicant first, then
 * householder, spouse, children, others.
 *
 * `householdFormat` is the tenant's form profile's (form_profile.ts): how a
 * 住民票 of several members is printed, so the kiosk quotes the fee before
 * the resident confirms. A node sends it always; it is optional here so an
 * answer of a node still running an earlier build (without it) is still
 * accepted during a rolling upgrade — the kiosk then shows its generic note.
 */
export const aspHouseholdSchema = z.object({
  applicantResidentId: Id,
  replicaSeq: z.number().int().min(0),
  members: z.array(aspHouseholdMemberSchema).min(1).max(100),
  householdFormat: householdFormatSchema.optional().meta({
    description:
      "How the tenant prints a 住民票 of several members: kohyo (個票式, a certificate and a fee per person) or renki (世帯連記式, one certificate and one fee); absent from an earlier node build",
  }),
}).strict().refine(
  (h) => h.members[0]?.residentId === h.applicantResidentId,
  { message: "the applicant is listed first" },
);

/** The household answer as JSON carries it. */
export type AspHouseholdJson = z.infer<typeof aspHouseholdSchema>;

/** What a request signature covers. */
export interface SignedRequestFields {
  method: string;
  path: string;
  requestId: string;
  /** Signing time, ISO 8601. */
  time: string;
  /** SHA-256 of the body, base64url. */
  bodySha256: string;
}

const REQUEST_CONTEXT = "konbini-jlis-request/v1";

/**
 * The exact bytes the center signs for a request to a node; throws
 * `TypeError` when a field holds a line break.
 *
 * @example
 * ```ts ignore
 * requestSigningInput({ method: "POST", path, requestId, time, bodySha256 });
 * ```
 */
export function requestSigningInput(
  f: SignedRequestFields,
): Uint8Array<ArrayBuffer> {
  return signingLines(REQUEST_CONTEXT, [
    `${f.method} ${f.path}`,
    f.requestId,
    f.time,
    f.bodySha256,
  ]);
}

/** What an ASP node's answer signature covers. */
export interface SignedAspResponseFields extends SignedRequestFields {
  /** The answer's HTTP status. */
  status: number;
  /** The node's build digest ({@linkcode ASP_BUILD_HEADER}). */
  buildDigest: string;
  /** The tenant's configuration digest ({@linkcode ASP_TENANT_CONFIG_HEADER}; "" for none). */
  tenantConfigDigest: string;
}

const ASP_RESPONSE_CONTEXT = "konbini-asp-response/v2";

/**
 * The exact bytes an ASP node signs for its answer to one of the center's
 * requests (`X-Asp-Signature`): the request's method, path and request id,
 * the answer's status, the signing time, the answer body's SHA-256, the
 * node's build digest and the tenant's configuration digest — so an answer
 * cannot be replayed for another request or altered, and what the node says
 * it runs is its own statement. Throws `TypeError` when a field holds a line
 * break.
 *
 * @example
 * ```ts ignore
 * aspResponseSigningInput({ method: "POST", path, requestId, status: 201, time, bodySha256, buildDigest, tenantConfigDigest });
 * ```
 */
export function aspResponseSigningInput(
  f: SignedAspResponseFields,
): Uint8Array<ArrayBuffer> {
  return signingLines(ASP_RESPONSE_CONTEXT, [
    `${f.method} ${f.path}`,
    f.requestId,
    String(f.status),
    f.time,
    f.bodySha256,
    f.buildDigest,
    f.tenantConfigDigest,
  ]);
}

/**
 * The node's check of the center's request signature, with the center's
 * key list from the node's configuration: the key valid at the signing
 * time, the signing time within the freshness window of `now`.
 *
 * @example
 * ```ts ignore
 * const v = await verifyCenterRequest(header, { method, path, requestId, bodySha256 }, { keyList, now });
 * ```
 */
export function verifyCenterRequest(
  header: string | null | undefined,
  f: Omit<SignedRequestFields, "time">,
  opts: { keyList: KeyList; now: Date; maxSkewMs?: number },
): Promise<SignatureVerification> {
  return verifySignatureHeader(header, {
    keyList: opts.keyList,
    now: opts.now,
    maxSkewMs: opts.maxSkewMs,
    input: (time) => requestSigningInput({ ...f, time }),
  });
}

/**
 * The center's check of a node's answer signature, with the node's key list
 * from the center's configuration. The answer is bound to the center's own
 * request (method, path, request id), so no freshness window is needed.
 *
 * @example
 * ```ts ignore
 * const v = await verifyAspAnswer(res.headers.get(ASP_SIGNATURE_HEADER), { method, path, requestId, status, bodySha256, buildDigest, tenantConfigDigest }, keyList);
 * ```
 */
export function verifyAspAnswer(
  header: string | null | undefined,
  f: Omit<SignedAspResponseFields, "time">,
  keyList: KeyList,
): Promise<SignatureVerification> {
  return verifySignatureHeader(header, {
    keyList,
    input: (time) => aspResponseSigningInput({ ...f, time }),
  });
}
