import assert from "node:assert/strict";
import { eq, sql } from "drizzle-orm";
import { rowsOf } from "../../lib/db/database.ts";
import {
  auditLog,
  outbox,
  residentHistory,
  residents,
  sealRegistrations,
} from "../../db/registry/schema.ts";
import {
  json,
  makePerson,
  openTestRegistry,
  type TestRegistry,
  TOKENS,
} from "../../tests/support/registry_world.ts";

const M = "401005";
import { sealImpressionPng } from "./seed/mod.ts";
const SEAL_PNG = sealImpressionPng("山田");
const SEAL_B64 = SEAL_PNG.toBase64();

async function event(
  reg: TestRegistry,
  body: Record<string, unknown>,
  code = M,
): Promise<Response> {
  return await reg.call("POST", `/municipalities/${code}/events`, {
    body: { date: "2026-11-20", ...body },
  });
}

async function ok(
  res: Response,
  status = 201,
): Promise<{ seq: number; residentIds: string[] }> {
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  return body;
}

async function refused(
  res: Response,
  code: string,
  status = 409,
): Promise<void> {
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.code, code);
  assert.ok(body.message_ja.length > 0 && body.message_en.length > 0);
}

/** A household of a head and a spouse at one address; returns ids. */
async function household(
  reg: TestRegistry,
): Promise<{ head: string; spouse: string; householdId: string }> {
  const head = (await ok(
    await event(reg, {
      type: "tennyu",
      person: makePerson(),
      previousAddress: "東京都千代田区千代田１番１号",
      address: "福岡県北九州市小倉北区城内１番１号",
    }),
  )).residentIds[0];
  const row = (await reg.database.db.select().from(residents).where(
    eq(residents.id, head),
  ))[0];
  const spouse = (await ok(
    await event(reg, {
      type: "tennyu",
      person: makePerson({
        name: "山田　花子",
        nameKana: "ヤマダ　ハナコ",
        sex: "female",
      }),
      previousAddress: "東京都千代田区千代田１番１号",
      householdId: row.householdId,
      relationship: "妻",
    }),
  )).residentIds[0];
  return { head, spouse, householdId: row.householdId };
}

async function resident(reg: TestRegistry, id: string) {
  return (await reg.database.db.select().from(residents).where(
    eq(residents.id, id),
  ))[0];
}

Deno.test("events: each event writes state, history, gapless outbox and audit together", async () => {
  const reg = await openTestRegistry();
  try {
    const { head, spouse, householdId } = await household(reg);
    await ok(
      await event(reg, {
        type: "tenkyo",
        householdId,
        address: "福岡県北九州市戸畑区中本町１番１号",
      }),
    );
    const h = await resident(reg, head);
    assert.equal(h.address, "福岡県北九州市戸畑区中本町１番１号");
    assert.equal(h.previousAddress, "福岡県北九州市小倉北区城内１番１号");
    assert.equal((await resident(reg, spouse)).address, h.address);
    const hist = await reg.database.db.select().from(residentHistory).where(
      eq(residentHistory.residentId, head),
    );
    assert.deepEqual(hist.map((x) => x.historyNo).sort(), [1, 2]);
    const seqs = (await reg.database.db.select({ s: outbox.seq }).from(outbox))
      .map((r) => Number(r.s)).sort((a, b) => a - b);
    assert.deepEqual(seqs, [1, 2, 3]);
    const audits = await reg.database.db.select().from(auditLog);
    assert.equal(audits.filter((a) => a.action.startsWith("event.")).length, 3);
  } finally {
    await reg.close();
  }
});

Deno.test("events: a refused event changes nothing (no state, history, outbox or audit)", async () => {
  const reg = await openTestRegistry();
  try {
    const { head } = await household(reg);
    const count = async () => {
      const db = reg.database.db;
      const q = async (t: string) =>
        Number(
          rowsOf<{ n: number }>(
            await db.execute(sql.raw(`select count(*)::int n from ${t}`)),
          )[0].n,
        );
      return [
        await q("outbox"),
        await q("resident_history"),
        await q("audit_log"),
      ];
    };
    const before = await count();
    // 転出確定 without 転出予定
    await refused(
      await event(reg, { type: "tenshutsu_kakutei", residentId: head }),
      "RESIDENT_NOT_MOVING_OUT",
    );
    // the householder cannot separate
    await refused(
      await event(reg, { type: "setai_bunri", residentId: head }),
      "HOUSEHOLDER_CANNOT_SEPARATE",
    );
    // birth into a household that does not exist
    await refused(
      await event(reg, {
        type: "shussei",
        person: makePerson(),
        householdId: "401005-Hnope",
        relationship: "子",
      }),
      "HOUSEHOLD_NOT_FOUND",
      404,
    );
    assert.deepEqual(await count(), before);
    const r = await resident(reg, head);
    assert.equal(r.historyNo, 1);
  } finally {
    await reg.close();
  }
});

Deno.test("events: rules of every event type, with refusals", async () => {
  const reg = await openTestRegistry();
  try {
    const { head, spouse, householdId } = await household(reg);
    // 出生 into the household
    const child = (await ok(
      await event(reg, {
        type: "shussei",
        person: makePerson({
          name: "山田　一",
          nameKana: "ヤマダ　ハジメ",
          birthDate: "2026-11-01",
        }),
        householdId,
        relationship: "子",
      }),
    )).residentIds[0];
    assert.equal(
      (await resident(reg, child)).address,
      "福岡県北九州市小倉北区城内１番１号",
    );
    // 旧氏 記載 → 変更 → 削除, with refusals
    await refused(
      await event(reg, {
        type: "kyuuji_henko",
        residentId: spouse,
        formerSurname: "佐藤",
        formerSurnameKana: "サトウ",
      }),
      "FORMER_SURNAME_ABSENT",
    );
    await ok(
      await event(reg, {
        type: "kyuuji_kisai",
        residentId: spouse,
        formerSurname: "佐藤",
        formerSurnameKana: "サトウ",
      }),
    );
    await refused(
      await event(reg, {
        type: "kyuuji_kisai",
        residentId: spouse,
        formerSurname: "鈴木",
        formerSurnameKana: "スズキ",
      }),
      "FORMER_SURNAME_EXISTS",
    );
    await ok(
      await event(reg, {
        type: "kyuuji_henko",
        residentId: spouse,
        formerSurname: "齋藤",
        formerSurnameKana: "サイトウ",
      }),
    );
    assert.equal((await resident(reg, spouse)).formerSurname, "齋藤");
    await ok(await event(reg, { type: "kyuuji_sakujo", residentId: spouse }));
    assert.equal((await resident(reg, spouse)).formerSurname, null);
    // 世帯主変更
    await refused(
      await event(reg, {
        type: "setainushi_henko",
        householdId,
        newHouseholderId: head,
      }),
      "ALREADY_HOUSEHOLDER",
    );
    await ok(
      await event(reg, {
        type: "setainushi_henko",
        householdId,
        newHouseholderId: spouse,
        relationships: { [head]: "夫" },
      }),
    );
    assert.equal((await resident(reg, spouse)).relationship, "世帯主");
    assert.equal((await resident(reg, head)).relationship, "夫");
    // 世帯分離 of the former head, then 世帯合併 back
    await ok(await event(reg, { type: "setai_bunri", residentId: head }));
    const newHh = (await resident(reg, head)).householdId;
    assert.notEqual(newHh, householdId);
    await refused(
      await event(reg, {
        type: "setai_gappei",
        householdId: newHh,
        intoHouseholdId: newHh,
        relationships: {},
      }),
      "SAME_HOUSEHOLD",
    );
    await ok(
      await event(reg, {
        type: "setai_gappei",
        householdId: newHh,
        intoHouseholdId: householdId,
        relationships: { [head]: "夫" },
      }),
    );
    assert.equal((await resident(reg, head)).householdId, householdId);
    // 職権修正 and 誤記修正
    await refused(
      await event(reg, {
        type: "shokken_shusei",
        residentId: head,
        changes: {},
        reason: "x",
      }),
      "NOTHING_TO_CHANGE",
      400,
    );
    await ok(
      await event(reg, {
        type: "shokken_shusei",
        residentId: head,
        changes: { katagaki: "城内ハイツ２０２" },
        reason: "職権",
      }),
    );
    await ok(
      await event(reg, {
        type: "gokisai_shusei",
        residentId: head,
        changes: { nameKana: "ヤマダ　タロー" },
        reason: "誤記",
      }),
    );
    assert.equal((await resident(reg, head)).nameKana, "ヤマダ　タロー");
    // 転出予定 → 転出確定; no 転居 afterwards
    await ok(
      await event(reg, {
        type: "tenshutsu_yotei",
        residentId: child,
        plannedDate: "2026-12-01",
        destinationAddress: "大阪府大阪市北区１番",
      }),
    );
    assert.equal((await resident(reg, child)).status, "moving_out");
    await ok(
      await event(reg, { type: "tenshutsu_kakutei", residentId: child }),
    );
    const gone = await resident(reg, child);
    assert.equal(gone.status, "removed");
    assert.equal(gone.removalReason, "転出");
    await refused(
      await event(reg, {
        type: "tenshutsu_yotei",
        residentId: child,
        plannedDate: "2026-12-01",
        destinationAddress: "x",
      }),
      "RESIDENT_REMOVED",
    );
    await refused(
      await event(reg, { type: "shibou", residentId: child }),
      "RESIDENT_REMOVED",
    );
    // 死亡
    await ok(await event(reg, { type: "shibou", residentId: head }));
    assert.equal((await resident(reg, head)).removalReason, "死亡");
    await refused(
      await event(reg, {
        type: "kyuuji_kisai",
        residentId: head,
        formerSurname: "a",
        formerSurnameKana: "ア",
      }),
      "RESIDENT_REMOVED",
    );
    // unknown resident, invalid body
    await refused(
      await event(reg, { type: "shibou", residentId: "401005-nobody" }),
      "RESIDENT_NOT_FOUND",
      404,
    );
    await refused(
      await event(reg, { type: "shibou" }),
      "VALIDATION_FAILED",
      400,
    );
    await refused(
      await event(reg, { type: "no_such_event", residentId: head }),
      "VALIDATION_FAILED",
      400,
    );
    await refused(
      await event(reg, {
        type: "shibou",
        residentId: head,
        date: "2026-02-30",
      }),
      "VALIDATION_FAILED",
      400,
    );
  } finally {
    await reg.close();
  }
});

Deno.test("events: 取消 restores the state before the event, and refuses when later events intervene", async () => {
  const reg = await openTestRegistry();
  try {
    const { head, householdId } = await household(reg);
    const moved = await ok(
      await event(reg, {
        type: "tenkyo",
        householdId,
        address: "福岡県北九州市門司区港町１番",
      }),
    );
    const undo = await ok(
      await event(reg, {
        type: "torikeshi",
        seq: moved.seq,
        reason: "誤って受理",
      }),
    );
    assert.equal(
      (await resident(reg, head)).address,
      "福岡県北九州市小倉北区城内１番１号",
    );
    await refused(
      await event(reg, { type: "torikeshi", seq: moved.seq, reason: "again" }),
      "EVENT_ALREADY_CANCELLED",
    );
    await refused(
      await event(reg, { type: "torikeshi", seq: undo.seq, reason: "x" }),
      "EVENT_NOT_CANCELLABLE",
    );
    const ky = await ok(
      await event(reg, {
        type: "kyuuji_kisai",
        residentId: head,
        formerSurname: "佐藤",
        formerSurnameKana: "サトウ",
      }),
    );
    await ok(
      await event(reg, {
        type: "shokken_shusei",
        residentId: head,
        changes: { katagaki: "A棟" },
        reason: "x",
      }),
    );
    await refused(
      await event(reg, { type: "torikeshi", seq: ky.seq, reason: "x" }),
      "CANCEL_CONFLICT",
    );
    // cancelling a 転入 removes the record again
    const inn = await ok(
      await event(reg, {
        type: "tennyu",
        person: makePerson(),
        previousAddress: "x",
        address: "福岡県北九州市八幡東区１番",
      }),
    );
    await ok(
      await event(reg, { type: "torikeshi", seq: inn.seq, reason: "二重登録" }),
    );
    assert.equal(await resident(reg, inn.residentIds[0]), undefined);
  } finally {
    await reg.close();
  }
});

Deno.test("seals: register, refuse a second, abolish; auto-cancelled on 転出確定 and 死亡", async () => {
  const reg = await openTestRegistry();
  try {
    const { head, spouse } = await household(reg);
    const reg1 = await ok(
      await reg.call("POST", `/municipalities/${M}/residents/${head}/seals`, {
        body: { impressionPng: SEAL_B64, date: "2026-11-20" },
      }),
    ) as unknown as { sealId: string };
    await refused(
      await reg.call("POST", `/municipalities/${M}/residents/${head}/seals`, {
        body: { impressionPng: SEAL_B64, date: "2026-11-20" },
      }),
      "SEAL_ALREADY_REGISTERED",
    );
    await refused(
      await reg.call("POST", `/municipalities/${M}/residents/${spouse}/seals`, {
        body: {
          impressionPng: btoa("not a png at all, not at all, no"),
          date: "2026-11-20",
        },
      }),
      "SEAL_IMAGE_INVALID",
      400,
    );
    await ok(
      await reg.call(
        "POST",
        `/municipalities/${M}/seals/${reg1.sealId}/abolish`,
        { body: { date: "2026-11-21" } },
      ),
      200,
    );
    await refused(
      await reg.call(
        "POST",
        `/municipalities/${M}/seals/${reg1.sealId}/abolish`,
        { body: { date: "2026-11-21" } },
      ),
      "SEAL_NOT_ACTIVE",
    );
    // auto-cancel on death
    await ok(
      await reg.call("POST", `/municipalities/${M}/residents/${spouse}/seals`, {
        body: { impressionPng: SEAL_B64, date: "2026-11-20" },
      }),
    );
    await ok(await event(reg, { type: "shibou", residentId: spouse }));
    const s = await reg.database.db.select().from(sealRegistrations).where(
      eq(sealRegistrations.residentId, spouse),
    );
    assert.equal(s[0].status, "cancelled");
    assert.equal(s[0].endReason, "死亡");
    assert.deepEqual(new Uint8Array(s[0].impressionPng), SEAL_PNG);
    // auto-cancel on move-out
    await ok(
      await reg.call("POST", `/municipalities/${M}/residents/${head}/seals`, {
        body: { impressionPng: SEAL_B64, date: "2026-11-22" },
      }),
    );
    await ok(
      await event(reg, {
        type: "tenshutsu_yotei",
        residentId: head,
        plannedDate: "2026-12-01",
        destinationAddress: "x",
      }),
    );
    await ok(await event(reg, { type: "tenshutsu_kakutei", residentId: head }));
    const s2 = await reg.database.db.select().from(sealRegistrations).where(
      eq(sealRegistrations.residentId, head),
    );
    assert.deepEqual(s2.map((x) => x.status).sort(), [
      "abolished",
      "cancelled",
    ]);
    // under 15 cannot register
    const family = await household(reg);
    const baby = (await ok(
      await event(reg, {
        type: "shussei",
        person: makePerson({ birthDate: "2020-05-05" }),
        householdId: family.householdId,
        relationship: "子",
      }),
    )).residentIds[0];
    await refused(
      await reg.call("POST", `/municipalities/${M}/residents/${baby}/seals`, {
        body: { impressionPng: SEAL_B64, date: "2026-11-22" },
      }),
      "UNDER_AGE_SEAL",
    );
  } finally {
    await reg.close();
  }
});

Deno.test("blocks: set, visible on read, lifted only explicitly and once", async () => {
  const reg = await openTestRegistry();
  try {
    const { head } = await household(reg);
    const b = await ok(
      await reg.call("POST", `/municipalities/${M}/residents/${head}/blocks`, {
        body: { reason: "support_measure", startDate: "2026-11-20" },
      }),
    ) as unknown as { blockId: string };
    await refused(
      await reg.call("POST", `/municipalities/${M}/residents/${head}/blocks`, {
        body: { reason: "dislike", startDate: "2026-11-20" },
      }),
      "VALIDATION_FAILED",
      400,
    );
    const read = await json<{ blocks: { liftedAt: string | null }[] }>(
      await reg.call("GET", `/municipalities/${M}/residents/${head}`, {
        headers: { "X-Purpose": "check" },
      }),
    );
    assert.equal(read.blocks.length, 1);
    assert.equal(read.blocks[0].liftedAt, null);
    await ok(
      await reg.call("POST", `/municipalities/${M}/blocks/${b.blockId}/lift`, {
        body: { reason: "本人申出" },
      }),
      200,
    );
    await refused(
      await reg.call("POST", `/municipalities/${M}/blocks/${b.blockId}/lift`, {
        body: { reason: "again" },
      }),
      "BLOCK_ALREADY_LIFTED",
    );
    const feed = await json<{ events: { type: string }[] }>(
      await reg.call("GET", `/municipalities/${M}/feed?after=0`, {
        token: TOKENS.asp,
      }),
    );
    assert.deepEqual(feed.events.map((e) => e.type).slice(-2), [
      "block_set",
      "block_lift",
    ]);
  } finally {
    await reg.close();
  }
});

Deno.test("auth and audit: credentials and scopes are enforced; every read is audited with its purpose", async () => {
  const reg = await openTestRegistry();
  try {
    const { head } = await household(reg);
    await refused(
      await reg.call("GET", `/municipalities/${M}/residents/${head}`, {
        token: "wrong",
      }),
      "UNAUTHENTICATED",
      401,
    );
    await refused(
      await reg.call("GET", `/municipalities/${M}/feed`, {
        token: TOKENS.reader,
      }),
      "FORBIDDEN",
      403,
    );
    await refused(
      await reg.call("POST", `/municipalities/${M}/events`, {
        token: TOKENS.reader,
        body: { type: "shibou", date: "2026-11-20", residentId: head },
      }),
      "FORBIDDEN",
      403,
    );
    const res = await reg.call(
      "GET",
      `/municipalities/${M}/residents/${head}`,
      {
        token: TOKENS.reader,
        headers: { "X-Purpose": encodeURIComponent("窓口での本人確認") },
      },
    );
    assert.equal(res.status, 200);
    await res.body?.cancel();
    await (await reg.call(
      "GET",
      `/municipalities/${M}/residents/${head}/history`,
      { token: TOKENS.reader, headers: { "X-Purpose": "audit" } },
    )).body?.cancel();
    const a = await reg.database.db.select().from(auditLog).where(
      eq(auditLog.subject, head),
    );
    const read = a.find((x) => x.action === "resident.read");
    assert.ok(read);
    assert.equal(read.client, "reader");
    assert.equal(read.purpose, "窓口での本人確認");
    assert.ok(read.requestId);
    assert.ok(a.some((x) => x.action === "resident.history"));
  } finally {
    await reg.close();
  }
});

Deno.test("feed: concurrent writers produce a gapless, duplicate-free, ordered feed; long-poll wakes on commit", async () => {
  const reg = await openTestRegistry();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await household(reg)).head);
    const base = (await json<{ head: number }>(
      await reg.call("GET", `/municipalities/${M}/feed?after=0&limit=1`, {
        token: TOKENS.asp,
      }),
    )).head;
    // 4 writers × 10 events, interleaved; some refused (conflicts) — none may leave a gap.
    const results = await Promise.all(
      ids.flatMap((id, w) =>
        Array.from({ length: 10 }, (_, i) =>
          event(reg, {
            type: "shokken_shusei",
            residentId: id,
            changes: { katagaki: `W${w}-${i}` },
            reason: "load",
          })
            .then((r) => r.json().then((b) => ({ status: r.status, b }))))
      ),
    );
    const committed = results.filter((r) => r.status === 201).length;
    assert.equal(committed, 40);
    const feed = await json<
      { head: number; events: { seq: number; eventId: string }[] }
    >(
      await reg.call(
        "GET",
        `/municipalities/${M}/feed?after=${base}&limit=1000`,
        { token: TOKENS.asp },
      ),
    );
    assert.equal(feed.events.length, 40);
    feed.events.forEach((e, i) => assert.equal(e.seq, base + i + 1));
    assert.equal(new Set(feed.events.map((e) => e.eventId)).size, 40);
    // long poll: waits, then returns the event committed meanwhile
    const waiting = reg.call(
      "GET",
      `/municipalities/${M}/feed?after=${feed.head}&wait=5`,
      { token: TOKENS.asp },
    );
    await new Promise((r) => setTimeout(r, 100));
    await ok(
      await event(reg, {
        type: "shokken_shusei",
        residentId: ids[0],
        changes: { katagaki: "late" },
        reason: "x",
      }),
    );
    const got = await json<{ events: { seq: number }[] }>(await waiting);
    assert.equal(got.events.length, 1);
    assert.equal(got.events[0].seq, feed.head + 1);
  } finally {
    await reg.close();
  }
});

Deno.test("municipalities are separate: another municipality's resident is not found, sequences are independent", async () => {
  const reg = await openTestRegistry(["401005", "401307"]);
  try {
    const { head } = await household(reg);
    await refused(
      await reg.call("GET", `/municipalities/401307/residents/${head}`, {
        headers: { "X-Purpose": "x" },
      }),
      "RESIDENT_NOT_FOUND",
      404,
    );
    await refused(
      await event(reg, { type: "shibou", residentId: head }, "401307"),
      "RESIDENT_NOT_FOUND",
      404,
    );
    const other = await ok(
      await event(reg, {
        type: "tennyu",
        person: makePerson(),
        previousAddress: "x",
        address: "福岡県福岡市中央区天神１丁目",
      }, "401307"),
    );
    assert.equal(other.seq, 1);
    await refused(
      await event(reg, { type: "shibou", residentId: head }, "999999"),
      "FORBIDDEN",
      403,
    );
    await refused(
      await reg.call("POST", "/municipalities/999999/events", {
        token: TOKENS.admin,
        body: { date: "2026-11-20", type: "shibou", residentId: head },
      }),
      "MUNICIPALITY_NOT_FOUND",
      404,
    );
  } finally {
    await reg.close();
  }
});

Deno.test("names with 外字 and IVS are stored and returned byte for byte", async () => {
  const reg = await openTestRegistry();
  try {
    const name = "葛\u{E0100}城　\u{E0FF}美\u{E0101}";
    const r = await ok(
      await event(reg, {
        type: "tennyu",
        person: makePerson({ name }),
        previousAddress: "x",
        address: "福岡県北九州市若松区本町１番",
      }),
    );
    const body = await json(
      await reg.call(
        "GET",
        `/municipalities/${M}/residents/${r.residentIds[0]}`,
        { headers: { "X-Purpose": "x" } },
      ),
    );
    assert.equal(body.name, name);
    assert.deepEqual(
      new TextEncoder().encode(body.name as string),
      new TextEncoder().encode(name),
    );
  } finally {
    await reg.close();
  }
});

Deno.test("error format: 404 for unknown routes, 400 for malformed JSON, OpenAPI document served", async () => {
  const reg = await openTestRegistry();
  try {
    await refused(await reg.call("GET", "/nope"), "NOT_FOUND", 404);
    const bad = await reg.app.request(`/municipalities/${M}/events`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${TOKENS.city}`,
        "Content-Type": "application/json",
      },
      body: "{not json",
    });
    assert.equal(bad.status, 400);
    const b = await bad.json();
    assert.ok(["VALIDATION_FAILED", "BAD_REQUEST"].includes(b.code));
    const doc = await reg.app.request("/openapi.json");
    assert.equal(doc.status, 200);
    const d = await doc.json();
    assert.ok(Object.keys(d.paths).some((p: string) => p.includes("/events")));
    const health = await reg.app.request("/healthz");
    assert.equal(health.status, 200);
    await health.body?.cancel();
    const metrics = await reg.app.request("/metrics");
    assert.match(await metrics.text(), /http_requests_total/);
  } finally {
    await reg.close();
  }
});
