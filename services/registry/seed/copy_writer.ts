/**
 * COPY into a table, streamed: `COPY … FROM STDIN` on PostgreSQL (one
 * connection per open writer, with backpressure), buffered blobs on PGlite.
 *
 * @module
 */

import type postgres from "postgres";
import type { PGlite } from "@electric-sql/pglite";
import type { Database } from "../../../lib/db/database.ts";
import { copyStatement } from "./copy_text.ts";
import { type CopyIn, openCopyIn } from "../../../lib/db/copy_in.ts";

/** A COPY in progress into one table (PGlite: abandoned rows not yet flushed are dropped). */
export type CopyWriter = CopyIn;

/** Flush threshold of the PGlite writer, UTF-16 code units. */
const PGLITE_FLUSH = 16_000_000;

/**
 * Opens a COPY into `table`: a streaming `COPY … FROM STDIN` on PostgreSQL
 * (one connection per open writer), buffered blobs on PGlite.
 *
 * @example
 * ```ts ignore
 * const w = await openCopy(database, "card_links", ["serial", "municipality_code", "resident_id"]);
 * await w.write("ABC\t401005\t401005-00000001\n");
 * await w.close();
 * ```
 */
export async function openCopy(
  database: Database,
  table: string,
  columns: readonly string[],
): Promise<CopyWriter> {
  const client = (database.db as unknown as { $client?: unknown }).$client;
  if (database.kind === "postgres") {
    return await openCopyIn(
      client as postgres.Sql,
      copyStatement(table, columns, "STDIN"),
      { label: table },
    );
  }
  const pg = client as PGlite;
  let parts: (string | Uint8Array)[] = [];
  let size = 0;
  const flush = async () => {
    if (size === 0) return;
    const blob = new Blob(parts as BlobPart[]);
    parts = [];
    size = 0;
    await pg.query(copyStatement(table, columns, "'/dev/blob'"), [], { blob });
  };
  return {
    async write(text) {
      parts.push(text);
      size += text.length; // code units or bytes: only a flush threshold
      if (size >= PGLITE_FLUSH) await flush();
    },
    close: flush,
    abort() {
      parts = [];
      size = 0;
      return Promise.resolve();
    },
  };
}
