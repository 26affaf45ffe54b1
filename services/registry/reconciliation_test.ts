import assert from "node:assert/strict";
import { openTestRegistry } from "../../tests/support/registry_world.ts";
import { makePerson, TOKENS } from "../../tests/support/registry_world.ts";
import { recordsAsOf } from "./reconciliation.ts";

const CODE = "401005";

async function moveIn(
  reg: Awaited<ReturnType<typeof openTestRegistry>>,
  name: string,
) {
  const res = await reg.call("POST", `/municipalities/${CODE}/events`, {
    body: {
      type: "tennyu",
      date: "2026-11-20",
      person: makePerson({ name }),
      previousAddress: "東京都千代田区千代田１番",
      address: "福岡県北九州市小倉北区城内１番",
    },
  });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body as { seq: number; residentIds: string[] };
}

Deno.test("recordsAsOf(): the state as of an earlier sequence, the later events undone; ahead refused", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    const a = await moveIn(reg, "山田　一");
    const atA = await recordsAsOf(reg.database.db, CODE, a.seq);
    await moveIn(reg, "山田　二");
    const res = await reg.call("POST", `/municipalities/${CODE}/events`, {
      body: {
        type: "shibou",
        date: "2026-11-22",
        residentId: a.residentIds[0],
      },
    });
    await res.body?.cancel();
    const later = await recordsAsOf(reg.database.db, CODE, a.seq);
    assert.ok(later.head > a.seq);
    assert.deepEqual(later.records, atA.records);
    const now = await recordsAsOf(reg.database.db, CODE, later.head);
    assert.equal(
      now.records.filter((r) => r.kind === "resident").length,
      2,
    );
    const ahead = await reg.call(
      "POST",
      `/municipalities/${CODE}/reconciliation`,
      {
        token: TOKENS.asp,
        body: {
          seq: later.head + 1,
          nonce: "0123456789abcdef",
          retentionCutoff: null,
          fields: {
            resident: [],
            household: [],
            seal: [],
            block: [],
            card: [],
          },
          ranges: [{ from: null, to: null }],
        },
      },
    );
    assert.equal(ahead.status, 409);
    assert.equal((await ahead.json()).code, "RECONCILE_SEQ_AHEAD");
  } finally {
    await reg.close();
  }
});
