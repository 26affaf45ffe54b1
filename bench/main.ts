/**
 * Runs the benchmark figures, prints a table and merges the results into
 * bench/results.json (figures not run keep their previous entry).
 *
 * ```sh
 * npx -y deno@2.9.6 task bench [--only P1a,P2] [--residents N] [--seed N] [--results PATH]
 * ```
 *
 * Figures run against PostgreSQL at BENCH_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres); each creates its own scratch
 * databases and drops them. See bench/README.md.
 *
 * @module
 */

import { parseCli, usageError } from "../lib/service/cli.ts";
import {
  type BenchArgs,
  DEFAULT_BENCH_DATABASE_URL,
  type Figure,
  formatTable,
  mergeResults,
  readResults,
  type ResultEntry,
  resultEntry,
  scratchDatabases,
  withConnection,
} from "./lib.ts";
import { p1 } from "./p1.ts";
import { p1a } from "./p1a.ts";
import { p2 } from "./p2.ts";
import { p3, p3checks, p3p99 } from "./p3.ts";
import { p3b, p4, p4rate } from "./p4.ts";
import { p4m } from "./p4m.ts";
import { p5 } from "./p5.ts";
import { p6 } from "./p6.ts";
import { p7 } from "./p7.ts";
import { p8 } from "./p8.ts";

/** Every figure, in run order. Add new ones here. */
export const FIGURES: readonly Figure[] = [
  p1,
  p1a,
  p2,
  p3,
  p3p99,
  p3checks,
  p3b,
  p4,
  p4rate,
  p4m,
  p5,
  p6,
  p7,
  p8,
];

function positiveInt(
  name: string,
  value: string | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replaceAll("_", ""));
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new TypeError(`--${name} must be a positive integer, got "${value}"`);
  }
  return n;
}

/**
 * Selects figures by `--only` (comma-separated ids, case-insensitive).
 *
 * @example
 * ```ts ignore
 * selectFigures(FIGURES, "p1a").map((f) => f.id); // ["P1a"]
 * ```
 */
export function selectFigures(
  all: readonly Figure[],
  only: string | undefined,
): Figure[] {
  if (!only) return [...all];
  const wanted = only.split(",").map((s) => s.trim().toLowerCase()).filter(
    Boolean,
  );
  const unknown = wanted.filter((w) =>
    !all.some((f) => f.id.toLowerCase() === w)
  );
  if (unknown.length) {
    throw new RangeError(
      `Unknown figure(s) ${unknown.join(", ")}; known: ${
        all.map((f) => f.id).join(", ")
      }`,
    );
  }
  return all.filter((f) => wanted.includes(f.id.toLowerCase()));
}

if (import.meta.main) {
  const BENCH_CLI = {
    task: "bench",
    usage: "[--only P1a,P2] [--residents N] [--seed N] [--results PATH]",
    description: `Runs the figures (${
      FIGURES.map((f) => f.id).join(", ")
    }) against PostgreSQL at\n` +
      "BENCH_DATABASE_URL and merges them into --results (default bench/results.json;\n" +
      "a typed path is relative to the directory you run the task from).",
    options: {
      only: { type: "string" },
      residents: { type: "string" },
      seed: { type: "string" },
      results: {
        type: "string",
        default: new URL("./results.json", import.meta.url).pathname,
      },
    },
    paths: ["results"],
  } as const;
  const { values } = parseCli(BENCH_CLI);
  let figures: Figure[], args: BenchArgs;
  try {
    figures = selectFigures(FIGURES, values.only);
    args = {
      residents: positiveInt("residents", values.residents),
      seed: positiveInt("seed", values.seed),
    };
  } catch (e) {
    usageError(BENCH_CLI, (e as Error).message);
  }
  const databaseUrl = Deno.env.get("BENCH_DATABASE_URL") ??
    DEFAULT_BENCH_DATABASE_URL;
  const scratch = scratchDatabases(databaseUrl);
  const ctx = {
    args,
    databaseUrl,
    scratchDatabase: scratch.create,
    log: (m: string) =>
      console.error(m),
  };
  const rows: { entry: ResultEntry; met: boolean | null }[] = [];
  let failed = false;
  for (const figure of figures) {
    console.error(`== ${figure.id}: ${figure.metric}`);
    try {
      // Start each figure on a quiet server: the previous figure's dirty
      // pages (P1 writes gigabytes) are flushed now, not during this one
      // (best effort: CHECKPOINT needs a superuser or pg_checkpoint).
      await withConnection(databaseUrl, (sql) => sql`checkpoint`).catch(
        () => {},
      );
      const r = await figure.run(ctx);
      rows.push({ entry: resultEntry(figure, r), met: figure.meets(r) });
    } catch (e) {
      failed = true;
      console.error(`${figure.id} failed:`, e);
    } finally {
      await scratch.dropAll();
    }
  }
  if (rows.length) {
    console.log(formatTable(rows));
    const merged = mergeResults(
      await readResults(values.results!),
      rows.map((r) => r.entry),
      {
        measured_at: new Date().toISOString(),
        cores: navigator.hardwareConcurrency,
      },
    );
    await Deno.writeTextFile(
      values.results!,
      JSON.stringify(merged, null, 2) + "\n",
    );
    console.error(`wrote ${values.results}`);
  }
  if (failed) Deno.exit(1);
}
