/**
 * A party's TLS identity from its PEM files (as `npx -y deno@2.9.6 task certs` writes
 * them): one rule for every service and tool.
 *
 * | Variable                | Default                          |
 * | ----------------------- | -------------------------------- |
 * | `<PREFIX>_TLS_CERT_FILE` | `<dir>/<name>.pem`              |
 * | `<PREFIX>_TLS_KEY_FILE`  | `<dir>/<name>-key.pem`          |
 * | `<PREFIX>_TLS_CA_FILE`   | `<dir>/ca.pem`                  |
 *
 * where `<dir>` is `<PREFIX>_TLS_DIR`, else `CERTS_DIR`, else `./certs`.
 *
 * @module
 */
import type { PemPair } from "./pki.ts";
import { type MtlsFetch, mtlsFetch } from "./mtls.ts";

/** Where a TLS identity's files are. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** A TLS identity: the party's certificate and key and the CA it trusts (PEM). */
export interface TlsIdentity extends PemPair {
  /** The project CA the peers' certificates must chain to. */
  ca: string;
}

/**
 * The files of `name`'s identity under the variables of `prefix`.
 *
 * @example
 * ```ts
 * const files = tlsFiles({ get: () => undefined }, "KIOSK", "kiosk-0001");
 * // { certFile: "./certs/kiosk-0001.pem", keyFile: "./certs/kiosk-0001-key.pem", caFile: "./certs/ca.pem" }
 * ```
 */
export function tlsFiles(
  env: { get(k: string): string | undefined },
  prefix: string,
  name: string,
): TlsFiles {
  const dir = (env.get(`${prefix}_TLS_DIR`) ?? env.get("CERTS_DIR") ??
    "./certs").replace(/\/+$/, "");
  return {
    certFile: env.get(`${prefix}_TLS_CERT_FILE`) ?? `${dir}/${name}.pem`,
    keyFile: env.get(`${prefix}_TLS_KEY_FILE`) ?? `${dir}/${name}-key.pem`,
    caFile: env.get(`${prefix}_TLS_CA_FILE`) ?? `${dir}/ca.pem`,
  };
}

/**
 * Reads an identity's files; a missing file fails naming it and the task
 * that makes it.
 *
 * @example
 * ```ts ignore
 * const id = await readTlsIdentity(tlsFiles(Deno.env, "JLIS", "jlis"));
 * ```
 */
export async function readTlsIdentity(files: TlsFiles): Promise<TlsIdentity> {
  const read = (p: string) =>
    Deno.readTextFile(p).catch((err) => {
      throw new Error(
        `Cannot read the TLS file ${p} (run \`npx -y deno@2.9.6 task certs\`): ${err.message}`,
      );
    });
  const [cert, key, ca] = await Promise.all([
    read(files.certFile),
    read(files.keyFile),
    read(files.caFile),
  ]);
  return { cert, key, ca };
}

/**
 * A municipal window's transport (mutual TLS with its certificate
 * `city-<code>`, from `certsDir` or CERTS_DIR or ./certs) for the window
 * scripts; an unreadable file fails naming it.
 *
 * @example
 * ```ts ignore
 * const window = await cityWindowFetch(Deno.env, "401005");
 * ```
 */
export async function cityWindowFetch(
  env: { get(k: string): string | undefined },
  municipalityCode: string,
  certsDir?: string,
): Promise<MtlsFetch> {
  return mtlsFetch(
    await readTlsIdentity(
      tlsFiles(
        { get: (k) => k === "CERTS_DIR" ? certsDir ?? env.get(k) : env.get(k) },
        "CITY",
        `city-${municipalityCode}`,
      ),
    ),
  );
}

/**
 * Whether this process runs without TLS (`KONBINI_TRANSPORT=plaintext`):
 * a benchmark's plaintext baseline or a local experiment; refused when
 * `KONBINI_ENV=production`.
 *
 * @example
 * ```ts
 * plaintextTransport({ get: () => undefined }); // false
 * ```
 */
export function plaintextTransport(
  env: { get(k: string): string | undefined },
): boolean {
  const t = env.get("KONBINI_TRANSPORT") ?? "tls";
  if (t !== "tls" && t !== "plaintext") {
    throw new Error(`KONBINI_TRANSPORT must be tls or plaintext, got '${t}'`);
  }
  if (t === "plaintext" && env.get("KONBINI_ENV") === "production") {
    throw new Error("KONBINI_TRANSPORT=plaintext is refused in production");
  }
  return t === "plaintext";
}
