import assert from "node:assert/strict";
import {
  checkPopulationOptions,
  generatePopulation,
  generateSegment,
  type PopulationChunk,
  type PopulationOptions,
  SEGMENT_SIZE,
  segmentCount,
  SHARES,
} from "./population.ts";
import { isValidMyNumber } from "./numbers.ts";
import { MUNICIPALITIES } from "./places.ts";
import { MAX_SEAL_PNG_BYTES } from "../../../lib/backside/canonical.ts";
import type { Resident } from "../../../db/registry/schema.ts";

type Rows = Omit<PopulationChunk, "index">;

function collect(options: PopulationOptions): Rows {
  const all: Rows = {
    households: [],
    residents: [],
    history: [],
    seals: [],
    blocks: [],
    cards: [],
  };
  for (const chunk of generatePopulation(options)) {
    for (const k of Object.keys(all) as (keyof Rows)[]) {
      (all[k] as unknown[]).push(...chunk[k]);
    }
  }
  return all;
}

const POP = collect({ municipalityCode: "401005", residents: 5_000, seed: 42 });
const PUA = /[\uE000-\uF8FF]/;
const IVS = /[\u{E0100}-\u{E01EF}]/u;

function byHousehold(residents: readonly Resident[]): Map<string, Resident[]> {
  const m = new Map<string, Resident[]>();
  for (const r of residents) {
    const list = m.get(r.householdId) ?? [];
    list.push(r);
    m.set(r.householdId, list);
  }
  return m;
}

Deno.test("generatePopulation() gives the same rows, byte for byte, for the same seed", () => {
  const a = collect({ municipalityCode: "401005", residents: 1_500, seed: 7 });
  const b = collect({ municipalityCode: "401005", residents: 1_500, seed: 7 });
  assert.equal(JSON.stringify(a.residents), JSON.stringify(b.residents));
  assert.deepEqual(a, b);
});

Deno.test("generatePopulation() gives different rows for a different seed", () => {
  const a = collect({ municipalityCode: "401005", residents: 500, seed: 7 });
  const b = collect({ municipalityCode: "401005", residents: 500, seed: 8 });
  assert.notEqual(JSON.stringify(a.residents), JSON.stringify(b.residents));
  const numbers = new Set(a.residents.map((r) => r.myNumber));
  assert.ok(
    b.residents.every((r) => !numbers.has(r.myNumber)),
    "個人番号 differ between seeds",
  );
});

Deno.test("generatePopulation() rows do not depend on the chunk size; chunks end on households", () => {
  const chunks = [
    ...generatePopulation({
      municipalityCode: "401005",
      residents: 1_200,
      seed: 3,
      chunkSize: 97,
    }),
  ];
  assert.ok(chunks.length > 10);
  const joined = chunks.flatMap((c) => c.residents);
  const whole =
    collect({ municipalityCode: "401005", residents: 1_200, seed: 3 })
      .residents;
  assert.deepEqual(joined, whole);
  for (const c of chunks) {
    const ids = new Set(c.households.map((h) => h.id));
    assert.ok(
      c.residents.every((r) => ids.has(r.householdId)),
      `chunk ${c.index} holds whole households`,
    );
  }
});

Deno.test("generatePopulation() makes exactly the residents asked for", () => {
  assert.equal(POP.residents.length, 5_000);
  assert.equal(POP.history.length, 5_000);
  assert.equal(
    collect({ municipalityCode: "401005", residents: 1, seed: 1 }).residents
      .length,
    1,
  );
});

Deno.test("generatePopulation() shares are roughly right on 5,000 residents", () => {
  const n = POP.residents.length;
  const foreign = POP.residents.filter((r) => r.isForeign).length / n;
  assert.ok(foreign > 0.01 && foreign < 0.035, `foreign ${foreign}`);
  const adults =
    POP.residents.filter((r) => r.birthDate <= "2008-11-01").length;
  const seals = POP.seals.length / adults;
  assert.ok(
    Math.abs(seals - SHARES.sealsOfAdults) < 0.05,
    `seals of adults ${seals}`,
  );
  const cards = POP.cards.length / n;
  assert.ok(Math.abs(cards - SHARES.cards) < 0.04, `cards ${cards}`);
  const under15 =
    POP.residents.filter((r) => r.birthDate > "2011-11-01").length / n;
  assert.ok(under15 > 0.06 && under15 < 0.18, `under 15 ${under15}`);
  const former = POP.residents.filter((r) => r.formerSurname).length / n;
  assert.ok(former > 0.005 && former < 0.06, `旧氏 ${former}`);
  for (const reason of ["opt_out", "support_measure"]) {
    const k = POP.blocks.filter((b) => b.reason === reason).length / n;
    assert.ok(k > 0.0005 && k < 0.008, `${reason} ${k}`);
  }
  const movingOut = POP.residents.filter((r) => r.status === "moving_out");
  assert.ok(movingOut.length > 0 && movingOut.length < n * 0.02);
  assert.ok(
    movingOut.every((r) => r.plannedMoveOutDate && r.destinationAddress),
  );
  assert.ok(
    POP.residents.every((r) =>
      r.status === "active" || r.status === "moving_out"
    ),
  );
  const apartments = POP.residents.filter((r) => r.katagaki).length / n;
  assert.ok(apartments > 0.3 && apartments < 0.65, `方書 ${apartments}`);
});

Deno.test("generatePopulation() gives every household exactly one 世帯主, its householder", () => {
  const members = byHousehold(POP.residents);
  assert.equal(members.size, POP.households.length);
  for (const h of POP.households) {
    const list = members.get(h.id)!;
    assert.ok(
      list.length >= 1 && list.length <= 6,
      `${h.id} has ${list.length} members`,
    );
    const heads = list.filter((r) => r.relationship === "世帯主");
    assert.equal(heads.length, 1, `${h.id} has ${heads.length} 世帯主`);
    assert.equal(h.householderId, heads[0].id);
    assert.ok(
      list.every((r) => r.address === h.address && r.katagaki === h.katagaki),
    );
  }
});

Deno.test("generatePopulation() makes children younger than their parents", () => {
  let checked = 0;
  for (const list of byHousehold(POP.residents).values()) {
    const head = list.find((r) => r.relationship === "世帯主")!;
    const spouses = list.filter((r) =>
      r.relationship === "妻" || r.relationship === "夫"
    );
    const children = list.filter((r) => r.relationship === "子");
    const inLaws = list.filter((r) =>
      r.relationship === "子の妻" || r.relationship === "子の夫"
    );
    const parentsOfHead = list.filter((r) =>
      r.relationship === "父" || r.relationship === "母"
    );
    for (const c of children) {
      for (const p of [head, ...spouses]) {
        assert.ok(
          c.birthDate > p.birthDate,
          `${c.id} (子, ${c.birthDate}) not younger than ${p.id} (${p.birthDate})`,
        );
        assert.ok(
          Number(c.birthDate.slice(0, 4)) - Number(p.birthDate.slice(0, 4)) >=
            15,
        );
      }
      checked++;
    }
    for (const g of list.filter((r) => r.relationship === "孫")) {
      for (const p of [...children, ...inLaws]) {
        assert.ok(g.birthDate > p.birthDate, `${g.id} (孫) vs ${p.id}`);
      }
    }
    for (const p of parentsOfHead) {
      assert.ok(
        p.birthDate < head.birthDate,
        `${p.id} (${p.relationship}) vs head`,
      );
    }
  }
  assert.ok(checked > 500);
});

Deno.test("generatePopulation() numbers: valid unique 個人番号, 住民票コード, prefixed ids", () => {
  assert.ok(POP.residents.every((r) => isValidMyNumber(r.myNumber!)));
  assert.equal(
    new Set(POP.residents.map((r) => r.myNumber)).size,
    POP.residents.length,
  );
  assert.ok(POP.residents.every((r) => /^[0-9]{11}$/.test(r.residentCode)));
  assert.equal(
    new Set(POP.residents.map((r) => r.residentCode)).size,
    POP.residents.length,
  );
  assert.ok(POP.residents.every((r) => /^401005-[0-9]{8}$/.test(r.id)));
  assert.ok(POP.households.every((h) => /^401005-H[0-9]{7}$/.test(h.id)));
  assert.equal(new Set(POP.cards.map((c) => c.serial)).size, POP.cards.length);
  assert.ok(POP.cards.every((c) => /^[0-9A-F]{16}$/.test(c.serial)));
});

Deno.test("generatePopulation() names: hiragana furigana, some 外字 and IVS surnames", () => {
  const kana = /^[\u3041-\u3096\u30fc\u3000]+$/;
  for (const r of POP.residents) {
    assert.match(r.nameKana, kana, `${r.id} ${r.nameKana}`);
    assert.ok(
      r.name.includes("　") || r.isForeign,
      `${r.id} name "${r.name}" has no space`,
    );
  }
  assert.ok(POP.residents.some((r) => PUA.test(r.name)), "a 外字 name");
  assert.ok(POP.residents.some((r) => IVS.test(r.name)), "an IVS name");
});

Deno.test("generatePopulation() legal furigana: most recorded, some none, a few half, a few 旧氏 readings, each matching the free reading", () => {
  const japanese = POP.residents.filter((r) => !r.isForeign);
  const share = (rows: Resident[], f: (r: Resident) => boolean) =>
    rows.filter(f).length / rows.length;
  const both = (r: Resident) => !!r.furiganaSurname && !!r.furiganaGivenName;
  const none = (r: Resident) => !r.furiganaSurname && !r.furiganaGivenName;
  assert.ok(share(japanese, both) > 0.6, "most have both parts recorded");
  assert.ok(share(japanese, none) > 0.1, "some have none yet");
  const half = share(japanese, (r) => !both(r) && !none(r));
  assert.ok(half > 0.02 && half < 0.15, `a few half-recorded: ${half}`);
  assert.ok(
    POP.residents.some((r) => r.formerSurname && r.formerSurnameFurigana),
    "a 旧氏 with its reading",
  );
  const katakana = /^[\u30A1-\u30F4\u30FC]+$/;
  for (const r of POP.residents) {
    for (
      const [reading, status] of [
        [r.furiganaSurname, r.furiganaSurnameStatus],
        [r.furiganaGivenName, r.furiganaGivenNameStatus],
      ] as const
    ) {
      assert.equal(reading === null, status === "unrecorded", r.id);
      if (reading) assert.match(reading, katakana, r.id);
    }
    if (r.furiganaSurname) {
      // The legal reading is the free one's surname, in katakana.
      const free = r.nameKana.split("　")[0].replace(
        /[\u3041-\u3096]/g,
        (c) => String.fromCharCode(c.charCodeAt(0) + 0x60),
      );
      assert.equal(r.furiganaSurname, free, r.id);
    }
    if (r.formerSurnameFurigana) assert.ok(r.formerSurname, r.id);
  }
  assert.ok(
    POP.residents.some((r) => r.furiganaSurnameStatus === "notified") &&
      POP.residents.some((r) => r.furiganaSurnameStatus === "ex_officio"),
  );
});

Deno.test("generatePopulation() foreign residents carry residence items, Japanese 本籍 and 筆頭者", () => {
  for (const r of POP.residents) {
    if (r.isForeign) {
      assert.ok(r.alphabeticName && r.nationality && r.residenceStatus, r.id);
      assert.match(r.residenceCardNumber!, /^[A-Z]{2}[0-9]{8}[A-Z]{2}$/);
      assert.equal(r.honseki, null);
      if (
        r.residenceStatus === "永住者" || r.residenceStatus === "特別永住者"
      ) {
        assert.equal(r.stayExpiry, null);
      } else {
        assert.ok(r.periodOfStay && r.stayExpiry! > "2026-11-01", r.id);
      }
    } else {
      assert.ok(r.honseki && r.hittousha, r.id);
      assert.equal(r.nationality, null);
    }
    assert.ok(
      r.becameResidentDate >= r.birthDate &&
        r.addressSetDate >= r.becameResidentDate,
      r.id,
    );
    assert.ok(
      r.notifiedDate >= r.addressSetDate && r.notifiedDate <= "2026-11-01",
      r.id,
    );
    assert.ok(r.address.startsWith("福岡県北九州市"));
  }
});

Deno.test("generatePopulation() history rows snapshot their resident", () => {
  POP.history.forEach((h, i) => {
    assert.equal(h.residentId, POP.residents[i].id);
    assert.equal(h.snapshot, POP.residents[i]);
    assert.equal(h.historyNo, 1);
    assert.equal(h.seq, 0);
    assert.equal(h.eventType, "seed");
  });
});

Deno.test("generatePopulation() seals reuse a few hundred small PNGs", () => {
  const images = new Set(POP.seals.map((s) => s.impressionPng));
  assert.ok(
    images.size < POP.seals.length / 2,
    `${images.size} distinct of ${POP.seals.length}`,
  );
  for (const png of images) {
    assert.ok(png.length <= MAX_SEAL_PNG_BYTES);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  }
  const residentIds = new Set(POP.residents.map((r) => r.id));
  assert.ok(POP.seals.every((s) => residentIds.has(s.residentId)));
});

Deno.test("generateSegment() numbers a later segment after the ones before it", () => {
  const options = {
    municipalityCode: "401005",
    residents: SEGMENT_SIZE + 10,
    seed: 4,
  };
  assert.equal(segmentCount(options.residents), 2);
  const [chunk, more] = [...generateSegment(options, 1)];
  assert.equal(more, undefined);
  assert.equal(chunk.residents.length, 10);
  assert.equal(chunk.residents[0].id, "401005-00050001");
  assert.equal(chunk.households[0].id, "401005-H0050001");
  assert.equal(chunk.residents.at(-1)!.id, "401005-00050010");
  assert.throws(() => [...generateSegment(options, 2)], RangeError);
  assert.throws(
    () => checkPopulationOptions({ ...options, municipalityCode: "1" }),
    RangeError,
  );
});

Deno.test("generatePopulation() knows 福岡市 (401307) too", () => {
  const p = collect({ municipalityCode: "401307", residents: 300, seed: 1 });
  assert.equal(p.residents.length, 300);
  assert.ok(p.households.length > 0);
  assert.ok(
    p.residents.every((r) =>
      r.id.startsWith("401307-") && r.address.startsWith("福岡県福岡市")
    ),
  );
  // Spread over 福岡市's own wards, none of 北九州市's.
  const wards = new Set(
    p.residents.map((r) => r.address.match(/^福岡県福岡市(.+?区)/)?.[1]),
  );
  const fukuoka = MUNICIPALITIES["401307"].wards.map((w) => w.name);
  assert.ok(wards.size >= 3, [...wards].join(" "));
  for (const w of wards) assert.ok(fukuoka.includes(w!), `${w}`);
  for (const r of p.residents) assert.equal(r.municipalityCode, "401307");
  for (const h of p.households) assert.equal(h.municipalityCode, "401307");
});

Deno.test("generatePopulation() rejects unknown municipalities and bad sizes", () => {
  assert.throws(
    () => [
      ...generatePopulation({ municipalityCode: "999999", residents: 10 }),
    ],
    RangeError,
  );
  assert.throws(
    () => [...generatePopulation({ municipalityCode: "401005", residents: 0 })],
    RangeError,
  );
  assert.throws(
    () => [
      ...generatePopulation({ municipalityCode: "401005", residents: 1.5 }),
    ],
    RangeError,
  );
});
