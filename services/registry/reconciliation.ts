/**
 * The registry's side of live reconciliation (lib/contracts/reconciliation.ts):
 * its records of a municipality **as of a sequence** S, in the feed's shapes,
 * so the ASP compares its replica at its applied sequence with exactly what
 * the feed had delivered by then.
 *
 * State as of S: in one repeatable-read transaction, the current rows (at
 * the head H) with the events H, H−1, …, S+1 undone from their `undo`
 * (the state before each event of everything it touched, kept in the
 * outbox for 取消). Undoing more than {@linkcode MAX_UNDO_EVENTS} events
 * is refused (RECONCILE_SEQ_UNAVAILABLE): the replica is too far behind to
 * be reconciled now, and its freshness check refuses issuance anyway.
 *
 * @module
 */
import { and, desc, eq, gt, sql } from "drizzle-orm";
import type { Db, Tx } from "../../lib/db/database.ts";
import {
  rangeDigests,
  type ReconcileRecord,
  type ReconcileRequest,
  type ReconcileResponse,
  recordDigests,
  withoutRetired,
} from "../../lib/contracts/reconciliation.ts";
import {
  cardLinks,
  households,
  issuanceBlocks,
  municipalities,
  outbox,
  residents,
  sealRegistrations,
} from "../../db/registry/schema.ts";
import { RegistryError } from "./errors.ts";
import {
  headSeq,
  replicaBlock,
  replicaHousehold,
  replicaResident,
  replicaSeal,
} from "./store.ts";

/** Most events undone to reach the asked sequence. */
export const MAX_UNDO_EVENTS = 50_000;

type Row = Record<string, unknown>;

/** The kinds of the outbox's `undo`, and of the records they become. */
const UNDO_KINDS = {
  residents: "resident",
  households: "household",
  seals: "seal",
  blocks: "block",
  cards: "card",
} as const;

/** Rows of a municipality by kind and key, in the registry's own shapes. */
type State = Record<keyof typeof UNDO_KINDS, Map<string, Row>>;

async function currentState(tx: Tx, code: string): Promise<State> {
  const st: State = {
    residents: new Map(),
    households: new Map(),
    seals: new Map(),
    blocks: new Map(),
    cards: new Map(),
  };
  for (
    const r of await tx.select().from(residents).where(
      eq(residents.municipalityCode, code),
    )
  ) st.residents.set(r.id, r);
  for (
    const h of await tx.select().from(households).where(
      eq(households.municipalityCode, code),
    )
  ) st.households.set(h.id, h);
  // Seals as the undo keeps them (image as base64).
  for (
    const s of await tx.select().from(sealRegistrations).where(
      eq(sealRegistrations.municipalityCode, code),
    )
  ) st.seals.set(s.id, replicaSeal(s));
  for (
    const b of await tx.select().from(issuanceBlocks).where(
      eq(issuanceBlocks.municipalityCode, code),
    )
  ) st.blocks.set(b.id, b);
  for (
    const c of await tx.select().from(cardLinks).where(
      eq(cardLinks.municipalityCode, code),
    )
  ) st.cards.set(c.serial, c);
  return st;
}

/** Undoes the events after `seq`, newest first. */
async function undoAfter(
  tx: Tx,
  code: string,
  st: State,
  seq: number,
  head: number,
): Promise<void> {
  if (head === seq) return;
  const rows = await tx.select({ seq: outbox.seq, undo: outbox.undo })
    .from(outbox)
    .where(and(eq(outbox.municipalityCode, code), gt(outbox.seq, seq)))
    .orderBy(desc(outbox.seq));
  if (rows.length !== head - seq) {
    throw new RegistryError("RECONCILE_SEQ_UNAVAILABLE", {
      seq,
      head,
      eventsKept: rows.length,
    });
  }
  for (const { undo } of rows) {
    const u = (undo ?? {}) as Partial<
      Record<keyof State, Record<string, Row | null>>
    >;
    for (const kind of Object.keys(UNDO_KINDS) as (keyof State)[]) {
      for (const [key, before] of Object.entries(u[kind] ?? {})) {
        if (before) st[kind].set(key, before);
        else st[kind].delete(key);
      }
    }
  }
}

/** A state's rows as reconciliation records in the feed's shapes. */
function toRecords(
  st: State,
  policy: { printMyNumberAtKiosk: boolean },
): ReconcileRecord[] {
  const out: ReconcileRecord[] = [];
  const subjectOf = (r: Row) => String(r.residentId);
  for (const [key, r] of st.residents) {
    out.push({
      kind: "resident",
      key,
      subject: key,
      data: replicaResident(r as never, policy),
    });
  }
  for (const [key, h] of st.households) {
    out.push({
      kind: "household",
      key,
      subject: key,
      data: replicaHousehold(h as never),
    });
  }
  for (const [key, s] of st.seals) {
    // The replica keeps the print and compact versions only; a registration
    // made before the registry prepared them has its image as both.
    const data = {
      ...s,
      printPng: s.printPng ?? s.impressionPng,
      compactPng: s.compactPng ?? s.impressionPng,
    };
    out.push({ kind: "seal", key, subject: subjectOf(s), data });
  }
  for (const [key, b] of st.blocks) {
    out.push({
      kind: "block",
      key,
      subject: subjectOf(b),
      data: replicaBlock(b as never),
    });
  }
  for (const [key, c] of st.cards) {
    out.push({ kind: "card", key, subject: subjectOf(c), data: c });
  }
  return out;
}

/**
 * A municipality's records as of `seq` (feed shapes), and the head then.
 * Throws MUNICIPALITY_NOT_FOUND, RECONCILE_SEQ_AHEAD (the replica claims
 * more than the registry wrote) or RECONCILE_SEQ_UNAVAILABLE.
 *
 * @example
 * ```ts ignore
 * const { head, records } = await recordsAsOf(db, "401005", 120);
 * ```
 */
export async function recordsAsOf(
  db: Db,
  code: string,
  seq: number,
): Promise<{ head: number; records: ReconcileRecord[] }> {
  return await db.transaction(async (tx) => {
    // One snapshot for the head, the rows and the undo of the events after seq.
    await tx.execute(sql`set transaction isolation level repeatable read`);
    const [policy] = await tx.select().from(municipalities).where(
      eq(municipalities.code, code),
    );
    if (!policy) {
      throw new RegistryError("MUNICIPALITY_NOT_FOUND", {
        municipalityCode: code,
      });
    }
    const head = await headSeq(tx, code);
    if (seq > head) {
      throw new RegistryError("RECONCILE_SEQ_AHEAD", { seq, head });
    }
    if (head - seq > MAX_UNDO_EVENTS) {
      throw new RegistryError("RECONCILE_SEQ_UNAVAILABLE", {
        seq,
        head,
        maxUndoEvents: MAX_UNDO_EVENTS,
      });
    }
    const st = await currentState(tx, code);
    await undoAfter(tx, code, st, seq, head);
    return { head, records: toRecords(st, policy) };
  });
}

/**
 * Answers a reconciliation request: the digest of each range as of the
 * request's sequence, and per-field digests of the records in the ranges
 * when `detail` is asked.
 *
 * @example
 * ```ts ignore
 * const answer = await reconcile(db, "401005", request);
 * ```
 */
export async function reconcile(
  db: Db,
  code: string,
  req: ReconcileRequest,
): Promise<ReconcileResponse> {
  const { head, records: all } = await recordsAsOf(db, code, req.seq);
  const records = withoutRetired(all, req.retentionCutoff);
  const ranges = await rangeDigests(
    records,
    req.ranges,
    req.fields,
    req.nonce,
    "source",
  );
  const answer: ReconcileResponse = {
    municipalityCode: code,
    seq: req.seq,
    head,
    ranges,
  };
  if (req.detail) {
    const d = await recordDigests(
      records,
      req.ranges,
      req.fields,
      req.nonce,
      "source",
    );
    answer.records = d.records;
    if (d.truncated) answer.truncated = true;
  }
  return answer;
}
