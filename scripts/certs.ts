/**
 * `npx -y deno@2.9.6 task certs [--out certs/] [--kiosks N] [--force]`: creates the
 * project's CA and one X.509 v3 certificate per party and per kiosk terminal
 * (see `PKI_ROLES` in lib/tls/pki.ts; subject CN = the client id the servers
 * know it by: registry, asp, jlis, portal, city-401005, city-401307, ops,
 * emergency-line, kiosk-0001, kiosk-0002, … up to `--kiosks`) as PEM files:
 * `ca.pem`, `ca-key.pem`, `<name>.pem`, `<name>-key.pem`.
 * Existing files are kept (a missing role is issued under the existing CA)
 * unless `--force` is given. Private keys are written with mode 0600.
 *
 * @module
 */
import { parseCli } from "../lib/service/cli.ts";
import {
  createCa,
  issueClient,
  issueRole,
  kioskId,
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
  opts: { force?: boolean; kiosks?: number } = {},
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
  const extraKiosks = Array.from(
    { length: Math.max(0, (opts.kiosks ?? 2) - 2) },
    (_, i) => kioskId(i + 3),
  );
  for (const role of [...Object.keys(PKI_ROLES), ...extraKiosks]) {
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
    const pair = role in PKI_ROLES
      ? await issueRole(ca, role as PkiRole)
      : await issueClient(ca, role);
    await writePair(dir, role, pair.cert, pair.key);
    created.push(role);
  }
  return { created, kept };
}

if (import.meta.main) {
  const { values } = parseCli({
    task: "certs",
    usage: "[--out DIR] [--kiosks N] [--force]",
    description:
      "Makes the project's CA and one certificate per party and per kiosk terminal\n" +
      "(kiosk-0001 … up to --kiosks, default 2) under --out (default the project's\n" +
      "certs/); keeps existing files unless --force.",
    options: {
      out: { type: "string", default: "certs" },
      kiosks: { type: "string", default: "2" },
      force: { type: "boolean", default: false },
    },
    paths: ["out"],
  });
  const dir = values.out!.replace(/\/+$/, "") || ".";
  const kiosks = Number(values.kiosks);
  if (!Number.isInteger(kiosks) || kiosks < 1 || kiosks > 9999) {
    console.error("certs: --kiosks must be a whole number from 1 to 9999");
    Deno.exit(2);
  }
  const { created, kept } = await ensureCerts(dir, {
    force: values.force,
    kiosks,
  });
  console.log(
    `certs: ${dir}/ — created ${created.join(", ") || "nothing"}; kept ${
      kept.join(", ") || "nothing"
    }`,
  );
}
