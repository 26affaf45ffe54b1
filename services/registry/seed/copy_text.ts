/**
 * COPY text of generated rows: one serializer per registry table (escaping
 * exactly as `copyEscape` of lib/db/database.ts, the same as
 * `Database.copyRows`), and {@linkcode encodeSegment}, which turns a
 * segment of the population into UTF-8 COPY bytes step by step — what the
 * loader streams, in this thread or in a worker.
 *
 * @module
 */

import { getTableColumns, getTableName } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { copyEscape, type CopyValue } from "../../../lib/db/database.ts";
import {
  type CardLink,
  cardLinks,
  type Household,
  households,
  type IssuanceBlock,
  issuanceBlocks,
  type Resident,
  residentHistory,
  residents,
  type SealRegistration,
  sealRegistrations,
} from "../../../db/registry/schema.ts";
import {
  generateSegment,
  type PopulationChunk,
  type PopulationOptions,
  type ResidentHistoryRow,
} from "./population.ts";

/** Chunk fields that hold table rows. */
export type ChunkTable = Exclude<keyof PopulationChunk, "index">;

/** How one table of a chunk becomes COPY text. */
export interface TableCopy {
  /** Field of {@linkcode PopulationChunk} holding the rows. */
  field: ChunkTable;
  /** SQL table name. */
  table: string;
  /** SQL column names, in COPY order. */
  columns: string[];
  /** A row's values in column order. */
  values(row: object): unknown[];
  /** COPY text (tab-separated, `\N` for null, newline-terminated) of some rows. */
  text(rows: readonly object[]): string;
}

const byteaCells = new WeakMap<Uint8Array, string>();

/** What `copyEscape` escapes in a string; most cells have none of it. */
const NEEDS_ESCAPE = /[\\\t\n\r]/;

/**
 * COPY cell of a json/jsonb value. JSON text never holds a raw tab, newline
 * or carriage return, so only a backslash calls for escaping — and
 * `indexOf` finds one far faster than a regular expression scans 800
 * characters.
 */
function jsonCell(x: unknown): string {
  const j = JSON.stringify(x);
  return j.indexOf("\\") === -1 ? j : copyEscape(j);
}

/**
 * COPY cell of a bytea — the same text as `copyEscape(bytes)`, but built
 * from one `toHex()` rather than a rope of pieces: seal images are shared arrays,
 * their cells are memoised, and a rope of hundreds of pieces would be
 * walked again on every row that repeats it.
 */
function byteaCell(bytes: Uint8Array): string {
  let s = byteaCells.get(bytes);
  if (s === undefined) {
    s = "\\\\x" + bytes.toHex();
    byteaCells.set(bytes, s);
  }
  return s;
}

/**
 * A table's COPY serializer. `values` lists a row's values in column order:
 * written out per table (rather than reading `row[key]` in a loop shared by
 * all tables) so property reads stay monomorphic — several times faster on
 * a million rows. A test checks it against the schema's columns.
 */
function tableCopy<R>(
  field: ChunkTable,
  table: PgTable,
  values: (row: R) => unknown[],
): TableCopy {
  const cols = Object.values(getTableColumns(table));
  const json = cols.map((c) =>
    c.columnType === "PgJsonb" || c.columnType === "PgJson"
  );
  const n = cols.length;
  return {
    field,
    table: getTableName(table),
    columns: cols.map((c) => c.name),
    values: values as (row: object) => unknown[],
    text(rows) {
      // One flat string per row, joined once: a rope of small pieces costs
      // far more when the driver encodes it.
      const lines = new Array<string>(rows.length + 1);
      for (let r = 0; r < rows.length; r++) {
        const v = values(rows[r] as R);
        let line = "";
        for (let i = 0; i < n; i++) {
          const x = v[i];
          const cell = json[i]
            ? jsonCell(x)
            : typeof x === "string"
            ? (NEEDS_ESCAPE.test(x) ? copyEscape(x) : x)
            : x === null
            ? "\\N"
            : x instanceof Uint8Array
            ? byteaCell(x)
            : copyEscape(x as CopyValue);
          line = i === 0 ? cell : line + "\t" + cell;
        }
        lines[r] = line;
      }
      lines[rows.length] = "";
      return rows.length ? lines.join("\n") : "";
    },
  };
}

/** The tables a population fills, in load order. */
export const COPY_TABLES: readonly TableCopy[] = [
  tableCopy<Household>("households", households, (h) => [
    h.id,
    h.municipalityCode,
    h.householderId,
    h.address,
    h.katagaki,
    h.status,
  ]),
  tableCopy<Resident>("residents", residents, (r) => [
    r.id,
    r.municipalityCode,
    r.historyNo,
    r.status,
    r.name,
    r.nameKana,
    r.formerSurname,
    r.formerSurnameKana,
    r.furiganaSurname,
    r.furiganaSurnameStatus,
    r.furiganaGivenName,
    r.furiganaGivenNameStatus,
    r.formerSurnameFurigana,
    r.alphabeticName,
    r.alias,
    r.aliasKana,
    r.birthDate,
    r.sex,
    r.householdId,
    r.relationship,
    r.honseki,
    r.hittousha,
    r.becameResidentDate,
    r.addressSetDate,
    r.notifiedDate,
    r.address,
    r.katagaki,
    r.previousAddress,
    r.myNumber,
    r.residentCode,
    r.isForeign,
    r.nationality,
    r.residenceStatus,
    r.periodOfStay,
    r.stayExpiry,
    r.residenceCardNumber,
    r.plannedMoveOutDate,
    r.destinationAddress,
    r.removalReason,
    r.removalDate,
    r.processedDate,
    r.processedTypes,
    r.updatedSeq,
  ]),
  tableCopy<ResidentHistoryRow>("history", residentHistory, (h) => [
    h.residentId,
    h.historyNo,
    h.municipalityCode,
    h.seq,
    h.eventType,
    h.snapshot,
    h.recordedAt,
  ]),
  tableCopy<SealRegistration>("seals", sealRegistrations, (s) => [
    s.id,
    s.municipalityCode,
    s.residentId,
    s.registrationNumber,
    s.impressionPng,
    s.printPng,
    s.compactPng,
    s.registeredDate,
    s.status,
    s.endedDate,
    s.endReason,
  ]),
  tableCopy<IssuanceBlock>("blocks", issuanceBlocks, (b) => [
    b.id,
    b.municipalityCode,
    b.residentId,
    b.reason,
    b.startDate,
    b.endDate,
    b.liftedAt,
    b.liftedReason,
  ]),
  tableCopy<CardLink>("cards", cardLinks, (c) => [
    c.serial,
    c.municipalityCode,
    c.residentId,
    c.linkedAt,
    c.unlinkedAt,
  ]),
];

/**
 * COPY statement for a table's columns, as the loader sends it.
 *
 * @example
 * ```ts
 * copyStatement("card_links", ["serial"], "STDIN"); // 'COPY "card_links" ("serial") FROM STDIN'
 * ```
 */
export function copyStatement(
  table: string,
  columns: readonly string[],
  source: string,
): string {
  return `COPY "${table}" (${
    columns.map((c) => `"${c}"`).join(",")
  }) FROM ${source}`;
}

/** Residents generated per step (one COPY write per table per step). */
export const SEED_STEP = 2_500;

/** The history row fields shared by every seeded resident. */
export type HistoryTemplate = Pick<
  ResidentHistoryRow,
  "historyNo" | "seq" | "eventType" | "recordedAt"
>;

/** One step of a segment as COPY bytes, ready to stream. */
export interface EncodedStep {
  segment: number;
  /** Whether this is the segment's last step. */
  last: boolean;
  /** UTF-8 COPY text per {@linkcode COPY_TABLES} entry (history left empty). */
  bytes: Uint8Array[];
  /** Rows per chunk field (history: as many as residents). */
  counts: Record<ChunkTable, number>;
  /** First and last resident id of the step. */
  firstId: string;
  lastId: string;
  /** Fields of the history rows, which the loader builds in the database. */
  history: HistoryTemplate;
}

const utf8 = new TextEncoder();

/**
 * Generates one segment in steps of {@linkcode SEED_STEP} residents and
 * encodes every table but resident_history (built
 * later by the database from the residents) as UTF-8 COPY text.
 *
 * @example
 * ```ts ignore
 * for await (const step of encodeSegment({ municipalityCode: "401005", residents: 5000 }, 0)) {
 *   await residentsWriter.write(step.bytes[1]);
 * }
 * ```
 */
export async function* encodeSegment(
  options: PopulationOptions,
  segment: number,
): AsyncGenerator<EncodedStep> {
  const steps = generateSegment({ ...options, chunkSize: SEED_STEP }, segment);
  let next = steps.next();
  while (!next.done) {
    const chunk = next.value;
    next = steps.next();
    const counts = {} as Record<ChunkTable, number>;
    const bytes = COPY_TABLES.map((t) => {
      counts[t.field] = chunk[t.field].length;
      return t.field === "history"
        ? new Uint8Array(0)
        : utf8.encode(t.text(chunk[t.field]));
    });
    const h = chunk.history[0];
    yield {
      segment,
      last: next.done === true,
      bytes,
      counts,
      firstId: chunk.residents[0].id,
      lastId: chunk.residents[chunk.residents.length - 1].id,
      history: {
        historyNo: h.historyNo,
        seq: h.seq,
        eventType: h.eventType,
        recordedAt: h.recordedAt,
      },
    };
  }
}
