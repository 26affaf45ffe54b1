/**
 * Completeness: every field the registry holds that a kiosk certificate
 * prints arrives unchanged in the replica — through the initial load and
 * through each event type — proven two ways: a canonical per-tenant checksum
 * of the replica equals the one computed from the registry, and an explicit
 * list of printed fields (independent of the replica's own allowlists) is
 * compared value by value, including through a built certificate.
 */
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { IVS_KATSURA, PUA_GAIJI } from "./fixtures/certificate.ts";
import { appliedEvents } from "../db/asp/tenant_schema.ts";
import {
  residents as registryResidents,
  sealRegistrations,
} from "../db/registry/schema.ts";
import { recordsChecksum, replicaChecksum } from "../services/asp/checksum.ts";
import { readAll } from "../services/asp/replica.ts";
import { sheetFromJson } from "../lib/contracts/sheet_wire.ts";
import { applySnapshot } from "../services/asp/snapshot.ts";
import {
  openTestAsp,
  registryCall,
  registryEvent,
  registryRecords,
  type TestAsp,
  testWorker,
} from "./support/asp_world.ts";
import {
  sealImpressionPng,
  seedRegistry,
} from "../services/registry/seed/mod.ts";
import {
  makePerson,
  openTestRegistry,
  type TestRegistry,
  TOKENS,
} from "./support/registry_world.ts";

const CODE = "401005";
const POLICY = { code: CODE, printMyNumber: true };

/** What kiosk certificates print, and what the rules read: named here, not taken from the replica's code. */
const PRINTED = [
  "name",
  "nameKana",
  "formerSurname",
  "formerSurnameKana",
  // The legal 氏名の振り仮名 (令和5年法律第48号) with its recorded status,
  // and 旧氏の振り仮名: printed from template version 3.
  "furiganaSurname",
  "furiganaSurnameStatus",
  "furiganaGivenName",
  "furiganaGivenNameStatus",
  "formerSurnameFurigana",
  "alias",
  "alphabeticName",
  "birthDate",
  "sex",
  "relationship",
  "honseki",
  "hittousha",
  "address",
  "katagaki",
  "previousAddress",
  "becameResidentDate",
  "addressSetDate",
  "notifiedDate",
  "myNumber",
  "isForeign",
  "nationality",
  "residenceStatus",
  "periodOfStay",
  "stayExpiry",
  "residenceCardNumber",
  "status",
  "householdId",
  "removalReason",
  "removalDate",
  // 処理日 and the types processed that day (the same-day rule's input).
  "processedDate",
  "processedTypes",
] as const;

async function expectComplete(asp: TestAsp, reg: TestRegistry, label: string) {
  const records = await registryRecords(reg.database.db, CODE);
  const expected = await recordsChecksum(records, POLICY);
  const actual = await replicaChecksum(asp.tenancy, CODE);
  assert.deepEqual(actual, expected, `${label}: checksum`);
  const replica = await asp.tenancy.withTenant(
    CODE,
    (tx, t) => readAll(tx, t.cipher),
  );
  const byId = new Map(
    replica.residents.map((
      r,
    ) => [r.id, r as unknown as Record<string, unknown>]),
  );
  const source = await reg.database.db.select().from(registryResidents).where(
    eq(registryResidents.municipalityCode, CODE),
  );
  assert.equal(byId.size, source.length, `${label}: resident count`);
  for (const r of source) {
    const x = byId.get(r.id);
    assert.ok(x, `${label}: ${r.id} missing`);
    for (const k of PRINTED) {
      assert.equal(
        x[k],
        (r as Record<string, unknown>)[k] ?? null,
        `${label}: ${r.id}.${k}`,
      );
    }
  }
  const seals = await reg.database.db.select().from(sealRegistrations).where(
    eq(sealRegistrations.municipalityCode, CODE),
  );
  for (const s of seals) {
    const y = replica.seals.find((q) => q.id === s.id);
    assert.ok(y, `${label}: seal ${s.id}`);
    // The registry's print and compact versions (the image as submitted
    // for a registration made before they were prepared).
    assert.equal(
      y.printPng,
      (s.printPng ?? s.impressionPng).toBase64(),
      `${label}: seal print image`,
    );
    assert.equal(
      y.compactPng,
      (s.compactPng ?? s.impressionPng).toBase64(),
      `${label}: seal compact image`,
    );
    assert.equal(y.registrationNumber, s.registrationNumber);
    assert.equal(y.status, s.status);
  }
}

async function certificate(
  asp: TestAsp,
  applicant: string,
  type = "juminhyo",
  myNumber = true,
) {
  const res = await asp.call("POST", `/tenants/${CODE}/certificates`, {
    body: {
      requestId: `req-${crypto.randomUUID()}`,
      applicantResidentId: applicant,
      type,
      members: "self",
      options: type === "inkan"
        ? undefined
        : { honseki: true, zokugara: true, myNumber },
      issueNumber: "401005-20261126-000001",
      issuedAt: "2026-11-26T10:00:00+09:00",
      includePdf: false,
    },
  });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return sheetFromJson(body.sheets[0]);
}

Deno.test("[asp] completeness: every printed field arrives unchanged through the initial load and through each event type", async () => {
  const reg = await openTestRegistry([CODE]);
  const put = await reg.call("PUT", `/municipalities/${CODE}`, {
    token: TOKENS.admin,
    body: {
      name: "北九州市",
      mayor: "北九州市長　武内　和久",
      printMyNumberAtKiosk: true,
      sameDayEventTypes: [],
    },
  });
  await put.body?.cancel();
  const asp = await openTestAsp({
    clock: reg.clock,
    tenants: [{
      code: CODE,
      name: "北九州市",
      mayor: "北九州市長　武内　和久",
      printMyNumber: true,
    }],
  });
  const sync = async () => {
    const r = await testWorker(asp, reg).catchUp(CODE);
    assert.equal(r.state, "running");
  };
  const ev = (body: Record<string, unknown>) => registryEvent(reg, CODE, body);
  try {
    // ---- initial load: a generated population (旧氏, 通称, foreign residents, 方書, seals, blocks, cards) ----
    await seedRegistry(reg.database, {
      municipalityCode: CODE,
      residents: 80,
      seed: 11,
    });
    await applySnapshot(
      asp.tenancy,
      CODE,
      await registryRecords(reg.database.db, CODE),
      0,
      { actor: "test" },
    );
    await expectComplete(asp, reg, "initial load");

    // ---- each event type ----
    const rich = makePerson({
      name: `${PUA_GAIJI}田　${IVS_KATSURA}一`,
      nameKana: "サイタ　カズイチ",
      formerSurname: "𠮷野",
      formerSurnameKana: "ヨシノ",
      myNumber: "123456789018",
      // The 転出証明書's legal reading: the surname's only (half recorded).
      furigana: { surname: "サイタ", recordedBy: "ex_officio" },
    });
    const a = (await ev({
      type: "tennyu",
      date: "2026-11-01",
      // 届出日 two weeks after the 異動日: both arrive, apart.
      notifiedDate: "2026-11-14",
      person: rich,
      previousAddress: "東京都千代田区千代田１番１号　前住所ビル２０２",
      address: "福岡県北九州市小倉北区城内１番１号",
      katagaki: "城内ハイツ１０１号",
    })).residentIds[0];
    const [aRow] = await reg.database.db.select().from(registryResidents).where(
      eq(registryResidents.id, a),
    );
    const h1 = aRow.householdId;
    const f = (await ev({
      type: "tennyu",
      date: "2026-11-02",
      person: makePerson({
        name: "ＷＡＮＧ　ＸＩＡＯ",
        nameKana: "ワン　シャオ",
        foreign: {
          alphabeticName: "WANG XIAO",
          alias: "王　小",
          aliasKana: "オウ　ショウ",
          nationality: "中国",
          residenceStatus: "留学",
          periodOfStay: "2年",
          stayExpiry: "2027-04-01",
          residenceCardNumber: "AB12345678CD",
        },
      }),
      previousAddress: "中国北京市",
      address: "福岡県北九州市戸畑区中本町１番",
      katagaki: "中本荘２０３",
    })).residentIds[0];
    const c = (await ev({
      type: "shussei",
      date: "2026-11-03",
      person: makePerson({
        name: `${PUA_GAIJI}田　二郎`,
        nameKana: "サイタ　ジロウ",
        birthDate: "2026-11-03",
      }),
      householdId: h1,
      relationship: "子",
    })).residentIds[0];
    const b = (await ev({
      type: "tennyu",
      date: "2026-11-04",
      person: makePerson({
        name: "斉田　花子",
        nameKana: "サイタ　ハナコ",
        sex: "female",
        birthDate: "1985-02-03",
      }),
      previousAddress: "熊本県熊本市中央区１番",
      householdId: h1,
      relationship: "妻",
    })).residentIds[0];
    await sync();
    await expectComplete(asp, reg, "tennyu/shussei");

    const steps: [string, () => Promise<unknown>][] = [
      [
        "kyuuji_kisai",
        () =>
          ev({
            type: "kyuuji_kisai",
            date: "2026-11-05",
            residentId: b,
            formerSurname: "髙橋",
            formerSurnameKana: "タカハシ",
          }),
      ],
      [
        "kyuuji_henko",
        () =>
          ev({
            type: "kyuuji_henko",
            date: "2026-11-05",
            residentId: b,
            formerSurname: "﨑山",
            formerSurnameKana: "サキヤマ",
          }),
      ],
      [
        "furigana_kisai",
        () =>
          ev({
            type: "furigana_kisai",
            date: "2026-11-05",
            residentId: b,
            surname: "サイタ",
            givenName: "ハナコ",
            formerSurname: "サキヤマ",
          }),
      ],
      [
        "kyuuji_sakujo",
        () => ev({ type: "kyuuji_sakujo", date: "2026-11-05", residentId: a }),
      ],
      ["shokken_shusei", () =>
        ev({
          type: "shokken_shusei",
          date: "2026-11-06",
          residentId: f,
          changes: {
            alias: "王　小明",
            periodOfStay: "3年",
            stayExpiry: "2028-04-01",
          },
          reason: "在留期間更新",
        })],
      ["gokisai_shusei", () =>
        ev({
          type: "gokisai_shusei",
          date: "2026-11-06",
          residentId: a,
          changes: {
            name: `${PUA_GAIJI}田　葛\u{E0101}一`,
            honseki: "福岡県北九州市小倉北区城内２番",
          },
          reason: "誤記",
        })],
      [
        "tenkyo",
        () =>
          ev({
            type: "tenkyo",
            date: "2026-11-07",
            notifiedDate: "2026-11-09",
            householdId: h1,
            address: "福岡県北九州市門司区港町１番",
            katagaki: "港ビル５０１",
          }),
      ],
      [
        "setai_bunri",
        () => ev({ type: "setai_bunri", date: "2026-11-08", residentId: b }),
      ],
      ["setai_gappei", async () => {
        const [row] = await reg.database.db.select().from(registryResidents)
          .where(eq(registryResidents.id, b));
        return await ev({
          type: "setai_gappei",
          date: "2026-11-09",
          householdId: row.householdId,
          intoHouseholdId: h1,
          relationships: { [b]: "妻" },
        });
      }],
      [
        "setainushi_henko",
        () =>
          ev({
            type: "setainushi_henko",
            date: "2026-11-10",
            householdId: h1,
            newHouseholderId: b,
            relationships: { [a]: "夫" },
          }),
      ],
      [
        "seal_register",
        () =>
          registryCall(
            reg,
            "POST",
            `/municipalities/${CODE}/residents/${a}/seals`,
            {
              impressionPng: sealImpressionPng("斉田").toBase64(),
              date: "2026-11-11",
            },
          ),
      ],
      ["seal_abolish", async () => {
        const [s] = await reg.database.db.select().from(sealRegistrations)
          .where(eq(sealRegistrations.residentId, a));
        return await registryCall(
          reg,
          "POST",
          `/municipalities/${CODE}/seals/${s.id}/abolish`,
          { date: "2026-11-12" },
        );
      }],
      [
        "seal_register",
        () =>
          registryCall(
            reg,
            "POST",
            `/municipalities/${CODE}/residents/${a}/seals`,
            {
              impressionPng: sealImpressionPng("斉").toBase64(),
              date: "2026-11-13",
            },
          ),
      ],
      [
        "block_set",
        () =>
          registryCall(
            reg,
            "POST",
            `/municipalities/${CODE}/residents/${f}/blocks`,
            { reason: "opt_out", startDate: "2026-11-13" },
          ),
      ],
      ["block_lift", async () => {
        const feed = await (await reg.call(
          "GET",
          `/municipalities/${CODE}/feed?after=0&limit=5000`,
          { token: TOKENS.asp },
        )).json();
        const id = feed.events.findLast((e: { type: string }) =>
          e.type === "block_set"
        ).payload.blocks[0].id;
        return await registryCall(
          reg,
          "POST",
          `/municipalities/${CODE}/blocks/${id}/lift`,
          { reason: "本人申出" },
        );
      }],
      [
        "card_link",
        () =>
          registryCall(reg, "POST", `/municipalities/${CODE}/card-links`, {
            serial: "00AABBCC",
            residentId: a,
          }),
      ],
      [
        "card_unlink",
        () =>
          registryCall(
            reg,
            "DELETE",
            `/municipalities/${CODE}/card-links/00aabbcc`,
          ),
      ],
      [
        "card_link",
        () =>
          registryCall(reg, "POST", `/municipalities/${CODE}/card-links`, {
            serial: "00AABBCD",
            residentId: a,
          }),
      ],
      ["tenshutsu_yotei + torikeshi", async () => {
        const yotei = await ev({
          type: "tenshutsu_yotei",
          date: "2026-11-14",
          residentId: f,
          plannedDate: "2026-11-30",
          destinationAddress: "大阪府大阪市北区１番",
        });
        await sync();
        await expectComplete(asp, reg, "tenshutsu_yotei");
        return await ev({
          type: "torikeshi",
          date: "2026-11-14",
          seq: yotei.seq,
          reason: "届出取下げ",
        });
      }],
      [
        "tenshutsu_yotei",
        () =>
          ev({
            type: "tenshutsu_yotei",
            date: "2026-11-15",
            residentId: f,
            plannedDate: "2026-11-30",
            destinationAddress: "大阪府大阪市北区１番",
          }),
      ],
      [
        "tenshutsu_kakutei",
        () =>
          ev({ type: "tenshutsu_kakutei", date: "2026-11-26", residentId: f }),
      ],
      [
        "shibou",
        () => ev({ type: "shibou", date: "2026-11-20", residentId: c }),
      ],
    ];
    for (const [label, step] of steps) {
      await step();
      await sync();
      await expectComplete(asp, reg, label);
    }

    // The municipality registers an outline for the 外字 it prints (issue
    // 13: a character with none is refused, never a box on paper).
    const glyph = await reg.call(
      "PUT",
      `/municipalities/${CODE}/gaiji/E02A`,
      { token: TOKENS.admin, body: { path: "M100 100H900V900H100Z" } },
    );
    assert.equal(glyph.status, 200);
    await glyph.body?.cancel();
    await sync();

    // End to end through the builder: the sheet shows exactly the registry's values.
    const [aNow] = await reg.database.db.select().from(registryResidents).where(
      eq(registryResidents.id, a),
    );
    const [bNow] = await reg.database.db.select().from(registryResidents).where(
      eq(registryResidents.id, b),
    );
    const sheet = await certificate(asp, a);
    assert.equal(sheet.subject.name, aNow.name);
    assert.equal(sheet.subject.name, `${PUA_GAIJI}田　葛\u{E0101}一`);
    assert.equal(sheet.subject.formerSurname, undefined);
    assert.equal(sheet.subject.address, aNow.address);
    assert.equal(sheet.subject.katagaki, "港ビル５０１");
    assert.equal(sheet.subject.previousAddress, aNow.previousAddress);
    assert.equal(sheet.subject.honseki, "福岡県北九州市小倉北区城内２番");
    assert.equal(sheet.subject.hittousha, aNow.hittousha);
    assert.equal(sheet.subject.myNumber, "123456789018");
    assert.equal(sheet.subject.relationship, "夫");
    assert.equal(sheet.subject.householderName, bNow.name);
    assert.deepEqual(
      [
        sheet.subject.becameResidentDate,
        sheet.subject.addressSetDate,
        sheet.subject.notifiedDate,
      ],
      [aNow.becameResidentDate, aNow.addressSetDate, aNow.notifiedDate],
    );
    // Each from its own date: moved in on the 1st, address set by the 転居.
    assert.equal(sheet.subject.becameResidentDate, "2026-11-01");
    assert.equal(sheet.subject.addressSetDate, "2026-11-07");
    const wife = await certificate(asp, b, "juminhyo", false);
    assert.equal(wife.subject.formerSurname, "﨑山");
    // Template version 3: the legal readings, as the registry recorded them.
    assert.equal(wife.templateVersion, 3);
    assert.equal(
      wife.subject.nameKana,
      `${bNow.furiganaSurname}　${bNow.furiganaGivenName}`,
    );
    assert.equal(wife.subject.nameKana, "サイタ　ハナコ");
    assert.equal(wife.subject.formerSurnameKana, bNow.formerSurnameFurigana);
    assert.equal(wife.subject.formerSurnameKana, "サキヤマ");
    // Half recorded, and the municipality prints no mask: the surname only.
    assert.equal(aNow.furiganaGivenNameStatus, "unrecorded");
    assert.equal(sheet.subject.nameKana, "サイタ");
    const inkan = await certificate(asp, a, "inkan");
    assert.ok(inkan.type === "inkan");
    // The registry's compact version on the back side, its print version
    // on the front.
    const [registered] = await reg.database.db.select().from(sealRegistrations)
      .where(and(
        eq(sealRegistrations.residentId, a),
        eq(sealRegistrations.status, "active"),
      ));
    assert.ok(registered.printPng && registered.compactPng);
    assert.deepEqual(inkan.seal.png, new Uint8Array(registered.compactPng));
    assert.deepEqual(
      inkan.seal.printPng,
      new Uint8Array(registered.printPng),
    );

    // Every event type named in the issue went through the feed.
    const types = new Set(
      (await asp.tenancy.withTenant(
        CODE,
        (tx) => tx.select({ type: appliedEvents.type }).from(appliedEvents),
      )).map((e) => e.type),
    );
    for (
      const t of [
        "tennyu",
        "shussei",
        "tenshutsu_yotei",
        "tenshutsu_kakutei",
        "tenkyo",
        "shibou",
        "setai_bunri",
        "setai_gappei",
        "setainushi_henko",
        "kyuuji_kisai",
        "kyuuji_henko",
        "kyuuji_sakujo",
        "furigana_kisai",
        "shokken_shusei",
        "gokisai_shusei",
        "torikeshi",
        "seal_register",
        "seal_abolish",
        "block_set",
        "block_lift",
        "card_link",
        "card_unlink",
      ]
    ) assert.ok(types.has(t), `event type ${t} not exercised`);
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("[asp] completeness: a foreign resident's items and 通称 arrive on the certificate unchanged", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    const f = (await registryEvent(reg, CODE, {
      type: "tennyu",
      date: "2026-11-02",
      person: makePerson({
        name: "ＮＧＵＹＥＮ　ＶＡＮ　ＡＮ",
        nameKana: "グエン　ヴァン　アン",
        foreign: {
          alphabeticName: "NGUYEN VAN AN",
          alias: "阮　文安",
          nationality: "ベトナム",
          residenceStatus: "技術・人文知識・国際業務",
          periodOfStay: "5年",
          stayExpiry: "2030-03-31",
          residenceCardNumber: "XY98765432ZW",
        },
      }),
      previousAddress: "ベトナム",
      address: "福岡県北九州市八幡西区黒崎１番",
    })).residentIds[0];
    await testWorker(asp, reg).catchUp(CODE);
    const s = await certificate(asp, f, "juminhyo", false);
    assert.equal(s.subject.alias, "阮　文安");
    assert.equal(s.subject.honseki, undefined);
    assert.deepEqual(s.subject.foreign, {
      alphabeticName: "NGUYEN VAN AN",
      nationality: "ベトナム",
      residenceStatus: "技術・人文知識・国際業務",
      periodOfStay: "5年",
      expiryDate: "2030-03-31",
      cardNumber: "XY98765432ZW",
    });
  } finally {
    await asp.close();
    await reg.close();
  }
});
