/**
 * The card's user-authentication certificate (利用者証明用電子証明書) as both
 * the card and the center read it: an X.509 v3 certificate, ECDSA P-256,
 * carrying no personal data and no municipality: only its serial (the key the
 * registry links to a resident, and the center routes by: the center keeps
 * serial → current municipality, services/jlis/cards/routing.ts). The card
 * stays valid when its holder moves, even to another city (継続利用).
 *
 * Cards issued before that carry the municipality code in a custom
 * extension ({@linkcode MUNICIPALITY_CODE_OID}); it is still read (and must
 * be well formed), but nothing routes by it.
 *
 * Also the challenge the card signs: the center's nonce behind a fixed
 * context prefix, so a card key can never be made to sign anything else.
 *
 * @module
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { verifyEcdsaP256 } from "../crypto/ecdsa.ts";

/**
 * OID of the municipality-code extension of earlier cards, under IANA's
 * enterprise number for documentation use (32473, RFC 5612): this is a
 * simulation. Its value is a DER PrintableString of 6 digits. New cards do
 * not carry it; the center ignores it.
 */
export const MUNICIPALITY_CODE_OID = "1.3.6.1.4.1.32473.1.1";

/** Prefix of every message a card signs (domain separation). */
export const CARD_AUTH_CONTEXT = "konbini-card-auth/v1\n";

const MUNICIPALITY_CODE = /^\d{6}$/;
const PRINTABLE_STRING = 0x13;

/**
 * The municipality-code extension (non-critical) of earlier card
 * certificates (new ones carry none; tests make old cards with it).
 *
 * @example
 * ```ts
 * const ext = municipalityCodeExtension("401005");
 * ```
 */
export function municipalityCodeExtension(code: string): x509.Extension {
  if (!MUNICIPALITY_CODE.test(code)) {
    throw new RangeError(
      `Municipality code must be 6 digits, got ${JSON.stringify(code)}`,
    );
  }
  const der = new Uint8Array(2 + code.length);
  der[0] = PRINTABLE_STRING;
  der[1] = code.length;
  der.set(new TextEncoder().encode(code), 2);
  return new x509.Extension(MUNICIPALITY_CODE_OID, false, der);
}

/** What a card certificate says, once parsed. */
export interface CardCertificateInfo {
  /** Serial number, lowercase hex (the registry's link key). */
  serial: string;
  /**
   * Municipality code from the extension of an earlier card, null for a
   * card without it (every card issued now). Not used for routing.
   */
  municipalityCode: string | null;
  notBefore: Date;
  notAfter: Date;
  /** The parsed certificate. */
  certificate: x509.X509Certificate;
}

/**
 * Parses a card certificate (PEM or DER) and reads its serial (and an
 * earlier card's municipality-code extension). Throws `TypeError` when it is
 * not a well-formed card certificate; says nothing about who signed it (see
 * the center's checks).
 *
 * @example
 * ```ts ignore
 * const { serial } = readCardCertificate(card.certificatePem);
 * ```
 */
export function readCardCertificate(
  cert: string | Uint8Array,
): CardCertificateInfo {
  let certificate: x509.X509Certificate;
  try {
    certificate = new x509.X509Certificate(cert as string | BufferSource);
  } catch (err) {
    throw new TypeError(`Not an X.509 certificate: ${(err as Error).message}`);
  }
  const ext = certificate.getExtension(MUNICIPALITY_CODE_OID);
  let code: string | null = null;
  if (ext) {
    const v = new Uint8Array(ext.value);
    code = new TextDecoder().decode(v.subarray(2));
    if (
      v[0] !== PRINTABLE_STRING || v[1] !== v.length - 2 ||
      !MUNICIPALITY_CODE.test(code)
    ) {
      throw new TypeError("Malformed municipality-code extension");
    }
  }
  return {
    serial: certificate.serialNumber.toLowerCase(),
    municipalityCode: code,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    certificate,
  };
}

/**
 * The exact bytes a card signs for a nonce: context prefix + nonce (UTF-8).
 *
 * @example
 * ```ts ignore
 * const ok = await crypto.subtle.verify(ECDSA_SHA256, key, sig, cardAuthMessage(nonce));
 * ```
 */
export function cardAuthMessage(nonce: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(nonce)) {
    throw new RangeError("A nonce is 16-128 base64url characters");
  }
  return new TextEncoder().encode(CARD_AUTH_CONTEXT + nonce);
}

/**
 * Checks a card's signature (64-byte ECDSA P-256 r‖s over
 * {@linkcode cardAuthMessage}) with the certificate's public key.
 *
 * @example
 * ```ts ignore
 * if (!(await verifyCardSignature(info.certificate, nonce, signature))) refuse();
 * ```
 */
export async function verifyCardSignature(
  certificate: x509.X509Certificate,
  nonce: string,
  signature: Uint8Array,
): Promise<boolean> {
  if (signature.length !== 64) return false;
  let key = cardKeys.get(certificate);
  if (!key) {
    key = certificate.publicKey.export(
      { name: "ECDSA", namedCurve: "P-256" },
      ["verify"],
    ).catch(() => null);
    cardKeys.set(certificate, key);
  }
  const k = await key;
  if (!k) return false;
  return await verifyEcdsaP256(k, signature, cardAuthMessage(nonce));
}

/** Each card's public key, imported once per certificate object (a verifier caches those). */
const cardKeys = new WeakMap<x509.X509Certificate, Promise<CryptoKey | null>>();
