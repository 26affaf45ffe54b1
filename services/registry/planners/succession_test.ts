import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { households, outbox, residents } from "../../../db/registry/schema.ts";
import { headSeq } from "../store.ts";
import {
  json,
  makePerson,
  openTestRegistry,
  type TestRegistry,
  TOKENS,
} from "../../../tests/support/registry_world.ts";

const CODE = "401005";

async function post(reg: TestRegistry, body: Record<string, unknown>) {
  const res = await reg.call("POST", `/municipalities/${CODE}/events`, {
    body,
  });
  return { status: res.status, body: await json(res) };
}

/** A member joins (転入) or is born into (出生) a household; returns its id. */
async function member(
  reg: TestRegistry,
  householdId: string,
  relationship: string,
  person: Record<string, unknown> = {},
): Promise<string> {
  const r = await post(reg, {
    type: "tennyu",
    date: "2026-11-20",
    person: makePerson(person),
    previousAddress: "東京都千代田区千代田１番",
    householdId,
    relationship,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return (r.body.residentIds as string[])[0];
}

/** A householder (夫) moved in; returns ids. */
async function householder(
  reg: TestRegistry,
): Promise<{ id: string; householdId: string }> {
  const r = await post(reg, {
    type: "tennyu",
    date: "2026-11-20",
    person: makePerson({ name: "門司　太郎", birthDate: "1950-01-01" }),
    previousAddress: "東京都千代田区千代田１番",
    address: "福岡県北九州市門司区１番",
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = (r.body.residentIds as string[])[0];
  const [row] = await reg.database.db.select().from(residents).where(
    eq(residents.id, id),
  );
  return { id, householdId: row.householdId };
}

async function resident(reg: TestRegistry, id: string) {
  const [r] = await reg.database.db.select().from(residents).where(
    eq(residents.id, id),
  );
  return r;
}

async function household(reg: TestRegistry, id: string) {
  const [h] = await reg.database.db.select().from(households).where(
    eq(households.id, id),
  );
  return h;
}

Deno.test("the householder's death with one remaining member: the wife becomes 世帯主 in the same event", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    const head = await householder(reg);
    const wife = await member(reg, head.householdId, "妻", { sex: "female" });
    const r = await post(reg, {
      type: "shibou",
      date: "2026-11-25",
      residentId: head.id,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(
      (r.body.residentIds as string[]).sort(),
      [head.id, wife].sort(),
    );
    assert.equal((await household(reg, head.householdId)).householderId, wife);
    const w = await resident(reg, wife);
    assert.equal(w.relationship, "世帯主");
    assert.equal(w.status, "active");
    const d = await resident(reg, head.id);
    assert.equal(d.status, "removed");
    assert.equal(d.removalReason, "死亡");
    assert.equal(d.removalDate, "2026-11-25");
  } finally {
    await reg.close();
  }
});

Deno.test("the householder's death with two remaining members: the new householder is named, the others' 続柄 follow", async (t) => {
  const reg = await openTestRegistry([CODE]);
  try {
    await t.step(
      "several remain and none is named: refused, nothing changed",
      async () => {
        const head = await householder(reg);
        await member(reg, head.householdId, "妻", { sex: "female" });
        await member(reg, head.householdId, "子", { birthDate: "1980-01-01" });
        const before = await headSeq(reg.database.db, CODE);
        const r = await post(reg, {
          type: "shibou",
          date: "2026-11-25",
          residentId: head.id,
        });
        assert.equal(r.status, 409);
        assert.equal(r.body.code, "NEW_HOUSEHOLDER_REQUIRED");
        assert.equal(await headSeq(reg.database.db, CODE), before);
        assert.equal((await resident(reg, head.id)).status, "active");
      },
    );

    await t.step(
      "the wife named: she is 世帯主, the child stays 子",
      async () => {
        const head = await householder(reg);
        const wife = await member(reg, head.householdId, "妻", {
          sex: "female",
        });
        const child = await member(reg, head.householdId, "子");
        const mother = await member(reg, head.householdId, "母", {
          sex: "female",
          birthDate: "1925-01-01",
        });
        const r = await post(reg, {
          type: "shibou",
          date: "2026-11-25",
          notifiedDate: "2026-11-26",
          residentId: head.id,
          newHouseholderId: wife,
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.equal(
          (await household(reg, head.householdId)).householderId,
          wife,
        );
        assert.equal((await resident(reg, wife)).relationship, "世帯主");
        assert.equal((await resident(reg, child)).relationship, "子");
        // The deceased's mother, seen from his widow.
        assert.equal((await resident(reg, mother)).relationship, "夫の母");
        // One event: the outbox row carries all of them, with its three dates.
        const [ev] = await reg.database.db.select().from(outbox).where(
          eq(outbox.seq, r.body.seq as number),
        );
        assert.equal(ev.type, "shibou");
        assert.equal(ev.effectiveDate, "2026-11-25");
        assert.equal(ev.notifiedDate, "2026-11-26");
        assert.equal(ev.processedDate, "2026-11-26");
      },
    );

    await t.step(
      "a son named: his mother becomes 母, his brothers 兄・弟; an underivable 続柄 must be given",
      async () => {
        const head = await householder(reg);
        const wife = await member(reg, head.householdId, "妻", {
          sex: "female",
        });
        const son = await member(reg, head.householdId, "子", {
          birthDate: "1980-01-01",
        });
        const elder = await member(reg, head.householdId, "子", {
          birthDate: "1978-01-01",
        });
        const younger = await member(reg, head.householdId, "子", {
          birthDate: "1985-01-01",
          sex: "female",
        });
        const grandchild = await member(reg, head.householdId, "孫", {
          birthDate: "2010-01-01",
        });
        const refused = await post(reg, {
          type: "shibou",
          date: "2026-11-25",
          residentId: head.id,
          newHouseholderId: son,
        });
        assert.equal(refused.status, 409);
        assert.equal(refused.body.code, "RELATIONSHIP_REQUIRED");
        assert.deepEqual(
          (refused.body.details as { members: string[] }).members,
          [grandchild],
        );
        const r = await post(reg, {
          type: "shibou",
          date: "2026-11-25",
          residentId: head.id,
          newHouseholderId: son,
          relationships: { [grandchild]: "子" },
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.equal((await resident(reg, son)).relationship, "世帯主");
        assert.equal((await resident(reg, wife)).relationship, "母");
        assert.equal((await resident(reg, elder)).relationship, "兄");
        assert.equal((await resident(reg, younger)).relationship, "妹");
        assert.equal((await resident(reg, grandchild)).relationship, "子");
      },
    );

    await t.step("nobody remains: the household is dissolved", async () => {
      const head = await householder(reg);
      const r = await post(reg, {
        type: "shibou",
        date: "2026-11-25",
        residentId: head.id,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(
        (await household(reg, head.householdId)).status,
        "dissolved",
      );
    });

    await t.step("a member's death names no householder", async () => {
      const head = await householder(reg);
      const wife = await member(reg, head.householdId, "妻", { sex: "female" });
      const r = await post(reg, {
        type: "shibou",
        date: "2026-11-25",
        residentId: wife,
        newHouseholderId: head.id,
      });
      assert.equal(r.status, 400);
      assert.equal(r.body.code, "NEW_HOUSEHOLDER_NOT_NEEDED");
    });
  } finally {
    await reg.close();
  }
});

Deno.test("event dates are validated: no 異動日 or 届出日 in the future, no 届出日 before the 異動日, no death before 住民となった日", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    const head = await householder(reg);
    const before = await headSeq(reg.database.db, CODE);
    const cases: [Record<string, unknown>, string][] = [
      [{ date: "2027-05-26" }, "EVENT_DATE_IN_FUTURE"],
      [{ date: "2026-11-27" }, "EVENT_DATE_IN_FUTURE"],
      [
        { date: "2026-11-24", notifiedDate: "2026-11-23" },
        "NOTIFIED_BEFORE_EVENT",
      ],
      [
        { date: "2026-11-24", notifiedDate: "2026-11-27" },
        "NOTIFIED_DATE_IN_FUTURE",
      ],
      [{ date: "2026-11-19" }, "DEATH_BEFORE_RESIDENCE"],
    ];
    for (const [dates, code] of cases) {
      const r = await post(reg, {
        type: "shibou",
        residentId: head.id,
        ...dates,
      });
      assert.equal(r.status, 400, `${code}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, code);
      assert.ok(r.body.message_ja && r.body.message_en, "a message");
    }
    assert.equal(
      await headSeq(reg.database.db, CODE),
      before,
      "nothing written",
    );
    assert.equal((await resident(reg, head.id)).status, "active");
    // Today itself is fine.
    const ok = await post(reg, {
      type: "shibou",
      date: "2026-11-26",
      residentId: head.id,
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  } finally {
    await reg.close();
  }
});

Deno.test("異動日, 届出日 and 処理日 are kept apart: the record's dates, its 処理日 stamp and the feed", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    const r = await post(reg, {
      type: "tennyu",
      date: "2026-11-10",
      notifiedDate: "2026-11-20",
      person: makePerson(),
      previousAddress: "東京都千代田区千代田１番",
      address: "福岡県北九州市門司区１番",
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = (r.body.residentIds as string[])[0];
    const row = await resident(reg, id);
    assert.equal(row.becameResidentDate, "2026-11-10");
    assert.equal(row.addressSetDate, "2026-11-10");
    assert.equal(row.notifiedDate, "2026-11-20");
    assert.equal(row.processedDate, "2026-11-26");
    assert.equal(row.processedTypes, "tennyu");
    // A second change the same day adds its type; the next day starts anew.
    const c = await post(reg, {
      type: "kyuuji_kisai",
      date: "2026-11-26",
      residentId: id,
      formerSurname: "田中",
      formerSurnameKana: "タナカ",
    });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal(
      (await resident(reg, id)).processedTypes,
      "tennyu,kyuuji_kisai",
    );
    reg.clock.advance(24 * 3600_000);
    const d = await post(reg, {
      type: "tenkyo",
      date: "2026-11-27",
      householdId: row.householdId,
      address: "福岡県北九州市門司区２番",
    });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    const moved = await resident(reg, id);
    assert.equal(moved.processedDate, "2026-11-27");
    assert.equal(moved.processedTypes, "tenkyo");
    assert.equal(moved.addressSetDate, "2026-11-27");
    assert.equal(moved.becameResidentDate, "2026-11-10");
    // The feed carries the three dates of each event.
    const feed = await json<{
      events: {
        type: string;
        effectiveDate: string;
        notifiedDate: string;
        processedDate: string;
      }[];
      policy: { sameDayEventTypes: string[] | null; householdMoveOut: string };
    }>(
      await reg.call("GET", `/municipalities/${CODE}/feed?after=0`, {
        token: TOKENS.asp,
      }),
    );
    const first = feed.events.find((e) => e.type === "tennyu")!;
    assert.deepEqual(
      [first.effectiveDate, first.notifiedDate, first.processedDate],
      ["2026-11-10", "2026-11-20", "2026-11-26"],
    );
    assert.equal(feed.policy.householdMoveOut, "strict");
  } finally {
    await reg.close();
  }
});
