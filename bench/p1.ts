/**
 * P1 — the initial load end to end on PostgreSQL: 970,000 residents of
 * 北九州市 exported from the registry (one REPEATABLE READ snapshot, read by
 * two connections), compressed, encrypted and signed into one media file;
 * then on the ASP side the signature, manifest and recipient checked, every
 * chunk verified as it is read while its rows are staged through the ASP's
 * own loader (`applySnapshotChunks`: per-row AES-256-GCM under the tenant's
 * data key, binary COPY into a staging schema), keys built, the tenant
 * switched atomically once the last chunk and the counts passed, and the
 * file destroyed — in seconds.
 *
 * Baseline, measured in the same run: raw COPY of the same rows
 * (households, residents, seals, blocks, card links of the municipality)
 * from the registry database straight into the same tables of another
 * empty database, `COPY (SELECT …) TO STDOUT` piped into `COPY … FROM
 * STDIN`, one table after the other — moving the rows with no format, no
 * cryptography and no replica projection. Goal: ratio ≤ 1.5.
 *
 * ```sh
 * deno task bench --only P1 [--residents 50000]
 * ```
 *
 * @module
 */
import postgres from "postgres";
import { openDatabase } from "../lib/db/database.ts";
import { createProgress } from "../lib/progress.ts";
import { generateMediaKeys } from "../lib/media/keys.ts";
import { exportMedia } from "../services/registry/media_export.ts";
import { importMedia } from "../lib/media/import.ts";
import { CONTROL_MIGRATIONS, createTenancy } from "../services/asp/tenancy.ts";
import {
  createKeyring,
  generateMasterKeyBase64,
  parseMasterKey,
} from "../services/asp/keys.ts";
import { aspMediaTarget } from "../services/asp/media_target.ts";
import { MIGRATIONS as REGISTRY_MIGRATIONS } from "../services/registry/main.ts";
import {
  type BenchContext,
  type Figure,
  type FigureResult,
  serverVersion,
  withConnection,
} from "./lib.ts";
import { seedWithProgress } from "./services.ts";

const MUNICIPALITY = "401005";
/** The tables whose rows the media carries. */
const TABLES = [
  "households",
  "residents",
  "seal_registrations",
  "issuance_blocks",
  "card_links",
];

async function seeded(ctx: BenchContext, residents: number, seed: number) {
  const scratch = await ctx.scratchDatabase("p1_registry");
  const database = await openDatabase({ url: scratch.url, max: 8 });
  await database.migrate(REGISTRY_MIGRATIONS);
  await seedWithProgress(database, "P1 seed registry", {
    municipalityCode: MUNICIPALITY,
    residents,
    seed,
  });
  // A few committed changes so the snapshot sequence is not zero.
  await database.exec(
    `UPDATE outbox_heads SET last_seq = 1200 WHERE municipality_code = '${MUNICIPALITY}'`,
  );
  await database.exec("VACUUM ANALYZE");
  await database.exec("CHECKPOINT");
  return { scratch, database };
}

/** Raw COPY of the municipality's rows, registry → a fresh migrated database. */
async function rawCopy(
  ctx: BenchContext,
  registryUrl: string,
): Promise<{ seconds: number; rows: number }> {
  const target = await ctx.scratchDatabase("p1_raw");
  const tdb = await openDatabase({ url: target.url, max: 2 });
  await tdb.migrate(REGISTRY_MIGRATIONS);
  await tdb.exec("CHECKPOINT");
  await tdb.close();
  try {
    const started = performance.now();
    for (const table of TABLES) await copyTable(registryUrl, target.url, table);
    const seconds = (performance.now() - started) / 1000;
    const rows = await withConnection(target.url, async (sql) => {
      let n = 0;
      for (const table of TABLES) {
        n += (await sql.unsafe(`SELECT count(*)::int AS n FROM "${table}"`))[0]
          .n;
      }
      return n;
    });
    return { seconds, rows };
  } finally {
    await target.drop();
  }
}

/** `COPY (SELECT …) TO STDOUT` piped into `COPY … FROM STDIN`, each on its own connection. */
async function copyTable(
  fromUrl: string,
  toUrl: string,
  table: string,
): Promise<void> {
  const src = postgres(fromUrl, { max: 1, onnotice: () => {} });
  const dst = postgres(toUrl, { max: 1, onnotice: () => {} });
  try {
    const writable = await dst.unsafe(`COPY "${table}" FROM STDIN`).writable();
    const failed = new Promise<never>((_, reject) =>
      writable.once("error", reject)
    );
    failed.catch(() => {});
    const readable = await src.unsafe(
      `COPY (SELECT * FROM "${table}" WHERE municipality_code = '${MUNICIPALITY}') TO STDOUT`,
    ).readable();
    for await (const chunk of readable) {
      if (!writable.write(chunk)) {
        await Promise.race([
          new Promise((r) => writable.once("drain", r)),
          failed,
        ]);
      }
    }
    await Promise.race([
      new Promise<void>((r) => writable.end(() => r())),
      failed,
    ]);
  } finally {
    await src.end({ timeout: 5 });
    await dst.end({ timeout: 5 });
  }
}

interface Timings {
  seconds: number;
  exportSeconds: number;
  /** Verifying every chunk while staging its rows (one pass). */
  verifySeconds: number;
  /** After the last chunk: the last COPY statements, keys and indexes, the switch. */
  loadSeconds: number;
  destroySeconds: number;
  fileBytes: number;
  records: number;
}

/** Export → verify + stage (one pass) → keys, switch → destroy, timed as one. */
async function mediaRoundTrip(
  ctx: BenchContext,
  registry: Awaited<ReturnType<typeof seeded>>,
): Promise<Timings> {
  const aspScratch = await ctx.scratchDatabase("p1_asp");
  const asp = await openDatabase({ url: aspScratch.url, max: 4 });
  const dir = await Deno.makeTempDir({ prefix: "bench_p1_" });
  try {
    await asp.migrate(CONTROL_MIGRATIONS);
    const tenancy = createTenancy({
      database: asp,
      keyring: createKeyring([
        parseMasterKey("mk-bench", generateMasterKeyBase64()),
      ]),
    });
    await tenancy.provision({
      code: MUNICIPALITY,
      name: "北九州市",
      mayor: "北九州市長　武内　和久",
    });
    await asp.exec("CHECKPOINT");
    const keys = await generateMediaKeys();
    const file = `${dir}/${MUNICIPALITY}.media`;

    const t0 = performance.now();
    let exportBar: ReturnType<typeof createProgress> | undefined;
    const summary = await exportMedia(registry.database.db, {
      municipalityCode: MUNICIPALITY,
      out: file,
      signer: keys.signer,
      recipientPublicKey: keys.aspPublicKey,
      onStart: (
        { total },
      ) => (exportBar = createProgress({
        label: "P1 export",
        total,
        unit: "records",
      })),
      onProgress: (n) => exportBar?.update(n),
    });
    exportBar?.done();
    const t1 = performance.now();
    let t2 = t1;
    const verifyBar = createProgress({
      label: "P1 verify+stage",
      total: summary.bytes,
      unit: "bytes",
    });
    const loadBar = createProgress({
      label: "P1 load",
      total: summary.totalRecords,
      unit: "records",
    });
    const { loader, audit } = aspMediaTarget(tenancy, {
      actor: "bench-p1",
      onProgress: (n) => loadBar.update(n),
    });
    let t3 = t1;
    const timed = async <T>(p: Promise<T>) => {
      const r = await p;
      t3 = performance.now();
      return r;
    };
    const result = await importMedia(file, {
      ...keys,
      loader: {
        ...loader,
        applySnapshot: (tenant, records, seq) =>
          timed(loader.applySnapshot(tenant, records, seq)),
        applySnapshotChunks: loader.applySnapshotChunks &&
          ((tenant, chunks, seq) =>
            timed(loader.applySnapshotChunks!(tenant, chunks, seq))),
      },
      audit,
      onProgress: (p) => verifyBar.update(p.bytes),
      onVerified: () => {
        verifyBar.done();
        t2 = performance.now();
      },
    });
    loadBar.done();
    const t4 = performance.now();
    const t = await tenancy.get(MUNICIPALITY);
    if (Number(t.snapshotSeq) !== summary.snapshotSeq) {
      throw new Error("tenant did not switch to the snapshot");
    }
    return {
      seconds: (t4 - t0) / 1000,
      exportSeconds: (t1 - t0) / 1000,
      verifySeconds: (t2 - t1) / 1000,
      loadSeconds: (t3 - t2) / 1000,
      destroySeconds: (t4 - t3) / 1000,
      fileBytes: summary.bytes,
      records: result.totalRecords,
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await asp.close();
    await aspScratch.drop();
  }
}

/** The P1 figure. */
export const p1: Figure = {
  id: "P1",
  metric:
    "initial load: 970,000 residents exported, encrypted, verified and imported (baseline: raw COPY of the same rows)",
  unit: "s",
  goal: "ratio ≤ 1.5",
  meets: (r) => r.ratio !== null && r.ratio <= 1.5,
  async run(ctx): Promise<FigureResult> {
    const residents = ctx.args.residents ?? 970_000;
    const seed = ctx.args.seed ?? 1;
    const registry = await seeded(ctx, residents, seed);
    ctx.log(`P1: registry seeded with ${residents} residents`);
    try {
      const raw = await rawCopy(ctx, registry.scratch.url);
      ctx.log(`P1: raw COPY of ${raw.rows} rows ${raw.seconds.toFixed(1)} s`);
      const m = await mediaRoundTrip(ctx, registry);
      if (m.records !== raw.rows) {
        throw new Error(
          `media carried ${m.records} records, raw COPY ${raw.rows}`,
        );
      }
      ctx.log(
        `P1: media ${m.seconds.toFixed(1)} s = export ${
          m.exportSeconds.toFixed(1)
        } + verify+stage ${m.verifySeconds.toFixed(1)} + keys+switch ${
          m.loadSeconds.toFixed(1)
        } + destroy ${m.destroySeconds.toFixed(1)}; file ${
          (m.fileBytes / 1e6).toFixed(0)
        } MB`,
      );
      const r2 = (x: number) => Math.round(x * 100) / 100;
      return {
        value: m.seconds,
        baseline: raw.seconds,
        ratio: m.seconds / raw.seconds,
        database: await serverVersion(ctx.databaseUrl),
        params: {
          residents,
          seed,
          records: m.records,
          file_mb: Math.round(m.fileBytes / 1e6),
          export_s: r2(m.exportSeconds),
          verify_stage_s: r2(m.verifySeconds),
          keys_switch_s: r2(m.loadSeconds),
          destroy_s: r2(m.destroySeconds),
        },
      };
    } finally {
      await registry.database.close();
      await registry.scratch.drop();
    }
  },
};
