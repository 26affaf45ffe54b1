/**
 * What the city promised about protected residents, at the registry: a block
 * cannot be set with contradictory or already-past dates (it would silently
 * not apply), and the replica's feed never carries what it does not need —
 * the 転出先 address above all.
 */
import assert from "node:assert/strict";
import { WITHHELD_FROM_REPLICA } from "../../lib/contracts/registry_feed.ts";
import { issuanceBlocks, outbox } from "../../db/registry/schema.ts";
import {
  json,
  makePerson,
  openTestRegistry,
  type TestRegistry,
  TOKENS,
} from "../../tests/support/registry_world.ts";

const M = "401005";

async function moveIn(reg: TestRegistry): Promise<string> {
  const res = await reg.call("POST", `/municipalities/${M}/events`, {
    body: {
      type: "tennyu",
      date: "2026-11-20",
      person: makePerson(),
      previousAddress: "東京都千代田区千代田１番１号",
      address: "福岡県北九州市小倉北区城内１番１号",
      katagaki: "城内ハイツ１０１号",
    },
  });
  const body = await json<{ residentIds: string[] }>(res);
  assert.equal(res.status, 201);
  return body.residentIds[0];
}

Deno.test("registry: a block with its end before its start, or already ended, is refused and changes nothing", async () => {
  const reg = await openTestRegistry(); // today: 2026-11-26 JST
  try {
    const id = await moveIn(reg);
    const before = (await reg.database.db.select().from(outbox)).length;
    const cases: [Record<string, unknown>, string][] = [
      [
        {
          reason: "support_measure",
          startDate: "2026-12-01",
          endDate: "2026-11-30",
        },
        "BLOCK_DATES_INVALID",
      ],
      [
        {
          reason: "support_measure",
          startDate: "2026-01-01",
          endDate: "2026-11-25",
        },
        "BLOCK_ALREADY_ENDED",
      ],
      [
        { reason: "opt_out", startDate: "2026-11-01", endDate: "2026-10-31" },
        "BLOCK_DATES_INVALID",
      ],
    ];
    for (const [body, code] of cases) {
      const res = await reg.call(
        "POST",
        `/municipalities/${M}/residents/${id}/blocks`,
        { body },
      );
      const b = await json<{ code: string; message_ja: string }>(res);
      assert.equal(res.status, 400, JSON.stringify(b));
      assert.equal(b.code, code);
      assert.ok(b.message_ja.length > 0);
    }
    assert.equal(
      (await reg.database.db.select().from(issuanceBlocks)).length,
      0,
    );
    assert.equal(
      (await reg.database.db.select().from(outbox)).length,
      before,
      "no event",
    );
    // Ending today, and open-ended, are accepted.
    for (
      const body of [
        {
          reason: "support_measure",
          startDate: "2026-11-01",
          endDate: "2026-11-26",
        },
        { reason: "support_measure", startDate: "2026-11-26" },
      ]
    ) {
      const res = await reg.call(
        "POST",
        `/municipalities/${M}/residents/${id}/blocks`,
        { body },
      );
      assert.equal(res.status, 201, JSON.stringify(await res.json()));
    }
  } finally {
    await reg.close();
  }
});

Deno.test("registry: the feed never carries the 転出先, the move-out plan, 住民票コード, the household address or a lift reason", async () => {
  const reg = await openTestRegistry();
  try {
    const id = await moveIn(reg);
    const plan = await reg.call("POST", `/municipalities/${M}/events`, {
      body: {
        type: "tenshutsu_yotei",
        date: "2026-11-25",
        residentId: id,
        plannedDate: "2026-12-10",
        destinationAddress: "大阪府大阪市北区梅田１番",
      },
    });
    assert.equal(plan.status, 201, JSON.stringify(await plan.json()));
    const block = await json<{ blockId: string }>(
      await reg.call("POST", `/municipalities/${M}/residents/${id}/blocks`, {
        body: { reason: "support_measure", startDate: "2026-11-26" },
      }),
    );
    const lift = await reg.call(
      "POST",
      `/municipalities/${M}/blocks/${block.blockId}/lift`,
      { body: { reason: "加害者の転居を確認（大阪市北区）" } },
    );
    assert.equal(lift.status, 200, JSON.stringify(await lift.json()));
    const feed = await reg.call("GET", `/municipalities/${M}/feed?after=0`, {
      token: TOKENS.asp,
    });
    assert.equal(feed.status, 200);
    const text = await feed.text();
    for (const leak of ["大阪", "梅田", "2026-12-10"]) {
      assert.ok(!text.includes(leak), `feed carries ${leak}`);
    }
    const f = JSON.parse(text) as {
      events: {
        type: string;
        payload: Record<string, Record<string, unknown>[]>;
      }[];
    };
    assert.ok(f.events.length >= 4);
    for (const ev of f.events) {
      for (const r of ev.payload.residents ?? []) {
        for (const k of WITHHELD_FROM_REPLICA.resident) {
          assert.ok(!(k in r), `${ev.type}: resident.${k}`);
        }
        assert.ok(!("myNumber" in r), "個人番号 off by policy");
      }
      for (const h of ev.payload.households ?? []) {
        for (const k of WITHHELD_FROM_REPLICA.household) {
          assert.ok(!(k in h), `${ev.type}: household.${k}`);
        }
      }
      for (const b of ev.payload.blocks ?? []) {
        for (const k of WITHHELD_FROM_REPLICA.block) {
          assert.ok(!(k in b), `${ev.type}: block.${k}`);
        }
      }
    }
    const moving = f.events.find((e) => e.type === "tenshutsu_yotei")!;
    assert.equal(moving.payload.residents[0].status, "moving_out");
  } finally {
    await reg.close();
  }
});
