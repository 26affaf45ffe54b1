import assert from "node:assert/strict";
import { bindingDigest } from "../../lib/card/identity_binding.ts";
import { type Logger, silentLogger } from "../../lib/service/logger.ts";
import {
  json,
  makePerson,
  openTestRegistry,
  type TestRegistry,
} from "../../tests/support/registry_world.ts";
import { createCenterBindingPusher } from "./center_binding.ts";

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
    const pusher = createCenterBindingPusher({
      db: reg.database.db,
      centerUrl: "https://center.test",
      fetchFor: (code) => code === CODE ? center.f : null,
      keys,
      logger: silentLogger(),
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
      const pusher = createCenterBindingPusher({
        db: reg.database.db,
        centerUrl: "https://center.test",
        fetchFor: () => transport ? center.f : null,
        keys,
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

    const none = open([], false);
    const pushes = await none.pusher.afterEvent(
      CODE,
      await rename(reg, linked, "若松　花子"),
    );
    assert.equal(pushes.length, 1);
    assert.equal(none.center.calls.length, 0);

    const quiet = open([]);
    assert.deepEqual(
      await quiet.pusher.afterEvent(
        CODE,
        await rename(reg, unlinked, "戸畑　花子"),
      ),
      [],
    );
    assert.equal(quiet.center.calls.length, 0);
    // Ids and codes only in the log lines, never a name.
    assert.ok(!logger.lines.some((l) => /花子/.test(l)), logger.lines.join());
  } finally {
    await reg.close();
  }
});
