/**
 * The registry's write path: every business event is one transaction that
 * writes the new state, a history snapshot per changed resident, an outbox
 * entry with the municipality's next gapless sequence number, and an audit
 * record — or nothing at all.
 *
 * The sequence comes from a row lock on `outbox_heads`, taken last, so the
 * feed's order is the commit order and a rolled-back event leaves no gap.
 *
 * @module
 */
import { and, asc, eq, getTableColumns, getTableName, gt, inArray, type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Db, Tx } from "../../lib/db/database.ts";
import {
  auditLog,
  type CardLink,
  cardLinks,
  type Household,
  households,
  type IssuanceBlock,
  issuanceBlocks,
  municipalities,
  outbox,
  outboxHeads,
  type Resident,
  residentHistory,
  residents,
  type SealRegistration,
  sealRegistrations,
} from "../../db/registry/schema.ts";
import { RegistryError } from "./errors.ts";

/** Before and after of one row an event touches (null: absent). */
export interface Change<T> {
  before: T | null;
  after: T | null;
}

/** Everything one event changes, collected before anything is written. */
export class ChangeSet {
  readonly residents = new Map<string, Change<Resident>>();
  readonly households = new Map<string, Change<Household>>();
  readonly seals = new Map<string, Change<SealRegistration>>();
  readonly blocks = new Map<string, Change<IssuanceBlock>>();
  readonly cards = new Map<string, Change<CardLink>>();

  /** Records a resident's new state (keeps the first `before`). */
  resident(before: Resident | null, after: Resident | null): void {
    const id = (after ?? before)!.id;
    const prev = this.residents.get(id);
    this.residents.set(id, { before: prev ? prev.before : before, after });
  }
  /** Records a household's new state. */
  household(before: Household | null, after: Household | null): void {
    const id = (after ?? before)!.id;
    const prev = this.households.get(id);
    this.households.set(id, { before: prev ? prev.before : before, after });
  }
  /** Records a seal registration's new state. */
  seal(before: SealRegistration | null, after: SealRegistration | null): void {
    const id = (after ?? before)!.id;
    const prev = this.seals.get(id);
    this.seals.set(id, { before: prev ? prev.before : before, after });
  }
  /** Records a block's new state. */
  block(before: IssuanceBlock | null, after: IssuanceBlock | null): void {
    const id = (after ?? before)!.id;
    const prev = this.blocks.get(id);
    this.blocks.set(id, { before: prev ? prev.before : before, after });
  }
  /** Records a card link's new state. */
  card(before: CardLink | null, after: CardLink | null): void {
    const id = (after ?? before)!.serial;
    const prev = this.cards.get(id);
    this.cards.set(id, { before: prev ? prev.before : before, after });
  }
  /** True when nothing was recorded. */
  isEmpty(): boolean {
    return this.residents.size + this.households.size + this.seals.size +
        this.blocks.size + this.cards.size === 0;
  }
}

/** Who asks for a change, and why. */
export interface ChangeContext {
  municipalityCode: string;
  /** Event type, e.g. `tennyu`. */
  type: string;
  /** Authenticated client id. */
  client: string;
  requestId?: string;
  /** 異動日 */
  effectiveDate?: string;
  /** The request body, kept with the event. */
  request?: unknown;
  /** The seq this event cancels (取消). */
  cancelsSeq?: number;
}

/** The outcome of a committed event. */
export interface Committed {
  seq: number;
  eventId: string;
  type: string;
  residentIds: string[];
}

/** A municipality's policy as the write path needs it. */
export interface MunicipalityPolicy {
  code: string;
  name: string;
  mayor: string;
  printMyNumberAtKiosk: boolean;
}

/** Loads a municipality or refuses. */
export async function loadMunicipality(
  db: Db | Tx,
  code: string,
): Promise<MunicipalityPolicy> {
  const rows = await db.select().from(municipalities).where(
    eq(municipalities.code, code),
  ).limit(1);
  if (!rows.length) {
    throw new RegistryError("MUNICIPALITY_NOT_FOUND", {
      municipalityCode: code,
    });
  }
  return rows[0];
}

/** Reads a resident and locks it for the transaction, or refuses. */
export async function lockResident(
  tx: Tx,
  municipalityCode: string,
  id: string,
): Promise<Resident> {
  const rows = await tx.select().from(residents)
    .where(
      and(
        eq(residents.id, id),
        eq(residents.municipalityCode, municipalityCode),
      ),
    )
    .for("update");
  if (!rows.length) {
    throw new RegistryError("RESIDENT_NOT_FOUND", { residentId: id });
  }
  return rows[0];
}

/** Reads and locks several residents in id order (no deadlocks). */
export async function lockResidents(
  tx: Tx,
  municipalityCode: string,
  ids: string[],
): Promise<Resident[]> {
  if (!ids.length) return [];
  const sorted = [...new Set(ids)].sort();
  return await tx.select().from(residents)
    .where(
      and(
        inArray(residents.id, sorted),
        eq(residents.municipalityCode, municipalityCode),
      ),
    )
    .orderBy(asc(residents.id))
    .for("update");
}

/** Reads and locks a household, or refuses. */
export async function lockHousehold(
  tx: Tx,
  municipalityCode: string,
  id: string,
): Promise<Household> {
  const rows = await tx.select().from(households)
    .where(
      and(
        eq(households.id, id),
        eq(households.municipalityCode, municipalityCode),
      ),
    )
    .for("update");
  if (!rows.length) {
    throw new RegistryError("HOUSEHOLD_NOT_FOUND", { householdId: id });
  }
  return rows[0];
}

/** Active (not removed) members of a household, locked, in id order. */
export async function lockMembers(
  tx: Tx,
  householdId: string,
): Promise<Resident[]> {
  const rows = await tx.select().from(residents)
    .where(eq(residents.householdId, householdId))
    .orderBy(asc(residents.id))
    .for("update");
  return rows.filter((r) => r.status !== "removed");
}

/** Active seal registrations of a resident, locked. */
export async function lockActiveSeals(
  tx: Tx,
  residentId: string,
): Promise<SealRegistration[]> {
  return await tx.select().from(sealRegistrations)
    .where(
      and(
        eq(sealRegistrations.residentId, residentId),
        eq(sealRegistrations.status, "active"),
      ),
    )
    .for("update");
}

function b64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** The resident as other systems may see it: never 住民票コード; 個人番号 only by policy. */
export function replicaResident(
  r: Resident,
  policy: { printMyNumberAtKiosk: boolean },
): Record<string, unknown> {
  const { residentCode: _rc, myNumber, ...rest } = r;
  return policy.printMyNumberAtKiosk ? { ...rest, myNumber } : rest;
}

/** A seal row as the feed carries it (image as base64). */
export function replicaSeal(s: SealRegistration): Record<string, unknown> {
  return { ...s, impressionPng: b64(s.impressionPng) };
}

function undoSeal(s: SealRegistration | null): unknown {
  return s ? replicaSeal(s) : null;
}

/**
 * Runs `plan` and commits what it recorded as one event.
 *
 * @example
 * ```ts
 * await commitChange(db, { municipalityCode, type: "shibou", client }, async (tx, cs) => {
 *   const r = await lockResident(tx, municipalityCode, id);
 *   cs.resident(r, { ...r, status: "removed" });
 * });
 * ```
 */
export async function commitChange(
  db: Db,
  ctx: ChangeContext,
  plan: (tx: Tx, cs: ChangeSet, policy: MunicipalityPolicy) => Promise<void>,
): Promise<Committed> {
  return await db.transaction(async (tx) => {
    const policy = await loadMunicipality(tx, ctx.municipalityCode);
    const cs = new ChangeSet();
    await plan(tx, cs, policy);
    if (cs.isEmpty()) throw new RegistryError("NOTHING_TO_CHANGE");

    const eventId = crypto.randomUUID();
    const residentRows: Resident[] = [];
    const history: { resident_id: string; history_no: number; snapshot: unknown }[] = [];
    const deleted: string[] = [];
    for (const [id, ch] of cs.residents) {
      const historyNo = (ch.before?.historyNo ?? 0) + 1;
      if (ch.after) {
        const row = { ...ch.after, historyNo, updatedSeq: 0 };
        residentRows.push(row);
        history.push({ resident_id: id, history_no: historyNo, snapshot: row });
      } else {
        deleted.push(id);
        history.push({ resident_id: id, history_no: historyNo, snapshot: { deleted: true, id } });
      }
    }
    const after = <T>(m: Map<string, Change<T>>) => [...m.values()].map((c) => c.after).filter((x): x is T => !!x);
    const gone = <T>(m: Map<string, Change<T>>) => [...m.entries()].filter(([, c]) => !c.after).map(([id]) => id);
    const hh = after(cs.households);
    const deletedHh = gone(cs.households);
    const seals = after(cs.seals);
    const deletedSeals = gone(cs.seals);
    const blocks = after(cs.blocks);
    const cards = after(cs.cards);

    const payload = {
      residents: residentRows.map((r) => {
        const { updatedSeq: _u, ...rest } = replicaResident(r, policy);
        return rest;
      }),
      deletedResidents: deleted,
      households: hh,
      deletedHouseholds: deletedHh,
      seals: seals.map(replicaSeal),
      deletedSeals,
      blocks,
      cardLinks: cards,
      ...(ctx.cancelsSeq ? { cancelsSeq: ctx.cancelsSeq } : {}),
    };
    const undo = {
      residents: Object.fromEntries([...cs.residents].map(([id, c]) => [id, c.before])),
      households: Object.fromEntries([...cs.households].map(([id, c]) => [id, c.before])),
      seals: Object.fromEntries([...cs.seals].map(([id, c]) => [id, undoSeal(c.before)])),
      blocks: Object.fromEntries([...cs.blocks].map(([id, c]) => [id, c.before])),
      cards: Object.fromEntries([...cs.cards].map(([id, c]) => [id, c.before])),
    };
    const residentIds = [...cs.residents.keys()];

    // One statement writes everything, and first takes the row lock on the
    // municipality's head: commits are serialised only from here to COMMIT,
    // so the sequence is gapless, in commit order, and the lock is short.
    const ctes: SQL[] = [sql`h AS (
        UPDATE outbox_heads SET last_seq = last_seq + 1
        WHERE municipality_code = ${ctx.municipalityCode}
        RETURNING last_seq
      )`];
    if (residentRows.length) ctes.push(upsertCte("u_residents", residents, "id", residentRows, { updated_seq: sql`h.last_seq` }));
    if (deleted.length) ctes.push(deleteCte("d_residents", "residents", "id", deleted));
    if (hh.length) ctes.push(upsertCte("u_households", households, "id", hh));
    if (deletedHh.length) ctes.push(deleteCte("d_households", "households", "id", deletedHh));
    if (seals.length) ctes.push(upsertCte("u_seals", sealRegistrations, "id", seals));
    if (deletedSeals.length) ctes.push(deleteCte("d_seals", "seal_registrations", "id", deletedSeals));
    if (blocks.length) ctes.push(upsertCte("u_blocks", issuanceBlocks, "id", blocks));
    if (cards.length) ctes.push(upsertCte("u_cards", cardLinks, "serial", cards));
    ctes.push(sql`o AS (
        INSERT INTO outbox (municipality_code, seq, event_id, type, effective_date, payload, undo, request)
        SELECT ${ctx.municipalityCode}, h.last_seq, ${eventId}, ${ctx.type}, ${ctx.effectiveDate ?? null}::date,
          ${JSON.stringify(payload)}::jsonb, ${JSON.stringify(undo)}::jsonb, ${JSON.stringify(ctx.request ?? null)}::jsonb
        FROM h
      )`);
    ctes.push(sql`hi AS (
        INSERT INTO resident_history (resident_id, history_no, municipality_code, seq, event_type, snapshot)
        SELECT x.resident_id, x.history_no, ${ctx.municipalityCode}, h.last_seq, ${ctx.type},
          CASE WHEN x.snapshot ? 'deleted' THEN x.snapshot
               ELSE jsonb_set(x.snapshot, '{updatedSeq}', to_jsonb(h.last_seq)) END
        FROM h, jsonb_to_recordset(${JSON.stringify(history)}::jsonb) AS x(resident_id text, history_no int, snapshot jsonb)
      )`);
    if (ctx.cancelsSeq) {
      ctes.push(sql`c AS (
        UPDATE outbox SET cancelled_by_seq = h.last_seq FROM h
        WHERE outbox.municipality_code = ${ctx.municipalityCode} AND outbox.seq = ${ctx.cancelsSeq}
      )`);
    }
    ctes.push(sql`a AS (
        INSERT INTO audit_log (client, action, municipality_code, subject, request_id, details)
        SELECT ${ctx.client}, ${"event." + ctx.type}, ${ctx.municipalityCode}, ${residentIds.join(",") || null},
          ${ctx.requestId ?? null}, jsonb_build_object('seq', h.last_seq, 'eventId', ${eventId}::text)
        FROM h
      )`);
    const rows = await executeAndCommit(tx, sql`WITH ${sql.join(ctes, sql`, `)} SELECT last_seq FROM h`);
    if (!rows.length) throw new RegistryError("MUNICIPALITY_NOT_FOUND", { municipalityCode: ctx.municipalityCode });
    const seq = Number(rows[0].last_seq);
    return { seq, eventId, type: ctx.type, residentIds };
  });
}

/**
 * Runs the event's final statement (the one that takes the head's row lock).
 *
 * Known limit: the lock is held until this process sends COMMIT, so a busy
 * event loop lengthens it; see the P5 note in bench/README.md.
 */
async function executeAndCommit(tx: Tx, query: SQL): Promise<{ last_seq: number }[]> {
  const result = await tx.execute(query);
  return (result as unknown as { rows?: { last_seq: number }[] }).rows ??
    (result as unknown as { last_seq: number }[]);
}

/** The JSON a row becomes for jsonb_populate_recordset: column names, bytea as hex. */
function toColumnJson(table: PgTable, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, col] of Object.entries(getTableColumns(table))) {
    let v = row[key];
    if (v instanceof Uint8Array) v = "\\x" + [...v].map((b) => b.toString(16).padStart(2, "0")).join("");
    out[col.name] = v === undefined ? null : v;
  }
  return out;
}

/** A CTE that upserts rows from JSON; `override` replaces column values with SQL. */
function upsertCte(
  name: string,
  table: PgTable,
  key: string,
  rows: Record<string, unknown>[],
  override: Record<string, SQL> = {},
): SQL {
  const t = getTableName(table);
  const cols = Object.values(getTableColumns(table)).map((c) => c.name);
  const select = cols.map((c) => override[c] ?? sql.raw(`x."${c}"`));
  const set = cols.filter((c) => c !== key).map((c) => sql.raw(`"${c}" = excluded."${c}"`));
  const json = JSON.stringify(rows.map((r) => toColumnJson(table, r)));
  return sql`${sql.raw(name)} AS (
    INSERT INTO ${sql.raw(`"${t}"`)} (${sql.raw(cols.map((c) => `"${c}"`).join(", "))})
    SELECT ${sql.join(select, sql`, `)} FROM h, jsonb_populate_recordset(null::${sql.raw(`"${t}"`)}, ${json}::jsonb) AS x
    ON CONFLICT (${sql.raw(`"${key}"`)}) DO UPDATE SET ${sql.join(set, sql`, `)}
  )`;
}

/** A CTE that deletes rows by key. */
function deleteCte(name: string, table: string, key: string, ids: string[]): SQL {
  return sql`${sql.raw(name)} AS (
    DELETE FROM ${sql.raw(`"${table}"`)}
    WHERE ${sql.raw(`"${key}"`)} IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
  )`;
}

/** One event as the feed serves it. */
export interface FeedEvent {
  seq: number;
  eventId: string;
  type: string;
  effectiveDate: string | null;
  recordedAt: string;
  payload: unknown;
}

/** Events after `after`, in order, at most `limit`. */
export async function readFeed(
  db: Db,
  municipalityCode: string,
  after: number,
  limit: number,
): Promise<FeedEvent[]> {
  const rows = await db.select({
    seq: outbox.seq,
    eventId: outbox.eventId,
    type: outbox.type,
    effectiveDate: outbox.effectiveDate,
    recordedAt: outbox.recordedAt,
    payload: outbox.payload,
  }).from(outbox)
    .where(
      and(eq(outbox.municipalityCode, municipalityCode), gt(outbox.seq, after)),
    )
    .orderBy(asc(outbox.seq))
    .limit(limit);
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** The municipality's head sequence (0 when nothing was written). */
export async function headSeq(
  db: Db | Tx,
  municipalityCode: string,
): Promise<number> {
  const rows = await db.select({ s: outboxHeads.lastSeq }).from(outboxHeads)
    .where(eq(outboxHeads.municipalityCode, municipalityCode));
  return rows.length ? Number(rows[0].s) : 0;
}

/** Writes an audit record outside a business event (reads, refusals). */
export async function audit(
  db: Db | Tx,
  rec: {
    client: string;
    action: string;
    municipalityCode?: string;
    subject?: string;
    purpose?: string;
    requestId?: string;
    outcome?: string;
    details?: unknown;
  },
): Promise<void> {
  await db.insert(auditLog).values({
    client: rec.client,
    action: rec.action,
    municipalityCode: rec.municipalityCode ?? null,
    subject: rec.subject ?? null,
    purpose: rec.purpose ?? null,
    requestId: rec.requestId ?? null,
    outcome: rec.outcome ?? "ok",
    details: rec.details ?? null,
  });
}
