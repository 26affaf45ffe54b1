/**
 * `npx -y deno@2.9.6 task certs [--out certs/] [--force]`: creates the project's CA and
 * one X.509 v3 certificate per role (see `PKI_ROLES` in lib/tls/pki.ts) as
 * PEM files: `ca.pem`, `ca-key.pem`, `<role>.pem`, `<role>-key.pem`.
 * Existing files are kept (a missing role is issued under the existing CA)
 * unless `--force` is given. Private keys are written with mode 0600.
 *
 * @module
 */
import { parseCli } from "../lib/service/cli.ts";
import {
  createCa,
  issueRole,
  loadCa,
  PKI_ROLES,
  type PkiRole,
  verifyIssuedBy,
} from "../lib/tls/pki.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function writePair(
  dir: string,
  name: string,
  cert: string,
  key: string,
): Promise<void> {
  await Deno.writeTextFile(`${dir}/${name}-key.pem`, key, { mode: 0o600 });
  await Deno.chmod(`${dir}/${name}-key.pem`, 0o600);
  await Deno.writeTextFile(`${dir}/${name}.pem`, cert);
}

/**
 * Ensures the CA and every role's certificate exist under `dir`; returns what
 * was created and what was kept.
 *
 * @example
 * ```ts ignore
 * const { created } = await ensureCerts("certs");
 * ```
 */
export async function ensureCerts(
  dir: string,
  opts: { force?: boolean } = {},
): Promise<{ created: string[]; kept: string[] }> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const created: string[] = [];
  const kept: string[] = [];
  const caFiles = [`${dir}/ca.pem`, `${dir}/ca-key.pem`];
  let ca;
  const haveCa = (await exists(caFiles[0])) && (await exists(caFiles[1]));
  if (haveCa && !opts.force) {
    ca = await loadCa({
      cert: await Deno.readTextFile(caFiles[0]),
      key: await Deno.readTextFile(caFiles[1]),
    });
    kept.push("ca");
  } else {
    ca = await createCa();
    await writePair(dir, "ca", ca.cert, ca.key);
    created.push("ca");
  }
  for (const role of Object.keys(PKI_ROLES) as PkiRole[]) {
    const certFile = `${dir}/${role}.pem`;
    const keyFile = `${dir}/${role}-key.pem`;
    if (
      !opts.force && created.length === 0 && (await exists(certFile)) &&
      (await exists(keyFile))
    ) {
      // Keep it only if it still chains to this CA.
      try {
        await verifyIssuedBy(await Deno.readTextFile(certFile), ca.cert);
        kept.push(role);
        continue;
      } catch {
        // fall through: reissue under the current CA
      }
    }
    const pair = await issueRole(ca, role);
    await writePair(dir, role, pair.cert, pair.key);
    created.push(role);
  }
  return { created, kept };
}

if (import.meta.main) {
  const { values } = parseCli({
    task: "certs",
    usage: "[--out DIR] [--force]",
    description:
      "Makes the project's CA and one certificate per role under --out (default the\n" +
      "project's certs/); keeps existing files unless --force.",
    options: {
      out: { type: "string", default: "certs" },
      force: { type: "boolean", default: false },
    },
    paths: ["out"],
  });
  const dir = values.out!.replace(/\/+$/, "") || ".";
  const { created, kept } = await ensureCerts(dir, { force: values.force });
  console.log(
    `certs: ${dir}/ — created ${created.join(", ") || "nothing"}; kept ${
      kept.join(", ") || "nothing"
    }`,
  );
}
