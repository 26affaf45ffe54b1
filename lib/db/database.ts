/**
 * Opens a service's own database: PostgreSQL through postgres.js when a URL
 * is given, PGlite (embedded PostgreSQL) persisted in a directory otherwise.
 * Both are driven through Drizzle; `copyRows` is the fast bulk path (COPY).
 *
 * @module
 */
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { openCopyIn } from "./copy_in.ts";

/** A Drizzle database of either driver. */
// deno-lint-ignore no-explicit-any
export type Db = PgDatabase<PgQueryResultHKT, any>;

/**
 * Rows of a `db.execute(sql)` result on either driver (postgres.js answers
 * an array, PGlite an object with `rows`).
 *
 * @example
 * ```ts ignore
 * const [{ n }] = rowsOf<{ n: number }>(await db.execute(sql`select 1 as n`));
 * ```
 */
export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  if (Array.isArray(result)) return [...result] as T[];
  return [...((result as { rows?: T[] }).rows ?? [])];
}

/** A transaction handle as passed to `db.transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** A database handle owned by one service. */
export interface Database {
  /** Drizzle, for queries and transactions. */
  db: Db;
  /** Which engine is underneath. */
  kind: "pglite" | "postgres";
  /** Runs raw SQL (several statements allowed) outside Drizzle. */
  exec(text: string): Promise<void>;
  /** Bulk-loads rows with COPY … FROM (text format). Values are escaped here. */
  copyRows(
    table: string,
    columns: string[],
    rows: Iterable<CopyValue[]>,
  ): Promise<number>;
  /** Applies the service's committed migrations. */
  migrate(migrationsFolder: string): Promise<void>;
  /** Closes connections. */
  close(): Promise<void>;
}

/** A value COPY can take: null becomes \N, Uint8Array becomes bytea hex. */
export type CopyValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | Date
  | Uint8Array;

/** Options of {@linkcode openDatabase}. */
export interface OpenDatabaseOptions {
  /** PostgreSQL URL; when absent, PGlite is used. */
  url?: string;
  /** PGlite data directory (absent: in memory). */
  dataDir?: string;
  /** PGlite: start from this dump (see `PGlite.dumpDataDir`) instead of initdb. */
  loadDataDir?: Blob;
  /** postgres.js pool size. */
  max?: number;
}

/** Escapes one value for COPY's text format. */
export function copyEscape(v: CopyValue): string {
  if (v === null || v === undefined) return "\\N";
  if (v instanceof Uint8Array) {
    return "\\\\x" + v.toHex();
  }
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "boolean") return v ? "t" : "f";
  const s = String(v);
  // Fast path: nothing to escape.
  if (!/[\\\t\n\r]/.test(s)) return s;
  return s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r");
}

function copyText(
  rows: Iterable<CopyValue[]>,
): { text: string; count: number } {
  const parts: string[] = [];
  let count = 0;
  for (const row of rows) {
    parts.push(row.map(copyEscape).join("\t"));
    count++;
  }
  return { text: parts.length ? parts.join("\n") + "\n" : "", count };
}

function quoteIdent(name: string): string {
  return name.split(".").map((p) => `"${p.replace(/"/g, '""')}"`).join(".");
}

const COPY_BATCH = 50_000;
const COPY_TIMEOUT_MS = 5_000;

function* batches<T>(rows: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const r of rows) {
    batch.push(r);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * The client drizzle talks through: its parameterized queries become named
 * prepared statements, cached per connection. drizzle sends every query
 * through `unsafe`, which postgres.js runs unprepared — for a query with
 * parameters that is two round trips (describe, then bind and execute) and
 * a parse and plan on the server every time; prepared, it is one round trip
 * after the first. Transactions and savepoints hand out the same wrapper.
 * Parameterless text (DDL, several statements) still goes as a simple query;
 * statements with more than {@linkcode PREPARE_MAX_PARAMS} parameters stay
 * unprepared.
 * PostgreSQL re-plans a prepared statement when the search_path, the role
 * or a table it uses changes, so the ASP's per-tenant role and schema stay
 * correct.
 */
const PREPARE_MAX_PARAMS = 32;

function preparing(sql: postgres.Sql): postgres.Sql {
  return new Proxy(sql, {
    get(target, prop, receiver) {
      if (prop === "unsafe") {
        return (query: string, args?: unknown[], options?: object) =>
          target.unsafe(
            query,
            args as postgres.ParameterOrJSON<never>[],
            // Statements with long parameter lists (multi-row inserts, IN
            // lists) vary in text with their length: left unprepared, so
            // the per-connection statement cache stays small.
            (args?.length ?? 0) <= PREPARE_MAX_PARAMS
              ? { ...options, prepare: true }
              : options,
          );
      }
      if (prop === "begin" || prop === "savepoint") {
        return (...a: unknown[]) => {
          const i = a.findIndex((x) => typeof x === "function");
          const fn = a[i] as (inner: postgres.Sql) => unknown;
          const b = [...a];
          b[i] = (inner: postgres.Sql) => fn(preparing(inner));
          const method = Reflect.get(target, prop, receiver) as (
            ...x: unknown[]
          ) => unknown;
          return method.apply(target, b);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

/**
 * Opens a database.
 *
 * @example
 * ```ts ignore
 * const database = await openDatabase({ url: Deno.env.get("DATABASE_URL") });
 * await database.migrate("db/migrations/registry");
 * ```
 */
export async function openDatabase(
  opts: OpenDatabaseOptions = {},
): Promise<Database> {
  if (opts.url) {
    const client = postgres(opts.url, {
      max: opts.max ?? 10,
      onnotice: () => {},
    });
    const db = drizzlePostgres(preparing(client)) as unknown as Db;
    return {
      db,
      kind: "postgres",
      async exec(text) {
        await client.unsafe(text);
      },
      async copyRows(table, columns, rows) {
        // A dedicated connection, thrown away when a batch is refused (see
        // copy_in.ts: postgres.js loses the answer of a refused COPY).
        const copier = postgres(opts.url!, { max: 1, onnotice: () => {} });
        let total = 0;
        try {
          for (const batch of batches(rows, COPY_BATCH)) {
            const { text, count } = copyText(batch);
            const copy = await openCopyIn(
              copier,
              `COPY ${quoteIdent(table)} (${
                columns.map(quoteIdent).join(",")
              }) FROM STDIN`,
              { stallTimeoutMs: COPY_TIMEOUT_MS, label: table },
            );
            await copy.write(text);
            await copy.close();
            total += count;
          }
        } catch (err) {
          await copier.end({ timeout: 0 }).catch(() => {});
          throw err;
        }
        await copier.end({ timeout: 5 });
        return total;
      },
      async migrate(migrationsFolder) {
        await migratePostgres(drizzlePostgres(client), { migrationsFolder });
      },
      async close() {
        await client.end({ timeout: 5 });
      },
    };
  }
  const pg = new PGlite({
    dataDir: opts.dataDir,
    loadDataDir: opts.loadDataDir,
  });
  await pg.waitReady;
  const db = drizzlePglite(pg) as unknown as Db;
  await db.execute(sql`select 1`);
  return {
    db,
    kind: "pglite",
    async exec(text) {
      await pg.exec(text);
    },
    async copyRows(table, columns, rows) {
      let total = 0;
      for (const batch of batches(rows, COPY_BATCH)) {
        const { text, count } = copyText(batch);
        await pg.query(
          `COPY ${quoteIdent(table)} (${
            columns.map(quoteIdent).join(",")
          }) FROM '/dev/blob'`,
          [],
          { blob: new Blob([text]) },
        );
        total += count;
      }
      return total;
    },
    async migrate(migrationsFolder) {
      await migratePglite(drizzlePglite(pg), { migrationsFolder });
    },
    async close() {
      await pg.close();
    },
  };
}

/** Exposed for the test helper: the PGlite instance behind a database, if any. */
export type { PGlite };
