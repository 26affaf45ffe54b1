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

/** A COPY in progress into one table. */
export interface CopyWriter {
  /** Sends more COPY text (or its UTF-8 bytes); resolves when the driver can take more. */
  write(text: string | Uint8Array): Promise<void>;
  /** Finishes the COPY; resolves when the server has committed it. */
  close(): Promise<void>;
  /** Abandons the COPY: nothing of it is committed (PGlite: not yet flushed). */
  abort(reason: unknown): Promise<void>;
}

const utf8 = new TextEncoder();

/** Flush threshold of the PGlite writer, UTF-16 code units. */
const PGLITE_FLUSH = 16_000_000;

/**
 * Opens a COPY into `table`: a streaming `COPY … FROM STDIN` on PostgreSQL
 * (one connection per open writer), buffered blobs on PGlite.
 *
 * @example
 * ```ts
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
    const sql = client as postgres.Sql;
    const stream = await sql.unsafe(copyStatement(table, columns, "STDIN"))
      .writable();
    let failure: unknown = null;
    const failed = new Promise<never>((_, reject) =>
      stream.on("error", (e: unknown) => {
        failure = e;
        reject(e);
      })
    );
    failed.catch(() => {}); // surfaced by write/close
    return {
      async write(text) {
        if (failure) throw failure;
        // Encoding here is much cheaper than the stream's own string path.
        if (
          !stream.write(typeof text === "string" ? utf8.encode(text) : text)
        ) {
          await Promise.race([
            new Promise((resolve) => stream.once("drain", resolve)),
            failed,
          ]);
        }
      },
      async close() {
        if (failure) throw failure;
        await Promise.race([
          new Promise<void>((resolve) => stream.end(() => resolve())),
          failed,
        ]);
      },
      async abort(reason) {
        if (failure) return;
        stream.destroy(
          reason instanceof Error ? reason : new Error(String(reason)),
        );
        await failed.catch(() => {});
      },
    };
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
