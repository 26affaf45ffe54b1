/**
 * The media's keys, from the files `deno task certs` writes (or any PEM
 * pair): the registry signs with `registry-media-key.pem` (ECDSA P-256) and
 * the ASP opens with `asp-media-key.pem` (ECDH P-256). Each side takes the
 * other's public key from its certificate, checked against the project CA.
 * Private keys are imported non-extractable.
 *
 * @module
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { createSigner, type Signer } from "../crypto/signer.ts";
import { pemToDer, verifyIssuedBy } from "../tls/pki.ts";
import { taskCommand } from "../service/commands.ts";

const ECDSA = { name: "ECDSA", namedCurve: "P-256" } as const;
const ECDH = { name: "ECDH", namedCurve: "P-256" } as const;

/** PEM texts of the media keys, as found in a certs directory. */
export interface MediaKeyFiles {
  /** Project CA certificate. */
  ca: string;
  /** The registry's signing certificate and key (registry side holds the key). */
  registryCert: string;
  registryKey?: string;
  /** The ASP's key-agreement certificate and key (ASP side holds the key). */
  aspCert: string;
  aspKey?: string;
}

/** Reads whatever media key files exist in `dir`. */
export async function readMediaKeyFiles(dir = "certs"): Promise<MediaKeyFiles> {
  const read = (name: string) =>
    Deno.readTextFile(`${dir}/${name}`).catch(() => undefined);
  const [ca, registryCert, registryKey, aspCert, aspKey] = await Promise.all([
    read("ca.pem"),
    read("registry-media.pem"),
    read("registry-media-key.pem"),
    read("asp-media.pem"),
    read("asp-media-key.pem"),
  ]);
  if (!ca || !registryCert || !aspCert) {
    throw new Error(
      `Media certificates missing in ${dir}/ (ca.pem, registry-media.pem, asp-media.pem): run \`${
        taskCommand("certs")
      }\``,
    );
  }
  return { ca, registryCert, registryKey, aspCert, aspKey };
}

async function certPublicKey(
  certPem: string,
  caPem: string,
  alg: EcKeyImportParams,
  usages: KeyUsage[],
) {
  await verifyIssuedBy(certPem, caPem);
  const cert = new x509.X509Certificate(certPem);
  const key = await crypto.subtle.importKey(
    "spki",
    cert.publicKey.rawData,
    alg,
    true,
    usages,
  );
  return { key, cert };
}

/**
 * The registry side: a signer over the registry's media key (valid for the
 * certificate's period) and the ASP's public key.
 *
 * @example
 * ```ts ignore
 * const { signer, aspPublicKey } = await registryMediaKeys(await readMediaKeyFiles("certs"));
 * ```
 */
export async function registryMediaKeys(
  files: MediaKeyFiles,
): Promise<{ signer: Signer; aspPublicKey: CryptoKey }> {
  if (!files.registryKey) {
    throw new Error(
      "The registry's media signing key (registry-media-key.pem) is missing",
    );
  }
  const { key: publicKey, cert } = await certPublicKey(
    files.registryCert,
    files.ca,
    ECDSA,
    ["verify"],
  );
  const privateKey = await crypto.subtle.importKey(
    "pkcs8",
    pemToDer(files.registryKey),
    ECDSA,
    false,
    ["sign"],
  );
  const signer = await createSigner([{
    privateKey,
    publicKey,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  }]);
  const { key: aspPublicKey } = await certPublicKey(
    files.aspCert,
    files.ca,
    ECDH,
    [],
  );
  return { signer, aspPublicKey };
}

/**
 * The ASP side: its private key-agreement key and public key, and the
 * registry's signature-verification key.
 *
 * @example
 * ```ts ignore
 * const keys = await aspMediaKeys(await readMediaKeyFiles("certs"));
 * const verified = await verifyMedia(path, keys);
 * ```
 */
export async function aspMediaKeys(
  files: MediaKeyFiles,
): Promise<
  {
    aspPrivateKey: CryptoKey;
    aspPublicKey: CryptoKey;
    registryPublicKey: CryptoKey;
  }
> {
  if (!files.aspKey) {
    throw new Error("The ASP's media key (asp-media-key.pem) is missing");
  }
  const aspPrivateKey = await crypto.subtle.importKey(
    "pkcs8",
    pemToDer(files.aspKey),
    ECDH,
    false,
    ["deriveBits"],
  );
  const { key: aspPublicKey } = await certPublicKey(
    files.aspCert,
    files.ca,
    ECDH,
    [],
  );
  const { key: registryPublicKey } = await certPublicKey(
    files.registryCert,
    files.ca,
    ECDSA,
    ["verify"],
  );
  return { aspPrivateKey, aspPublicKey, registryPublicKey };
}

/**
 * Fresh media keys in memory, for tests: a signer with its public key and
 * an ASP key pair.
 *
 * @example
 * ```ts ignore
 * const k = await generateMediaKeys();
 * const w = await createMediaWriter(path, { ...opts, signer: k.signer, recipientPublicKey: k.aspPublicKey });
 * ```
 */
export async function generateMediaKeys(): Promise<{
  signer: Signer;
  registryPublicKey: CryptoKey;
  aspPrivateKey: CryptoKey;
  aspPublicKey: CryptoKey;
}> {
  const sig = await crypto.subtle.generateKey(ECDSA, false, ["sign", "verify"]);
  const signer = await createSigner([{
    privateKey: sig.privateKey,
    publicKey: sig.publicKey,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
  }]);
  const asp = await crypto.subtle.generateKey(ECDH, false, ["deriveBits"]);
  return {
    signer,
    registryPublicKey: sig.publicKey,
    aspPrivateKey: asp.privateKey,
    aspPublicKey: asp.publicKey,
  };
}
