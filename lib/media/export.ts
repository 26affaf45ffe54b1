/**
 * The registry side of the initial load: reads one municipality from the
 * registry database in a single REPEATABLE READ, read-only transaction — so
 * every row belongs to the same instant, the outbox head included — and
 * streams it into a media file in the feed's shapes (those of
 * `replicaResident` and `replicaSeal` of services/registry/store.ts, rows as
 * they are for households, blocks and card links), serialized by
 * PostgreSQL itself (see {@linkcode rowJsonSql}).
 *
 * @module
 */
import { count, eq, getTableColumns, getTableName, sql } from "drizzle-orm";
import type { Db, Tx } from "../db/database.ts";
import {
  cardLinks,
  households,
  issuanceBlocks,
  municipalities,
  outboxHeads,
  residents,
  sealRegistrations,
} from "../../db/registry/schema.ts";
import type { Signer } from "../crypto/signer.ts";
import {
  emptyCounts,
  MEDIA_KINDS,
  type MediaCounts,
  type MediaKind,
} from "./format.ts";
import { createMediaWriter, type MediaSummary } from "./writer.ts";

/** Options of {@linkcode exportMedia}. */
export interface ExportMediaOptions {
  municipalityCode: string;
  /** Where to write the file. */
  out: string;
  /** The registry's media signer. */
  signer: Signer;
  /** The ASP's ECDH P-256 public key. */
  recipientPublicKey: CryptoKey;
  /** Rows per FETCH from the cursor (default 5,000). */
  pageSize?: number;
  /** Called once the snapshot is fixed, with what will be written. */
  onStart?: (
    info: { snapshotSeq: number; counts: MediaCounts; total: number },
  ) => void;
  /** Called after each page with records written so far. */
  onProgress?: (written: number) => void;
  /** Creation time in the header. */
  createdAt?: Date;
  /** Passed to the writer (tests: small chunks). */
  chunkRecords?: number;
}

// deno-lint-ignore no-explicit-any
type AnyTable = any;

interface Source {
  kind: MediaKind;
  table: AnyTable;
  /** SQL expression of the record's JSON text. */
  json: string;
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * SQL building each row's JSON exactly as the feed's JS shapes serialize it
 * (`replicaResident`, `replicaSeal`, rows as they are): keys are Drizzle's
 * property names; dates and timestamps keep Drizzle's string mode (the
 * server's text form); bytea becomes base64. PostgreSQL serializes, so the
 * export does no per-row work in JavaScript. Column types not listed here
 * are refused when the export starts rather than exported differently.
 * `export_test.ts` checks the result against the JS functions on both
 * engines.
 */
export function rowJsonSql(
  table: AnyTable,
  omit: readonly string[] = [],
): string {
  const pairs: string[] = [];
  for (const [key, col] of Object.entries(getTableColumns(table))) {
    if (omit.includes(key)) continue;
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
          value = `translate(encode(${id}, 'base64'), E'\\n', '')`;
        } else {throw new TypeError(
            `Cannot export column ${c.name} of type ${c.columnType} (${c.getSQLType()})`,
          );}
    }
    pairs.push(`'${key}', ${value}`);
  }
  // json_build_object takes at most 100 arguments: merge groups as jsonb beyond that.
  if (pairs.length <= 50) return `json_build_object(${pairs.join(", ")})::text`;
  const groups: string[] = [];
  for (let i = 0; i < pairs.length; i += 50) {
    groups.push(`jsonb_build_object(${pairs.slice(i, i + 50).join(", ")})`);
  }
  return `(${groups.join(" || ")})::text`;
}

async function countRows(
  tx: Tx,
  table: AnyTable,
  code: string,
): Promise<number> {
  const [r] = await tx.select({ n: count() }).from(table).where(
    eq(table.municipalityCode, code),
  );
  return Number(r.n);
}

function rowsOf(result: unknown): { j: string }[] {
  return (Array.isArray(result)
    ? result
    : (result as { rows: unknown[] }).rows) as { j: string }[];
}

/**
 * Exports one municipality to a media file.
 *
 * @example
 * ```ts
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
  const pageSize = opts.pageSize ?? 5000;
  return await db.transaction(async (tx) => {
    // The first statement fixes the snapshot for the whole transaction.
    const [head] = await tx.select({ lastSeq: outboxHeads.lastSeq }).from(
      outboxHeads,
    )
      .where(eq(outboxHeads.municipalityCode, code));
    const [policy] = await tx.select().from(municipalities).where(
      eq(municipalities.code, code),
    );
    if (!policy) {
      throw new RangeError(`Municipality ${code} is not in the registry`);
    }
    const snapshotSeq = head ? Number(head.lastSeq) : 0;

    const sources: Source[] = [
      { kind: "household", table: households, json: rowJsonSql(households) },
      {
        kind: "resident",
        table: residents,
        // As replicaResident: never 住民票コード; 個人番号 only by policy.
        json: rowJsonSql(
          residents,
          policy.printMyNumberAtKiosk
            ? ["residentCode"]
            : ["residentCode", "myNumber"],
        ),
      },
      {
        kind: "seal",
        table: sealRegistrations,
        json: rowJsonSql(sealRegistrations),
      },
      {
        kind: "block",
        table: issuanceBlocks,
        json: rowJsonSql(issuanceBlocks),
      },
      { kind: "card", table: cardLinks, json: rowJsonSql(cardLinks) },
    ];
    const counts = emptyCounts();
    for (const s of sources) {
      counts[s.kind] = await countRows(tx, s.table, code);
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
      chunkRecords: opts.chunkRecords,
    });
    try {
      let written = 0;
      for (const s of sources) {
        // One cursor per table inside the snapshot: a single scan, serialized by the server.
        const cursor = `media_export_${s.kind}`;
        await tx.execute(sql.raw(
          `DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${s.json} AS j FROM ${
            quote(getTableName(s.table))
          } WHERE municipality_code = '${code}'`,
        ));
        for (;;) {
          const rows = rowsOf(
            await tx.execute(sql.raw(`FETCH ${pageSize} FROM ${cursor}`)),
          );
          for (const row of rows) await writer.writeJson(s.kind, row.j);
          written += rows.length;
          opts.onProgress?.(written);
          if (rows.length < pageSize) break;
        }
        await tx.execute(sql.raw(`CLOSE ${cursor}`));
      }
      return await writer.finish();
    } catch (e) {
      await writer.abort();
      throw e;
    }
  }, { isolationLevel: "repeatable read", accessMode: "read only" });
}
