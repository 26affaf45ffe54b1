/**
 * What the replica holds, and how it is stored. Incoming rows (feed payload
 * or snapshot records, in the registry's feed shape) are projected through
 * explicit allowlists: every registry field is either kept in clear (lookup
 * keys, status, removal date), kept encrypted, or deliberately not copied —
 * a field the registry adds later is refused until it is classified here
 * (see `replica_test.ts`), so nothing is dropped silently.
 *
 * @module
 */
import {
  and,
  asc,
  eq,
  getTableColumns,
  inArray,
  ne,
  type SQL,
  sql,
} from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { CopyValue, Tx } from "../../lib/db/database.ts";
import { preparedSelect } from "../../lib/db/prepared_select.ts";
import {
  blocks,
  cardLinks,
  households,
  residents,
  seals,
} from "../../db/asp/tenant_schema.ts";
import type { TenantCipher } from "./keys.ts";
import { instantIso } from "../../lib/contracts/reconciliation.ts";

/** Registry resident fields kept in clear columns. */
export const RESIDENT_CLEAR = [
  "id",
  "householdId",
  "status",
  "removalDate",
  "updatedSeq",
] as const;
/** Registry resident fields kept encrypted (what certificates print and rules need). */
export const RESIDENT_ENCRYPTED = [
  "name",
  "nameKana",
  "formerSurname",
  "formerSurnameKana",
  // The legal 氏名の振り仮名 (令和5年法律第48号): what the 住民票 prints from
  // template version 3, each part only once recorded.
  "furiganaSurname",
  "furiganaSurnameStatus",
  "furiganaGivenName",
  "furiganaGivenNameStatus",
  "formerSurnameFurigana",
  "alphabeticName",
  "alias",
  "birthDate",
  "sex",
  "relationship",
  "honseki",
  "hittousha",
  "becameResidentDate",
  "addressSetDate",
  "notifiedDate",
  "address",
  "katagaki",
  "previousAddress",
  "myNumber",
  "isForeign",
  "nationality",
  "residenceStatus",
  "periodOfStay",
  "stayExpiry",
  "residenceCardNumber",
  "removalReason",
  // The same-day rule's input: the 処理日 of the record's last change and
  // the types of the events processed that day.
  "processedDate",
  "processedTypes",
] as const;
/**
 * Registry resident fields never copied: the tenant is implied, history
 * numbers and 住民票コード are not printed, 通称 furigana is not on the
 * kiosk form, and the move-out plan and destination are not needed (status
 * says "moving_out").
 */
export const RESIDENT_NOT_COPIED = [
  "municipalityCode",
  "historyNo",
  "residentCode",
  "aliasKana",
  "plannedMoveOutDate",
  "destinationAddress",
] as const;

/** Household fields kept (all clear: no personal data). */
export const HOUSEHOLD_FIELDS = ["id", "householderId", "status"] as const;
/** Household fields not copied (the address is each resident's). */
export const HOUSEHOLD_NOT_COPIED = [
  "municipalityCode",
  "address",
  "katagaki",
] as const;
/**
 * Seal fields kept (registration number, date and images encrypted): the
 * print and compact versions the registry prepared; the image as submitted
 * only for a registration made before (it is then both).
 */
export const SEAL_FIELDS = [
  "id",
  "residentId",
  "status",
  "registrationNumber",
  "registeredDate",
  "impressionPng",
  "printPng",
  "compactPng",
] as const;
/** Seal fields not copied. */
export const SEAL_NOT_COPIED = [
  "municipalityCode",
  "endedDate",
  "endReason",
] as const;
/** Block fields kept (all but the ids encrypted). */
export const BLOCK_FIELDS = [
  "id",
  "residentId",
  "reason",
  "startDate",
  "endDate",
  "liftedAt",
] as const;
/** Block fields not copied. */
export const BLOCK_NOT_COPIED = ["municipalityCode", "liftedReason"] as const;
/** Card link fields kept (`active` = not unlinked). */
export const CARD_FIELDS = ["serial", "residentId", "unlinkedAt"] as const;
/** Card link fields not copied. */
export const CARD_NOT_COPIED = ["municipalityCode", "linkedAt"] as const;

type Str = string | null;

/** How a part of the legal reading stands (the registry's `FURIGANA_STATUSES`). */
export type FuriganaStatus = "unrecorded" | "notified" | "ex_officio";
const FURIGANA_STATUSES: ReadonlySet<string> = new Set([
  "unrecorded",
  "notified",
  "ex_officio",
]);

/** A resident in the replica (decrypted). */
export interface ReplicaResident {
  id: string;
  householdId: string;
  status: "active" | "moving_out" | "removed";
  removalDate: Str;
  updatedSeq: number;
  name: string;
  nameKana: string;
  formerSurname: Str;
  formerSurnameKana: Str;
  /** 氏の振り仮名 (katakana), null until recorded. */
  furiganaSurname: Str;
  /** unrecorded | notified | ex_officio */
  furiganaSurnameStatus: FuriganaStatus;
  /** 名の振り仮名 (katakana), null until recorded. */
  furiganaGivenName: Str;
  /** unrecorded | notified | ex_officio */
  furiganaGivenNameStatus: FuriganaStatus;
  /** 旧氏の振り仮名 (katakana), null until recorded. */
  formerSurnameFurigana: Str;
  alphabeticName: Str;
  alias: Str;
  birthDate: string;
  sex: "male" | "female";
  relationship: string;
  honseki: Str;
  hittousha: Str;
  becameResidentDate: string;
  addressSetDate: string;
  notifiedDate: string;
  address: string;
  katagaki: Str;
  previousAddress: Str;
  myNumber: Str;
  isForeign: boolean;
  nationality: Str;
  residenceStatus: Str;
  periodOfStay: Str;
  stayExpiry: Str;
  residenceCardNumber: Str;
  removalReason: Str;
  /** 処理日 of the record's last change (null: before issue 14). */
  processedDate: Str;
  /** The event types processed on `processedDate`, comma-separated. */
  processedTypes: Str;
}

/** A household in the replica. */
export interface ReplicaHousehold {
  id: string;
  householderId: Str;
  status: string;
}

/** A seal registration in the replica (images as base64 PNG). */
export interface ReplicaSeal {
  id: string;
  residentId: string;
  status: string;
  registrationNumber: string;
  registeredDate: string;
  /** For the front: ≥ 300 dpi in the 印影 box (the registry's print version). */
  printPng: string;
  /** For the back side: ≤ 2 KB (the registry's compact version). */
  compactPng: string;
}

/** An issuance block in the replica. */
export interface ReplicaBlock {
  id: string;
  residentId: string;
  reason: string;
  startDate: string;
  endDate: Str;
  liftedAt: Str;
}

/** A card link in the replica. */
export interface ReplicaCard {
  serial: string;
  residentId: string;
  active: boolean;
}

/** A record of a snapshot, in the feed's shapes. */
export type SnapshotRecord =
  | { kind: "resident"; data: Record<string, unknown> }
  | { kind: "household"; data: Record<string, unknown> }
  | { kind: "seal"; data: Record<string, unknown> }
  | { kind: "block"; data: Record<string, unknown> }
  | { kind: "card"; data: Record<string, unknown> };

/** Incoming data the replica cannot accept (wrong tenant, missing or unknown field). */
export class ReplicaDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplicaDataError";
  }
}

/** The tenant's policy as projections need it. */
export interface ProjectionPolicy {
  code: string;
  printMyNumber: boolean;
}

function checkFields(
  kind: string,
  row: Record<string, unknown>,
  known: ReadonlySet<string>,
  policy: ProjectionPolicy,
): void {
  if (row === null || typeof row !== "object") {
    throw new ReplicaDataError(`${kind}: not an object`);
  }
  for (const k in row) {
    if (!known.has(k)) {
      const id = String(row.id ?? row.serial ?? "?");
      throw new ReplicaDataError(
        `${kind} ${id}: unknown field '${k}' (classify it in services/asp/replica.ts)`,
      );
    }
  }
  if (row.municipalityCode !== policy.code) {
    const id = String(row.id ?? row.serial ?? "?");
    throw new ReplicaDataError(
      `${kind} ${id}: belongs to municipality '${
        String(row.municipalityCode)
      }', not tenant ${policy.code}`,
    );
  }
}

function str(kind: string, row: Record<string, unknown>, k: string): string {
  const v = row[k];
  if (typeof v !== "string" || !v.length) {
    throw new ReplicaDataError(
      `${kind} ${
        String(row.id ?? row.serial)
      }: '${k}' must be a non-empty string`,
    );
  }
  return v;
}

function opt(kind: string, row: Record<string, unknown>, k: string): Str {
  const v = row[k];
  if (v === null || v === undefined) return null;
  if (typeof v !== "string") {
    throw new ReplicaDataError(
      `${kind} ${String(row.id)}: '${k}' must be a string`,
    );
  }
  return v;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar day written YYYY-MM-DD (year 0001 or later). */
function isDate(v: string): boolean {
  if (!DATE_RE.test(v)) return false;
  const y = +v.slice(0, 4);
  const m = +v.slice(5, 7);
  const d = +v.slice(8, 10);
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const leap = m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= DAYS_IN_MONTH[m - 1] + (leap ? 1 : 0);
}

function day(kind: string, row: Record<string, unknown>, k: string): string {
  const v = str(kind, row, k);
  if (!isDate(v)) {
    throw new ReplicaDataError(
      `${kind} ${String(row.id)}: '${k}' is not a date`,
    );
  }
  return v;
}

function optDay(kind: string, row: Record<string, unknown>, k: string): Str {
  const v = opt(kind, row, k);
  if (v !== null && !isDate(v)) {
    throw new ReplicaDataError(
      `${kind} ${String(row.id)}: '${k}' is not a date`,
    );
  }
  return v;
}

/** An instant as ISO 8601 UTC (PostgreSQL's text form and JS's agree after this). */
export function normalizeInstant(v: unknown): Str {
  const iso = instantIso(v);
  if (iso === undefined) {
    throw new ReplicaDataError(`not an instant: '${String(v)}'`);
  }
  return iso;
}

const RESIDENT_KNOWN: ReadonlySet<string> = new Set([
  ...RESIDENT_CLEAR,
  ...RESIDENT_ENCRYPTED,
  ...RESIDENT_NOT_COPIED,
]);
const HOUSEHOLD_KNOWN: ReadonlySet<string> = new Set([
  ...HOUSEHOLD_FIELDS,
  ...HOUSEHOLD_NOT_COPIED,
]);
const SEAL_KNOWN: ReadonlySet<string> = new Set([
  ...SEAL_FIELDS,
  ...SEAL_NOT_COPIED,
]);
const BLOCK_KNOWN: ReadonlySet<string> = new Set([
  ...BLOCK_FIELDS,
  ...BLOCK_NOT_COPIED,
]);
const CARD_KNOWN: ReadonlySet<string> = new Set([
  ...CARD_FIELDS,
  ...CARD_NOT_COPIED,
]);

/**
 * Projects a registry resident (feed shape) onto the replica. 個人番号 is
 * kept only when the tenant's policy prints it.
 */
export function projectResident(
  row: Record<string, unknown>,
  policy: ProjectionPolicy,
): ReplicaResident {
  checkFields("resident", row, RESIDENT_KNOWN, policy);
  const k = "resident";
  const status = str(k, row, "status");
  if (status !== "active" && status !== "moving_out" && status !== "removed") {
    throw new ReplicaDataError(
      `resident ${String(row.id)}: unknown status '${status}'`,
    );
  }
  const sex = str(k, row, "sex");
  if (sex !== "male" && sex !== "female") {
    throw new ReplicaDataError(`resident ${String(row.id)}: unknown sex`);
  }
  const updatedSeq = Number(row.updatedSeq);
  if (!Number.isSafeInteger(updatedSeq) || updatedSeq < 0) {
    throw new ReplicaDataError(
      `resident ${
        String(row.id)
      }: 'updatedSeq' must be the registry sequence that last changed it`,
    );
  }
  return {
    id: str(k, row, "id"),
    householdId: str(k, row, "householdId"),
    status,
    removalDate: optDay(k, row, "removalDate"),
    updatedSeq,
    name: str(k, row, "name"),
    nameKana: str(k, row, "nameKana"),
    formerSurname: opt(k, row, "formerSurname"),
    formerSurnameKana: opt(k, row, "formerSurnameKana"),
    ...furiganaOf(row),
    alphabeticName: opt(k, row, "alphabeticName"),
    alias: opt(k, row, "alias"),
    birthDate: day(k, row, "birthDate"),
    sex,
    relationship: str(k, row, "relationship"),
    honseki: opt(k, row, "honseki"),
    hittousha: opt(k, row, "hittousha"),
    becameResidentDate: day(k, row, "becameResidentDate"),
    addressSetDate: day(k, row, "addressSetDate"),
    notifiedDate: day(k, row, "notifiedDate"),
    address: str(k, row, "address"),
    katagaki: opt(k, row, "katagaki"),
    previousAddress: opt(k, row, "previousAddress"),
    myNumber: policy.printMyNumber ? opt(k, row, "myNumber") : null,
    isForeign: row.isForeign === true,
    nationality: opt(k, row, "nationality"),
    residenceStatus: opt(k, row, "residenceStatus"),
    periodOfStay: opt(k, row, "periodOfStay"),
    stayExpiry: optDay(k, row, "stayExpiry"),
    residenceCardNumber: opt(k, row, "residenceCardNumber"),
    removalReason: opt(k, row, "removalReason"),
    processedDate: optDay(k, row, "processedDate"),
    processedTypes: opt(k, row, "processedTypes"),
  };
}

/**
 * The legal reading of a registry resident: each part with its status, a
 * reading only where the status says recorded. Rows of registries (or
 * events) from before the reading existed have none: unrecorded.
 */
function furiganaOf(
  row: Record<string, unknown>,
): Pick<
  ReplicaResident,
  | "furiganaSurname"
  | "furiganaSurnameStatus"
  | "furiganaGivenName"
  | "furiganaGivenNameStatus"
  | "formerSurnameFurigana"
> {
  const k = "resident";
  const status = (field: string, reading: Str): FuriganaStatus => {
    const v = opt(k, row, field) ?? "unrecorded";
    if (
      !FURIGANA_STATUSES.has(v) || (v === "unrecorded") !== (reading === null)
    ) {
      throw new ReplicaDataError(
        `resident ${String(row.id)}: '${field}' does not match its reading`,
      );
    }
    return v as FuriganaStatus;
  };
  const surname = opt(k, row, "furiganaSurname");
  const given = opt(k, row, "furiganaGivenName");
  return {
    furiganaSurname: surname,
    furiganaSurnameStatus: status("furiganaSurnameStatus", surname),
    furiganaGivenName: given,
    furiganaGivenNameStatus: status("furiganaGivenNameStatus", given),
    formerSurnameFurigana: opt(k, row, "formerSurnameFurigana"),
  };
}

/** Projects a registry household. */
export function projectHousehold(
  row: Record<string, unknown>,
  policy: ProjectionPolicy,
): ReplicaHousehold {
  checkFields("household", row, HOUSEHOLD_KNOWN, policy);
  return {
    id: str("household", row, "id"),
    householderId: opt("household", row, "householderId"),
    status: str("household", row, "status"),
  };
}

/** Projects a registry seal registration (image as base64, as the feed carries it). */
export function projectSeal(
  row: Record<string, unknown>,
  policy: ProjectionPolicy,
): ReplicaSeal {
  checkFields("seal", row, SEAL_KNOWN, policy);
  return {
    id: str("seal", row, "id"),
    residentId: str("seal", row, "residentId"),
    status: str("seal", row, "status"),
    registrationNumber: str("seal", row, "registrationNumber"),
    registeredDate: day("seal", row, "registeredDate"),
    // A registration made before the registry prepared its images: the
    // image as submitted, for both (the original is not kept otherwise).
    printPng: opt("seal", row, "printPng") ?? str("seal", row, "impressionPng"),
    compactPng: opt("seal", row, "compactPng") ??
      str("seal", row, "impressionPng"),
  };
}

/** Projects a registry issuance block. */
export function projectBlock(
  row: Record<string, unknown>,
  policy: ProjectionPolicy,
): ReplicaBlock {
  checkFields("block", row, BLOCK_KNOWN, policy);
  return {
    id: str("block", row, "id"),
    residentId: str("block", row, "residentId"),
    reason: str("block", row, "reason"),
    startDate: day("block", row, "startDate"),
    endDate: optDay("block", row, "endDate"),
    liftedAt: normalizeInstant(row.liftedAt),
  };
}

/** Projects a registry card link. */
export function projectCard(
  row: Record<string, unknown>,
  policy: ProjectionPolicy,
): ReplicaCard {
  checkFields("card", row, CARD_KNOWN, policy);
  return {
    serial: str("card", row, "serial"),
    residentId: str("card", row, "residentId"),
    active: row.unlinkedAt === null || row.unlinkedAt === undefined,
  };
}

// ---- storage --------------------------------------------------------------

type Sealed<T, C extends keyof T> = Omit<T, C>;

function residentSecret(
  r: ReplicaResident,
): Sealed<ReplicaResident, (typeof RESIDENT_CLEAR)[number]> {
  const {
    id: _i,
    householdId: _h,
    status: _s,
    removalDate: _r,
    updatedSeq: _u,
    ...secret
  } = r;
  return secret;
}

/** A resident as COPY values (columns of {@linkcode RESIDENT_COLUMNS}). */
export function residentCopyRow(
  cipher: TenantCipher,
  r: ReplicaResident,
): CopyValue[] {
  return [
    r.id,
    r.householdId,
    r.status,
    r.removalDate,
    r.updatedSeq,
    cipher.sealJson("residents", r.id, residentSecret(r)),
  ];
}
/** Columns of the residents table, in COPY order. */
export const RESIDENT_COLUMNS = [
  "id",
  "household_id",
  "status",
  "removal_date",
  "updated_seq",
  "data",
];

/** A household as COPY values. */
export function householdCopyRow(h: ReplicaHousehold): CopyValue[] {
  return [h.id, h.householderId, h.status];
}
/** Columns of the households table. */
export const HOUSEHOLD_COLUMNS = ["id", "householder_id", "status"];

/** A seal as COPY values. */
export function sealCopyRow(cipher: TenantCipher, s: ReplicaSeal): CopyValue[] {
  const { id, residentId, status, ...secret } = s;
  return [id, residentId, status, cipher.sealJson("seals", id, secret)];
}
/** Columns of the seals table. */
export const SEAL_COLUMNS = ["id", "resident_id", "status", "data"];

/** A block as COPY values. */
export function blockCopyRow(
  cipher: TenantCipher,
  b: ReplicaBlock,
): CopyValue[] {
  const { id, residentId, ...secret } = b;
  return [id, residentId, cipher.sealJson("blocks", id, secret)];
}
/** Columns of the blocks table. */
export const BLOCK_COLUMNS = ["id", "resident_id", "data"];

/** A card link as COPY values. */
export function cardCopyRow(c: ReplicaCard): CopyValue[] {
  return [c.serial, c.residentId, c.active];
}
/** Columns of the card_links table. */
export const CARD_COLUMNS = ["serial", "resident_id", "active"];

/** Rows per multi-row upsert statement (well under the 65,535 parameters). */
const UPSERT_CHUNK = 1000;

/**
 * Upserts rows into one table with multi-row statements: a row whose key
 * is already there is replaced by the incoming values (`excluded.*`). A
 * key given twice keeps its last row (one statement may not touch a row
 * twice).
 */
async function upsertMany<T extends PgTable>(
  tx: Tx,
  table: T,
  key: string,
  rows: Record<string, unknown>[],
): Promise<void> {
  if (!rows.length) return;
  const unique = [...new Map(rows.map((r) => [r[key], r])).values()];
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const set: Record<string, SQL> = {};
  for (const k of Object.keys(unique[0])) {
    if (k === key) continue;
    set[k] = sql.raw(`excluded."${columns[k].name}"`);
  }
  for (let i = 0; i < unique.length; i += UPSERT_CHUNK) {
    await tx.insert(table)
      .values(unique.slice(i, i + UPSERT_CHUNK) as T["$inferInsert"][])
      .onConflictDoUpdate({ target: columns[key], set });
  }
}

/** Upserts residents (inside a tenant transaction). */
export async function upsertResidents(
  tx: Tx,
  cipher: TenantCipher,
  rows: ReplicaResident[],
): Promise<void> {
  await upsertMany(
    tx,
    residents,
    "id",
    rows.map((r) => ({
      id: r.id,
      householdId: r.householdId,
      status: r.status,
      removalDate: r.removalDate,
      updatedSeq: r.updatedSeq,
      data: cipher.sealJson("residents", r.id, residentSecret(r)),
    })),
  );
}

/** Upserts households. */
export async function upsertHouseholds(
  tx: Tx,
  rows: ReplicaHousehold[],
): Promise<void> {
  await upsertMany(tx, households, "id", rows.map((h) => ({ ...h })));
}

/** Upserts seal registrations. */
export async function upsertSeals(
  tx: Tx,
  cipher: TenantCipher,
  rows: ReplicaSeal[],
): Promise<void> {
  await upsertMany(
    tx,
    seals,
    "id",
    rows.map((s) => {
      const { id, residentId, status, ...secret } = s;
      return {
        id,
        residentId,
        status,
        data: cipher.sealJson("seals", id, secret),
      };
    }),
  );
}

/** Upserts blocks. */
export async function upsertBlocks(
  tx: Tx,
  cipher: TenantCipher,
  rows: ReplicaBlock[],
): Promise<void> {
  await upsertMany(
    tx,
    blocks,
    "id",
    rows.map((b) => {
      const { id, residentId, ...secret } = b;
      return { id, residentId, data: cipher.sealJson("blocks", id, secret) };
    }),
  );
}

/** Upserts card links. */
export async function upsertCards(tx: Tx, rows: ReplicaCard[]): Promise<void> {
  await upsertMany(tx, cardLinks, "serial", rows.map((c) => ({ ...c })));
}

/** Deletes rows by id. */
export async function deleteRows(
  tx: Tx,
  ids: { residents?: string[]; households?: string[]; seals?: string[] },
): Promise<void> {
  if (ids.residents?.length) {
    await tx.delete(residents).where(inArray(residents.id, ids.residents));
  }
  if (ids.households?.length) {
    await tx.delete(households).where(inArray(households.id, ids.households));
  }
  if (ids.seals?.length) {
    await tx.delete(seals).where(inArray(seals.id, ids.seals));
  }
}

function decodeResident(
  cipher: TenantCipher,
  row: typeof residents.$inferSelect,
): ReplicaResident {
  const secret = cipher.openJson<
    Omit<ReplicaResident, (typeof RESIDENT_CLEAR)[number]>
  >(
    "residents",
    row.id,
    row.data,
  );
  return {
    id: row.id,
    householdId: row.householdId,
    status: row.status as ReplicaResident["status"],
    removalDate: row.removalDate,
    updatedSeq: Number(row.updatedSeq),
    ...secret,
    // Rows written before the 処理日 was carried have none.
    processedDate: secret.processedDate ?? null,
    processedTypes: secret.processedTypes ?? null,
    // Rows written before the legal furigana was carried have none.
    furiganaSurname: secret.furiganaSurname ?? null,
    furiganaSurnameStatus: secret.furiganaSurnameStatus ?? "unrecorded",
    furiganaGivenName: secret.furiganaGivenName ?? null,
    furiganaGivenNameStatus: secret.furiganaGivenNameStatus ?? "unrecorded",
    formerSurnameFurigana: secret.formerSurnameFurigana ?? null,
  };
}

// The reads of an issuance, built once (see lib/db/prepared_select.ts).
const residentById = preparedSelect(
  residents,
  eq(residents.id, sql.placeholder("id")),
);
const householdMembers = preparedSelect(
  residents,
  and(
    eq(residents.householdId, sql.placeholder("householdId")),
    ne(residents.status, "removed"),
  ),
  { orderBy: asc(residents.id) },
);
const householdById = preparedSelect(
  households,
  eq(households.id, sql.placeholder("id")),
);
const sealsOf = preparedSelect(
  seals,
  eq(seals.residentId, sql.placeholder("residentId")),
);
const blocksOf = preparedSelect(
  blocks,
  sql`${blocks.residentId} = any(${sql.placeholder("residentIds")})`,
);

/** One resident, decrypted, or null. */
export async function readResident(
  tx: Tx,
  cipher: TenantCipher,
  id: string,
): Promise<ReplicaResident | null> {
  const rows = await residentById(tx, { id });
  return rows.length ? decodeResident(cipher, rows[0]) : null;
}

/** Non-removed members of a household, decrypted, in id order. */
export async function readHouseholdMembers(
  tx: Tx,
  cipher: TenantCipher,
  householdId: string,
): Promise<ReplicaResident[]> {
  const rows = await householdMembers(tx, { householdId });
  return rows.map((r) => decodeResident(cipher, r));
}

/** A household, or null. */
export async function readHousehold(
  tx: Tx,
  id: string,
): Promise<ReplicaHousehold | null> {
  const rows = await householdById(tx, { id });
  return rows[0] ?? null;
}

/** Seal registrations of a resident, decrypted. */
export async function readSeals(
  tx: Tx,
  cipher: TenantCipher,
  residentId: string,
): Promise<ReplicaSeal[]> {
  const rows = await sealsOf(tx, { residentId });
  return rows.map((s) => {
    // A replica written before the print and compact versions: one image.
    const { impressionPng, ...data } = cipher.openJson<
      & Omit<ReplicaSeal, "id" | "residentId" | "status">
      & { impressionPng?: string }
    >("seals", s.id, s.data);
    return {
      id: s.id,
      residentId: s.residentId,
      status: s.status,
      ...data,
      printPng: data.printPng ?? impressionPng!,
      compactPng: data.compactPng ?? impressionPng!,
    };
  });
}

/** Blocks of residents, decrypted. */
export async function readBlocks(
  tx: Tx,
  cipher: TenantCipher,
  residentIds: string[],
): Promise<ReplicaBlock[]> {
  if (!residentIds.length) return [];
  const rows = await blocksOf(tx, { residentIds });
  return rows.map((b) => ({
    id: b.id,
    residentId: b.residentId,
    ...cipher.openJson<Omit<ReplicaBlock, "id" | "residentId">>(
      "blocks",
      b.id,
      b.data,
    ),
  }));
}

/** The tenant's replica rows as stored (sealed), read in one transaction. */
export interface ReplicaRows {
  residents: (typeof residents.$inferSelect)[];
  households: (typeof households.$inferSelect)[];
  seals: (typeof seals.$inferSelect)[];
  blocks: (typeof blocks.$inferSelect)[];
  cards: (typeof cardLinks.$inferSelect)[];
}

/**
 * Every row of the tenant's replica, still sealed: a short read, so that a
 * caller holding the tenant row (reconciliation) opens them after its
 * transaction.
 */
export async function readAllRows(tx: Tx): Promise<ReplicaRows> {
  return {
    residents: await tx.select().from(residents),
    households: await tx.select().from(households),
    seals: await tx.select().from(seals),
    blocks: await tx.select().from(blocks),
    cards: await tx.select().from(cardLinks),
  };
}

/** Opens sealed replica rows (see {@linkcode readAllRows}). */
export function openAllRows(rows: ReplicaRows, cipher: TenantCipher): {
  residents: ReplicaResident[];
  households: ReplicaHousehold[];
  seals: ReplicaSeal[];
  blocks: ReplicaBlock[];
  cards: ReplicaCard[];
} {
  return {
    residents: rows.residents.map((r) => decodeResident(cipher, r)),
    households: rows.households,
    seals: rows.seals.map((s) => ({
      id: s.id,
      residentId: s.residentId,
      status: s.status,
      ...cipher.openJson<Omit<ReplicaSeal, "id" | "residentId" | "status">>(
        "seals",
        s.id,
        s.data,
      ),
    })),
    blocks: rows.blocks.map((b) => ({
      id: b.id,
      residentId: b.residentId,
      ...cipher.openJson<Omit<ReplicaBlock, "id" | "residentId">>(
        "blocks",
        b.id,
        b.data,
      ),
    })),
    cards: rows.cards,
  };
}

/** Everything in the tenant's replica, decrypted (checksums, tests). */
export async function readAll(
  tx: Tx,
  cipher: TenantCipher,
): Promise<ReturnType<typeof openAllRows>> {
  return openAllRows(await readAllRows(tx), cipher);
}
