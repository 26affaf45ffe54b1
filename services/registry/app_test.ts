import assert from "node:assert/strict";
import {
  json,
  makePerson,
  openTestRegistry,
  TOKENS,
} from "../../tests/support/registry_world.ts";

Deno.test("registry: 転入 creates a resident readable with a purpose, and the read is audited", async () => {
  const reg = await openTestRegistry();
  try {
    const res = await reg.call("POST", "/municipalities/401005/events", {
      body: {
        type: "tennyu",
        date: "2026-11-20",
        person: makePerson({
          name: "髙橋　\u{E000}子",
          nameKana: "タカハシ　ヨシコ",
        }),
        previousAddress: "東京都千代田区千代田１番１号",
        address: "福岡県北九州市小倉北区城内１番１号",
        katagaki: "城内ハイツ１０１号",
      },
    });
    assert.equal(res.status, 201);
    const c = await json<{ seq: number; residentIds: string[] }>(res);
    assert.equal(c.seq, 1);
    const id = c.residentIds[0];
    const noPurpose = await reg.call(
      "GET",
      `/municipalities/401005/residents/${id}`,
    );
    assert.equal(noPurpose.status, 400);
    assert.equal((await json(noPurpose)).code, "PURPOSE_REQUIRED");
    const read = await reg.call(
      "GET",
      `/municipalities/401005/residents/${id}`,
      {
        headers: { "X-Purpose": "test" },
      },
    );
    assert.equal(read.status, 200);
    const r = await json(read);
    assert.equal(r.name, "髙橋　\u{E000}子");
    assert.equal(r.katagaki, "城内ハイツ１０１号");
    const feed = await reg.call("GET", "/municipalities/401005/feed?after=0", {
      token: TOKENS.asp,
    });
    assert.equal(feed.status, 200);
    const f = await json<
      {
        head: number;
        events: {
          seq: number;
          payload: { residents: Record<string, unknown>[] };
        }[];
      }
    >(
      feed,
    );
    assert.equal(f.head, 1);
    assert.equal(f.events.length, 1);
    assert.equal(f.events[0].payload.residents[0].name, "髙橋　\u{E000}子");
    assert.equal("residentCode" in f.events[0].payload.residents[0], false);
    assert.equal("myNumber" in f.events[0].payload.residents[0], false);
  } finally {
    await reg.close();
  }
});
