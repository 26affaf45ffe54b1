/**
 * `npx -y deno@2.9.6 task media:export --municipality 401005 --out FILE [--certs certs/]`
 * on the registry side: reads the municipality in one REPEATABLE READ
 * transaction at the outbox head and writes the encrypted, signed media
 * file for the ASP, with a progress bar.
 *
 * Keys (from `npx -y deno@2.9.6 task certs`): the registry's signing key
 * `registry-media-key.pem` and the ASP's certificate `asp-media.pem`, both
 * checked against `ca.pem`. Override with `--signing-key/--signing-cert`
 * and `--recipient-cert`.
 *
 * @module
 */
import { openDatabase } from "../lib/db/database.ts";
import { serviceDatabaseOptions } from "../lib/db/config.ts";
import { readMediaKeyFiles, registryMediaKeys } from "../lib/media/keys.ts";
import { exportMedia } from "../services/registry/media_export.ts";
import { parseCli, usageError } from "../lib/service/cli.ts";
import { createProgress, type Progress } from "../lib/progress.ts";
import { MIGRATIONS as REGISTRY_MIGRATIONS } from "../services/registry/main.ts";

const MEDIA_EXPORT_CLI = {
  task: "media:export",
  usage: `--municipality 401005 --out FILE [--certs certs/]
    [--signing-key FILE] [--signing-cert FILE] [--recipient-cert FILE]`,
  description:
    "Writes the municipality's encrypted, signed media file for the ASP to --out.\n" +
    "Paths you type are relative to the directory you run the task from; the\n" +
    "default --certs is the project's certs/.",
  options: {
    municipality: { type: "string" },
    out: { type: "string" },
    certs: { type: "string", default: "certs" },
    "signing-key": { type: "string" },
    "signing-cert": { type: "string" },
    "recipient-cert": { type: "string" },
  },
  paths: ["out", "certs", "signing-key", "signing-cert", "recipient-cert"],
} as const;

if (import.meta.main) {
  const { values } = parseCli(MEDIA_EXPORT_CLI);
  if (
    !values.municipality || !/^\d{6}$/.test(values.municipality) || !values.out
  ) {
    usageError(
      MEDIA_EXPORT_CLI,
      "--municipality (6 digits) and --out are required",
    );
  }
  const files = await readMediaKeyFiles(values.certs!);
  if (values["signing-key"]) {
    files.registryKey = await Deno.readTextFile(values["signing-key"]);
  }
  if (values["signing-cert"]) {
    files.registryCert = await Deno.readTextFile(values["signing-cert"]);
  }
  if (values["recipient-cert"]) {
    files.aspCert = await Deno.readTextFile(values["recipient-cert"]);
  }
  const { signer, aspPublicKey } = await registryMediaKeys(files);

  const database = await openDatabase(await serviceDatabaseOptions("registry"));
  try {
    await database.migrate(REGISTRY_MIGRATIONS);
    let bar: Progress | undefined;
    const summary = await exportMedia(database.db, {
      municipalityCode: values.municipality,
      out: values.out,
      signer,
      recipientPublicKey: aspPublicKey,
      onStart: ({ snapshotSeq, total }) => {
        console.error(
          `media:export: ${values.municipality} at snapshot seq ${snapshotSeq}`,
        );
        bar = createProgress({
          label: `export ${values.municipality}`,
          total,
          unit: "records",
        });
      },
      onProgress: (n) => bar?.update(n),
    });
    bar?.done();
    const c = summary.counts;
    console.log(
      `media:export: wrote ${summary.path} (${
        summary.bytes.toLocaleString("en-US")
      } bytes, ${summary.chunks} chunks) — ` +
        `snapshot ${summary.snapshotSeq}; residents ${c.resident}, households ${c.household}, seals ${c.seal}, ` +
        `blocks ${c.block}, cards ${c.card}; manifest sha256 ${summary.manifestSha256}`,
    );
  } finally {
    await database.close();
  }
}
