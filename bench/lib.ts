/**
 * The bench harness: what a figure is, the context it runs in (a PostgreSQL
 * server where it may create scratch databases), and bench/results.json.
 *
 * @module
 */

import postgres from "postgres";

/** Parsed command-line options passed to every figure. */
export interface BenchArgs {
  /** `--residents N`: population size for figures that seed one. */
  residents?: number;
  /** `--seed N`. */
  seed?: number;
}

/** A scratch database created for one figure. */
export interface ScratchDatabase {
  name: string;
  url: string;
  /** Drops it (WITH FORCE); idempotent. */
  drop(): Promise<void>;
}

/** What a figure gets to run. */
export interface BenchContext {
  args: BenchArgs;
  /** Server URL (BENCH_DATABASE_URL or the local default). */
  databaseUrl: string;
  /** Creates an empty database on the server (dropped by the harness after the figure at the latest). */
  scratchDatabase(label: string): Promise<ScratchDatabase>;
  /** Progress messages (stderr). */
  log(message: string): void;
}

/** The outcome of one figure. */
export interface FigureResult {
  value: number;
  /** The reference measured in the same run, in the same unit (null: none). */
  baseline: number | null;
  /** value / baseline (null: no baseline). */
  ratio: number | null;
  /** Engine and version measured on, e.g. "PostgreSQL 15.20". */
  database: string;
  /** Parameters worth keeping with the number (e.g. the population size). */
  params?: Record<string, string | number | boolean>;
}

/** One benchmark figure, registered in bench/main.ts. */
export interface Figure {
  /** Stable id, e.g. "P1a". */
  id: string;
  /** What is measured, one line. */
  metric: string;
  /** Unit of value and baseline. */
  unit: string;
  /** The goal in words, e.g. "ratio ≤ 1.5". */
  goal: string;
  /** Whether a result meets the goal. */
  meets(result: FigureResult): boolean;
  run(ctx: BenchContext): Promise<FigureResult>;
}

/** One entry of bench/results.json. */
export interface ResultEntry {
  id: string;
  metric: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  goal: string;
  database: string;
  params?: Record<string, string | number | boolean>;
}

/** The whole of bench/results.json. */
export interface ResultsFile {
  measured_at: string;
  cores: number;
  figures: ResultEntry[];
}

/** Default server when BENCH_DATABASE_URL is not set. */
export const DEFAULT_BENCH_DATABASE_URL =
  "postgres://postgres@127.0.0.1:5432/postgres";

/** `FigureResult.database` of the figures that use none. */
export const NO_DATABASE = "none (no database)";

/**
 * Runs `fn` on one connection to `url` (notices silenced), then closes it.
 *
 * @example
 * ```ts ignore
 * const [row] = await withConnection(url, (sql) => sql`select 1 as one`);
 * ```
 */
export async function withConnection<T>(
  url: string,
  fn: (sql: postgres.Sql) => Promise<T>,
): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Drops cluster-wide roles (e.g. the ASP's tenant roles, left behind by its
 * dropped database); a role that cannot be dropped is skipped.
 *
 * @example
 * ```ts ignore
 * await dropRoles(DEFAULT_BENCH_DATABASE_URL, ["t_401005"]);
 * ```
 */
export async function dropRoles(
  serverUrl: string,
  roles: readonly string[],
): Promise<void> {
  await withConnection(serverUrl, async (sql) => {
    for (const r of roles) {
      await sql.unsafe(`DROP ROLE IF EXISTS "${r.replaceAll('"', '""')}"`)
        .catch(() => {});
    }
  });
}

/**
 * Creates scratch databases on a server and remembers them so the harness
 * can drop leftovers.
 *
 * @example
 * ```ts ignore
 * const pool = scratchDatabases(DEFAULT_BENCH_DATABASE_URL);
 * const db = await pool.create("p1a_seed");
 * await db.drop();
 * ```
 */
export function scratchDatabases(serverUrl: string): {
  create(label: string): Promise<ScratchDatabase>;
  dropAll(): Promise<void>;
} {
  const open = new Set<ScratchDatabase>();
  const admin = <T>(fn: (sql: postgres.Sql) => Promise<T>) =>
    withConnection(serverUrl, fn);
  return {
    async create(label) {
      const name = `bench_${label.toLowerCase().replace(/[^a-z0-9_]/g, "_")}_${
        crypto.randomUUID().replaceAll("-", "").slice(0, 8)
      }`;
      await admin((sql) => sql.unsafe(`CREATE DATABASE ${name}`));
      const u = new URL(serverUrl);
      u.pathname = `/${name}`;
      let dropped = false;
      const db: ScratchDatabase = {
        name,
        url: u.toString(),
        async drop() {
          if (dropped) return;
          dropped = true;
          open.delete(db);
          await admin((sql) =>
            sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
          );
        },
      };
      open.add(db);
      return db;
    },
    async dropAll() {
      for (const db of [...open]) await db.drop();
    },
  };
}

/**
 * "PostgreSQL 15.20" for the server at `url`.
 *
 * @example
 * ```ts ignore
 * await serverVersion("postgres://postgres@127.0.0.1:5432/postgres"); // "PostgreSQL 15.20"
 * ```
 */
export async function serverVersion(url: string): Promise<string> {
  const [row] = await withConnection(url, (sql) => sql`show server_version`);
  return `PostgreSQL ${String(row.server_version).split(" ")[0]}`;
}

/**
 * The results.json entry of one figure's outcome (values rounded).
 *
 * @example
 * ```ts ignore
 * const entry = resultEntry(p6, await p6.run(ctx));
 * ```
 */
export function resultEntry(figure: Figure, r: FigureResult): ResultEntry {
  return {
    id: figure.id,
    metric: figure.metric,
    value: round(r.value)!,
    unit: figure.unit,
    baseline: round(r.baseline),
    ratio: round(r.ratio, 3),
    goal: figure.goal,
    database: r.database,
    ...(r.params ? { params: r.params } : {}),
  };
}

/**
 * Reads a results file; an absent file gives an empty one.
 *
 * @example
 * ```ts ignore
 * const results = await readResults("bench/results.json");
 * ```
 */
export async function readResults(path: string): Promise<ResultsFile> {
  try {
    const parsed = JSON.parse(await Deno.readTextFile(path)) as ResultsFile;
    if (!Array.isArray(parsed.figures)) {
      throw new TypeError(`${path} has no "figures" array`);
    }
    return parsed;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { measured_at: "", cores: 0, figures: [] };
    }
    throw e;
  }
}

/**
 * Replaces the entries of the figures just measured (each stamped with this
 * run's time in `params.measured_at`) and keeps the others, ordered by id.
 *
 * @example
 * ```ts ignore
 * mergeResults(old, [entry], { measured_at: new Date().toISOString(), cores: 2 });
 * ```
 */
export function mergeResults(
  existing: ResultsFile,
  fresh: readonly ResultEntry[],
  meta: { measured_at: string; cores: number },
): ResultsFile {
  const byId = new Map(existing.figures.map((f) => [f.id, f]));
  // Each figure says which run measured it: the file's own `measured_at`
  // is only the last run's, and the figures kept from earlier runs are not.
  for (const f of fresh) {
    byId.set(f.id, {
      ...f,
      params: { ...f.params, measured_at: meta.measured_at },
    });
  }
  const figures = [...byId.values()].sort((a, b) =>
    a.id.localeCompare(b.id, "en", { numeric: true })
  );
  return { measured_at: meta.measured_at, cores: meta.cores, figures };
}

/**
 * Rounds to a few significant digits for the file and the table.
 *
 * @example
 * ```ts ignore
 * round(12.34567); // 12.35
 * ```
 */
export function round(x: number | null, digits = 4): number | null {
  if (x === null || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}

/**
 * A plain-text table of entries (id, metric, value, baseline, ratio, goal, met).
 *
 * @example
 * ```ts ignore
 * console.log(formatTable([{ entry, met: true }]));
 * ```
 */
export function formatTable(
  rows: readonly { entry: ResultEntry; met: boolean | null }[],
): string {
  const head = [
    "figure",
    "metric",
    "value",
    "baseline",
    "ratio",
    "goal",
    "met",
  ];
  const body = rows.map(({ entry: e, met }) => [
    e.id,
    e.metric,
    `${round(e.value)} ${e.unit}`,
    e.baseline === null ? "—" : `${round(e.baseline)} ${e.unit}`,
    e.ratio === null ? "—" : String(round(e.ratio, 3)),
    e.goal,
    met === null ? "?" : met ? "yes" : "NO",
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map((r) => r[i].length))
  );
  const fmt = (r: string[]) =>
    r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [
    fmt(head),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...body.map(fmt),
  ].join("\n");
}

/**
 * The nearest-rank percentile of ascending `sorted` values (NaN when empty).
 *
 * @example
 * ```ts ignore
 * percentile([1, 2, 3, 4], 0.5); // 2
 * ```
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  ];
}
