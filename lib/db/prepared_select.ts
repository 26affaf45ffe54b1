/**
 * Whole-row selects that Drizzle builds once. A query builder costs
 * 30–50 µs of CPU to turn into SQL every time it runs (more than the
 * database takes to answer a primary-key lookup); on a hot path that is
 * run thousands of times a second with different values, the SQL is built
 * once with `sql.placeholder()`s and only the values change afterwards.
 *
 * @module
 */
import { getTableColumns, type Query } from "drizzle-orm";
import type { PgTable, SelectedFieldsOrdered } from "drizzle-orm/pg-core";
import type { Db, Tx } from "./database.ts";

/** A runnable select: any handle (database or transaction) and the values. */
export type PreparedSelect<T extends PgTable> = (
  db: Db | Tx,
  values: Record<string, unknown>,
) => Promise<T["$inferSelect"][]>;

/**
 * Prepares a select of whole rows of `table` (`db.select().from(table)…`,
 * no joins, no partial selection) whose values are `sql.placeholder(name)`;
 * the returned function runs it with values on any handle, mapping rows as
 * Drizzle does.
 *
 * @example
 * ```ts
 * const byId = preparedSelect(residents, (db) =>
 *   db.select().from(residents).where(eq(residents.id, sql.placeholder("id"))));
 * const rows = await byId(tx, { id: "R1" });
 * ```
 */
export function preparedSelect<T extends PgTable>(
  table: T,
  build: (db: Db) => { toSQL(): Query; _: { selectedFields: unknown } },
): PreparedSelect<T> {
  const columns = getTableColumns(table);
  const fields = Object.entries(columns).map(([key, field]) => ({
    path: [key],
    field,
  })) as SelectedFieldsOrdered;
  let query: Query | undefined;
  return async (db, values) => {
    if (!query) {
      const builder = build(db as Db);
      if (builder._.selectedFields !== columns) {
        throw new TypeError(
          "preparedSelect() takes a select of whole rows of its table",
        );
      }
      query = builder.toSQL();
    }
    return await db._.session.prepareQuery<
      { execute: T["$inferSelect"][]; all: unknown; values: unknown }
    >(query, fields, undefined, true).execute(values);
  };
}
