/**
 * `COPY … FROM STDIN` on PostgreSQL through postgres.js, streamed with
 * backpressure — the one place that guards against the driver's flaw: when
 * the server refuses the rows (a duplicate key, a bad value), postgres.js
 * never settles the COPY stream, so `close()` would wait forever. Here a
 * COPY that has not finished some time after its last byte is reported as
 * refused or stalled.
 *
 * @module
 */
import type postgres from "postgres";

/** A COPY in progress. */
export interface CopyIn {
  /** Sends more data; resolves when the driver can take more. */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Ends the COPY; resolves when the server has accepted every row. */
  close(): Promise<void>;
  /** Abandons the COPY: none of its rows are kept. */
  abort(reason: unknown): Promise<void>;
}

/** Options of {@linkcode openCopyIn}. */
export interface CopyInOptions {
  /** How long to wait after the last byte, plus 1 ms per 10 kB sent (default 5 s). */
  stallTimeoutMs?: number;
  /** Names the target in errors. */
  label?: string;
}

const utf8 = new TextEncoder();

/**
 * Starts `statement` (a `COPY … FROM STDIN`) on a postgres.js connection.
 *
 * @example
 * ```ts ignore
 * const copy = await openCopyIn(sql, 'COPY "t" ("a") FROM STDIN');
 * await copy.write("1\n");
 * await copy.close();
 * ```
 */
export async function openCopyIn(
  sql: postgres.Sql | postgres.ReservedSql,
  statement: string,
  opts: CopyInOptions = {},
): Promise<CopyIn> {
  const stream = await sql.unsafe(statement).writable();
  let bytes = 0;
  let failure: unknown = null;
  const failed = new Promise<never>((_, reject) =>
    stream.on("error", (e: unknown) => {
      failure = e;
      reject(e);
    })
  );
  failed.catch(() => {}); // surfaced by write/close
  return {
    async write(chunk) {
      if (failure) throw failure;
      // Encoding here is much cheaper than the stream's own string path.
      const data = typeof chunk === "string" ? utf8.encode(chunk) : chunk;
      bytes += data.length;
      if (!stream.write(data)) {
        await Promise.race([
          new Promise((resolve) => stream.once("drain", resolve)),
          failed,
        ]);
      }
    },
    async close() {
      if (failure) throw failure;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `COPY${
                  opts.label ? ` into ${opts.label}` : ""
                } did not complete: ` +
                  `the server refused the rows or stalled (${bytes} bytes)`,
              ),
            ),
          (opts.stallTimeoutMs ?? 5_000) + bytes / 10_000,
        );
      });
      try {
        await Promise.race([
          new Promise<void>((resolve) => stream.end(() => resolve())),
          failed,
          stalled,
        ]);
      } finally {
        clearTimeout(timer);
      }
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
