import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import {
  outbox,
  residentHistory,
  residents,
} from "../../../db/registry/schema.ts";
import { RegistryError } from "../errors.ts";
import { headSeq } from "../store.ts";
import { checkFurigana, MAX_FURIGANA_CHARS } from "./furigana.ts";
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

async function resident(reg: TestRegistry, id: string) {
  const [r] = await reg.database.db.select().from(residents).where(
    eq(residents.id, id),
  );
  return r;
}

/** A resident with a 旧氏 moved in; returns the id. */
async function movedIn(
  reg: TestRegistry,
  person: Record<string, unknown> = {},
): Promise<string> {
  const r = await post(reg, {
    type: "tennyu",
    date: "2026-11-20",
    person: makePerson({
      name: "山田　花子",
      nameKana: "やまだ　はなこ",
      sex: "female",
      formerSurname: "佐藤",
      formerSurnameKana: "さとう",
      ...person,
    }),
    previousAddress: "東京都千代田区千代田１番",
    address: "福岡県北九州市小倉北区城内１番１号",
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return (r.body.residentIds as string[])[0];
}

function refusedWith(
  r: { status: number; body: Record<string, unknown> },
  status: number,
  code: string,
) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.code, code);
  assert.ok(r.body.message_ja && r.body.message_en);
}

Deno.test("checkFurigana(): full-width katakana and ー only, at most 50 characters", () => {
  for (const ok of ["ヤマダ", "ジョーンズ", "ヴァイオレット", "キョウコ"]) {
    checkFurigana("surname", ok);
  }
  for (
    const bad of [
      "",
      "やまだ",
      "ﾔﾏﾀﾞ",
      "ヤマ ダ",
      "ヤマ　ダ",
      "YAMADA",
      "山田",
      "ヤマ・ダ",
      "ヤマダヽ",
      "ヤマタ\u3099",
      "ア".repeat(MAX_FURIGANA_CHARS + 1),
    ]
  ) {
    assert.throws(
      () => checkFurigana("surname", bad),
      (e) => e instanceof RegistryError && e.code === "FURIGANA_INVALID",
      bad,
    );
  }
  checkFurigana("surname", "ア".repeat(MAX_FURIGANA_CHARS));
});

Deno.test("振り仮名の記載 records the legal reading of surname, given name and 旧氏 as one event, with its dates, history and feed row", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    const id = await movedIn(reg);
    const before = await resident(reg, id);
    assert.deepEqual(
      [before.furiganaSurnameStatus, before.furiganaGivenNameStatus],
      ["unrecorded", "unrecorded"],
    );
    const r = await post(reg, {
      type: "furigana_kisai",
      date: "2026-11-24",
      notifiedDate: "2026-11-25",
      residentId: id,
      surname: "ヤマダ",
      givenName: "ハナコ",
      formerSurname: "サトウ",
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const after = await resident(reg, id);
    assert.equal(after.furiganaSurname, "ヤマダ");
    assert.equal(after.furiganaSurnameStatus, "notified");
    assert.equal(after.furiganaGivenName, "ハナコ");
    assert.equal(after.furiganaGivenNameStatus, "notified");
    assert.equal(after.formerSurnameFurigana, "サトウ");
    // The free reading stays (the search key and the window's).
    assert.equal(after.nameKana, "やまだ　はなこ");
    // The resident's 届出日 is the address's: unchanged.
    assert.equal(after.notifiedDate, before.notifiedDate);
    assert.equal(after.historyNo, before.historyNo + 1);

    const seq = r.body.seq as number;
    const [row] = await reg.database.db.select().from(outbox).where(
      and(eq(outbox.municipalityCode, CODE), eq(outbox.seq, seq)),
    );
    assert.equal(row.type, "furigana_kisai");
    assert.deepEqual([row.effectiveDate, row.notifiedDate], [
      "2026-11-24",
      "2026-11-25",
    ]);
    const [hist] = await reg.database.db.select().from(residentHistory).where(
      and(
        eq(residentHistory.residentId, id),
        eq(residentHistory.historyNo, after.historyNo),
      ),
    );
    assert.equal(
      (hist.snapshot as Record<string, unknown>).furiganaSurname,
      "ヤマダ",
    );

    // The feed carries the readings and their statuses to the ASP.
    const feedRes = await reg.call(
      "GET",
      `/municipalities/${CODE}/feed?after=${seq - 1}`,
      { token: TOKENS.asp },
    );
    assert.equal(feedRes.status, 200);
    const feed = await json<
      { events: { seq: number; payload: { residents: unknown[] } }[] }
    >(feedRes);
    const ev = feed.events.find((e) => e.seq === seq)!;
    assert.deepEqual(
      ev.payload.residents.map((x) => {
        const p = x as Record<string, unknown>;
        return [
          p.furiganaSurname,
          p.furiganaSurnameStatus,
          p.furiganaGivenName,
          p.furiganaGivenNameStatus,
          p.formerSurnameFurigana,
        ];
      }),
      [["ヤマダ", "notified", "ハナコ", "notified", "サトウ"]],
    );

    // The same again changes nothing: refused.
    refusedWith(
      await post(reg, {
        type: "furigana_kisai",
        date: "2026-11-25",
        residentId: id,
        surname: "ヤマダ",
      }),
      400,
      "NOTHING_TO_CHANGE",
    );
  } finally {
    await reg.close();
  }
});

Deno.test("振り仮名の記載 refuses a reading that is not katakana with FURIGANA_INVALID and changes nothing", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    const id = await movedIn(reg, { formerSurname: undefined });
    const before = await resident(reg, id);
    const head = await headSeq(reg.database.db, CODE);
    for (
      const body of [
        { surname: "やまだ" },
        { givenName: "ﾊﾅｺ" },
        { surname: "ヤマダ", givenName: "ハナ　コ" },
        { surname: "" },
        { surname: "ア".repeat(51) },
      ]
    ) {
      refusedWith(
        await post(reg, {
          type: "furigana_kisai",
          date: "2026-11-24",
          residentId: id,
          ...body,
        }),
        400,
        "FURIGANA_INVALID",
      );
    }
    // A reading of a 旧氏 the resident does not have.
    refusedWith(
      await post(reg, {
        type: "furigana_kisai",
        date: "2026-11-24",
        residentId: id,
        formerSurname: "サトウ",
      }),
      409,
      "FORMER_SURNAME_ABSENT",
    );
    // No part at all: the body itself is refused.
    refusedWith(
      await post(reg, {
        type: "furigana_kisai",
        date: "2026-11-24",
        residentId: id,
      }),
      400,
      "VALIDATION_FAILED",
    );
    // Nor on the way in (a 転入 carrying the 転出証明書's readings).
    const wrongIn = await post(reg, {
      type: "tennyu",
      date: "2026-11-20",
      person: makePerson({ furigana: { surname: "やまだ" } }),
      previousAddress: "東京都千代田区千代田１番",
      address: "福岡県北九州市小倉北区城内２番",
    });
    refusedWith(wrongIn, 400, "FURIGANA_INVALID");
    assert.equal(await headSeq(reg.database.db, CODE), head);
    assert.deepEqual(await resident(reg, id), before);
  } finally {
    await reg.close();
  }
});

Deno.test("a recorded reading: entered ex officio, half recorded, corrected and removed by 誤記修正, undone by 取消, dropped with its 旧氏", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    // A 転入 carrying the readings already recorded (surname only: half).
    const r = await post(reg, {
      type: "tennyu",
      date: "2026-11-20",
      person: makePerson({
        formerSurname: "佐藤",
        formerSurnameKana: "さとう",
        furigana: { surname: "ヤマダ", recordedBy: "ex_officio" },
      }),
      previousAddress: "東京都千代田区千代田１番",
      address: "福岡県北九州市小倉北区城内１番１号",
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = (r.body.residentIds as string[])[0];
    let row = await resident(reg, id);
    assert.deepEqual(
      [
        row.furiganaSurname,
        row.furiganaSurnameStatus,
        row.furiganaGivenName,
        row.furiganaGivenNameStatus,
      ],
      ["ヤマダ", "ex_officio", null, "unrecorded"],
    );

    // The given name's reading recorded later; then undone by 取消.
    const given = await post(reg, {
      type: "furigana_kisai",
      date: "2026-11-24",
      residentId: id,
      givenName: "タロウ",
    });
    assert.equal(given.status, 201, JSON.stringify(given.body));
    assert.equal((await resident(reg, id)).furiganaGivenName, "タロウ");
    const undo = await post(reg, {
      type: "torikeshi",
      date: "2026-11-24",
      seq: given.body.seq,
      reason: "誤入力",
    });
    assert.equal(undo.status, 201, JSON.stringify(undo.body));
    row = await resident(reg, id);
    assert.deepEqual([row.furiganaGivenName, row.furiganaGivenNameStatus], [
      null,
      "unrecorded",
    ]);

    // 誤記修正: a wrong reading corrected (its status kept), then removed.
    refusedWith(
      await post(reg, {
        type: "gokisai_shusei",
        date: "2026-11-25",
        residentId: id,
        changes: { furiganaSurname: "やまだ" },
        reason: "誤記",
      }),
      400,
      "FURIGANA_INVALID",
    );
    const fixed = await post(reg, {
      type: "gokisai_shusei",
      date: "2026-11-25",
      residentId: id,
      changes: { furiganaSurname: "ヤマタ", formerSurnameFurigana: "サトウ" },
      reason: "誤記",
    });
    assert.equal(fixed.status, 201, JSON.stringify(fixed.body));
    row = await resident(reg, id);
    assert.deepEqual(
      [
        row.furiganaSurname,
        row.furiganaSurnameStatus,
        row.formerSurnameFurigana,
      ],
      ["ヤマタ", "ex_officio", "サトウ"],
    );
    const removed = await post(reg, {
      type: "gokisai_shusei",
      date: "2026-11-25",
      residentId: id,
      changes: { furiganaSurname: null },
      reason: "誤記",
    });
    assert.equal(removed.status, 201, JSON.stringify(removed.body));
    row = await resident(reg, id);
    assert.deepEqual([row.furiganaSurname, row.furiganaSurnameStatus], [
      null,
      "unrecorded",
    ]);

    // 旧氏削除 drops the 旧氏's reading with it.
    const gone = await post(reg, {
      type: "kyuuji_sakujo",
      date: "2026-11-26",
      residentId: id,
    });
    assert.equal(gone.status, 201, JSON.stringify(gone.body));
    assert.equal((await resident(reg, id)).formerSurnameFurigana, null);
  } finally {
    await reg.close();
  }
});
