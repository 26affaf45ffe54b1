import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { auditLog } from "../../db/registry/schema.ts";
import {
  json,
  makePerson,
  openTestRegistry,
  type TestRegistry,
  TOKENS,
} from "../../tests/support/registry_world.ts";
import { kanaKey, nameKey } from "./search.ts";

const M = "401005";
const OTHER = "401307";

interface Item {
  id: string;
  name: string;
  nameKana: string;
  birthDate: string;
  status: string;
  householdId: string;
  [k: string]: unknown;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

async function moveIn(
  reg: TestRegistry,
  code: string,
  person: Record<string, unknown>,
  into?: { householdId: string; relationship: string },
): Promise<{ id: string; householdId: string }> {
  const res = await reg.call("POST", `/municipalities/${code}/events`, {
    body: {
      type: "tennyu",
      date: "2026-11-20",
      person: makePerson(person),
      previousAddress: "東京都千代田区千代田１番１号",
      ...(into ?? { address: "福岡県北九州市小倉北区城内１番１号" }),
    },
  });
  assert.equal(res.status, 201, JSON.stringify(await res.clone().json()));
  const id = (await json<{ residentIds: string[] }>(res)).residentIds[0];
  const read = await reg.call(
    "GET",
    `/municipalities/${code}/residents/${id}`,
    {
      headers: { "X-Purpose": "fixture" },
    },
  );
  const { householdId } = await json<{ householdId: string }>(read);
  return { id, householdId };
}

async function event(reg: TestRegistry, body: Record<string, unknown>) {
  const res = await reg.call("POST", `/municipalities/${M}/events`, {
    body: { date: "2026-11-21", ...body },
  });
  assert.equal(res.status, 201, JSON.stringify(await res.clone().json()));
  await res.body?.cancel();
}

/** Searches with a purpose; returns the response. */
function search(
  reg: TestRegistry,
  query: Record<string, string>,
  opts: { code?: string; token?: string; purpose?: string | null } = {},
): Promise<Response> {
  const qs = new URLSearchParams(query).toString();
  return reg.call(
    "GET",
    `/municipalities/${opts.code ?? M}/residents?${qs}`,
    {
      token: opts.token,
      headers: opts.purpose === null
        ? {}
        : { "X-Purpose": encodeURIComponent(opts.purpose ?? "窓口での照会") },
    },
  );
}

async function page(res: Response): Promise<Page> {
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  return await json<Page>(res);
}

async function refused(res: Response, status: number, code: string) {
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = await json<{ code: string }>(res);
  assert.equal(body.code, code, JSON.stringify(body));
}

/** Every page of a search, following nextCursor. */
async function allPages(
  reg: TestRegistry,
  query: Record<string, string>,
): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const p: Page = await page(
      await search(reg, { ...query, ...(cursor ? { cursor } : {}) }),
    );
    items.push(...p.items);
    cursor = p.nextCursor;
    pages++;
    assert.ok(pages < 100, "paging does not end");
  } while (cursor);
  return { items, pages };
}

interface World {
  reg: TestRegistry;
  taro: { id: string; householdId: string };
  hanako: { id: string; householdId: string };
  yamadagawa: { id: string; householdId: string };
  jiro: { id: string; householdId: string };
  shiro: { id: string; householdId: string };
  goro: { id: string; householdId: string };
  elsewhere: { id: string; householdId: string };
}

async function openWorld(): Promise<World> {
  const reg = await openTestRegistry([M, OTHER]);
  const taro = await moveIn(reg, M, {
    name: "山田　太郎",
    nameKana: "ヤマダ　タロウ",
    birthDate: "1980-04-01",
    myNumber: "123456789018",
  });
  const hanako = await moveIn(reg, M, {
    name: "山田　花子",
    nameKana: "やまだ　はなこ",
    birthDate: "1982-05-05",
    sex: "female",
  }, { householdId: taro.householdId, relationship: "妻" });
  const yamadagawa = await moveIn(reg, M, {
    name: "山田川　一",
    nameKana: "ヤマダガワ　ハジメ",
    birthDate: "1990-01-01",
  });
  const jiro = await moveIn(reg, M, {
    name: "山本　次郎",
    nameKana: "やまもと　じろう",
    birthDate: "1980-04-01",
  });
  const shiro = await moveIn(reg, M, {
    name: "山田　四郎",
    nameKana: "ヤマダ　シロウ",
    birthDate: "1950-02-02",
  });
  await event(reg, { type: "shibou", residentId: shiro.id });
  const goro = await moveIn(reg, M, {
    name: "山田　五郎",
    nameKana: "ヤマダ　ゴロウ",
    birthDate: "1960-03-03",
  });
  await event(reg, {
    type: "tenshutsu_yotei",
    residentId: goro.id,
    plannedDate: "2026-12-01",
    destinationAddress: "大阪府大阪市北区１番",
  });
  const elsewhere = await moveIn(reg, OTHER, {
    name: "山田　三郎",
    nameKana: "ヤマダ　サブロウ",
    birthDate: "1980-04-01",
  });
  return { reg, taro, hanako, yamadagawa, jiro, shiro, goro, elsewhere };
}

const ids = (p: { items: Item[] }) => p.items.map((i) => i.id).sort();

Deno.test("kanaKey() folds hiragana into katakana, drops spaces and widens half-width kana; nameKey() only drops spaces", () => {
  assert.equal(kanaKey("やまだ　たろう"), "ヤマダタロウ");
  assert.equal(kanaKey("ヤマダ タロウ"), "ヤマダタロウ");
  assert.equal(kanaKey("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダタロウ");
  assert.equal(kanaKey("ゔぁゝゞ"), "ヴァヽヾ");
  assert.equal(nameKey("山田 太郎"), "山田太郎");
  assert.equal(nameKey("髙橋　\u{E000}子"), "髙橋\u{E000}子");
  assert.equal(nameKey("葛\u{E0100}城"), "葛\u{E0100}城");
});

Deno.test("GET /residents: each criterion finds its residents, in this municipality only, without 個人番号 or 住民票コード", async () => {
  const w = await openWorld();
  const { reg } = w;
  try {
    // kana: prefix, hiragana and katakana alike, spaces ignored.
    const yamada = [w.taro.id, w.hanako.id, w.yamadagawa.id, w.goro.id].sort();
    for (const kana of ["やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "や ま だ"]) {
      assert.deepEqual(ids(await page(await search(reg, { kana }))), yamada);
    }
    for (const kana of ["ヤマダ　タロウ", "やまだたろう", "やまだ　た"]) {
      assert.deepEqual(ids(await page(await search(reg, { kana }))), [
        w.taro.id,
      ]);
    }
    assert.deepEqual(
      ids(await page(await search(reg, { kana: "ヤマ" }))),
      [...yamada, w.jiro.id].sort(),
    );
    // name: prefix, spaces ignored on both sides.
    assert.deepEqual(
      ids(await page(await search(reg, { name: "山田" }))),
      yamada,
    );
    for (const name of ["山田　太郎", "山田 太郎", "山田太郎"]) {
      assert.deepEqual(ids(await page(await search(reg, { name }))), [
        w.taro.id,
      ]);
    }
    assert.deepEqual(
      ids(await page(await search(reg, { name: "山" }))),
      [
        ...yamada,
        w.jiro.id,
      ].sort(),
    );
    assert.deepEqual(ids(await page(await search(reg, { name: "田中" }))), []);
    // birthDate: exact.
    assert.deepEqual(
      ids(await page(await search(reg, { birthDate: "1980-04-01" }))),
      [w.taro.id, w.jiro.id].sort(),
    );
    // household: its members.
    assert.deepEqual(
      ids(await page(await search(reg, { household: w.taro.householdId }))),
      [w.taro.id, w.hanako.id].sort(),
    );
    // Criteria combine with AND.
    assert.deepEqual(
      ids(
        await page(
          await search(reg, { kana: "やま", birthDate: "1980-04-01" }),
        ),
      ),
      [w.taro.id, w.jiro.id].sort(),
    );
    assert.deepEqual(
      ids(
        await page(
          await search(reg, { name: "山田", household: w.taro.householdId }),
        ),
      ),
      [w.taro.id, w.hanako.id].sort(),
    );
    // cardSerial: the resident linked now; an unlinked card finds no one.
    const link = await reg.call("POST", `/municipalities/${M}/card-links`, {
      body: { serial: "0A1B2C3D", residentId: w.hanako.id },
    });
    assert.equal(link.status, 201);
    await link.body?.cancel();
    for (const cardSerial of ["0A1B2C3D", "0a1b2c3d"]) {
      assert.deepEqual(ids(await page(await search(reg, { cardSerial }))), [
        w.hanako.id,
      ]);
    }
    assert.deepEqual(
      ids(
        await page(
          await search(reg, { cardSerial: "0a1b2c3d" }, {
            code: OTHER,
          }),
        ),
      ),
      [],
    );
    const unlink = await reg.call(
      "DELETE",
      `/municipalities/${M}/card-links/0a1b2c3d`,
    );
    assert.equal(unlink.status, 200);
    await unlink.body?.cancel();
    assert.deepEqual(
      ids(await page(await search(reg, { cardSerial: "0a1b2c3d" }))),
      [],
    );
    // Status: current (default) keeps 転出予定 and leaves 除票 out.
    const current = await page(await search(reg, { name: "山田　" }));
    assert.ok(current.items.some((i) => i.status === "moving_out"));
    assert.ok(!ids(current).includes(w.shiro.id));
    assert.deepEqual(
      ids(await page(await search(reg, { name: "山田", status: "removed" }))),
      [w.shiro.id],
    );
    assert.deepEqual(
      ids(await page(await search(reg, { name: "山田", status: "all" }))),
      [...yamada, w.shiro.id].sort(),
    );
    // Tenant isolation: the other municipality sees only its own.
    assert.deepEqual(
      ids(await page(await search(reg, { kana: "やまだ" }, { code: OTHER }))),
      [w.elsewhere.id],
    );
    // The list never carries 個人番号 or 住民票コード.
    const all = await search(reg, { kana: "や", status: "all" });
    const text = await all.clone().text();
    assert.ok(!text.includes("123456789018"));
    const body = await page(all);
    assert.equal(body.items.length, 6);
    for (const item of body.items) {
      assert.equal("myNumber" in item, false);
      assert.equal("residentCode" in item, false);
      assert.deepEqual(Object.keys(item).sort(), [
        "address",
        "birthDate",
        "householdId",
        "id",
        "katagaki",
        "name",
        "nameKana",
        "relationship",
        "sex",
        "status",
      ]);
    }
    const taro = body.items.find((i) => i.id === w.taro.id)!;
    assert.equal(taro.name, "山田　太郎");
    assert.equal(taro.nameKana, "ヤマダ　タロウ");
    assert.equal(taro.birthDate, "1980-04-01");
  } finally {
    await reg.close();
  }
});

Deno.test("GET /residents: pages in kana order, then id, with no duplicates or gaps, however the kana is written", async () => {
  const reg = await openTestRegistry([M]);
  try {
    const given = ["アキコ", "いちろう", "ウメ", "えいじ", "オサム"];
    const made: string[] = [];
    for (let i = 0; i < 23; i++) {
      // Several residents share one kana: the id breaks the tie.
      const g = given[i % given.length];
      const surname = i % 2 ? "さとう" : "サトウ";
      const { id } = await moveIn(reg, M, {
        name: `佐藤　${i}`,
        nameKana: `${surname}　${g}`,
      });
      made.push(id);
    }
    await moveIn(reg, M, { name: "佐野　一", nameKana: "サノ　ハジメ" });
    for (const kana of ["さとう", "サトウ"]) {
      for (const limit of ["1", "4", "7", "23", "100"]) {
        const { items, pages } = await allPages(reg, { kana, limit });
        assert.equal(items.length, 23, `limit ${limit}`);
        assert.equal(new Set(items.map((i) => i.id)).size, 23);
        assert.deepEqual(items.map((i) => i.id).sort(), made.toSorted());
        assert.equal(pages, Math.ceil(23 / Number(limit)));
        const keys = items.map((i) => kanaKey(i.nameKana) + "\0" + i.id);
        assert.deepEqual(keys, keys.toSorted(), "kana order, then id");
      }
    }
    // name order and id order page the same way.
    const byName = await allPages(reg, { name: "佐藤", limit: "5" });
    assert.deepEqual(byName.items.map((i) => i.id).sort(), made.toSorted());
    const byDate = await allPages(reg, { birthDate: "1980-04-01", limit: "6" });
    assert.equal(byDate.items.length, 24);
    assert.deepEqual(
      byDate.items.map((i) => i.id),
      byDate.items.map((i) => i.id).toSorted(),
    );
    // A cursor belongs to its order.
    const first = await page(await search(reg, { kana: "さとう", limit: "2" }));
    assert.ok(first.nextCursor);
    await refused(
      await search(reg, { name: "佐藤", cursor: first.nextCursor }),
      400,
      "VALIDATION_FAILED",
    );
  } finally {
    await reg.close();
  }
});

Deno.test("GET /residents: one audit record per search with purpose, criterion names and listed ids, never the values", async () => {
  const w = await openWorld();
  const { reg } = w;
  try {
    const before = await reg.database.db.select().from(auditLog).where(
      eq(auditLog.action, "resident.search"),
    );
    assert.equal(before.length, 0);
    await (await search(reg, { kana: "やまだ　た", birthDate: "1980-04-01" }, {
      purpose: "転入届の本人確認",
      token: TOKENS.reader,
    })).body?.cancel();
    await (await search(reg, { name: "田中" })).body?.cancel();
    const a = await reg.database.db.select().from(auditLog).where(
      eq(auditLog.action, "resident.search"),
    );
    assert.equal(a.length, 2);
    const [hit, miss] = a.toSorted((x, y) => x.id - y.id);
    assert.equal(hit.client, "reader");
    assert.equal(hit.purpose, "転入届の本人確認");
    assert.equal(hit.municipalityCode, M);
    assert.ok(hit.requestId);
    assert.equal(hit.outcome, "ok");
    assert.deepEqual(hit.details, {
      criteria: ["kana", "birthDate"],
      status: "current",
      limit: 20,
      continued: false,
      residentIds: [w.taro.id],
    });
    const recorded = JSON.stringify(hit);
    for (const value of ["ヤマダ", "やまだ", "タロウ", "1980-04-01"]) {
      assert.ok(!recorded.includes(value), `audit keeps ${value}`);
    }
    assert.equal(miss.outcome, "not_found");
    assert.deepEqual(miss.details, {
      criteria: ["name"],
      status: "current",
      limit: 20,
      continued: false,
      residentIds: [],
    });
    assert.ok(!JSON.stringify(miss).includes("田中"));
    // Refused searches before the purpose and criteria are known write nothing.
    await (await search(reg, { kana: "やまだ" }, { purpose: null })).body
      ?.cancel();
    await (await search(reg, {})).body?.cancel();
    const after = await reg.database.db.select().from(auditLog).where(
      eq(auditLog.action, "resident.search"),
    );
    assert.equal(after.length, 2);
  } finally {
    await reg.close();
  }
});

Deno.test("GET /residents: refuses without purpose, criterion, read scope or known municipality, and bad input with 400 (never 500)", async () => {
  const w = await openWorld();
  const { reg } = w;
  try {
    await refused(
      await search(reg, { kana: "やまだ" }, { purpose: null }),
      400,
      "PURPOSE_REQUIRED",
    );
    await refused(await search(reg, {}), 400, "SEARCH_CRITERION_REQUIRED");
    await refused(
      await search(reg, { status: "all", limit: "10" }),
      400,
      "SEARCH_CRITERION_REQUIRED",
    );
    await refused(
      await search(reg, { kana: "やまだ" }, { token: TOKENS.asp }),
      403,
      "FORBIDDEN",
    );
    await refused(
      await search(reg, { kana: "やまだ" }, { token: "nobody" }),
      401,
      "UNAUTHENTICATED",
    );
    assert.equal(
      (await page(
        await search(reg, { kana: "やまだ" }, { token: TOKENS.admin }),
      ))
        .items.length,
      4,
    );
    // A city window acts for its own municipalities only: another code,
    // known or not, is out of its reach (403, nothing revealed); the
    // operator learns that the municipality does not exist.
    await refused(
      await search(reg, { kana: "やまだ" }, { code: "999999" }),
      403,
      "FORBIDDEN",
    );
    await refused(
      await search(reg, { kana: "やまだ" }, {
        code: "999999",
        token: TOKENS.admin,
      }),
      404,
      "MUNICIPALITY_NOT_FOUND",
    );
    const audited = await reg.database.db.select().from(auditLog).where(
      eq(auditLog.municipalityCode, "999999"),
    );
    assert.equal(audited.length, 1);
    assert.equal(audited[0].outcome, "not_found");
    await refused(
      await search(reg, { kana: "やまだ" }, {
        code: "40100",
        token: TOKENS.admin,
      }),
      400,
      "VALIDATION_FAILED",
    );
    const bad: Record<string, string>[] = [
      { birthDate: "2026-02-30" },
      { birthDate: "1980/04/01" },
      { kana: "yamada" },
      { kana: "山田" },
      { kana: "　 " },
      { kana: "" },
      { name: "" },
      { name: "　" },
      { name: "山田\u0000" },
      { name: "山".repeat(101) },
      { name: "山田\u{10ffff}" },
      { household: "h\u0007" },
      { cardSerial: "zz" },
      { kana: "やまだ", status: "gone" },
      { kana: "やまだ", limit: "0" },
      { kana: "やまだ", limit: "101" },
      { kana: "やまだ", limit: "ten" },
      { kana: "やまだ", cursor: "not-a-cursor" },
      { kana: "やまだ", cursor: btoa(JSON.stringify({ o: "kana", id: 1 })) },
      {
        kana: "やまだ",
        cursor: btoa(JSON.stringify({ o: "kana", k: "\u0000", id: "x" })),
      },
      { birthDate: "1980-04-01", cursor: btoa("{}") },
    ];
    for (const query of bad) {
      const res = await search(reg, query);
      assert.equal(res.status, 400, JSON.stringify(query));
      await res.body?.cancel();
    }
    // A raw, undecodable escape in the query string is not a 500 either.
    const raw = await reg.call(
      "GET",
      `/municipalities/${M}/residents?name=%ED%A0%80`,
      { headers: { "X-Purpose": "x" } },
    );
    assert.ok(raw.status < 500, `status ${raw.status}`);
    await raw.body?.cancel();
  } finally {
    await reg.close();
  }
});
