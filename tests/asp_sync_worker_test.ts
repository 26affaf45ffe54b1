import assert from "node:assert/strict";
import { asc, eq } from "drizzle-orm";
import { alerts } from "../db/asp/schema.ts";
import { appliedEvents } from "../db/asp/tenant_schema.ts";
import {
  makePerson,
  openTestRegistry,
  type TestRegistry,
} from "./support/registry_world.ts";
import { recordsChecksum, replicaChecksum } from "../services/asp/checksum.ts";
import {
  applyFeedEvent,
  applyFeedEvents,
  createSyncWorker,
  resumeSync,
} from "../services/asp/sync_worker.ts";
import type { FeedResponse } from "../lib/contracts/registry_feed.ts";
import {
  openTestAsp,
  registryEvent,
  registryRecords,
  type TestAsp,
  testWorker,
} from "./support/asp_world.ts";

const CODE = "401005";

async function movein(reg: TestRegistry, over: Record<string, unknown> = {}) {
  return await registryEvent(reg, CODE, {
    type: "tennyu",
    date: "2026-11-20",
    person: makePerson(over),
    previousAddress: "東京都千代田区千代田１番",
    address: "福岡県北九州市小倉北区城内１番１号",
  });
}

async function expectReplicaEqualsRegistry(asp: TestAsp, reg: TestRegistry) {
  const expected = await recordsChecksum(
    await registryRecords(reg.database.db, CODE),
    { code: CODE, printMyNumber: false },
  );
  assert.deepEqual(await replicaChecksum(asp.tenancy, CODE), expected);
}

function fakeFeed(body: FeedResponse) {
  return (_url: string) =>
    Promise.resolve(
      new Response(JSON.stringify(body), {
        headers: { "Content-Type": "application/json" },
      }),
    );
}

Deno.test("sync worker: applies the registry's events in order, exactly once; a restarted worker skips what is applied", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    const a = await movein(reg);
    await movein(reg, {
      name: "佐藤　花子",
      nameKana: "サトウ　ハナコ",
      sex: "female",
    });
    await registryEvent(reg, CODE, {
      type: "tenkyo",
      date: "2026-11-21",
      householdId: (await registryRecords(reg.database.db, CODE)).find((r) =>
        r.kind === "resident" && r.data.id === a.residentIds[0]
      )!.data.householdId,
      address: "福岡県北九州市八幡東区１番",
    });
    const round = await testWorker(asp, reg).catchUp(CODE);
    assert.equal(round.applied, 3);
    assert.equal(round.appliedSeq, 3);
    await expectReplicaEqualsRegistry(asp, reg);

    await registryEvent(reg, CODE, {
      type: "shibou",
      date: "2026-11-22",
      residentId: a.residentIds[0],
    });
    // A new worker (a restart) resumes from the applied sequence in the database.
    const again = await testWorker(asp, reg).catchUp(CODE);
    assert.equal(again.applied, 1);
    assert.equal(again.skipped, 0);
    await expectReplicaEqualsRegistry(asp, reg);

    // Replaying old events (a second worker, a retried request) changes nothing.
    const feed =
      await (await reg.call("GET", `/municipalities/${CODE}/feed?after=0`, {
        token: "asp-token",
      })).json();
    for (const ev of feed.events) {
      const out = await applyFeedEvent(asp.tenancy, CODE, ev, {
        now: asp.clock.now(),
      });
      assert.equal(out.kind, "skipped");
    }
    const applied = await asp.tenancy.withTenant(
      CODE,
      (tx) => tx.select().from(appliedEvents).orderBy(asc(appliedEvents.seq)),
    );
    assert.deepEqual(applied.map((e) => e.seq), [1, 2, 3, 4]);
    assert.deepEqual(
      applied.map((e) => e.eventId),
      feed.events.map((e: { eventId: string }) => e.eventId),
    );
    const t = await asp.tenancy.get(CODE);
    assert.equal(Number(t.appliedSeq), 4);
    assert.equal(Number(t.headSeq), 4);
    assert.match(
      asp.metrics.render(),
      /asp_sync_lag_seconds_count\{tenant="401005"\} 4/,
    );
    assert.match(
      asp.metrics.render(),
      /asp_sync_applied_total\{tenant="401005"\} 4/,
    );
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("sync worker: a sequence gap stops the tenant with a reason, an alert row, an error log and a metric; nothing is skipped", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    await movein(reg);
    await movein(reg);
    await movein(reg);
    const feed =
      await (await reg.call("GET", `/municipalities/${CODE}/feed?after=0`, {
        token: "asp-token",
      })).json() as FeedResponse;
    const holed: FeedResponse = {
      ...feed,
      events: [feed.events[0], feed.events[2]],
    };
    const worker = createSyncWorker({
      tenancy: asp.tenancy,
      registryUrl: "http://registry.test",
      token: "t",
      fetch: fakeFeed(holed),
      clock: asp.clock,
      logger: asp.logger,
      metrics: asp.metrics,
    });
    const round = await worker.syncOnce(CODE);
    assert.equal(round.state, "stopped");
    assert.equal(round.appliedSeq, 1);
    const t = await asp.tenancy.get(CODE);
    assert.equal(t.syncState, "stopped");
    assert.equal(Number(t.appliedSeq), 1);
    assert.match(
      t.stopReason ?? "",
      /SYNC_GAP: Cannot apply event 3: sequence gap after 1/,
    );
    const rows = await asp.tenancy.db.select().from(alerts).where(
      eq(alerts.tenantCode, CODE),
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0].kind, "SYNC_GAP");
    assert.ok(
      asp.logs.some((l) => JSON.parse(l).level === "error" && /gap/.test(l)),
    );
    assert.match(
      asp.metrics.render(),
      /asp_alerts_total\{kind="SYNC_GAP",tenant="401005"\} 1/,
    );
    // Stopped: no further event is applied, even a good one.
    assert.equal(
      (await applyFeedEvent(asp.tenancy, CODE, feed.events[1], {
        now: asp.clock.now(),
      })).kind,
      "stopped",
    );
    assert.equal((await testWorker(asp, reg).syncOnce(CODE)).state, "stopped");
    assert.equal(Number((await asp.tenancy.get(CODE)).appliedSeq), 1);
    // An operator resumes: the real feed fills the hole in order.
    await resumeSync(asp.tenancy, CODE, { actor: "ops" });
    assert.equal((await testWorker(asp, reg).catchUp(CODE)).appliedSeq, 3);
    await expectReplicaEqualsRegistry(asp, reg);
    // A registry whose head went backwards (restored from backup?) stops the tenant too.
    const regressed = createSyncWorker({
      tenancy: asp.tenancy,
      registryUrl: "http://registry.test",
      token: "t",
      fetch: fakeFeed({ municipalityCode: CODE, head: 2, events: [] }),
      clock: asp.clock,
      logger: asp.logger,
      metrics: asp.metrics,
    });
    assert.equal((await regressed.syncOnce(CODE)).state, "stopped");
    assert.match(
      (await asp.tenancy.get(CODE)).stopReason ?? "",
      /REGISTRY_REGRESSED/,
    );
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("sync worker: another municipality's rows or unknown fields stop the tenant and write nothing", async () => {
  const reg = await openTestRegistry([CODE, "401307"]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    await registryEvent(reg, "401307", {
      type: "tennyu",
      date: "2026-11-20",
      person: makePerson(),
      previousAddress: "東京都",
      address: "福岡県福岡市中央区天神１番",
    });
    const other =
      await (await reg.call("GET", `/municipalities/401307/feed?after=0`, {
        token: "asp-token",
      })).json() as FeedResponse;
    const cases: [string, FeedResponse, RegExp][] = [
      [
        "foreign rows",
        { ...other, municipalityCode: CODE },
        /SYNC_INTEGRITY: Cannot apply event 1: .*belongs to municipality '401307'/,
      ],
      [
        "wrong feed",
        other,
        /SYNC_INTEGRITY: Feed answer for 401005 is not this tenant's feed/,
      ],
      ["unknown field", {
        municipalityCode: CODE,
        head: 1,
        events: [{
          ...other.events[0],
          payload: {
            ...other.events[0].payload,
            residents: other.events[0].payload.residents.map((r) => ({
              ...r,
              municipalityCode: CODE,
              bloodType: "A",
            })),
            households: [],
          },
        }],
      }, /unknown field 'bloodType'/],
    ];
    for (const [label, body, re] of cases) {
      const worker = createSyncWorker({
        tenancy: asp.tenancy,
        registryUrl: "http://x",
        token: "t",
        fetch: fakeFeed(body),
        clock: asp.clock,
        logger: asp.logger,
        metrics: asp.metrics,
      });
      assert.equal((await worker.syncOnce(CODE)).state, "stopped", label);
      const t = await asp.tenancy.get(CODE);
      assert.match(t.stopReason ?? "", re, label);
      assert.equal(Number(t.appliedSeq), 0, label);
      await resumeSync(asp.tenancy, CODE, { actor: "ops" });
    }
    assert.equal(
      (await replicaChecksum(asp.tenancy, CODE)).kinds.resident.count,
      0,
    );
    assert.equal(
      (await replicaChecksum(asp.tenancy, "401307")).kinds.resident.count,
      0,
    );
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("sync worker: a batch applies the net effect of its events in one transaction; a gap or a bad event ends it after the good prefix", async () => {
  const reg = await openTestRegistry([CODE]);
  const one = await openTestAsp({ clock: reg.clock });
  const batched = await openTestAsp({ clock: reg.clock });
  try {
    // The same resident moves in, moves within the city and dies; a second
    // household arrives: four events touching the same rows several times.
    const a = await movein(reg);
    const householdId = (await registryRecords(reg.database.db, CODE)).find((
      r,
    ) => r.kind === "resident" && r.data.id === a.residentIds[0])!.data
      .householdId;
    await registryEvent(reg, CODE, {
      type: "tenkyo",
      date: "2026-11-21",
      householdId,
      address: "福岡県北九州市八幡東区１番",
    });
    await movein(reg, { name: "佐藤　花子", sex: "female" });
    await registryEvent(reg, CODE, {
      type: "shibou",
      date: "2026-11-22",
      residentId: a.residentIds[0],
    });
    const feed =
      await (await reg.call("GET", `/municipalities/${CODE}/feed?after=0`, {
        token: "asp-token",
      })).json() as FeedResponse;
    assert.equal(feed.events.length, 4);

    // One event per transaction and all four in one end in the same replica.
    for (const ev of feed.events) {
      assert.equal(
        (await applyFeedEvent(one.tenancy, CODE, ev, { now: one.clock.now() }))
          .kind,
        "applied",
      );
    }
    const commits: [number, number][] = [];
    const out = await applyFeedEvents(batched.tenancy, CODE, feed.events, {
      now: batched.clock.now(),
      hooks: { beforeCommit: (_c, from, to) => void commits.push([from, to]) },
    });
    assert.deepEqual(out.applied.map((e) => e.seq), [1, 2, 3, 4]);
    assert.equal(out.appliedSeq, 4);
    assert.equal(out.end, undefined);
    assert.deepEqual(commits, [[1, 4]]);
    await expectReplicaEqualsRegistry(one, reg);
    await expectReplicaEqualsRegistry(batched, reg);
    assert.deepEqual(
      await replicaChecksum(batched.tenancy, CODE),
      await replicaChecksum(one.tenancy, CODE),
    );
    const rows = await batched.tenancy.withTenant(
      CODE,
      (tx) => tx.select().from(appliedEvents).orderBy(asc(appliedEvents.seq)),
    );
    assert.deepEqual(
      rows.map((r) => [r.seq, r.eventId]),
      feed.events.map((e) => [e.seq, e.eventId]),
    );

    // Replayed with one new event behind a hole: the old ones are skipped,
    // nothing after the hole is written.
    await movein(reg, { name: "鈴木　一郎" });
    await movein(reg, { name: "鈴木　二郎" });
    const more =
      await (await reg.call("GET", `/municipalities/${CODE}/feed?after=4`, {
        token: "asp-token",
      })).json() as FeedResponse;
    const holed = await applyFeedEvents(
      batched.tenancy,
      CODE,
      [...feed.events, more.events[1]],
      { now: batched.clock.now() },
    );
    assert.equal(holed.skipped, 4);
    assert.deepEqual(holed.applied, []);
    assert.deepEqual(holed.end, { kind: "gap", seq: 6, expected: 5 });
    assert.equal(Number((await batched.tenancy.get(CODE)).appliedSeq), 4);

    // A bad event after a good one: the good one commits, the bad one is reported.
    const bad = {
      ...more.events[1],
      payload: { ...more.events[1].payload, bloodTypes: [] },
    };
    const partial = await applyFeedEvents(
      batched.tenancy,
      CODE,
      [more.events[0], bad],
      { now: batched.clock.now() },
    );
    assert.deepEqual(partial.applied.map((e) => e.seq), [5]);
    assert.equal(partial.end?.kind, "invalid");
    assert.match(
      partial.end?.kind === "invalid" ? partial.end.message : "",
      /unknown payload key 'bloodTypes'/,
    );
    assert.equal(Number((await batched.tenancy.get(CODE)).appliedSeq), 5);
    assert.equal(
      (await applyFeedEvents(batched.tenancy, CODE, more.events, {
        now: batched.clock.now(),
      })).appliedSeq,
      6,
    );
    await expectReplicaEqualsRegistry(batched, reg);
  } finally {
    await batched.close();
    await one.close();
    await reg.close();
  }
});
