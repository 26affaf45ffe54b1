/**
 * The durable queue of the registry's calls to the center (card binding,
 * move-out, revocation: services/registry/center_binding.ts). The calls are
 * derived after the commit from the outbox — what the registry already
 * stores durably — up to a per-municipality cursor (`center_push_cursors`),
 * in one transaction with the rows they make (`center_pushes`), so a
 * restart neither loses an event's calls nor derives them twice. Each row
 * stays `pending` until the center answers definitively.
 *
 * @module
 */
import { and, asc, eq, gt, isNotNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../../lib/db/database.ts";
import { headSeq } from "./store.ts";
import {
  centerPushCursors,
  centerPushes,
  outbox,
  outboxHeads,
} from "../../db/registry/schema.ts";

/** The kinds of call to the center. */
export const PUSH_KINDS = ["binding", "move_out", "revoke"] as const;
/** One kind of call to the center. */
export type PushKind = typeof PUSH_KINDS[number];

/** A call derived from an event, before it is queued. */
export interface DerivedPush {
  seq: number;
  kind: PushKind;
  serial: string;
  body: Record<string, unknown>;
}

/** A queued call, as stored. */
export interface QueuedPush extends DerivedPush {
  municipalityCode: string;
  ord: number;
  attempts: number;
}

/** How a call ended this time: `pending` is tried again. */
export interface PushOutcome {
  status: "done" | "refused" | "pending";
  /** The center's HTTP status (absent: no answer). */
  httpStatus?: number;
  /** The center's refusal code, or the transport's error class. */
  code?: string;
}

/** A committed event as the outbox keeps it (what the center calls follow from). */
export interface CommittedEvent {
  seq: number;
  type: string;
  payload: unknown;
  undo: unknown;
}

/** Events read per query while deriving. */
export const DERIVE_BATCH = 500;

/**
 * The municipality's derivation range: its cursor (events up to it have
 * their calls queued) and its outbox head.
 */
export async function deriveRange(
  db: Db,
  code: string,
): Promise<{ from: number; head: number }> {
  const [c] = await db.select({ seq: centerPushCursors.derivedSeq })
    .from(centerPushCursors).where(
      eq(centerPushCursors.municipalityCode, code),
    );
  return { from: Number(c?.seq ?? 0), head: await headSeq(db, code) };
}

/**
 * The events in `(after, upTo]` that may call the center: those that end a
 * card link (their payload lists card links) or touch a resident holding an
 * active card link. The others cannot call for anything and are not read.
 */
export async function eventsToDerive(
  db: Db,
  code: string,
  after: number,
  upTo: number,
): Promise<CommittedEvent[]> {
  const rows = await db.select({
    seq: outbox.seq,
    type: outbox.type,
    payload: outbox.payload,
    undo: outbox.undo,
  }).from(outbox).where(and(
    eq(outbox.municipalityCode, code),
    gt(outbox.seq, after),
    lte(outbox.seq, upTo),
    or(
      isNotNull(sql`${outbox.payload} -> 'cardLinks'`),
      sql`exists (select 1 from card_links c
        where c.municipality_code = ${outbox.municipalityCode}
          and c.unlinked_at is null
          and c.resident_id in (
            select r ->> 'id' from jsonb_array_elements(
              case when jsonb_typeof(${outbox.payload} -> 'residents') = 'array'
                then ${outbox.payload} -> 'residents' else '[]'::jsonb end
            ) r))`,
    ),
  )).orderBy(asc(outbox.seq));
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/**
 * Queues the calls derived from the events up to `upTo` and moves the
 * cursor there, in one transaction; a call already queued (another process
 * derived it) is kept as it is.
 */
export async function queueDerived(
  db: Db,
  code: string,
  upTo: number,
  pushes: DerivedPush[],
): Promise<void> {
  const ords = new Map<number, number>();
  const rows = pushes.map((p) => {
    const ord = ords.get(p.seq) ?? 0;
    ords.set(p.seq, ord + 1);
    return { municipalityCode: code, ord, ...p };
  });
  await db.transaction(async (tx) => {
    if (rows.length) {
      await tx.insert(centerPushes).values(rows).onConflictDoNothing();
    }
    await tx.insert(centerPushCursors).values({
      municipalityCode: code,
      derivedSeq: upTo,
    }).onConflictDoUpdate({
      target: centerPushCursors.municipalityCode,
      set: {
        derivedSeq:
          sql`greatest(${centerPushCursors.derivedSeq}, excluded.derived_seq)`,
      },
    });
  });
}

/** Pending calls read per round (the rest wait for the next one, in order). */
export const PENDING_BATCH = 1000;

/** The municipality's first pending calls, in event order. */
export async function pendingPushes(
  db: Db,
  code: string,
): Promise<QueuedPush[]> {
  const rows = await db.select({
    municipalityCode: centerPushes.municipalityCode,
    seq: centerPushes.seq,
    ord: centerPushes.ord,
    kind: centerPushes.kind,
    serial: centerPushes.serial,
    body: centerPushes.body,
    attempts: centerPushes.attempts,
  }).from(centerPushes).where(and(
    eq(centerPushes.municipalityCode, code),
    eq(centerPushes.status, "pending"),
  )).orderBy(asc(centerPushes.seq), asc(centerPushes.ord)).limit(
    PENDING_BATCH,
  );
  return rows.map(queuedOf);
}

/** A stored row as a queued call (its number, kind and body typed). */
function queuedOf<
  R extends { seq: number; kind: string; body: unknown },
>(r: R): R & Pick<QueuedPush, "seq" | "kind" | "body"> {
  return {
    ...r,
    seq: Number(r.seq),
    kind: r.kind as PushKind,
    body: r.body as Record<string, unknown>,
  };
}

/** Records one attempt's outcome on its row. */
export async function recordOutcome(
  db: Db,
  p: QueuedPush,
  outcome: PushOutcome,
): Promise<void> {
  const now = sql`now()`;
  await db.update(centerPushes).set({
    status: outcome.status,
    attempts: sql`${centerPushes.attempts} + 1`,
    lastStatus: outcome.httpStatus ?? null,
    lastCode: outcome.code ?? null,
    lastAttemptAt: now,
    ...(outcome.status === "pending" ? {} : { settledAt: now }),
  }).where(and(
    eq(centerPushes.municipalityCode, p.municipalityCode),
    eq(centerPushes.seq, p.seq),
    eq(centerPushes.ord, p.ord),
  ));
}

/** The queued calls of one event, any status, in order. */
export async function pushesOfEvent(
  db: Db,
  code: string,
  seq: number,
): Promise<(QueuedPush & { status: string })[]> {
  const rows = await db.select().from(centerPushes).where(and(
    eq(centerPushes.municipalityCode, code),
    eq(centerPushes.seq, seq),
  )).orderBy(asc(centerPushes.ord));
  return rows.map(queuedOf);
}

/** The municipalities to go through: every one with an outbox. */
export async function pushMunicipalities(db: Db): Promise<string[]> {
  const rows = await db.select({ code: outboxHeads.municipalityCode })
    .from(outboxHeads).orderBy(asc(outboxHeads.municipalityCode));
  return rows.map((r) => r.code);
}

/** Per municipality with pending calls: how many, and the oldest one's age (s). */
export async function pendingFigures(
  db: Db,
): Promise<Map<string, { count: number; oldestSeconds: number }>> {
  const rows = await db.select({
    code: centerPushes.municipalityCode,
    count: sql<number>`count(*)::int`,
    oldest: sql<
      number
    >`extract(epoch from now() - min(${centerPushes.createdAt}))::float8`,
  }).from(centerPushes).where(eq(centerPushes.status, "pending"))
    .groupBy(centerPushes.municipalityCode);
  return new Map(
    rows.map((
      r,
    ) => [r.code, {
      count: Number(r.count),
      oldestSeconds: Math.max(0, Number(r.oldest)),
    }]),
  );
}
