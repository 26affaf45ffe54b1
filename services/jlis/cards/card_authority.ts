/**
 * The center's certificate authority for card user-authentication
 * certificates. Like the signer (lib/crypto/signer.ts), it holds its private
 * key as a non-extractable WebCrypto key in a closure and never hands it out:
 * callers ask it to issue a certificate for a request, or to check one.
 *
 * @module
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import {
  type CardCertificateInfo,
  readCardCertificate,
} from "../../../lib/card/certificate.ts";
import {
  privateKeyPem as encodePrivateKeyPem,
  randomSerial,
  selfSignedCaCertificate,
} from "../../../lib/tls/pki.ts";
import { type Clock, systemClock } from "../../../lib/time/clock.ts";

const EC_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" } as const;

/** Subject of every card certificate: no personal data. */
export const CARD_SUBJECT =
  "C=JP, O=Konbini Issuance Project, CN=JPKI User Authentication";

/** A certificate the authority issued. */
export interface IssuedCertificate {
  /** Serial, lowercase hex. */
  serial: string;
  certificatePem: string;
  /** SHA-256 of the DER, base64url. */
  sha256: string;
  notBefore: Date;
  notAfter: Date;
}

/** Why a certificate was not accepted (all surface as CERT_INVALID). */
export type CertificateProblem =
  | "malformed"
  | "untrusted-issuer"
  | "bad-signature"
  | "wrong-algorithm"
  | "wrong-usage"
  | "not-yet-valid"
  | "expired";

/** Thrown by {@linkcode CardAuthority.check}. */
export class CertificateRejected extends Error {
  constructor(readonly problem: CertificateProblem, detail?: string) {
    super(
      `Card certificate rejected: ${problem}${detail ? ` (${detail})` : ""}`,
    );
    this.name = "CertificateRejected";
  }
}

/** The card CA: issues and checks card certificates; its key never leaves. */
export interface CardAuthority {
  /** The CA certificate, PEM (public; kiosks and tests may pin it). */
  readonly certificatePem: string;
  /**
   * Issues a card certificate for a PKCS#10 request, after checking that the
   * request is P-256 and self-signed (proof of possession). The certificate
   * names no municipality: the center routes the card by its own table
   * (routing.ts). Throws `TypeError` for a bad request.
   */
  issue(
    csrPem: string,
    opts?: { notBefore?: Date; notAfter?: Date },
  ): Promise<IssuedCertificate>;
  /**
   * Checks a presented certificate: issued by this CA, ECDSA P-256 with
   * SHA-256, an end-entity signing key, valid at `at`. Returns what it says,
   * or throws {@linkcode CertificateRejected}.
   */
  check(
    certificatePem: string,
    at: Date,
  ): Promise<CardCertificateInfo & { sha256: string }>;
}

/** Options of the CA constructors. */
export interface CardAuthorityOptions {
  /** Clock for default validity periods. */
  clock?: Clock;
  /** Years a card certificate is valid by default (real ones: ~5). */
  validityYears?: number;
}

async function sha256B64(der: ArrayBuffer): Promise<string> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", der)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
}

function addYears(d: Date, years: number): Date {
  const r = new Date(d);
  r.setUTCFullYear(r.getUTCFullYear() + years);
  return r;
}

function isP256(pk: x509.PublicKey): boolean {
  const alg = pk.algorithm as EcKeyAlgorithm;
  return alg.name === "ECDSA" && alg.namedCurve === "P-256";
}

/**
 * Builds the CA object from its certificate and non-extractable private key.
 *
 * @example
 * ```ts ignore
 * const ca = await createCardAuthority(certPem, privateKey, { clock });
 * ```
 */
export async function createCardAuthority(
  certificatePem: string,
  privateKey: CryptoKey,
  opts: CardAuthorityOptions = {},
): Promise<CardAuthority> {
  if (privateKey.type !== "private" || privateKey.extractable) {
    throw new TypeError(
      "The card CA key must be a non-extractable private key",
    );
  }
  const caCert = new x509.X509Certificate(certificatePem);
  const bc = caCert.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) {
    throw new TypeError("The card CA certificate is not a CA certificate");
  }
  const clock = opts.clock ?? systemClock;
  const verified = new Map<string, CardCertificateInfo & { sha256: string }>();
  const years = opts.validityYears ?? 5;
  const aki = await x509.AuthorityKeyIdentifierExtension.create(
    caCert.publicKey,
  );
  const pem = caCert.toString("pem");

  return {
    certificatePem: pem,
    async issue(csrPem, o = {}) {
      let csr: x509.Pkcs10CertificateRequest;
      try {
        csr = new x509.Pkcs10CertificateRequest(csrPem);
      } catch (err) {
        throw new TypeError(
          `Malformed certificate request: ${(err as Error).message}`,
        );
      }
      if (!isP256(csr.publicKey)) {
        throw new TypeError("The card key must be ECDSA P-256");
      }
      if (!(await csr.verify())) {
        throw new TypeError(
          "The certificate request's signature does not verify",
        );
      }
      const notBefore = o.notBefore ?? clock.now();
      let notAfter = o.notAfter ?? addYears(notBefore, years);
      if (notAfter > caCert.notAfter) notAfter = caCert.notAfter;
      if (notAfter <= notBefore) {
        throw new RangeError("Certificate notAfter must be after notBefore");
      }
      const publicKey = await csr.publicKey.export(EC_P256, ["verify"]);
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: randomSerial(),
        subject: CARD_SUBJECT,
        issuer: caCert.subject,
        notBefore,
        notAfter,
        publicKey,
        signingKey: privateKey,
        signingAlgorithm: ECDSA_SHA256,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature,
            true,
          ),
          new x509.ExtendedKeyUsageExtension(
            [x509.ExtendedKeyUsage.clientAuth],
            false,
          ),
          await x509.SubjectKeyIdentifierExtension.create(publicKey),
          aki,
        ],
      });
      return {
        serial: cert.serialNumber.toLowerCase(),
        certificatePem: cert.toString("pem"),
        sha256: await sha256B64(cert.rawData),
        notBefore: cert.notBefore,
        notAfter: cert.notAfter,
      };
    },
    async check(certificatePem, at) {
      // Parsing and the CA signature are checked once per certificate text;
      // the validity period is checked on every call (status is the caller's).
      let checked = verified.get(certificatePem);
      if (!checked) {
        checked = await verifyOnce(certificatePem);
        if (verified.size >= VERIFIED_CACHE_SIZE) {
          verified.delete(verified.keys().next().value!);
        }
        verified.set(certificatePem, checked);
      }
      const cert = checked.certificate;
      if (at < cert.notBefore || at < caCert.notBefore) {
        throw new CertificateRejected("not-yet-valid");
      }
      if (at > cert.notAfter || at > caCert.notAfter) {
        throw new CertificateRejected("expired");
      }
      return checked;
    },
  };

  async function verifyOnce(
    certificatePem: string,
  ): Promise<CardCertificateInfo & { sha256: string }> {
    let info: CardCertificateInfo;
    try {
      info = readCardCertificate(certificatePem);
    } catch (err) {
      throw new CertificateRejected("malformed", (err as Error).message);
    }
    const cert = info.certificate;
    if (cert.issuer !== caCert.subject) {
      throw new CertificateRejected("untrusted-issuer");
    }
    const sigAlg = cert.signatureAlgorithm as {
      name: string;
      hash?: { name: string };
    };
    if (
      sigAlg.name !== "ECDSA" || sigAlg.hash?.name !== "SHA-256" ||
      !isP256(cert.publicKey)
    ) {
      throw new CertificateRejected("wrong-algorithm");
    }
    const ok = await cert.verify({
      publicKey: caCert.publicKey,
      signatureOnly: true,
    })
      .catch(() => false);
    if (!ok) throw new CertificateRejected("bad-signature");
    const bc = cert.getExtension(x509.BasicConstraintsExtension);
    const ku = cert.getExtension(x509.KeyUsagesExtension);
    if (bc?.ca || !ku || !(ku.usages & x509.KeyUsageFlags.digitalSignature)) {
      throw new CertificateRejected("wrong-usage");
    }
    return { ...info, sha256: await sha256B64(cert.rawData) };
  }
}

/** Certificates whose CA signature was verified, by PEM text (oldest evicted first). */
const VERIFIED_CACHE_SIZE = 10_000;

async function selfSignedCa(
  keys: CryptoKeyPair,
  opts: { commonName?: string; notBefore?: Date; notAfter?: Date },
): Promise<x509.X509Certificate> {
  const notBefore = opts.notBefore ?? new Date(Date.now() - 3_600_000);
  const notAfter = opts.notAfter ?? addYears(notBefore, 20);
  return await selfSignedCaCertificate(keys, {
    name: `C=JP, O=Konbini Issuance Project, CN=${
      opts.commonName ?? "J-LIS Card Authentication CA"
    }`,
    notBefore,
    notAfter,
  });
}

/**
 * A new CA whose key exists only in memory (tests; a second CA to prove that
 * foreign certificates are refused).
 *
 * @example
 * ```ts ignore
 * const ca = await createEphemeralCardAuthority({ clock });
 * ```
 */
export async function createEphemeralCardAuthority(
  opts: CardAuthorityOptions & {
    commonName?: string;
    notBefore?: Date;
    notAfter?: Date;
  } = {},
): Promise<CardAuthority> {
  const keys = await crypto.subtle.generateKey(EC_P256, false, [
    "sign",
    "verify",
  ]);
  const cert = await selfSignedCa(keys, opts);
  return await createCardAuthority(cert.toString("pem"), keys.privateKey, opts);
}

/**
 * Generates a CA as PEM files' contents, for a deployment's key store (the
 * only moment the key exists outside a CardAuthority).
 *
 * @example
 * ```ts
 * const { certificatePem, privateKeyPem } = await generateCardAuthorityPem();
 * ```
 */
export async function generateCardAuthorityPem(
  opts: { commonName?: string; notBefore?: Date; notAfter?: Date } = {},
): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const keys = await crypto.subtle.generateKey(EC_P256, true, [
    "sign",
    "verify",
  ]);
  const cert = await selfSignedCa(keys, opts);
  return {
    certificatePem: cert.toString("pem"),
    privateKeyPem: await encodePrivateKeyPem(keys.privateKey),
  };
}

/**
 * Loads the CA from PEM (certificate + PKCS#8 key), importing the key as
 * non-extractable.
 *
 * @example
 * ```ts ignore
 * const ca = await loadCardAuthority(await Deno.readTextFile(certFile), await Deno.readTextFile(keyFile));
 * ```
 */
export async function loadCardAuthority(
  certificatePem: string,
  privateKeyPem: string,
  opts: CardAuthorityOptions = {},
): Promise<CardAuthority> {
  const der = x509.PemConverter.decodeFirst(privateKeyPem);
  const privateKey = await crypto.subtle.importKey(
    "pkcs8",
    der,
    EC_P256,
    false,
    ["sign"],
  );
  return await createCardAuthority(certificatePem, privateKey, opts);
}
