import assert from "node:assert/strict";
import { and, asc, eq, sql } from "drizzle-orm";
import {
  auditLog,
  outbox,
  outboxHeads,
  residentHistory,
  residents,
} from "../../db/registry/schema.ts";
import type { Db } from "../../lib/db/database.ts";
import { DomainError } from "../../lib/service/errors.ts";
import { applyEvent } from "./events.ts";
import { linkCard } from "./records.ts";
import {
  createGroupCommitter,
  type GroupCommitter,
  type GroupOutcome,
} from "./group_commit.ts";
import {
  commitEventGroup,
  type EventCommit,
  EventCommitError,
  eventCommitter,
  mayConcernCards,
  planChange,
  type PlannedEvent,
  readResident,
} from "./store.ts";
import {
  json,
  makePerson,
  openTestRegistry,
  type TestRegistry,
  TOKENS,
} from "../../tests/support/registry_world.ts";
import { createRegistryApp } from "./app.ts";
import { clientsFromTokens } from "./auth.ts";
import type { CenterBindingPusher } from "./center_binding.ts";
import { createFeedNotifier } from "./feed_notifier.ts";
import { createMetrics } from "../../lib/service/metrics.ts";
import { silentLogger } from "../../lib/service/logger.ts";
import { fakeClock } from "../../lib/time/clock.ts";

const M = "401005";
const WHO = { client: "city-window" };

/** A promise and the function that settles it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => open = r);
  return { wait, open };
}

/** Lets queued callbacks and timers run until `cond` holds (no timing assumption: it only waits). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 1));
}

/** A committer over a fake transaction: records the groups, optionally held at a gate. */
function fakeCommitter(opts: {
  hold?: Promise<void>;
  maxGroup?: number;
  outcome?: (item: string) => GroupOutcome<string>;
  fail?: (items: string[]) => boolean;
}) {
  const groups: string[][] = [];
  const committed: string[] = [];
  const committer = createGroupCommitter<string, string>({
    maxGroup: opts.maxGroup,
    run: async (_key, items) => {
      groups.push(items);
      await opts.hold;
      if (opts.fail?.(items)) throw new Error("connection lost");
      committed.push(...items);
      return items.map((i) =>
        opts.outcome?.(i) ?? { ok: true, value: `done ${i}` }
      );
    },
  });
  return { committer, groups, committed };
}

Deno.test("group commit: items queued while a group commits form the next group, in order, at most maxGroup, answered only after their commit", async () => {
  const held = gate();
  const { committer, groups, committed } = fakeCommitter({
    hold: held.wait,
    maxGroup: 3,
  });
  const answered: string[] = [];
  const submit = (i: string) =>
    committer.submit(M, i).then((v) => {
      // Answered only once the item's group has committed.
      assert.ok(committed.includes(i), `${i} answered before its commit`);
      answered.push(v);
      return v;
    });
  const all = ["a", "b", "c", "d", "e", "f"].map(submit);
  // The leader took the first alone; the rest wait for it.
  assert.deepEqual(groups, [["a"]]);
  assert.equal(committer.waiting(M), 5);
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(answered, [], "nothing answered before the commit");
  held.open();
  assert.deepEqual(await Promise.all(all), [
    "done a",
    "done b",
    "done c",
    "done d",
    "done e",
    "done f",
  ]);
  assert.deepEqual(groups, [["a"], ["b", "c", "d"], ["e", "f"]]);
  assert.deepEqual(answered, [
    "done a",
    "done b",
    "done c",
    "done d",
    "done e",
    "done f",
  ]);
  assert.deepEqual([...committer.sizes()].sort(), [[1, 1], [2, 1], [3, 1]]);
  assert.equal(committer.waiting(M), 0);
});

Deno.test("group commit: an item that fails gets its own error, the others their values; a failed group fails only its items", async () => {
  const held = gate();
  const { committer, groups } = fakeCommitter({
    hold: held.wait,
    outcome: (i) =>
      i === "bad" ? { ok: false, error: new Error("bad rolled back") } : {
        ok: true,
        value: `done ${i}`,
      },
    fail: (items) => items.includes("doomed"),
  });
  const first = committer.submit(M, "first");
  const group = ["a", "bad", "c"].map((i) =>
    committer.submit(M, i).then(
      (v) => ({ v }),
      (e: Error) => ({ e: e.message }),
    )
  );
  held.open();
  assert.equal(await first, "done first");
  assert.deepEqual(await Promise.all(group), [
    { v: "done a" },
    { e: "bad rolled back" },
    { v: "done c" },
  ]);
  // A whole group that fails (e.g. its transaction) answers every item with
  // that failure; the next group is not affected.
  const held2 = gate();
  const doomed = fakeCommitter({
    hold: held2.wait,
    fail: (items) => items.includes("doomed"),
  });
  const lead = doomed.committer.submit(M, "lead");
  const lost = ["x", "doomed"].map((i) =>
    doomed.committer.submit(M, i).catch((e: Error) => e.message)
  );
  held2.open();
  assert.equal(await lead, "done lead");
  assert.deepEqual(await Promise.all(lost), [
    "connection lost",
    "connection lost",
  ]);
  assert.equal(await doomed.committer.submit(M, "after"), "done after");
  assert.deepEqual(groups, [["first"], ["a", "bad", "c"]]);
});

Deno.test("group commit: municipalities are independent lanes; a listener named twice is called once", async () => {
  const held = gate();
  const { committer, groups } = fakeCommitter({ hold: held.wait });
  const seen: [number, string][] = [];
  committer.onGroup("m", () => seen.push([-1, "replaced"]));
  committer.onGroup("m", (n, key) => seen.push([n, key]));
  const a = committer.submit("401005", "a");
  const b = committer.submit("401307", "b");
  // Both lanes have a group in flight at once.
  assert.deepEqual(groups, [["a"], ["b"]]);
  held.open();
  await Promise.all([a, b]);
  assert.deepEqual(seen, [[1, "401005"], [1, "401307"]]);
});

// ---- On the database (PGlite, or PostgreSQL with TEST_DATABASE_URL) ----

async function moveIn(db: Db): Promise<string> {
  const c = await applyEvent(db, M, {
    type: "tennyu",
    date: "2026-11-20",
    // deno-lint-ignore no-explicit-any
    person: makePerson() as any,
    previousAddress: "東京都千代田区千代田１番１号",
    address: "福岡県北九州市小倉北区城内１番１号",
  }, WHO);
  return c.residentIds[0];
}

function correction(id: string, changes: Record<string, string>) {
  return {
    type: "shokken_shusei" as const,
    date: "2026-11-26",
    residentId: id,
    changes,
    reason: "test",
  };
}

function plan(db: Db, id: string, katagaki: string): Promise<PlannedEvent> {
  return planChange(
    db,
    { municipalityCode: M, type: "shokken_shusei", client: "test" },
    async (p, cs) => {
      const r = await readResident(p, M, id);
      cs.resident(r, { ...r, katagaki });
    },
  );
}

async function seqs(db: Db): Promise<number[]> {
  return (await db.select({ s: outbox.seq }).from(outbox).where(
    eq(outbox.municipalityCode, M),
  ).orderBy(asc(outbox.seq))).map((r) => Number(r.s));
}

async function head(db: Db): Promise<number> {
  const [h] = await db.select({ s: outboxHeads.lastSeq }).from(outboxHeads)
    .where(eq(outboxHeads.municipalityCode, M));
  return Number(h.s);
}

async function katagaki(db: Db, id: string) {
  const [r] = await db.select().from(residents).where(eq(residents.id, id));
  return { katagaki: r.katagaki, historyNo: r.historyNo };
}

/** A committer of the database's events whose first group waits at `hold`. */
function heldCommitter(
  db: Db,
  hold: Promise<void>,
): GroupCommitter<PlannedEvent, EventCommit> {
  let first = true;
  return createGroupCommitter<PlannedEvent, EventCommit>({
    run: async (_code, evs) => {
      if (first) {
        first = false;
        await hold;
      }
      return await commitEventGroup(db, evs);
    },
  });
}

Deno.test("commitEventGroup(): an event in the middle that fails rolls back alone with its own error; the others commit with consecutive seqs", async () => {
  const reg = await openTestRegistry();
  try {
    const db = reg.database.db;
    const [a, b, c] = [await moveIn(db), await moveIn(db), await moveIn(db)];
    const base = await head(db);
    const evA = await plan(db, a, "甲");
    const evB = await plan(db, b, "乙");
    const evC = await plan(db, c, "丙");
    // B's write is broken (a date the column refuses): it fails in its savepoint.
    const broken = JSON.parse(evB.arg);
    broken.write.residents[0].birth_date = "not a date";
    const out = await commitEventGroup(db, [evA, {
      ...evB,
      arg: JSON.stringify(broken),
    }, evC]);
    // No card link anywhere: none of them may concern a card.
    assert.deepEqual(out[0], {
      ok: true,
      value: { seq: base + 1, cards: false },
    });
    assert.equal(out[1].ok, false);
    const err = (out[1] as { error: unknown }).error;
    assert.ok(err instanceof EventCommitError);
    assert.equal(err.code, "22007");
    assert.deepEqual(out[2], {
      ok: true,
      value: { seq: base + 2, cards: false },
    });
    // No gap; B left nothing: no state, history, outbox or audit.
    assert.deepEqual(
      await seqs(db),
      Array.from({ length: base + 2 }, (_, i) => i + 1),
    );
    assert.equal(await head(db), base + 2);
    assert.deepEqual(await katagaki(db, a), { katagaki: "甲", historyNo: 2 });
    assert.equal((await katagaki(db, b)).historyNo, 1);
    assert.notEqual((await katagaki(db, b)).katagaki, "乙");
    assert.deepEqual(await katagaki(db, c), { katagaki: "丙", historyNo: 2 });
    const bHistory = await db.select().from(residentHistory).where(
      eq(residentHistory.residentId, b),
    );
    assert.equal(bHistory.length, 1);
    const audited = await db.select({ n: sql<number>`count(*)::int` }).from(
      auditLog,
    ).where(
      and(
        eq(auditLog.action, "event.shokken_shusei"),
        eq(auditLog.municipalityCode, M),
      ),
    );
    assert.equal(audited[0].n, 2);
    // The outbox rows are the events that committed, in their order.
    const rows = await db.select({ seq: outbox.seq, eventId: outbox.eventId })
      .from(outbox).where(eq(outbox.municipalityCode, M)).orderBy(
        asc(outbox.seq),
      );
    assert.deepEqual(rows.slice(-2).map((r) => r.eventId), [
      evA.eventId,
      evC.eventId,
    ]);
  } finally {
    await reg.close();
  }
});

/**
 * Three events queued behind a held group: A, then B on a resident the held
 * group changes (so B's plan is stale when its turn comes), then C.
 */
async function groupWithStaleMiddle(
  reg: TestRegistry,
  maxAttempts: number | undefined,
) {
  const db = reg.database.db;
  const [x, a, c] = [await moveIn(db), await moveIn(db), await moveIn(db)];
  const base = await head(db);
  const held = gate();
  const committer = heldCommitter(db, held.wait);
  const opts = { committer, maxAttempts };
  const blocker = applyEvent(db, M, correction(x, { alias: "先" }), WHO, opts);
  await until(() => committer.sizes().size > 0);
  const settle = (p: Promise<{ seq: number }>) =>
    p.then((r) => ({ seq: r.seq }), (e: unknown) => ({ error: e }));
  const group = [
    applyEvent(db, M, correction(a, { katagaki: "甲" }), WHO, opts),
    applyEvent(db, M, correction(x, { katagaki: "乙" }), WHO, opts),
    applyEvent(db, M, correction(c, { katagaki: "丙" }), WHO, opts),
  ].map(settle);
  await until(() => committer.waiting(M) === 3);
  held.open();
  const first = await blocker;
  return {
    db,
    x,
    a,
    c,
    base,
    first,
    results: await Promise.all(group),
    committer,
  };
}

Deno.test("group commit: a stale event in the middle of a group gets its own 409 (one attempt); the others commit, the sequence has no gap", async () => {
  const reg = await openTestRegistry();
  try {
    const { db, x, a, c, base, first, results, committer } =
      await groupWithStaleMiddle(reg, 1);
    assert.equal(first.seq, base + 1);
    assert.deepEqual(results[0], { seq: base + 2 });
    const err = (results[1] as { error: unknown }).error;
    assert.ok(err instanceof DomainError, String(err));
    assert.equal(err.code, "CONFLICT");
    assert.deepEqual(results[2], { seq: base + 3 });
    assert.deepEqual([...committer.sizes()].sort(), [[1, 1], [3, 1]]);
    assert.deepEqual(
      await seqs(db),
      Array.from({ length: base + 3 }, (_, i) => i + 1),
    );
    assert.equal(await head(db), base + 3);
    // X has the held group's change only; A and C theirs.
    const [rx] = await db.select().from(residents).where(eq(residents.id, x));
    assert.equal(rx.alias, "先");
    assert.notEqual(rx.katagaki, "乙");
    assert.equal(rx.historyNo, 2);
    assert.equal((await katagaki(db, a)).katagaki, "甲");
    assert.equal((await katagaki(db, c)).katagaki, "丙");
  } finally {
    await reg.close();
  }
});

Deno.test("group commit: a stale event in the middle of a group is planned again and commits after it, keeping both changes", async () => {
  const reg = await openTestRegistry();
  try {
    const { db, x, base, first, results } = await groupWithStaleMiddle(
      reg,
      undefined,
    );
    assert.equal(first.seq, base + 1);
    assert.deepEqual(results[0], { seq: base + 2 });
    assert.deepEqual(results[1], { seq: base + 4 });
    assert.deepEqual(results[2], { seq: base + 3 });
    assert.deepEqual(
      await seqs(db),
      Array.from({ length: base + 4 }, (_, i) => i + 1),
    );
    const [rx] = await db.select().from(residents).where(eq(residents.id, x));
    assert.equal(rx.alias, "先");
    assert.equal(rx.katagaki, "乙");
    assert.equal(rx.historyNo, 3);
    assert.equal(Number(rx.updatedSeq), base + 4);
  } finally {
    await reg.close();
  }
});

Deno.test("group commit through HTTP: concurrent events form groups, every reply after its commit, gapless feed, group sizes in /metrics", async () => {
  const reg = await openTestRegistry();
  try {
    const db = reg.database.db;
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await moveIn(db));
    const before = new Map(eventCommitter(db).sizes());
    const base = await head(db);
    const replies = await Promise.all(
      Array.from(
        { length: 24 },
        (_, i) =>
          reg.call("POST", `/municipalities/${M}/events`, {
            body: correction(ids[i % ids.length], { katagaki: `棟${i}` }),
          }).then((r) => json<{ seq: number }>(r)),
      ),
    );
    // Each reply names a seq that is committed (visible) when it arrives.
    const got = replies.map((r) => r.seq).sort((x, y) => x - y);
    assert.deepEqual(got, Array.from({ length: 24 }, (_, i) => base + i + 1));
    assert.deepEqual(
      await seqs(db),
      Array.from({ length: base + 24 }, (_, i) => i + 1),
    );
    // Groups formed: fewer groups than events.
    const after = eventCommitter(db).sizes();
    let groups = 0, events = 0;
    for (const [size, n] of after) {
      const k = n - (before.get(size) ?? 0);
      groups += k;
      events += k * size;
    }
    assert.ok(events >= 24, `events counted ${events}`);
    assert.ok(groups < events, `no group formed: ${groups} groups`);
    const metrics = await (await reg.call("GET", "/metrics")).text();
    const count = metrics.match(
      /^registry_event_group_size_count\{municipality="401005"\} (\d+)$/m,
    );
    assert.ok(count, "group size histogram in /metrics");
    const sum = metrics.match(
      /^registry_event_group_size_sum\{municipality="401005"\} (\d+)$/m,
    );
    assert.ok(Number(sum![1]) >= 24 + 8);
  } finally {
    await reg.close();
  }
});

Deno.test("group commit: each committed event says whether it may concern a card (a card link written, or a resident with a card link); the others skip the center hooks", async () => {
  const reg = await openTestRegistry();
  try {
    const db = reg.database.db;
    const [holder, other] = [await moveIn(db), await moveIn(db)];
    const link = await linkCard(db, M, {
      serial: "5A0C0001",
      residentId: holder,
      at: new Date("2026-11-21T00:00:00Z"),
    }, { client: "city-window" });
    assert.equal(mayConcernCards(link), true, "it writes a card link");
    // Committed concurrently: the card holder's correction and the other's.
    const [a, b] = await Promise.all([
      applyEvent(db, M, correction(holder, { katagaki: "甲" }), WHO),
      applyEvent(db, M, correction(other, { katagaki: "乙" }), WHO),
    ]);
    assert.equal(mayConcernCards(a), true, "the resident holds a card");
    assert.equal(mayConcernCards(b), false, "no card anywhere near");
    // Only what the events API got back from the commit is known not to.
    assert.equal(mayConcernCards({ ...b }), true);
  } finally {
    await reg.close();
  }
});

Deno.test("events API: the center's card hooks run after the commit for an event on a card holder, and not for one that concerns no card", async () => {
  const reg = await openTestRegistry();
  try {
    const db = reg.database.db;
    const [holder, other] = [await moveIn(db), await moveIn(db)];
    await linkCard(db, M, {
      serial: "5A0C0002",
      residentId: holder,
      at: new Date("2026-11-21T00:00:00Z"),
    }, { client: "city-window" });
    const hooked: number[] = [];
    const centerBinding: CenterBindingPusher = {
      afterEvent: (_code, seq) => {
        hooked.push(seq);
        return Promise.resolve([]);
      },
      idle: () => Promise.resolve(),
    };
    const app = createRegistryApp({
      db,
      clock: fakeClock("2026-11-26T10:00:00+09:00"),
      clients: clientsFromTokens([{
        id: "city-window",
        token: TOKENS.city,
        scopes: ["read", "write"],
        municipalities: [M],
      }]),
      notifier: createFeedNotifier(),
      logger: silentLogger(),
      metrics: createMetrics(),
      centerBinding,
    });
    const post = async (id: string, katagaki: string) => {
      const r = await app.request(`/municipalities/${M}/events`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${TOKENS.city}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify(correction(id, { katagaki })),
      });
      assert.equal(r.status, 201);
      return (await r.json()) as { seq: number };
    };
    const [a, b] = await Promise.all([post(holder, "甲"), post(other, "乙")]);
    assert.deepEqual(hooked, [a.seq], "only the card holder's event");
    // The reply is the committed event as before, nothing more.
    assert.deepEqual(Object.keys(b).sort(), [
      "eventId",
      "residentIds",
      "seq",
      "type",
    ]);
  } finally {
    await reg.close();
  }
});
