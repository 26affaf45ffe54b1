/**
 * Offline check of a back side: with only the public key list, verify the
 * signature over the clear header and ciphertext, and so the issue number,
 * without any decryption key. Works on envelope bytes or on the raw payloads
 * of the symbols (as read by any 2D-code reader).
 *
 * @module
 */

import { findVerificationKey, type KeyList } from "../crypto/key_list.ts";
import { parseChunk, reassembleChunks } from "./chunks.ts";
import {
  EnvelopeFormatError,
  type ParsedEnvelope,
  parseEnvelope,
  verifyEnvelopeSignature,
} from "./envelope.ts";
import { type Reason, reason } from "./reasons.ts";

/** Result of checking an envelope's signature. */
export type SignatureCheck =
  | { status: "valid"; envelope: ParsedEnvelope; reason: Reason }
  | {
    status: "tampered" | "unknown-key";
    envelope?: ParsedEnvelope;
    reason: Reason;
  };

/**
 * Parses an envelope and checks its signature with the key list, at the
 * certificate's own issue time. The building block of
 * {@linkcode verifyOffline} and of `decodeScan`.
 *
 * @example
 * ```ts ignore
 * const check = await checkEnvelopeSignature(envelopeBytes, keyList);
 * if (check.status === "valid") console.log(check.envelope.header.issueNumber);
 * ```
 */
export async function checkEnvelopeSignature(
  bytes: Uint8Array,
  keyList: KeyList,
): Promise<SignatureCheck> {
  let envelope: ParsedEnvelope;
  try {
    envelope = parseEnvelope(bytes);
  } catch (e) {
    if (e instanceof EnvelopeFormatError) {
      return { status: "tampered", reason: reason("ENVELOPE_MALFORMED") };
    }
    throw e;
  }
  const { signKeyId: keyId, issuedAt } = envelope.header;
  const at = new Date(issuedAt);
  if (Number.isNaN(at.getTime())) {
    return {
      status: "tampered",
      envelope,
      reason: reason("ENVELOPE_MALFORMED"),
    };
  }
  const found = await findVerificationKey(keyList, keyId, at);
  if (found.status === "unknown") {
    return {
      status: "unknown-key",
      envelope,
      reason: reason("KEY_UNKNOWN", { keyId }),
    };
  }
  if (found.status === "expired") {
    return {
      status: "unknown-key",
      envelope,
      reason: reason("KEY_EXPIRED", { keyId, notAfter: found.entry.notAfter }),
    };
  }
  if (found.status !== "ok") {
    return {
      status: "unknown-key",
      envelope,
      reason: reason("KEY_NOT_YET_VALID", {
        keyId,
        notBefore: found.entry.notBefore,
      }),
    };
  }
  if (!(await verifyEnvelopeSignature(envelope, found.key))) {
    return {
      status: "tampered",
      envelope,
      reason: reason("SIGNATURE_INVALID"),
    };
  }
  return { status: "valid", envelope, reason: reason("SIGNATURE_VALID") };
}

/** Result of {@linkcode verifyOffline}. */
export interface OfflineVerification {
  valid: boolean;
  /** The signed issue number (present whenever the envelope could be parsed). */
  issueNumber?: string;
  /** The signing key id named by the envelope. */
  keyId?: string;
  /** Issue time, municipality and page data from the clear header. */
  issuedAt?: string;
  municipalityCode?: string;
  reason: Reason;
}

/**
 * Verifies a back side offline. `input` is the envelope, or the payloads of
 * its symbols (any k of them, in any order).
 *
 * @example
 * ```ts ignore
 * const r = await verifyOffline(payloads, keyList, { expectedIssueNumber: "401005-20261126-000123" });
 * console.log(r.valid, r.issueNumber, r.reason.ja);
 * ```
 */
export async function verifyOffline(
  input: Uint8Array | Uint8Array[],
  keyList: KeyList,
  options: { expectedIssueNumber?: string } = {},
): Promise<OfflineVerification> {
  let bytes: Uint8Array;
  if (Array.isArray(input)) {
    const chunks = input.map(parseChunk);
    if (chunks.some((c) => c === null) || chunks.length === 0) {
      return { valid: false, reason: reason("FOREIGN_SYMBOLS") };
    }
    const r = reassembleChunks(chunks.filter((c) => c !== null));
    if (!r.ok) {
      return {
        valid: false,
        reason: r.problem === "mixed"
          ? reason("SYMBOLS_MIXED")
          : r.problem === "inconsistent"
          ? reason("SYMBOLS_INCONSISTENT")
          : reason("TOO_FEW_SYMBOLS", { have: r.have, need: r.need }),
      };
    }
    bytes = r.envelope;
  } else {
    bytes = input;
  }
  const check = await checkEnvelopeSignature(bytes, keyList);
  const h = check.envelope?.header;
  const base = {
    issueNumber: h?.issueNumber,
    keyId: h?.signKeyId,
    issuedAt: h?.issuedAt,
    municipalityCode: h?.municipalityCode,
  };
  if (check.status !== "valid") {
    return { valid: false, ...base, reason: check.reason };
  }
  if (
    options.expectedIssueNumber !== undefined &&
    options.expectedIssueNumber !== h?.issueNumber
  ) {
    return { valid: false, ...base, reason: reason("ISSUE_NUMBER_MISMATCH") };
  }
  return { valid: true, ...base, reason: check.reason };
}
