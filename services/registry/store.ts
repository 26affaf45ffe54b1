/**
 * The registry's write path: every business event writes the new state, a
 * history snapshot per changed resident, an outbox entry with the
 * municipality's next gapless sequence number, and an audit record, in the
 * transaction that commits it — or nothing at all.
 *
 * An event is planned first: its rules read the current state with plain
 * reads (no transaction, no locks), each remembered in {@linkcode PlanReads},
 * and record what changes in a {@linkcode ChangeSet}. Then it is queued on
 * its municipality's group committer (group_commit.ts): the events queued
 * while the previous group commits are committed together by ONE autocommit
 * statement, `registry_commit_events(jsonb)` (db/migrations/registry/0005,
 * 0006), which runs `registry_commit_event` (0002) for each in its own savepoint:
 * take the municipality's head row lock, check that everything the plan read
 * is unchanged, write it all, return the seq. The server commits as the
 * statement ends, so the head lock is held only inside the server and never
 * across a round trip, and one WAL flush serves the whole group. An event
 * that fails rolls back alone (its seq too) and gets its own error; the
 * others take the next seqs; nobody is answered before the commit. The
 * feed's order is the commit order and a rolled-back event leaves no gap.
 * When the check fails (SQLSTATE 40001) the event is planned again from the
 * new state, a bounded number of times. Each committed event also tells
 * whether it may concern a card at the center ({@linkcode mayConcernCards}),
 * so that the after-commit card hooks run only for those.
 *
 * @module
 */
import {
  WITHHELD_FROM_REPLICA,
  withhold,
} from "../../lib/contracts/registry_feed.ts";
import { and, asc, eq, getTableColumns, gt, inArray, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Db, Tx } from "../../lib/db/database.ts";
import type {
  FeedPayload,
  MunicipalityFeedPolicy,
} from "../../lib/contracts/registry_feed.ts";
import {
  type FormProfile,
  formProfileSchema,
} from "../../lib/contracts/form_profile.ts";
import { DomainError } from "../../lib/service/errors.ts";
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
  type OutboxEvent,
  outboxHeads,
  type Resident,
  residents,
  type SealRegistration,
  sealRegistrations,
} from "../../db/registry/schema.ts";
import { RegistryError } from "./errors.ts";
import {
  createGroupCommitter,
  type GroupCommitter,
  type GroupOutcome,
} from "./group_commit.ts";

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

/**
 * What a plan read, as the commit must find it still (the first read of a
 * row wins: if a later read saw a newer version, the check fails and the
 * event is planned again). Null: read as absent.
 */
export class PlanReads {
  /** Resident id → history number. */
  readonly residents = new Map<string, number | null>();
  readonly households = new Map<string, Household | null>();
  readonly seals = new Map<string, SealRegistration | null>();
  readonly blocks = new Map<string, IssuanceBlock | null>();
  /** Card serial → link. */
  readonly cards = new Map<string, CardLink | null>();
  /** Household id → ids of every resident in it (removed ones included). */
  readonly members = new Map<string, string[]>();
  /** Resident id → ids of their active seal registrations. */
  readonly activeSeals = new Map<string, string[]>();
  /** 住民票コード → ids of the residents that have it. */
  readonly residentCodes = new Map<string, string[]>();
  /** Outbox seqs read as not cancelled. */
  readonly uncancelled = new Set<number>();

  /** Remembers resident rows as read. */
  resident(...rows: Resident[]): void {
    for (const r of rows) {
      if (!this.residents.has(r.id)) this.residents.set(r.id, r.historyNo);
    }
  }
}

/** The database as a plan sees it: plain reads, each remembered in `reads`. */
export interface PlanDb {
  db: Db;
  reads: PlanReads;
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
  /** 届出日 (defaults to the 異動日 on the outbox row). */
  notifiedDate?: string;
  /**
   * 処理日 (the registry's date in Japan): stamped on every resident the
   * event changes, with the event's type (the same-day rule's input).
   */
  processedDate?: string;
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
  /** Comma-separated event types held on their 処理日; null: every type. */
  sameDayEventTypes: string | null;
  /** strict | lenient */
  householdMoveOutPolicy: string;
  /** Version of the 外字 set (services/registry/gaiji.ts). */
  gaijiVersion: number;
  /** The form profile as accepted (null: the default one). */
  formProfile: FormProfile | null;
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

/**
 * A municipality's policy as the feed carries it (lib/contracts/registry_feed.ts):
 * its kiosk rules, its form profile (the default one for a record from
 * before profiles) and its name and mayor — the one source of what the
 * forms print.
 *
 * @example
 * ```ts ignore
 * feedPolicyOf(await loadMunicipality(db, "401005")).householdMoveOut; // "strict"
 * ```
 */
export function feedPolicyOf(
  m: Pick<
    MunicipalityPolicy,
    | "name"
    | "mayor"
    | "printMyNumberAtKiosk"
    | "sameDayEventTypes"
    | "householdMoveOutPolicy"
    | "formProfile"
  >,
): MunicipalityFeedPolicy {
  return {
    printMyNumberAtKiosk: m.printMyNumberAtKiosk,
    sameDayEventTypes: m.sameDayEventTypes === null
      ? null
      : m.sameDayEventTypes.split(",").filter(Boolean),
    householdMoveOut: m.householdMoveOutPolicy === "lenient"
      ? "lenient"
      : "strict",
    // Parsed: a stored profile gains the defaults of fields added since.
    formProfile: formProfileSchema.parse(m.formProfile ?? {}),
    name: m.name,
    mayor: m.mayor,
  };
}

/**
 * Policies as last read, per database. The commit checks the one an event
 * was planned with, so a changed policy only costs a re-plan.
 */
const policies = new WeakMap<Db, Map<string, Promise<MunicipalityPolicy>>>();

function cachedPolicy(db: Db, code: string): Promise<MunicipalityPolicy> {
  const byCode = policies.get(db) ??
    new Map<string, Promise<MunicipalityPolicy>>();
  policies.set(db, byCode);
  let p = byCode.get(code);
  if (!p) {
    p = loadMunicipality(db, code);
    byCode.set(code, p);
    p.catch(() => byCode.delete(code));
  }
  return p;
}

function forgetPolicy(db: Db, code: string): void {
  policies.get(db)?.delete(code);
}

/** A prepared query returning rows. */
interface Prepared<T> {
  execute(values: Record<string, unknown>): Promise<T[]>;
}

/** The write path's frequent statements. */
interface Statements {
  resident: Prepared<Resident>;
  household: Prepared<Household>;
  members: Prepared<Resident>;
  codeHolders: Prepared<{ id: string }>;
  activeSeals: Prepared<SealRegistration>;
  commitGroup: Prepared<{ outcomes: string }>;
}

const prepared = new WeakMap<Db, Statements>();

/**
 * The write path's frequent statements, prepared once per database: on
 * postgres.js a named statement takes one round trip (an unnamed one with
 * parameters takes two: describe, then execute) and can be pipelined.
 */
function statements(db: Db): Statements {
  let s = prepared.get(db);
  if (!s) {
    const ph = sql.placeholder;
    s = {
      resident: db.select().from(residents).where(
        and(
          eq(residents.id, ph("id")),
          eq(residents.municipalityCode, ph("m")),
        ),
      ).prepare("registry_read_resident"),
      household: db.select().from(households).where(
        and(
          eq(households.id, ph("id")),
          eq(households.municipalityCode, ph("m")),
        ),
      ).prepare("registry_read_household"),
      members: db.select().from(residents).where(
        eq(residents.householdId, ph("h")),
      )
        .orderBy(asc(residents.id)).prepare("registry_read_members"),
      codeHolders: db.select({ id: residents.id }).from(residents)
        .where(eq(residents.residentCode, ph("code"))).prepare(
          "registry_read_code_holders",
        ),
      activeSeals: db.select().from(sealRegistrations).where(
        and(
          eq(sealRegistrations.residentId, ph("r")),
          eq(sealRegistrations.status, "active"),
        ),
      ).prepare("registry_read_active_seals"),
      // One autocommit statement: the server commits the group as it returns.
      commitGroup: db.select({
        outcomes: sql<string>`registry_commit_events(${
          ph("evs")
        }::jsonb)::text`,
      })
        .from(sql`(select) as once`).prepare("registry_commit_events"),
    };
    prepared.set(db, s);
  }
  return s;
}

/** Reads a resident, or refuses. */
export async function readResident(
  p: PlanDb,
  municipalityCode: string,
  id: string,
): Promise<Resident> {
  const rows = await statements(p.db).resident.execute({
    id,
    m: municipalityCode,
  });
  if (!rows.length) {
    throw new RegistryError("RESIDENT_NOT_FOUND", { residentId: id });
  }
  p.reads.resident(rows[0]);
  return rows[0];
}

/** Reads several residents in id order (the ones that exist). */
export async function readResidents(
  p: PlanDb,
  municipalityCode: string,
  ids: string[],
): Promise<Resident[]> {
  if (!ids.length) return [];
  const wanted = [...new Set(ids)];
  const rows = await p.db.select().from(residents)
    .where(
      and(
        inArray(residents.id, wanted),
        eq(residents.municipalityCode, municipalityCode),
      ),
    )
    .orderBy(asc(residents.id));
  p.reads.resident(...rows);
  for (const id of wanted) {
    if (!rows.some((r) => r.id === id) && !p.reads.residents.has(id)) {
      p.reads.residents.set(id, null);
    }
  }
  return rows;
}

/** The ids of the residents holding a 住民票コード (read as a set). */
export async function readResidentCodeHolders(
  p: PlanDb,
  residentCode: string,
): Promise<string[]> {
  const rows = await statements(p.db).codeHolders.execute({
    code: residentCode,
  });
  const ids = rows.map((r) => r.id).sort(byCodeUnit);
  if (!p.reads.residentCodes.has(residentCode)) {
    p.reads.residentCodes.set(residentCode, ids);
  }
  return ids;
}

/** Reads a household, or null when absent. */
export async function readHouseholdOrNull(
  p: PlanDb,
  municipalityCode: string,
  id: string,
): Promise<Household | null> {
  const rows = await statements(p.db).household.execute({
    id,
    m: municipalityCode,
  });
  const row = rows[0] ?? null;
  if (!p.reads.households.has(id)) p.reads.households.set(id, row);
  return row;
}

/** Reads a household, or refuses. */
export async function readHousehold(
  p: PlanDb,
  municipalityCode: string,
  id: string,
): Promise<Household> {
  const row = await readHouseholdOrNull(p, municipalityCode, id);
  if (!row) throw new RegistryError("HOUSEHOLD_NOT_FOUND", { householdId: id });
  return row;
}

/** Active (not removed) members of a household, in id order; the whole membership is checked at commit. */
export async function readMembers(
  p: PlanDb,
  householdId: string,
): Promise<Resident[]> {
  const rows = await statements(p.db).members.execute({ h: householdId });
  p.reads.resident(...rows);
  if (!p.reads.members.has(householdId)) {
    p.reads.members.set(householdId, rows.map((r) => r.id).sort(byCodeUnit));
  }
  return rows.filter((r) => r.status !== "removed");
}

/** Active seal registrations of a resident (the set is checked at commit). */
export async function readActiveSeals(
  p: PlanDb,
  residentId: string,
): Promise<SealRegistration[]> {
  const rows = await statements(p.db).activeSeals.execute({ r: residentId });
  for (const s of rows) {
    if (!p.reads.seals.has(s.id)) p.reads.seals.set(s.id, s);
  }
  if (!p.reads.activeSeals.has(residentId)) {
    p.reads.activeSeals.set(residentId, rows.map((s) => s.id).sort(byCodeUnit));
  }
  return rows;
}

/** Reads a seal registration by id (any municipality), or null. */
export async function readSeal(
  p: PlanDb,
  id: string,
): Promise<SealRegistration | null> {
  const rows = await p.db.select().from(sealRegistrations).where(
    eq(sealRegistrations.id, id),
  );
  const row = rows[0] ?? null;
  if (!p.reads.seals.has(id)) p.reads.seals.set(id, row);
  return row;
}

/** Reads an issuance block by id (any municipality), or null. */
export async function readBlock(
  p: PlanDb,
  id: string,
): Promise<IssuanceBlock | null> {
  const rows = await p.db.select().from(issuanceBlocks).where(
    eq(issuanceBlocks.id, id),
  );
  const row = rows[0] ?? null;
  if (!p.reads.blocks.has(id)) p.reads.blocks.set(id, row);
  return row;
}

/** Reads a card link by serial (any municipality), or null. */
export async function readCardLink(
  p: PlanDb,
  serial: string,
): Promise<CardLink | null> {
  const rows = await p.db.select().from(cardLinks).where(
    eq(cardLinks.serial, serial),
  );
  const row = rows[0] ?? null;
  if (!p.reads.cards.has(serial)) p.reads.cards.set(serial, row);
  return row;
}

/** Reads an outbox event; its being not cancelled is checked at commit. */
export async function readOutboxEvent(
  p: PlanDb,
  municipalityCode: string,
  seq: number,
): Promise<OutboxEvent | null> {
  const rows = await p.db.select().from(outbox)
    .where(
      and(eq(outbox.municipalityCode, municipalityCode), eq(outbox.seq, seq)),
    );
  const row = rows[0] ?? null;
  if (row && !row.cancelledBySeq) p.reads.uncancelled.add(seq);
  return row;
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The resident as other systems may see it: never 住民票コード; 個人番号 only by policy. */
export function replicaResident(
  r: Resident,
  policy: { printMyNumberAtKiosk: boolean },
): Record<string, unknown> {
  const { myNumber, ...rest } = withhold(r, WITHHELD_FROM_REPLICA.resident);
  return policy.printMyNumberAtKiosk ? { ...rest, myNumber } : rest;
}

/** A household row as the feed carries it (no address: each resident has theirs). */
export function replicaHousehold(h: Household): Record<string, unknown> {
  return withhold(h, WITHHELD_FROM_REPLICA.household);
}

/** A block row as the feed carries it (no free-text lift reason). */
export function replicaBlock(b: IssuanceBlock): Record<string, unknown> {
  return withhold(b, WITHHELD_FROM_REPLICA.block);
}

/**
 * A seal row as the feed carries it (images as base64: as submitted, and
 * its print and compact versions — null for a registration made before
 * images were prepared).
 */
export function replicaSeal(s: SealRegistration): Record<string, unknown> {
  return {
    ...s,
    impressionPng: s.impressionPng.toBase64(),
    printPng: s.printPng?.toBase64() ?? null,
    compactPng: s.compactPng?.toBase64() ?? null,
  };
}

function undoSeal(s: SealRegistration | null): unknown {
  return s ? replicaSeal(s) : null;
}

/** How many times an event is planned before a conflict is given up. */
export const MAX_ATTEMPTS = 16;

/** What the commit of one event returns (registry_commit_events, 0006). */
export interface EventCommit {
  /** The event's seq. */
  seq: number;
  /**
   * The event writes a card link, or a resident it writes has a card link
   * (active or ended): only then may it call for an update at the center.
   */
  cards: boolean;
}

/** The committer of planned events: seq of each, per municipality. */
export type EventCommitter = GroupCommitter<PlannedEvent, EventCommit>;

/** Events known to concern no card (see {@linkcode mayConcernCards}). */
const noCards = new WeakSet<Committed>();

/**
 * False when the committed event (as {@linkcode commitChange} returned it)
 * writes no card link and no resident with a card link, so that no card
 * record at the center can depend on it; true otherwise, and for any other
 * object. The events API skips the center hooks (card binding, move-outs,
 * revocations), and their read of the outbox row, when false.
 *
 * @example
 * ```ts ignore
 * const c = await commitChange(db, ctx, plan);
 * if (mayConcernCards(c)) await pusher.afterEvent(code, c.seq);
 * ```
 */
export function mayConcernCards(committed: Committed): boolean {
  return !noCards.has(committed);
}

/** Options of {@linkcode commitChange}. */
export interface CommitOptions {
  /** Attempts before giving up on conflicts (default {@linkcode MAX_ATTEMPTS}). */
  maxAttempts?: number;
  /** Commits the planned event with others of its municipality (default: the database's, {@linkcode eventCommitter}). */
  committer?: EventCommitter;
}

/** One event planned and ready to commit. */
export interface PlannedEvent {
  eventId: string;
  type: string;
  residentIds: string[];
  /** The JSON argument of registry_commit_event. */
  arg: string;
}

/**
 * Plans one event: reads the policy, runs `plan`, and builds what the commit
 * checks and writes. Throws the plan's refusals, and
 * `RegistryError("NOTHING_TO_CHANGE")` for an empty plan.
 *
 * @example
 * ```ts ignore
 * const ev = await planChange(db, { municipalityCode, type: "shibou", client }, plan);
 * const [outcome] = await commitEventGroup(db, [ev]);
 * ```
 */
export async function planChange(
  db: Db,
  ctx: ChangeContext,
  plan: (p: PlanDb, cs: ChangeSet, policy: MunicipalityPolicy) => Promise<void>,
): Promise<PlannedEvent> {
  const policy = await cachedPolicy(db, ctx.municipalityCode);
  const reads = new PlanReads();
  const cs = new ChangeSet();
  await plan({ db, reads }, cs, policy);
  if (cs.isEmpty()) throw new RegistryError("NOTHING_TO_CHANGE");
  const eventId = crypto.randomUUID();
  return {
    eventId,
    type: ctx.type,
    residentIds: [...cs.residents.keys()],
    arg: eventArgument(ctx, eventId, cs, reads, policy),
  };
}

/**
 * Plans an event with `plan` and commits what it recorded as one event,
 * together with the other events of its municipality queued meanwhile (group
 * commit: one transaction, each event in its own savepoint; answered after
 * the commit); when something the plan read changed before the commit,
 * plans it again.
 *
 * Throws the plan's refusals as they are, `RegistryError("NOTHING_TO_CHANGE")`
 * for an empty plan, and `DomainError("CONFLICT")` (409) when every attempt
 * met a concurrent change.
 *
 * @example
 * ```ts ignore
 * await commitChange(db, { municipalityCode, type: "shibou", client }, async (p, cs) => {
 *   const r = await readResident(p, municipalityCode, id);
 *   cs.resident(r, { ...r, status: "removed" });
 * });
 * ```
 */
export async function commitChange(
  db: Db,
  ctx: ChangeContext,
  plan: (p: PlanDb, cs: ChangeSet, policy: MunicipalityPolicy) => Promise<void>,
  opts: CommitOptions = {},
): Promise<Committed> {
  const maxAttempts = opts.maxAttempts ?? MAX_ATTEMPTS;
  const committer = opts.committer ?? eventCommitter(db);
  for (let attempt = 1;; attempt++) {
    const ev = await planChange(db, ctx, plan);
    try {
      const { seq, cards } = await committer.submit(ctx.municipalityCode, ev);
      const committed: Committed = {
        seq,
        eventId: ev.eventId,
        type: ev.type,
        residentIds: ev.residentIds,
      };
      if (!cards) noCards.add(committed);
      return committed;
    } catch (err) {
      const code = sqlState(err);
      if (code === "P0002") {
        throw new RegistryError("MUNICIPALITY_NOT_FOUND", {
          municipalityCode: ctx.municipalityCode,
        });
      }
      if (code !== "40001") throw err;
      forgetPolicy(db, ctx.municipalityCode);
      if (attempt >= maxAttempts) {
        throw new DomainError(
          "CONFLICT",
          "同じ記録への更新が同時に重なったため、反映できませんでした。もう一度お試しください",
          "Concurrent changes to the same records kept conflicting with this event; nothing was changed, try again",
          { reason: "CONCURRENT_UPDATE", attempts: attempt },
        );
      }
      // Jitter, so that events planned together do not collide again.
      await new Promise((r) =>
        setTimeout(r, Math.random() * Math.min(2 ** attempt, 50))
      );
    }
  }
}

/** The SQLSTATE of a database error (Drizzle wraps the driver's in `cause`). */
function sqlState(err: unknown): string | undefined {
  for (
    let e = err, depth = 0;
    e && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** The error one event of a group failed with in its savepoint (SQLSTATE in `code`). */
export class EventCommitError extends Error {
  /** The SQLSTATE, e.g. `40001` when what the plan read had changed. */
  readonly code: string;
  /** Makes the error of one event. */
  constructor(code: string, message: string) {
    super(message);
    this.name = "EventCommitError";
    this.code = code;
  }
}

/**
 * Commits planned events as ONE autocommit statement,
 * `registry_commit_events(jsonb)` (db/migrations/registry/0005, 0006): one
 * transaction, each event in its own savepoint, seqs assigned in the given
 * order. Returns each event's seq (and whether it may concern a card), or
 * the {@linkcode EventCommitError} it alone failed with (rolled back,
 * leaving no gap). Throws when the statement itself fails (then nothing of
 * the group committed).
 *
 * @example
 * ```ts ignore
 * const [a, b] = await commitEventGroup(db, [evA, evB]);
 * if (a.ok) console.log(a.value.seq);
 * ```
 */
export async function commitEventGroup(
  db: Db,
  events: PlannedEvent[],
): Promise<GroupOutcome<EventCommit>[]> {
  if (!events.length) return [];
  const rows = await statements(db).commitGroup.execute({
    evs: "[" + events.map((e) => e.arg).join(",") + "]",
  });
  const outcomes = JSON.parse(rows[0].outcomes) as (
    | { seq: number; cards: boolean }
    | { error: string; message: string }
  )[];
  return outcomes.map((o) =>
    "seq" in o
      ? { ok: true, value: { seq: Number(o.seq), cards: o.cards !== false } }
      : { ok: false, error: new EventCommitError(o.error, o.message) }
  );
}

/**
 * A new committer of the database's events (per municipality: one group in
 * flight, up to `maxGroup` events a group).
 *
 * @example
 * ```ts ignore
 * const committer = createEventCommitter(db, { maxGroup: 16 });
 * await commitChange(db, ctx, plan, { committer });
 * ```
 */
export function createEventCommitter(
  db: Db,
  opts: { maxGroup?: number } = {},
): EventCommitter {
  return createGroupCommitter<PlannedEvent, EventCommit>({
    run: (_code, events) => commitEventGroup(db, events),
    maxGroup: opts.maxGroup,
  });
}

const committers = new WeakMap<Db, EventCommitter>();

/**
 * The database's shared event committer: every write path of the process
 * (events, seals, blocks, card links) queues on it, so that concurrent
 * events of a municipality form groups. Its `onGroup` feeds the metric of
 * group sizes (api/events.ts).
 */
export function eventCommitter(db: Db): EventCommitter {
  let c = committers.get(db);
  if (!c) committers.set(db, c = createEventCommitter(db));
  return c;
}

/** The JSON argument of registry_commit_event: checks, writes, history, outbox and audit. */
function eventArgument(
  ctx: ChangeContext,
  eventId: string,
  cs: ChangeSet,
  reads: PlanReads,
  policy: MunicipalityPolicy,
): string {
  const residentRows: Resident[] = [];
  const history: {
    resident_id: string;
    history_no: number;
    snapshot: unknown;
  }[] = [];
  const deleted: string[] = [];
  for (const [id, ch] of cs.residents) {
    const historyNo = (ch.before?.historyNo ?? 0) + 1;
    if (ch.after) {
      const row = {
        ...ch.after,
        ...processedStamp(ch.before, ctx),
        historyNo,
        updatedSeq: 0,
      };
      residentRows.push(row);
      history.push({ resident_id: id, history_no: historyNo, snapshot: row });
    } else {
      deleted.push(id);
      history.push({
        resident_id: id,
        history_no: historyNo,
        snapshot: { deleted: true, id },
      });
    }
  }
  const after = <T>(m: Map<string, Change<T>>) =>
    [...m.values()].map((c) => c.after).filter((x): x is T => !!x);
  const gone = <T>(m: Map<string, Change<T>>) =>
    [...m.entries()].filter(([, c]) => !c.after).map(([id]) => id);
  const hh = after(cs.households);
  const seals = after(cs.seals);
  const blocks = after(cs.blocks);
  const cards = after(cs.cards);

  // What the commit must find unchanged: every read, and every `before`.
  const residentChecks: Record<string, number | null> = Object.fromEntries(
    reads.residents,
  );
  for (const [id, c] of cs.residents) {
    if (!(id in residentChecks)) {
      residentChecks[id] = c.before ? c.before.historyNo : null;
    }
  }
  const check = nonEmpty({
    printMyNumberAtKiosk: policy.printMyNumberAtKiosk,
    residents: residentChecks,
    households: rowChecks(households, reads.households, cs.households),
    seals: rowChecks(sealRegistrations, reads.seals, cs.seals),
    blocks: rowChecks(issuanceBlocks, reads.blocks, cs.blocks),
    cards: rowChecks(cardLinks, reads.cards, cs.cards),
    members: Object.fromEntries(reads.members),
    activeSeals: Object.fromEntries(reads.activeSeals),
    residentCodes: Object.fromEntries(reads.residentCodes),
    uncancelled: [...reads.uncancelled],
  });
  return JSON.stringify({
    municipalityCode: ctx.municipalityCode,
    eventId,
    type: ctx.type,
    effectiveDate: ctx.effectiveDate ?? null,
    notifiedDate: ctx.notifiedDate ?? ctx.effectiveDate ?? null,
    processedDate: ctx.processedDate ?? null,
    client: ctx.client,
    requestId: ctx.requestId ?? null,
    subject: [...cs.residents.keys()].join(","),
    cancelsSeq: ctx.cancelsSeq ?? null,
    check,
    // Empty kinds are left out: the function skips their statements.
    write: nonEmpty({
      residents: residentRows.map((r) => toColumnJson(residents, r)),
      deletedResidents: deleted,
      households: hh.map((r) => toColumnJson(households, r)),
      deletedHouseholds: gone(cs.households),
      seals: seals.map((r) => toColumnJson(sealRegistrations, r)),
      deletedSeals: gone(cs.seals),
      blocks: blocks.map((r) => toColumnJson(issuanceBlocks, r)),
      cards: cards.map((r) => toColumnJson(cardLinks, r)),
    }),
    ...(history.length ? { history } : {}),
    payload: {
      residents: residentRows.map((r) => {
        const { updatedSeq: _u, ...rest } = replicaResident(r, policy);
        return rest;
      }),
      deletedResidents: deleted,
      households: hh.map(replicaHousehold),
      deletedHouseholds: gone(cs.households),
      seals: seals.map(replicaSeal),
      deletedSeals: gone(cs.seals),
      blocks: blocks.map(replicaBlock),
      cardLinks: cards,
      ...(ctx.cancelsSeq ? { cancelsSeq: ctx.cancelsSeq } : {}),
    },
    undo: {
      residents: Object.fromEntries(
        [...cs.residents].map(([id, c]) => [id, c.before]),
      ),
      households: Object.fromEntries(
        [...cs.households].map(([id, c]) => [id, c.before]),
      ),
      seals: Object.fromEntries(
        [...cs.seals].map(([id, c]) => [id, undoSeal(c.before)]),
      ),
      blocks: Object.fromEntries(
        [...cs.blocks].map(([id, c]) => [id, c.before]),
      ),
      cards: Object.fromEntries([...cs.cards].map(([id, c]) => [id, c.before])),
    },
    request: ctx.request ?? null,
  });
}

/**
 * The 処理日 stamp of a resident an event changes: the day, and the types of
 * the events processed that day (this one added); nothing without a day.
 */
function processedStamp(
  before: Resident | null,
  ctx: ChangeContext,
): Partial<Resident> {
  if (!ctx.processedDate) return {};
  const sameDay = before?.processedDate === ctx.processedDate;
  const types = new Set(
    sameDay && before?.processedTypes ? before.processedTypes.split(",") : [],
  );
  types.add(ctx.type);
  return {
    processedDate: ctx.processedDate,
    processedTypes: [...types].join(","),
  };
}

/** The entries that are not empty lists or objects. */
function nonEmpty(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) =>
      !(v && typeof v === "object" && Object.keys(v).length === 0)
    ),
  );
}

/** Row checks of one table: every row read, and every `before` (as column JSON; null: absent). */
function rowChecks<T extends object>(
  table: PgTable,
  read: Map<string, T | null>,
  changes: Map<string, Change<T>>,
): Record<string, Record<string, unknown> | null> {
  const out: Record<string, Record<string, unknown> | null> = {};
  for (const [id, row] of read) out[id] = row ? toColumnJson(table, row) : null;
  for (const [id, c] of changes) {
    if (!(id in out)) out[id] = c.before ? toColumnJson(table, c.before) : null;
  }
  return out;
}

/** The JSON a row becomes for jsonb_populate_record: column names, bytea as hex. */
function toColumnJson(table: PgTable, row: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const values = row as Record<string, unknown>;
  for (const [key, col] of Object.entries(getTableColumns(table))) {
    let v = values[key];
    if (v instanceof Uint8Array) {
      v = "\\x" + v.toHex();
    }
    out[col.name] = v === undefined ? null : v;
  }
  return out;
}

/** One event as the feed serves it (lib/contracts/registry_feed.ts). */
export interface FeedEvent {
  seq: number;
  eventId: string;
  type: string;
  effectiveDate: string | null;
  /** 届出日 */
  notifiedDate: string | null;
  /** 処理日 */
  processedDate: string | null;
  recordedAt: string;
  payload: FeedPayload;
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
    notifiedDate: outbox.notifiedDate,
    processedDate: outbox.processedDate,
    recordedAt: outbox.recordedAt,
    payload: outbox.payload,
  }).from(outbox)
    .where(
      and(eq(outbox.municipalityCode, municipalityCode), gt(outbox.seq, after)),
    )
    .orderBy(asc(outbox.seq))
    .limit(limit);
  // The payload is what buildEvent wrote (the feed's contract).
  return rows.map((r) => ({
    ...r,
    seq: Number(r.seq),
    payload: r.payload as FeedPayload,
  }));
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
