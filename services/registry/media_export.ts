/**
 * The registry side of the initial load: reads one municipality in a single
 * REPEATABLE READ, read-only transaction — so every row belongs to the same
 * instant, the outbox head included — and streams it into a media file in
 * the feed's shapes (those of `replicaResident` and `replicaSeal` of
 * ./store.ts, rows as they are for households, blocks and card links),
 * serialized by PostgreSQL itself (see {@linkcode recordJsonSql}).
 *
 * On PostgreSQL each table is read with `COPY (SELECT row_to_json(…)) TO
 * STDOUT`, whose bytes are already the NDJSON the file carries: no record is
 * parsed or built in JavaScript. Large tables are split by physical block
 * range over `parallel` connections that share the transaction's snapshot
 * (`pg_export_snapshot()`), so several server processes serialize at once.
 * On PGlite (one connection) a cursor reads the same JSON page by page.
 *
 * @module
 */
import { WITHHELD_FROM_REPLICA } from "../../lib/contracts/registry_feed.ts";
import { feedPolicyOf } from "./store.ts";
import type { FormProfile } from "../../lib/contracts/form_profile.ts";
import type postgres from "postgres";
import { getTableColumns, getTableName, sql } from "drizzle-orm";
import { type Db, rowsOf, type Tx } from "../../lib/db/database.ts";
import {
  cardLinks,
  households,
  issuanceBlocks,
  municipalities,
  municipalityGaiji,
  outboxHeads,
  residents,
  sealRegistrations,
} from "../../db/registry/schema.ts";
import type { Signer } from "../../lib/crypto/signer.ts";
import {
  emptyCounts,
  MEDIA_KINDS,
  type MediaCounts,
  type MediaKind,
} from "../../lib/media/format.ts";
import {
  createMediaWriter,
  type MediaSummary,
  type MediaWriter,
} from "../../lib/media/writer.ts";

/** Options of {@linkcode exportMedia}. */
export interface ExportMediaOptions {
  municipalityCode: string;
  /** Where to write the file. */
  out: string;
  /** The registry's media signer. */
  signer: Signer;
  /** The ASP's ECDH P-256 public key. */
  recipientPublicKey: CryptoKey;
  /** PGlite: rows per FETCH from the cursor (default 5,000). */
  pageSize?: number;
  /**
   * PostgreSQL: connections reading a large table at once, sharing the
   * snapshot (default 2; 1 reads everything on the transaction's own).
   */
  parallel?: number;
  /** PostgreSQL: tables of fewer blocks (8 KiB) are read on one connection (default 256). */
  splitMinBlocks?: number;
  /** Called once the snapshot is fixed, with what will be written. */
  onStart?: (
    info: { snapshotSeq: number; counts: MediaCounts; total: number },
  ) => void;
  /** Called after each chunk is written, with records written so far. */
  onProgress?: (written: number) => void;
  /** Creation time in the header. */
  createdAt?: Date;
  /** Passed to the writer (tests: small chunks). */
  chunkRecords?: number;
}

// deno-lint-ignore no-explicit-any
type AnyTable = any;

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * SQL selecting each row of `table` in municipality `code` as one JSON text
 * (column `j`), exactly as the feed's JS shapes serialize it
 * (`replicaResident`, `replicaSeal`, rows as they are): keys are Drizzle's
 * property names; dates and timestamps keep Drizzle's string mode (the
 * server's text form); bytea becomes base64. `row_to_json` writes compact
 * JSON with no raw control character, so a line of `COPY` output is the JSON
 * itself. Column types not listed here are refused when the export starts
 * rather than exported differently. `media_export_test.ts` checks the
 * result against the JS functions on both engines.
 *
 * @example
 * ```ts ignore
 * recordJsonSql(households, "401005");
 * // SELECT row_to_json(r)::text AS j FROM (SELECT "id" AS "id", … WHERE municipality_code = '401005') r
 * ```
 */
export function recordJsonSql(
  table: AnyTable,
  code: string,
  opts: { omit?: readonly string[]; where?: string } = {},
): string {
  if (!/^\d{6}$/.test(code)) {
    throw new RangeError(`Invalid municipality code: ${code}`);
  }
  const cols: string[] = [];
  for (const [key, col] of Object.entries(getTableColumns(table))) {
    if (opts.omit?.includes(key)) continue;
    const c = col as { name: string; columnType: string; getSQLType(): string };
    const id = quote(c.name);
    let value: string;
    switch (c.columnType) {
      case "PgText":
      case "PgInteger":
      case "PgBigInt53":
      case "PgBoolean":
      case "PgDateString":
        value = id;
        break;
      case "PgTimestampString":
        value = `${id}::text`;
        break;
      default:
        if (c.getSQLType() === "bytea") {
          // replace(), not translate(): the same result, several times faster.
          value = `replace(encode(${id}, 'base64'), E'\\n', '')`;
        } else {
          throw new TypeError(
            `Cannot export column ${c.name} of type ${c.columnType} (${c.getSQLType()})`,
          );
        }
    }
    cols.push(`${value} AS ${quote(key)}`);
  }
  return `SELECT row_to_json(r)::text AS j FROM (SELECT ${
    cols.join(", ")
  } FROM ${quote(getTableName(table))} WHERE municipality_code = '${code}'${
    opts.where ? ` AND ${opts.where}` : ""
  }) r`;
}

interface Source {
  kind: MediaKind;
  table: AnyTable;
  omit: string[];
}

/** What both engines offer inside the snapshot transaction. */
interface SnapshotSession {
  rows<T>(text: string): Promise<T[]>;
  /** Streams the records of one source into the writer. */
  stream(source: Source, code: string, writer: MediaWriter): Promise<void>;
  /** Ends what `stream` started besides the transaction. */
  close(failed: boolean): Promise<void>;
}

/** `COPY (select) TO STDOUT` as raw lines: CSV with a quote and delimiter JSON never holds raw. */
function copyOutSql(select: string): string {
  return `COPY (${select}) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`;
}

/** Pipes one COPY TO STDOUT into a line stream of the writer, with backpressure. */
async function copyInto(
  conn: Pick<postgres.Sql, "unsafe">,
  select: string,
  writer: MediaWriter,
  kind: MediaKind,
): Promise<void> {
  const lane = writer.lines(kind);
  const query = conn.unsafe(copyOutSql(select));
  const readable = await query.readable();
  await new Promise<void>((resolve, reject) => {
    // postgres.js pauses its socket when a push meets a full buffer and
    // resumes it only from `read()`, which an ended stream never calls: a
    // COPY whose last rows met backpressure (or a small table that arrived
    // whole before 'data' had a listener) would leave the connection deaf.
    const wakeSocket = () =>
      (readable as unknown as { _read?: (n: number) => void })._read?.(0);
    // On failure the COPY is cancelled and drained, never abandoned: the
    // connection must stay usable for the transaction's rollback.
    let failure: unknown = null;
    const fail = (e: unknown) => {
      if (failure) return;
      failure = e;
      query.cancel();
      readable.resume();
    };
    readable.on("data", (bytes: Uint8Array) => {
      if (failure) return;
      let wait: Promise<void> | void;
      try {
        wait = lane.write(bytes);
      } catch (e) {
        return fail(e);
      }
      if (wait) {
        readable.pause();
        wait.then(() => failure || readable.resume(), fail);
      }
    });
    readable.once("end", () => {
      wakeSocket();
      failure ? reject(failure) : resolve();
    });
    readable.once("error", (e) => {
      wakeSocket();
      reject(failure ?? e);
    });
  });
  await lane.end();
}

function postgresSession(
  client: postgres.Sql,
  tx: postgres.TransactionSql,
  parallel: number,
  splitMinBlocks: number,
): SnapshotSession {
  /** Connections in the same snapshot, opened on first need. */
  let helpers: Promise<postgres.ReservedSql[]> | null = null;
  const openHelpers = async () => {
    const [{ id }] = await tx.unsafe<{ id: string }[]>(
      "SELECT pg_export_snapshot() AS id",
    );
    const out: postgres.ReservedSql[] = [];
    try {
      for (let i = 1; i < parallel; i++) {
        const h = await client.reserve();
        out.push(h);
        await h.unsafe("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        await h.unsafe(`SET TRANSACTION SNAPSHOT '${id.replaceAll("'", "")}'`);
      }
      return out;
    } catch (e) {
      for (const h of out) {
        await h.unsafe("ROLLBACK").catch(() => {});
        h.release();
      }
      throw e;
    }
  };
  return {
    rows: async <T>(text: string) =>
      [...await tx.unsafe(text)] as unknown as T[],
    async stream(source, code, writer) {
      const name = getTableName(source.table);
      const [{ n }] = await tx.unsafe<{ n: number }[]>(
        `SELECT (pg_relation_size('${
          quote(name)
        }') / current_setting('block_size')::int)::int AS n`,
      );
      // Small tables are not worth a second connection.
      const parts = n >= splitMinBlocks ? parallel : 1;
      const conns: Pick<postgres.Sql, "unsafe">[] = [tx];
      if (parts > 1) conns.push(...await (helpers ??= openHelpers()));
      // Every partition settles before anything is cleaned up after a failure.
      const settled = await Promise.allSettled(
        conns.slice(0, parts).map((conn, i) => {
          const lo = Math.floor(n * i / parts);
          const hi = Math.floor(n * (i + 1) / parts);
          const range = [
            i > 0 ? `ctid >= '(${lo},0)'::tid` : "",
            i < parts - 1 ? `ctid < '(${hi},0)'::tid` : "",
          ].filter(Boolean).join(" AND ");
          const select = recordJsonSql(source.table, code, {
            omit: source.omit,
            where: range || undefined,
          });
          return copyInto(conn, select, writer, source.kind);
        }),
      );
      const failed = settled.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },
    async close(failed) {
      if (!helpers) return;
      const hs = await helpers.catch(() => []);
      for (const h of hs) {
        await h.unsafe(failed ? "ROLLBACK" : "COMMIT").catch(() => {});
        h.release();
      }
    },
  };
}

function cursorSession(tx: Tx, pageSize: number): SnapshotSession {
  return {
    rows: async <T>(text: string) => rowsOf<T>(await tx.execute(sql.raw(text))),
    async stream(source, code, writer) {
      // One cursor per table inside the snapshot: a single scan, serialized by the server.
      const cursor = `media_export_${source.kind}`;
      await tx.execute(sql.raw(
        `DECLARE ${cursor} NO SCROLL CURSOR FOR ${
          recordJsonSql(source.table, code, { omit: source.omit })
        }`,
      ));
      for (;;) {
        const rows = rowsOf<{ j: string }>(
          await tx.execute(sql.raw(`FETCH ${pageSize} FROM ${cursor}`)),
        );
        for (const row of rows) await writer.writeJson(source.kind, row.j);
        if (rows.length < pageSize) break;
      }
      await tx.execute(sql.raw(`CLOSE ${cursor}`));
    },
    close: () => Promise.resolve(),
  };
}

/** The export itself, on either engine's session. */
async function exportInSnapshot(
  s: SnapshotSession,
  opts: ExportMediaOptions,
): Promise<MediaSummary> {
  const code = opts.municipalityCode;
  // The first statement fixes the snapshot for the whole transaction.
  const [head] = await s.rows<{ seq: number | string }>(
    `SELECT ${quote(outboxHeads.lastSeq.name)} AS seq FROM ${
      quote(getTableName(outboxHeads))
    } WHERE ${quote(outboxHeads.municipalityCode.name)} = '${code}'`,
  );
  const [policy] = await s.rows<{
    print: boolean;
    same_day: string | null;
    move_out: string;
    gaiji_version: number;
    name: string;
    mayor: string;
    form_profile: FormProfile | string | null;
  }>(
    `SELECT ${quote(municipalities.printMyNumberAtKiosk.name)} AS print, ${
      quote(municipalities.sameDayEventTypes.name)
    } AS same_day, ${
      quote(municipalities.householdMoveOutPolicy.name)
    } AS move_out, ${
      quote(municipalities.gaijiVersion.name)
    } AS gaiji_version, ${quote(municipalities.name.name)} AS name, ${
      quote(municipalities.mayor.name)
    } AS mayor, ${
      quote(municipalities.formProfile.name)
    } AS form_profile FROM ${quote(getTableName(municipalities))} WHERE ${
      quote(municipalities.code.name)
    } = '${code}'`,
  );
  if (!policy) {
    throw new RangeError(`Municipality ${code} is not in the registry`);
  }
  const snapshotSeq = head ? Number(head.seq) : 0;
  // The municipality's 外字 at the snapshot, as the feed carries a whole set.
  const glyphs = await s.rows<{ codePoint: number; path: string }>(
    `SELECT ${quote(municipalityGaiji.codePoint.name)} AS "codePoint", ${
      quote(municipalityGaiji.path.name)
    } AS path FROM ${quote(getTableName(municipalityGaiji))} WHERE ${
      quote(municipalityGaiji.municipalityCode.name)
    } = '${code}' ORDER BY 1`,
  );

  const sources: Source[] = [
    {
      kind: "household",
      table: households,
      omit: [...WITHHELD_FROM_REPLICA.household],
    },
    // As replicaResident: what the replica never gets; 個人番号 only by policy.
    {
      kind: "resident",
      table: residents,
      omit: policy.print
        ? [...WITHHELD_FROM_REPLICA.resident]
        : [...WITHHELD_FROM_REPLICA.resident, "myNumber"],
    },
    { kind: "seal", table: sealRegistrations, omit: [] },
    {
      kind: "block",
      table: issuanceBlocks,
      omit: [...WITHHELD_FROM_REPLICA.block],
    },
    { kind: "card", table: cardLinks, omit: [] },
  ];
  const counts = emptyCounts();
  for (const src of sources) {
    const [r] = await s.rows<{ n: number | string }>(
      `SELECT count(*) AS n FROM ${
        quote(getTableName(src.table))
      } WHERE municipality_code = '${code}'`,
    );
    counts[src.kind] = Number(r.n);
  }
  const total = MEDIA_KINDS.reduce((a, k) => a + counts[k], 0);
  opts.onStart?.({ snapshotSeq, counts, total });

  const writer = await createMediaWriter(opts.out, {
    municipalityCode: code,
    snapshotSeq,
    counts,
    signer: opts.signer,
    recipientPublicKey: opts.recipientPublicKey,
    createdAt: opts.createdAt,
    // The municipality's kiosk policy at the snapshot: the replica follows it.
    policy: feedPolicyOf({
      printMyNumberAtKiosk: policy.print,
      sameDayEventTypes: policy.same_day,
      householdMoveOutPolicy: policy.move_out,
      name: policy.name,
      mayor: policy.mayor,
      // A raw query: postgres.js gives jsonb parsed, PGlite may give text.
      formProfile: typeof policy.form_profile === "string"
        ? JSON.parse(policy.form_profile)
        : policy.form_profile,
    }),
    gaiji: {
      version: Number(policy.gaiji_version),
      glyphs: glyphs.map((g) => ({
        codePoint: Number(g.codePoint),
        path: g.path,
      })),
    },
    chunkRecords: opts.chunkRecords,
    onProgress: opts.onProgress && ((p) => opts.onProgress!(p.records)),
  });
  try {
    // Kinds one after the other, in load order.
    for (const src of sources) await s.stream(src, code, writer);
    return await writer.finish();
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

/**
 * Exports one municipality to a media file.
 *
 * @example
 * ```ts ignore
 * const summary = await exportMedia(database.db, {
 *   municipalityCode: "401005", out: "401005.media", signer, recipientPublicKey,
 * });
 * console.log(summary.snapshotSeq, summary.counts);
 * ```
 */
export async function exportMedia(
  db: Db,
  opts: ExportMediaOptions,
): Promise<MediaSummary> {
  const code = opts.municipalityCode;
  if (!/^\d{6}$/.test(code)) {
    throw new RangeError(`Invalid municipality code: ${code}`);
  }
  const parallel = opts.parallel ?? 2;
  if (!Number.isSafeInteger(parallel) || parallel < 1 || parallel > 16) {
    throw new RangeError(`parallel must be 1–16, got ${parallel}`);
  }
  // drizzle's postgres-js database exposes its postgres.js client; PGlite's has no reserve().
  const client = (db as { $client?: Partial<postgres.Sql> }).$client;
  if (typeof client?.reserve === "function" && client.begin) {
    const pg = client as postgres.Sql;
    // Never more connections than the pool holds: reserve() would wait forever.
    const lanes = Math.min(parallel, Math.max(1, Number(pg.options?.max) || 1));
    return await pg.begin(
      "isolation level repeatable read read only",
      async (tx) => {
        const session = postgresSession(
          pg,
          tx,
          lanes,
          opts.splitMinBlocks ?? 256,
        );
        let failed = true;
        try {
          const summary = await exportInSnapshot(session, opts);
          failed = false;
          return summary;
        } finally {
          await session.close(failed);
        }
      },
    ) as MediaSummary;
  }
  return await db.transaction(
    (tx) => exportInSnapshot(cursorSession(tx, opts.pageSize ?? 5000), opts),
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}
