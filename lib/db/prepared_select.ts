/**
 * Whole-row selects that Drizzle builds once. A query builder costs
 * 30–50 µs of CPU to turn into SQL every time it runs (more than the
 * database takes to answer a primary-key lookup); on a hot path that is
 * run thousands of times a second with different values, the SQL is built
 * once with `sql.placeholder()`s and only the values change afterwards.
 *
 * @module
 */
import { getTableColumns, type Query, type SQL } from "drizzle-orm";
import type {
  PgColumn,
  PgTable,
  SelectedFieldsOrdered,
} from "drizzle-orm/pg-core";
import type { Db, Tx } from "./database.ts";

/** A runnable select: any handle (database or transaction) and the values. */
export type PreparedSelect<T extends PgTable> = (
  db: Db | Tx,
  values: Record<string, unknown>,
) => Promise<T["$inferSelect"][]>;

/** Order and row lock of a {@linkcode preparedSelect}. */
export interface PreparedSelectOptions {
  orderBy?: SQL | PgColumn;
  /** `FOR SHARE` / `FOR UPDATE`. */
  lock?: "share" | "update";
}

/**
 * Prepares `select * from table where …` (values as
 * `sql.placeholder(name)`); the returned function runs it with values on any
 * handle, mapping rows as Drizzle does.
 *
 * @example
 * ```ts ignore
 * const byId = preparedSelect(residents, eq(residents.id, sql.placeholder("id")));
 * const rows = await byId(tx, { id: "R1" });
 * ```
 */
export function preparedSelect<T extends PgTable>(
  table: T,
  where: SQL | undefined,
  opts: PreparedSelectOptions = {},
): PreparedSelect<T> {
  const fields = Object.entries(getTableColumns(table)).map((
    [key, field],
  ) => ({ path: [key], field })) as SelectedFieldsOrdered;
  let query: Query | undefined;
  const build = (db: Db): Query => {
    let q = db.select().from(table as PgTable).where(where).$dynamic();
    if (opts.orderBy) q = q.orderBy(opts.orderBy);
    if (opts.lock) q = q.for(opts.lock);
    return q.toSQL();
  };
  return async (db, values) => {
    query ??= build(db as Db);
    return await db._.session.prepareQuery<
      { execute: T["$inferSelect"][]; all: unknown; values: unknown }
    >(query, fields, undefined, true).execute(values);
  };
}
