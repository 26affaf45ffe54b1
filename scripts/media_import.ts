/**
 * `npx -y deno@2.9.6 task media:import FILE [--certs certs/] [--actor media-import]` on
 * the ASP side: verifies the whole media file (progress bar), refuses a
 * replay, loads it into the tenant through the ASP's `applySnapshot`
 * (staging + atomic switch), then overwrites and unlinks the file and
 * writes audit records of the load and of the destruction into the ASP's
 * audit log. A refused file is kept and the refusal audited. Run again on
 * a file whose import was killed after the switch (its snapshot is live,
 * its destruction never recorded), it loads nothing, finishes the
 * destruction and audits both.
 *
 * Configuration: the ASP database from `serviceDatabaseOptions("asp")`
 * (`DATABASE_URL` / `ASP_DATABASE_URL`, else PGlite under ./data/asp), the
 * master key from `ASP_MASTER_KEY` (base64, 32 bytes) and `ASP_MASTER_KEY_ID`
 * (default `mk-1`). The tenant must already be provisioned.
 *
 * @module
 */
import { openDatabase } from "../lib/db/database.ts";
import { serviceDatabaseOptions } from "../lib/db/config.ts";
import { aspMediaKeys, readMediaKeyFiles } from "../lib/media/keys.ts";
import { importMedia } from "../lib/media/import.ts";
import { MediaError } from "../lib/media/format.ts";
import { createProgress, type Progress } from "../lib/progress.ts";
import { CONTROL_MIGRATIONS, createTenancy } from "../services/asp/tenancy.ts";
import { createKeyring, parseMasterKey } from "../services/asp/keys.ts";
import { aspMediaTarget } from "../services/asp/media_target.ts";
import { parseCli, usageError } from "../lib/service/cli.ts";

const MEDIA_IMPORT_CLI = {
  task: "media:import",
  usage: "FILE [--certs certs/] [--actor media-import]",
  description:
    "Verifies the media file, loads it into the ASP's tenant, then destroys it.\n" +
    "Needs ASP_MASTER_KEY. FILE and a typed --certs are relative to the directory\n" +
    "you run the task from; the default --certs is the project's certs/.",
  options: {
    certs: { type: "string", default: "certs" },
    actor: { type: "string", default: "media-import" },
  },
  paths: ["certs"],
  positionals: "paths",
} as const;

if (import.meta.main) {
  const { values, positionals } = parseCli(MEDIA_IMPORT_CLI);
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    usageError(MEDIA_IMPORT_CLI, "exactly one media FILE is required");
  }
  const masterB64 = Deno.env.get("ASP_MASTER_KEY");
  if (!masterB64) {
    console.error(
      "ASP_MASTER_KEY is not set (base64 of the 32-byte master key that wraps tenant data keys)",
    );
    Deno.exit(2);
  }
  const keyring = createKeyring([
    parseMasterKey(Deno.env.get("ASP_MASTER_KEY_ID") ?? "mk-1", masterB64),
  ]);
  const keys = await aspMediaKeys(await readMediaKeyFiles(values.certs!));
  const database = await openDatabase(await serviceDatabaseOptions("asp"));
  try {
    await database.migrate(CONTROL_MIGRATIONS);
    const tenancy = createTenancy({ database, keyring });
    const size = (await Deno.stat(file)).size;
    const verifyBar = createProgress({
      label: "verify+stage",
      total: size,
      unit: "bytes",
    });
    let loadBar: Progress | undefined;
    const { loader, audit } = aspMediaTarget(tenancy, {
      actor: values.actor!,
      onProgress: (n) => loadBar?.update(n),
    });
    const result = await importMedia(file, {
      ...keys,
      loader,
      audit,
      onProgress: (p) => verifyBar.update(p.bytes),
      onVerified: (v) => {
        verifyBar.done(
          `${v.municipalityCode} snapshot ${v.snapshotSeq}: signature, recipient, counts and all ${v.manifest.chunkCount} chunks OK`,
        );
        loadBar = createProgress({
          label: `load ${v.municipalityCode}`,
          total: v.manifest.totalRecords,
          unit: "records",
        });
      },
    });
    loadBar?.done();
    const n = result.totalRecords.toLocaleString("en-US");
    if (result.resumed) {
      verifyBar.done(
        `${result.tenant} snapshot ${result.snapshotSeq}: signature and recipient OK`,
      );
    }
    const what = result.resumed
      ? `was already on snapshot ${result.snapshotSeq} from this file (an interrupted import): nothing loaded`
      : `switched to snapshot ${result.snapshotSeq} (${n} records)`;
    const d = result.destruction;
    console.log(
      `media:import: tenant ${result.tenant} ${what}; ${file} destroyed ` +
        `(${
          d.bytes.toLocaleString("en-US")
        } bytes overwritten, fsynced, unlinked) and audited`,
    );
  } catch (e) {
    if (e instanceof MediaError) {
      console.error(
        `\nmedia:import refused: ${e.code}\n  ${e.message}\n  ${e.messageJa}\n  (the file is kept)`,
      );
      Deno.exitCode = 1;
    } else throw e;
  } finally {
    await database.close();
  }
}
