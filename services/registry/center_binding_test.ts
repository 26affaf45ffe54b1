import assert from "node:assert/strict";
import { bindingDigest } from "../../lib/card/identity_binding.ts";
import { type Logger, silentLogger } from "../../lib/service/logger.ts";
import {
  json,
  makePerson,
  openTestRegistry,
  type TestRegistry,
} from "../../tests/support/registry_world.ts";
import { desc } from "drizzle-orm";
import { centerPushes } from "../../db/registry/schema.ts";
import { createMetrics } from "../../lib/service/metrics.ts";
import { fakeTimers } from "../../lib/time/timers.ts";
import {
  type CenterBindingDeps,
  createCenterBindingPusher,
} from "./center_binding.ts";

const CODE = "401005";
const KEY = new Uint8Array(32).fill(5);
const keys = (code: string) => code === CODE ? KEY : null;

/** A resident moved in, optionally with a card linked; returns its id. */
async function resident(
  reg: TestRegistry,
  serial?: string,
): Promise<string> {
  const res = await reg.call("POST", `/municipalities/${CODE}/events`, {
    body: {
      type: "tennyu",
      date: "2026-11-20",
      person: makePerson({ name: "北九　花子", sex: "female" }),
      previousAddress: "福岡県福岡市中央区天神１丁目",
      address: "福岡県北九州市小倉北区城内１番１号",
    },
  });
  const id = (await json<{ residentIds: string[] }>(res)).residentIds[0];
  if (serial) {
    const link = await reg.call("POST", `/municipalities/${CODE}/card-links`, {
      body: { serial, residentId: id },
    });
    assert.equal(link.status, 201);
    await link.body?.cancel();
  }
  return id;
}

/** Renames a resident (職権修正); returns the event's seq. */
async function rename(
  reg: TestRegistry,
  residentId: string,
  name: string,
): Promise<number> {
  const res = await reg.call("POST", `/municipalities/${CODE}/events`, {
    body: {
      type: "shokken_shusei",
      date: "2026-11-25",
      residentId,
      changes: { name },
      reason: "婚姻による氏の変更",
    },
  });
  return (await json<{ seq: number }>(res)).seq;
}

/** A center that answers from a script of statuses and records each call. */
function scriptedCenter(statuses: number[]) {
  const calls: { url: string; headers: Headers; body: unknown }[] = [];
  const f = ((input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({
      url: String(input),
      headers: new Headers(init?.headers),
      body: JSON.parse(String(init?.body)),
    });
    const status = statuses.shift() ?? 200;
    return Promise.resolve(
      Response.json({ changed: true, code: "X" }, { status }),
    );
  }) as typeof fetch;
  return { f, calls };
}

/** The queued center calls, newest event first. */
async function pushRows(reg: TestRegistry) {
  return await reg.database.db.select().from(centerPushes).orderBy(
    desc(centerPushes.seq),
    desc(centerPushes.ord),
  );
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const base = silentLogger();
  const log = (level: string) => (msg: string, fields?: unknown) =>
    lines.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`);
  return Object.assign(Object.create(base), {
    lines,
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    debug: () => {},
    child: () => recordingLogger(),
  });
}

Deno.test("a linked holder's name change sends the old and new digest with the municipality's own transport", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    const id = await resident(reg, "0a1b2c3d");
    const seq = await rename(reg, id, "門司　花子");
    const center = scriptedCenter([200]);
    const pusher = pusherOf(reg, {
      fetchFor: (code) => code === CODE ? center.f : null,
    });
    const pushes = await pusher.afterEvent(CODE, seq);
    await pusher.idle();
    assert.equal(pushes.length, 1);
    assert.equal(center.calls.length, 1);
    const [call] = center.calls;
    assert.equal(call.url, "https://center.test/cards/0a1b2c3d/binding");
    // The certificate names the municipality: no token is sent.
    assert.equal(call.headers.get("Authorization"), null);
    const holder = { birthDate: "1980-04-01", sex: "female" } as const;
    assert.deepEqual(call.body, {
      previousDigest: bindingDigest(KEY, { ...holder, name: "北九　花子" }),
      digest: bindingDigest(KEY, { ...holder, name: "門司　花子" }),
      reason: `shokken_shusei seq ${seq}`,
    });
  } finally {
    await reg.close();
  }
});

Deno.test("an unavailable center is retried; a refusal is not; no transport sends nothing; an unlinked person sends nothing", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    const linked = await resident(reg, "0a1b2c3e");
    const unlinked = await resident(reg);
    const logger = recordingLogger();
    const open = (statuses: number[], transport = true) => {
      const center = scriptedCenter(statuses);
      const pusher = pusherOf(reg, {
        fetchFor: () => transport ? center.f : null,
        logger,
        retryMs: 1,
      });
      return { center, pusher };
    };

    const busy = open([503, 503, 200]);
    await busy.pusher.afterEvent(CODE, await rename(reg, linked, "門司　花子"));
    await busy.pusher.idle();
    assert.equal(busy.center.calls.length, 3, "retried until answered");

    const refused = open([409]);
    await refused.pusher.afterEvent(
      CODE,
      await rename(reg, linked, "八幡　花子"),
    );
    await refused.pusher.idle();
    assert.equal(refused.center.calls.length, 1, "a refusal stands");
    assert.ok(logger.lines.some((l) => l.startsWith("error card binding")));

    const [refusal] = await pushRows(reg);
    assert.equal(refusal.status, "refused", "recorded as refused");
    assert.equal(refusal.lastStatus, 409);
    assert.equal(refusal.lastCode, "X");

    const none = open([], false);
    const noneSeq = await rename(reg, linked, "若松　花子");
    const pushes = await none.pusher.afterEvent(CODE, noneSeq);
    await none.pusher.idle();
    assert.equal(pushes.length, 1);
    assert.equal(none.center.calls.length, 0);

    // An unlinked person's event calls for nothing; the call left pending
    // for want of a credential goes once a transport is there.
    const quiet = open([]);
    assert.deepEqual(
      await quiet.pusher.afterEvent(
        CODE,
        await rename(reg, unlinked, "戸畑　花子"),
      ),
      [],
    );
    await quiet.pusher.idle();
    assert.equal(quiet.center.calls.length, 1);
    assert.deepEqual(
      (quiet.center.calls[0].body as { reason: string }).reason,
      `shokken_shusei seq ${noneSeq}`,
    );
    // Ids and codes only in the log lines, never a name.
    assert.ok(!logger.lines.some((l) => /花子/.test(l)), logger.lines.join());
  } finally {
    await reg.close();
  }
});

/**
 * A center that can be down (every call throws, as an unreachable host)
 * and otherwise answers each call with `answer(serial, body)`.
 */
function switchableCenter(
  answer: (serial: string) => { status: number; code?: string } = () => ({
    status: 200,
  }),
) {
  const calls: { serial: string; reason: string }[] = [];
  const paths: string[] = [];
  const state = { down: true };
  const f = ((input: RequestInfo | URL, init?: RequestInit) => {
    if (state.down) return Promise.reject(new TypeError("connection refused"));
    const serial = decodeURIComponent(String(input).split("/")[4]);
    const body = JSON.parse(String(init?.body));
    calls.push({ serial, reason: body.reason });
    paths.push(new URL(String(input)).pathname);
    const { status, code } = answer(serial);
    return Promise.resolve(
      Response.json({ changed: true, code }, { status }),
    );
  }) as typeof fetch;
  return { f, calls, paths, state };
}

Deno.test("a call that failed while the center was down is sent after a restart, and the figures show it pending until then", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    const id = await resident(reg, "0a1b2c40");
    const center = switchableCenter();
    const open = (metrics: ReturnType<typeof createMetrics>) =>
      pusherOf(reg, {
        fetchFor: () => center.f,
        attempts: 1,
        metrics,
        timers: fakeTimers(),
        intervalMs: 60_000,
      });
    const before = createMetrics();
    const first = open(before);
    const seq = await rename(reg, id, "門司　花子");
    assert.equal((await first.afterEvent(CODE, seq)).length, 1);
    await first.pass();
    assert.equal(center.calls.length, 0);
    assert.match(
      before.render(),
      /registry_center_push_pending\{municipality="401005"\} 1\n/,
    );
    // The process stops; the center comes back; a new process starts.
    await first.stop();
    center.state.down = false;
    const after = createMetrics();
    const timers = fakeTimers();
    const second = pusherOf(reg, {
      fetchFor: () => center.f,
      metrics: after,
      timers,
      intervalMs: 60_000,
    });
    const started = second.nextPass();
    second.start();
    await started;
    assert.deepEqual(center.calls, [
      { serial: "0a1b2c40", reason: `shokken_shusei seq ${seq}` },
    ]);
    const [row] = await pushRows(reg);
    assert.equal(row.status, "done");
    assert.equal(row.attempts, 3, "two tries before the stop, one after");
    assert.match(
      after.render(),
      /registry_center_push_pending\{municipality="401005"\} 0\n/,
    );
    assert.deepEqual(timers.pending(), [60_000], "the next pass is scheduled");
    await second.stop();
  } finally {
    await reg.close();
  }
});

Deno.test("a card's calls go in event order: a transient failure holds back that card's later call, not another card's", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    const a = await resident(reg, "0a1b2c41");
    const b = await resident(reg, "0a1b2c42");
    let busyOnce = true;
    const center = switchableCenter((serial) => {
      if (serial === "0a1b2c41" && busyOnce) {
        busyOnce = false;
        return { status: 503 };
      }
      return { status: 200 };
    });
    const pusher = pusherOf(reg, {
      fetchFor: () => center.f,
      attempts: 1,
      timers: fakeTimers(),
    });
    // Three events while the center is down: nothing goes.
    const a1 = await rename(reg, a, "門司　花子");
    const a2 = await rename(reg, a, "八幡　花子");
    const b1 = await rename(reg, b, "若松　花子");
    for (const seq of [a1, a2, b1]) await pusher.afterEvent(CODE, seq);
    assert.equal(center.calls.length, 0);
    center.state.down = false;
    await pusher.pass();
    assert.deepEqual(center.calls, [
      { serial: "0a1b2c41", reason: `shokken_shusei seq ${a1}` },
      { serial: "0a1b2c42", reason: `shokken_shusei seq ${b1}` },
    ]);
    await pusher.pass();
    assert.deepEqual(center.calls.slice(2), [
      { serial: "0a1b2c41", reason: `shokken_shusei seq ${a1}` },
      { serial: "0a1b2c41", reason: `shokken_shusei seq ${a2}` },
    ]);
    assert.ok((await pushRows(reg)).every((r) => r.status === "done"));
    await pusher.stop();
  } finally {
    await reg.close();
  }
});

Deno.test("a definitive refusal is recorded with its code and never retried; ids and codes only in the log", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    const id = await resident(reg, "0a1b2c43");
    const center = switchableCenter(() => ({
      status: 404,
      code: "CARD_NOT_FOUND",
    }));
    center.state.down = false;
    const logger = recordingLogger();
    const pusher = pusherOf(reg, {
      fetchFor: () => center.f,
      logger,
      retryMs: 1,
      timers: fakeTimers(),
    });
    const seq = await rename(reg, id, "門司　花子");
    await pusher.afterEvent(CODE, seq);
    await pusher.idle();
    await pusher.pass();
    await pusher.pass();
    assert.equal(center.calls.length, 1, "refused once, not retried");
    const [row] = await pushRows(reg);
    assert.equal(row.status, "refused");
    assert.equal(row.lastStatus, 404);
    assert.equal(row.lastCode, "CARD_NOT_FOUND");
    assert.ok(row.settledAt);
    const refused = logger.lines.find((l) =>
      l.startsWith("error card binding refused")
    );
    assert.ok(refused?.includes('"code":"CARD_NOT_FOUND"'), refused);
    assert.ok(!logger.lines.some((l) => /花子/.test(l)), logger.lines.join());
    await pusher.stop();
  } finally {
    await reg.close();
  }
});

Deno.test("a death committed by a process that stopped before its hook ran: the next process derives the revocation from the outbox and sends it", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    const id = await resident(reg, "0a1b2c44");
    const center = switchableCenter();
    const open = () =>
      pusherOf(reg, {
        fetchFor: () => center.f,
        attempts: 1,
        timers: fakeTimers(),
      });
    const res = await reg.call("POST", `/municipalities/${CODE}/events`, {
      body: { type: "shibou", date: "2026-11-25", residentId: id },
    });
    const { seq } = await json<{ seq: number }>(res);
    assert.equal(res.status, 201);
    // No hook ran (the process stopped right after the commit).
    center.state.down = false;
    const second = open();
    const started = second.nextPass();
    second.start();
    await started;
    assert.deepEqual(center.paths, ["/cards/0a1b2c44/revoke"]);
    assert.deepEqual(center.calls, [
      { serial: "0a1b2c44", reason: `shibou seq ${seq}` },
    ]);
    await second.stop();
  } finally {
    await reg.close();
  }
});

/** A pusher on the test registry's database to the test center: silent, the test's options over these. */
function pusherOf(
  reg: { database: { db: CenterBindingDeps["db"] } },
  opts: Partial<CenterBindingDeps>,
) {
  return createCenterBindingPusher({
    db: reg.database.db,
    centerUrl: "https://center.test",
    keys,
    logger: silentLogger(),
    ...opts,
  });
}
