/**
 * The project's own certificate authority: a self-signed CA and X.509 v3
 * leaf certificates (ECDSA P-256, SHA-256) for the services that talk over
 * the closed network (LGWAN): the registry, the ASP, J-LIS, kiosk and portal
 * clients, plus the two non-TLS keys of the initial-load media (the
 * registry's signing key and the ASP's key-agreement key).
 *
 * Everything is WebCrypto through @peculiar/x509; nothing touches the disk
 * here (see `scripts/certs.ts` for the files).
 *
 * @module
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

/** A certificate and its private key, both PEM (key: PKCS#8). */
export interface PemPair {
  /** The certificate, PEM. */
  cert: string;
  /** The private key, PKCS#8 PEM. */
  key: string;
}

/** The certificate authority: its PEM pair and the key to sign with. */
export interface CertificateAuthority extends PemPair {
  /** The CA's private key (signs leaf certificates). */
  privateKey: CryptoKey;
  /** The CA certificate, parsed. */
  certificate: x509.X509Certificate;
}

/** What a leaf certificate is for. */
export type LeafUsage = "server" | "client" | "signing" | "key-agreement";

/** Options of {@linkcode issueCertificate}. */
export interface IssueOptions {
  /** Subject common name, e.g. `registry`. */
  commonName: string;
  /** What the key may do. `server`/`client` add the TLS extended key usages. */
  usages: LeafUsage[];
  /** DNS names in the subject alternative name (servers: `localhost`). */
  dnsNames?: string[];
  /** IP addresses in the subject alternative name (servers: `127.0.0.1`). */
  ipAddresses?: string[];
  /** Validity start (default: now minus one hour, for clock skew). */
  notBefore?: Date;
  /** Validity end (default: notBefore plus `days`). */
  notAfter?: Date;
  /** Validity in days when `notAfter` is absent (default 825). */
  days?: number;
}

/** The organisation every subject carries. */
export const ORGANIZATION = "Konbini Issuance Project";

const EC_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const ECDH_P256 = { name: "ECDH", namedCurve: "P-256" } as const;
const SIGNING_ALGORITHM = { name: "ECDSA", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;

function subjectName(commonName: string): string {
  if (!/^[A-Za-z0-9 ._-]{1,64}$/.test(commonName)) {
    throw new RangeError(
      `Invalid certificate common name: ${JSON.stringify(commonName)}`,
    );
  }
  return `CN=${commonName}, O=${ORGANIZATION}`;
}

function validity(opts: { notBefore?: Date; notAfter?: Date; days?: number }): {
  notBefore: Date;
  notAfter: Date;
} {
  const notBefore = opts.notBefore ?? new Date(Date.now() - 3_600_000);
  const notAfter = opts.notAfter ??
    new Date(notBefore.getTime() + (opts.days ?? 825) * DAY_MS);
  if (notAfter <= notBefore) {
    throw new RangeError("Certificate notAfter must be after notBefore");
  }
  return { notBefore, notAfter };
}

/** A random positive 128-bit certificate serial, lowercase hex (no leading zero byte). */
export function randomSerial(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[0] &= 0x7f; // positive INTEGER
  b[0] |= 0x01; // no leading zero byte
  return b.toHex();
}

/** PEM of a PKCS#8 private key. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

/** DER bytes of the first PEM block of `label` in `pem`. */
export function pemToDer(
  pem: string,
  label = "PRIVATE KEY",
): Uint8Array<ArrayBuffer> {
  const blocks = x509.PemConverter.decodeWithHeaders(pem).filter((b) =>
    b.type === label
  );
  if (!blocks.length) throw new TypeError(`No "${label}" block in PEM`);
  return new Uint8Array(blocks[0].rawData);
}

/**
 * A self-signed CA certificate for an ECDSA key pair, signed with SHA-256:
 * basicConstraints CA with path length 0 (critical), keyCertSign + cRLSign
 * (critical), subject key identifier, a random serial.
 *
 * @example
 * ```ts
 * const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
 * const cert = await selfSignedCaCertificate(keys, {
 *   name: "CN=Test CA", notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000),
 * });
 * ```
 */
export async function selfSignedCaCertificate(
  keys: CryptoKeyPair,
  opts: { name: string; notBefore: Date; notAfter: Date },
): Promise<x509.X509Certificate> {
  return await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: opts.name,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
}

/**
 * Creates a self-signed CA (ECDSA P-256, basicConstraints CA with path
 * length 0, keyCertSign + cRLSign).
 *
 * @example
 * ```ts
 * const ca = await createCa({ commonName: "Konbini LGWAN Test CA" });
 * console.log(ca.cert);
 * ```
 */
export async function createCa(
  opts: {
    commonName?: string;
    notBefore?: Date;
    notAfter?: Date;
    days?: number;
  } = {},
): Promise<CertificateAuthority> {
  const keys = await crypto.subtle.generateKey(EC_P256, true, [
    "sign",
    "verify",
  ]);
  const certificate = await selfSignedCaCertificate(keys, {
    name: subjectName(opts.commonName ?? "Konbini LGWAN CA"),
    ...validity({ days: 3650, ...opts }),
  });
  return {
    cert: certificate.toString("pem"),
    key: await privateKeyPem(keys.privateKey),
    privateKey: keys.privateKey,
    certificate,
  };
}

/**
 * Loads a CA from its PEM pair (to issue more certificates later).
 *
 * @example
 * ```ts ignore
 * const ca = await loadCa({ cert: await Deno.readTextFile("certs/ca.pem"), key: await Deno.readTextFile("certs/ca-key.pem") });
 * ```
 */
export async function loadCa(pair: PemPair): Promise<CertificateAuthority> {
  const certificate = new x509.X509Certificate(pair.cert);
  const privateKey = await crypto.subtle.importKey(
    "pkcs8",
    pemToDer(pair.key),
    EC_P256,
    false,
    [
      "sign",
    ],
  );
  return { ...pair, privateKey, certificate };
}

/**
 * Issues a v3 leaf certificate signed by `ca` for a fresh P-256 key pair.
 * TLS usages get ECDSA keys; `key-agreement` (and only it) gets an ECDH key.
 *
 * @example
 * ```ts ignore
 * const asp = await issueCertificate(ca, {
 *   commonName: "asp", usages: ["server", "client"],
 *   dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"],
 * });
 * ```
 */
export async function issueCertificate(
  ca: CertificateAuthority,
  opts: IssueOptions,
): Promise<PemPair> {
  const u = new Set(opts.usages);
  if (!u.size) throw new TypeError("A certificate needs at least one usage");
  const agreement = u.has("key-agreement");
  if (agreement && u.size > 1) {
    throw new TypeError("A key-agreement key cannot also sign or serve TLS");
  }
  const keys = agreement
    ? await crypto.subtle.generateKey(ECDH_P256, true, ["deriveBits"])
    : await crypto.subtle.generateKey(EC_P256, true, ["sign", "verify"]);
  const { notBefore, notAfter } = validity(opts);
  const flags = agreement
    ? x509.KeyUsageFlags.keyAgreement
    : x509.KeyUsageFlags.digitalSignature;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(flags, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.certificate.publicKey),
  ];
  const eku: string[] = [];
  if (u.has("server")) eku.push(x509.ExtendedKeyUsage.serverAuth);
  if (u.has("client")) eku.push(x509.ExtendedKeyUsage.clientAuth);
  if (eku.length) {
    extensions.push(new x509.ExtendedKeyUsageExtension(eku, false));
  }
  const names = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({
      type: "ip" as const,
      value,
    })),
  ];
  if (names.length) {
    extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: subjectName(opts.commonName),
    issuer: ca.certificate.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions,
  });
  return {
    cert: certificate.toString("pem"),
    key: await privateKeyPem(keys.privateKey),
  };
}

/**
 * Checks that `certPem` was signed by `caPem` and is valid at `at`, and
 * returns its subject common name; throws `TypeError` otherwise.
 *
 * @example
 * ```ts ignore
 * const cn = await verifyIssuedBy(pki.mediaSigning.cert, pki.ca.cert); // "registry-media"
 * ```
 */
export async function verifyIssuedBy(
  certPem: string,
  caPem: string,
  at: Date = new Date(),
): Promise<string> {
  const cert = new x509.X509Certificate(certPem);
  const ca = new x509.X509Certificate(caPem);
  const ok = await cert.verify({ publicKey: ca.publicKey, date: at });
  if (!ok) {
    throw new TypeError(
      `Certificate ${cert.subject} is not valid under CA ${ca.subject}`,
    );
  }
  return cert.subjectName.getField("CN")[0] ?? "";
}

/**
 * The certificates one development deployment needs, by role. A TLS
 * certificate's subject CN is the client id the servers map it to (their
 * client lists, lib/service/bearer_auth.ts): the three servers (which also
 * call each other), the municipal windows, the portal, the operators, the
 * emergency line and each registered kiosk terminal (its CN is the terminal
 * id the center writes into the ledger). The two media keys are not TLS keys.
 */
export const PKI_ROLES = {
  registry: { usages: ["server", "client"], server: true },
  asp: { usages: ["server", "client"], server: true },
  jlis: { usages: ["server", "client"], server: true },
  portal: { usages: ["server", "client"], server: true },
  "city-401005": { usages: ["client"], server: false },
  "city-401307": { usages: ["client"], server: false },
  ops: { usages: ["client"], server: false },
  "emergency-line": { usages: ["client"], server: false },
  "kiosk-0001": { usages: ["client"], server: false },
  "kiosk-0002": { usages: ["client"], server: false },
  "registry-media": { usages: ["signing"], server: false },
  "asp-media": { usages: ["key-agreement"], server: false },
} as const satisfies Record<string, { usages: LeafUsage[]; server: boolean }>;

/** A role of {@linkcode PKI_ROLES}. */
export type PkiRole = keyof typeof PKI_ROLES;

/** A complete PKI: the CA and one pair per role. */
export type Pki = { ca: CertificateAuthority } & Record<PkiRole, PemPair>;

/** The id of the `n`-th registered kiosk terminal (1-based): `kiosk-0001`. */
export function kioskId(n: number): string {
  return `kiosk-${String(n).padStart(4, "0")}`;
}

/**
 * Issues a TLS client certificate whose CN is `clientId` (a kiosk terminal
 * beyond the development two, a new municipal window…).
 *
 * @example
 * ```ts ignore
 * const kiosk = await issueClient(ca, "kiosk-0042");
 * ```
 */
export async function issueClient(
  ca: CertificateAuthority,
  clientId: string,
): Promise<PemPair> {
  return await issueCertificate(ca, {
    commonName: clientId,
    usages: ["client"],
  });
}

/** Issues the certificate of one role (servers: SAN localhost + 127.0.0.1). */
export async function issueRole(
  ca: CertificateAuthority,
  role: PkiRole,
  extraDnsNames: string[] = [],
): Promise<PemPair> {
  const spec: { usages: readonly LeafUsage[]; server: boolean } =
    PKI_ROLES[role];
  return await issueCertificate(ca, {
    commonName: role,
    usages: [...spec.usages],
    dnsNames: spec.server ? ["localhost", role, ...extraDnsNames] : undefined,
    ipAddresses: spec.server ? ["127.0.0.1", "::1"] : undefined,
  });
}

/**
 * Creates a whole PKI in memory, for tests: a CA and every role's pair.
 *
 * @example
 * ```ts ignore
 * const pki = await createTestPki();
 * const server = serveMtls(app.fetch, { port: 0, ...pki.registry, ca: pki.ca.cert });
 * ```
 */
export async function createTestPki(
  opts: { commonName?: string } = {},
): Promise<Pki> {
  const ca = await createCa({
    commonName: opts.commonName ?? "Konbini Test CA",
  });
  const out: Partial<Record<PkiRole, PemPair>> = {};
  for (const role of Object.keys(PKI_ROLES) as PkiRole[]) {
    out[role] = await issueRole(ca, role);
  }
  return { ca, ...(out as Record<PkiRole, PemPair>) };
}
