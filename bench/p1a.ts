/**
 * P1a — seeding the registry: `seedRegistry` loading 970,000 residents of
 * 北九州市 (households, residents, history, seals, blocks, cards) into an
 * empty, migrated PostgreSQL database, in seconds.
 *
 * Baseline, measured in the same run: the very same rows (all six tables,
 * resident_history included), pre-built as COPY text files before the
 * clock starts, streamed into another empty, migrated database through six
 * concurrent COPY streams — the cost of the load alone, without generation.
 * Goal: seed / baseline ≤ 1.5. (seedRegistry has the server build the
 * history snapshots from the loaded residents instead of sending their JSON;
 * the resulting rows are identical.)
 *
 * @module
 */

import { openDatabase } from "../lib/db/database.ts";
import { createProgress } from "../lib/progress.ts";
import {
  COPY_TABLES,
  generatePopulation,
  openCopy,
  SEED_STEP,
} from "../services/registry/seed/mod.ts";
import { MIGRATIONS } from "../services/registry/main.ts";
import {
  type BenchContext,
  type Figure,
  type FigureResult,
  serverVersion,
} from "./lib.ts";
import { seedWithProgress } from "./services.ts";

const MUNICIPALITY = "401005";
const READ_SIZE = 1 << 20;

async function writeCopyFiles(
  dir: string,
  residents: number,
  seed: number,
): Promise<string[]> {
  const utf8 = new TextEncoder();
  const paths = COPY_TABLES.map((t) => `${dir}/${t.table}.copy`);
  const files = await Promise.all(
    paths.map((p) =>
      Deno.open(p, { write: true, create: true, truncate: true })
    ),
  );
  const progress = createProgress({
    label: "P1a prepare COPY files",
    total: residents,
    unit: "residents",
  });
  try {
    for (
      const chunk of generatePopulation({
        municipalityCode: MUNICIPALITY,
        residents,
        seed,
        chunkSize: SEED_STEP,
      })
    ) {
      for (let i = 0; i < COPY_TABLES.length; i++) {
        const t = COPY_TABLES[i];
        const bytes = utf8.encode(t.text(chunk[t.field]));
        for (let off = 0; off < bytes.length;) {
          off += await files[i].write(bytes.subarray(off));
        }
      }
      progress.add(chunk.residents.length);
    }
  } finally {
    for (const f of files) f.close();
    progress.done();
  }
  return paths;
}

async function migratedDatabase(ctx: BenchContext, label: string) {
  const scratch = await ctx.scratchDatabase(label);
  const database = await openDatabase({ url: scratch.url, max: 10 });
  await database.migrate(MIGRATIONS);
  await database.exec("CHECKPOINT");
  return { scratch, database };
}

/** Streams the prepared files through one COPY per table, all at once. */
async function rawCopy(ctx: BenchContext, paths: string[]): Promise<number> {
  const { scratch, database } = await migratedDatabase(ctx, "p1a_raw");
  try {
    const started = performance.now();
    await Promise.all(COPY_TABLES.map(async (t, i) => {
      const writer = await openCopy(database, t.table, t.columns);
      using file = await Deno.open(paths[i], { read: true });
      const buf = new Uint8Array(READ_SIZE);
      for (let n = await file.read(buf); n !== null; n = await file.read(buf)) {
        await writer.write(buf.slice(0, n));
      }
      await writer.close();
    }));
    return (performance.now() - started) / 1000;
  } finally {
    await database.close();
    await scratch.drop();
  }
}

async function seedOnce(
  ctx: BenchContext,
  residents: number,
  seed: number,
): Promise<number> {
  const { scratch, database } = await migratedDatabase(ctx, "p1a_seed");
  try {
    const summary = await seedWithProgress(database, "P1a seedRegistry", {
      municipalityCode: MUNICIPALITY,
      residents,
      seed,
    });
    return summary.seconds;
  } finally {
    await database.close();
    await scratch.drop();
  }
}

/** The P1a figure. */
export const p1a: Figure = {
  id: "P1a",
  metric:
    "seedRegistry: 970,000 residents into PostgreSQL (baseline: raw COPY of the same rows)",
  unit: "s",
  goal: "ratio ≤ 1.5",
  meets: (r) => r.ratio !== null && r.ratio <= 1.5,
  async run(ctx): Promise<FigureResult> {
    const residents = ctx.args.residents ?? 970_000;
    const seed = ctx.args.seed ?? 1;
    const dir = await Deno.makeTempDir({ prefix: "bench_p1a_" });
    try {
      const paths = await writeCopyFiles(dir, residents, seed);
      let bytes = 0;
      for (const p of paths) bytes += (await Deno.stat(p)).size;
      ctx.log(
        `P1a: ${
          (bytes / 1e6).toFixed(0)
        } MB of COPY text for ${residents} residents`,
      );
      const baseline = await rawCopy(ctx, paths);
      ctx.log(`P1a: raw COPY ${baseline.toFixed(1)} s`);
      const value = await seedOnce(ctx, residents, seed);
      ctx.log(
        `P1a: seedRegistry ${value.toFixed(1)} s (${
          Math.round(residents / value)
        } residents/s)`,
      );
      return {
        value,
        baseline,
        ratio: value / baseline,
        database: await serverVersion(ctx.databaseUrl),
        params: { residents, seed, copy_mb: Math.round(bytes / 1e6) },
      };
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
};
