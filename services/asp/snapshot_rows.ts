/**
 * Snapshot records → rows of the tenant's tables in PostgreSQL's binary COPY
 * format. Pure (no I/O), shared by {@linkcode applySnapshot} and its workers
 * (./snapshot_worker.ts): each record goes through the replica's projection
 * (allowlists, checks) and its personal fields are sealed under the
 * tenant's data key, exactly as in services/asp/replica.ts.
 *
 * Binary COPY takes bytea as it is (text COPY would double it in hex) and
 * needs no escaping; the column types are fixed here and checked against
 * the tenant schema by `tests/asp_snapshot_test.ts`.
 *
 * @module
 */
import type { CopyValue } from "../../lib/db/database.ts";
import type { TenantCipher } from "./keys.ts";
import {
  BLOCK_COLUMNS,
  blockCopyRow,
  CARD_COLUMNS,
  cardCopyRow,
  HOUSEHOLD_COLUMNS,
  householdCopyRow,
  projectBlock,
  projectCard,
  projectHousehold,
  type ProjectionPolicy,
  projectResident,
  projectSeal,
  ReplicaDataError,
  RESIDENT_COLUMNS,
  residentCopyRow,
  SEAL_COLUMNS,
  sealCopyRow,
  type SnapshotRecord,
} from "./replica.ts";

/** A kind of snapshot record. */
export type SnapshotKind = SnapshotRecord["kind"];

/** PostgreSQL types the binary encoder writes. */
export type CopyType = "text" | "date" | "int8" | "bool" | "bytea";

/** A table a snapshot loads: its COPY columns and their types. */
export interface SnapshotTable {
  table: string;
  columns: readonly string[];
  types: readonly CopyType[];
}

/** The tenant tables, per kind of record, in COPY column order. */
export const SNAPSHOT_TABLES: Readonly<Record<SnapshotKind, SnapshotTable>> = {
  household: {
    table: "households",
    columns: HOUSEHOLD_COLUMNS,
    types: ["text", "text", "text"],
  },
  resident: {
    table: "residents",
    columns: RESIDENT_COLUMNS,
    types: ["text", "text", "text", "date", "int8", "bytea"],
  },
  seal: {
    table: "seals",
    columns: SEAL_COLUMNS,
    types: ["text", "text", "text", "bytea"],
  },
  block: {
    table: "blocks",
    columns: BLOCK_COLUMNS,
    types: ["text", "text", "bytea"],
  },
  card: {
    table: "card_links",
    columns: CARD_COLUMNS,
    types: ["text", "text", "bool"],
  },
};

/** Kinds in load order. */
export const SNAPSHOT_KINDS: readonly SnapshotKind[] = [
  "household",
  "resident",
  "seal",
  "block",
  "card",
];

/** Signature, flags and header extension length of a binary COPY stream. */
export const COPY_BINARY_HEADER: Uint8Array = new Uint8Array([
  0x50,
  0x47,
  0x43,
  0x4f,
  0x50,
  0x59,
  0x0a,
  0xff,
  0x0d,
  0x0a,
  0x00, // PGCOPY\n\377\r\n\0
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
]);
/** The end of a binary COPY stream (a field count of -1). */
export const COPY_BINARY_TRAILER: Uint8Array = new Uint8Array([0xff, 0xff]);

const encoder = new TextEncoder();
const DAY_MS = 86_400_000;
/** Days from 1970-01-01 to PostgreSQL's epoch 2000-01-01. */
const PG_EPOCH_DAYS = 10_957;

/**
 * Rows of one table in binary COPY format, appended to a growing buffer.
 *
 * @example
 * ```ts
 * const rows = new CopyRows(SNAPSHOT_TABLES.card);
 * rows.add(["C1", "401005-R1", true]);
 * const bytes = rows.take(); // COPY_BINARY_HEADER + bytes + COPY_BINARY_TRAILER is a whole COPY
 * ```
 */
export class CopyRows {
  #buf: Uint8Array;
  #dv: DataView;
  #len = 0;
  /** Rows in the buffer. */
  rows = 0;

  constructor(readonly table: SnapshotTable, capacity = 1 << 16) {
    this.#buf = new Uint8Array(capacity);
    this.#dv = new DataView(this.#buf.buffer);
  }

  /** Bytes in the buffer. */
  get byteLength(): number {
    return this.#len;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const grown = new Uint8Array(Math.max(this.#len + n, this.#buf.length * 2));
    grown.set(this.#buf.subarray(0, this.#len));
    this.#buf = grown;
    this.#dv = new DataView(grown.buffer);
  }

  /** Appends one row; `values` in the table's column order. */
  add(values: readonly CopyValue[]): void {
    const types = this.table.types;
    this.#reserve(2 + types.length * 12);
    this.#dv.setInt16(this.#len, types.length);
    this.#len += 2;
    for (let i = 0; i < types.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        this.#reserve(4);
        this.#dv.setInt32(this.#len, -1);
        this.#len += 4;
        continue;
      }
      switch (types[i]) {
        case "text": {
          const s = String(v);
          this.#reserve(4 + s.length * 3);
          const at = this.#len + 4;
          let written = 0;
          // Short ASCII (ids, codes, statuses) is copied here: cheaper than
          // a call into the encoder. Anything else goes through it.
          if (s.length <= 64) {
            const buf = this.#buf;
            for (; written < s.length; written++) {
              const c = s.charCodeAt(written);
              if (c >= 0x80 || c === 0) break;
              buf[at + written] = c;
            }
          }
          if (written < s.length) {
            if (s.includes("\0")) {
              throw new ReplicaDataError(
                `${this.table.table}.${this.table.columns[i]}: NUL character`,
              );
            }
            written = encoder.encodeInto(s, this.#buf.subarray(at)).written;
          }
          this.#dv.setInt32(this.#len, written);
          this.#len += 4 + written;
          break;
        }
        case "date": {
          const ms = v instanceof Date ? v.getTime() : Date.parse(String(v));
          if (Number.isNaN(ms)) {
            throw new ReplicaDataError(
              `${this.table.table}.${this.table.columns[i]}: not a date`,
            );
          }
          this.#reserve(8);
          this.#dv.setInt32(this.#len, 4);
          this.#dv.setInt32(
            this.#len + 4,
            Math.floor(ms / DAY_MS) - PG_EPOCH_DAYS,
          );
          this.#len += 8;
          break;
        }
        case "int8": {
          const n = Number(v);
          if (!Number.isSafeInteger(n)) {
            throw new ReplicaDataError(
              `${this.table.table}.${this.table.columns[i]}: not an integer`,
            );
          }
          this.#reserve(12);
          this.#dv.setInt32(this.#len, 8);
          this.#dv.setInt32(this.#len + 4, Math.floor(n / 4294967296));
          this.#dv.setUint32(this.#len + 8, n >>> 0);
          this.#len += 12;
          break;
        }
        case "bool":
          this.#reserve(5);
          this.#dv.setInt32(this.#len, 1);
          this.#buf[this.#len + 4] = v ? 1 : 0;
          this.#len += 5;
          break;
        case "bytea": {
          if (!(v instanceof Uint8Array)) {
            throw new TypeError(
              `${this.table.table}.${
                this.table.columns[i]
              }: bytea needs a Uint8Array`,
            );
          }
          this.#reserve(4 + v.length);
          this.#dv.setInt32(this.#len, v.length);
          this.#buf.set(v, this.#len + 4);
          this.#len += 4 + v.length;
          break;
        }
      }
    }
    this.rows++;
  }

  /** The rows so far, handed over (the buffer starts again empty). */
  take(): Uint8Array<ArrayBuffer> {
    const out = this.#buf.subarray(0, this.#len) as Uint8Array<ArrayBuffer>;
    this.#buf = new Uint8Array(Math.max(1 << 16, this.#len + (this.#len >> 3)));
    this.#dv = new DataView(this.#buf.buffer);
    this.#len = 0;
    this.rows = 0;
    return out;
  }
}

/**
 * One record as COPY values of its table: projected through the replica's
 * allowlists, personal fields sealed. Throws {@linkcode ReplicaDataError}
 * for anything the replica cannot accept.
 *
 * @example
 * ```ts ignore
 * const values = snapshotCopyRow(cipher, policy, { kind: "card", data: card });
 * ```
 */
export function snapshotCopyRow(
  cipher: TenantCipher,
  policy: ProjectionPolicy,
  rec: SnapshotRecord,
): CopyValue[] {
  switch (rec?.kind) {
    case "resident":
      return residentCopyRow(cipher, projectResident(rec.data, policy));
    case "household":
      return householdCopyRow(projectHousehold(rec.data, policy));
    case "seal":
      return sealCopyRow(cipher, projectSeal(rec.data, policy));
    case "block":
      return blockCopyRow(cipher, projectBlock(rec.data, policy));
    case "card":
      return cardCopyRow(projectCard(rec.data, policy));
    default:
      throw new ReplicaDataError(
        `unknown kind '${String((rec as { kind?: unknown })?.kind)}'`,
      );
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Encodes a chunk of NDJSON records of one kind (one JSON object per line,
 * each line ended by `\n`) into `rows`; returns the number of records.
 *
 * @example
 * ```ts ignore
 * const rows = new CopyRows(SNAPSHOT_TABLES.resident);
 * encodeNdjson(rows, cipher, policy, "resident", ndjson);
 * ```
 */
export function encodeNdjson(
  rows: CopyRows,
  cipher: TenantCipher,
  policy: ProjectionPolicy,
  kind: SnapshotKind,
  ndjson: Uint8Array,
): number {
  if (rows.table !== SNAPSHOT_TABLES[kind]) {
    throw new TypeError(`${kind} records do not go into ${rows.table.table}`);
  }
  let text: string;
  try {
    text = decoder.decode(ndjson);
  } catch {
    throw new ReplicaDataError(`${kind} records: not valid UTF-8`);
  }
  let n = 0;
  for (let from = 0; from < text.length;) {
    let to = text.indexOf("\n", from);
    if (to < 0) to = text.length;
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(text.slice(from, to));
    } catch {
      throw new ReplicaDataError(`${kind} record ${n + 1}: not valid JSON`);
    }
    rows.add(
      snapshotCopyRow(cipher, policy, { kind, data } as SnapshotRecord),
    );
    n++;
    from = to + 1;
  }
  return n;
}
