import assert from "node:assert/strict";
import { eq, getTableColumns, inArray, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { openTestDatabase } from "../../../tests/support/test_database.ts";
import {
  cardLinks,
  households,
  issuanceBlocks,
  municipalities,
  outboxHeads,
  residentHistory,
  residents,
  sealRegistrations,
} from "../../../db/registry/schema.ts";
import { generatePopulation } from "./population.ts";
import { prepareSealImage, SEAL_PRINT_SIDE_PX } from "../seal_image.ts";
import { MAX_SEAL_PNG_BYTES } from "../../../lib/backside/canonical.ts";
import { readPngStructure } from "../../../lib/render/png_codec.ts";
import {
  AlreadySeededError,
  type ChunkTable,
  COPY_TABLES,
  seedRegistry,
} from "./seed_registry.ts";

const MIGRATIONS = "db/migrations/registry";
const TABLES: Record<ChunkTable, PgTable> = {
  households,
  residents,
  history: residentHistory,
  seals: sealRegistrations,
  blocks: issuanceBlocks,
  cards: cardLinks,
};

Deno.test("COPY_TABLES list every column of the schema, in order", () => {
  const [chunk] = generatePopulation({
    municipalityCode: "401005",
    residents: 3_000,
    seed: 11,
  });
  for (const t of COPY_TABLES) {
    const cols = getTableColumns(TABLES[t.field]);
    assert.deepEqual(
      t.columns,
      Object.values(cols).map((c) => c.name),
      t.table,
    );
    const row = chunk[t.field][0] as unknown as Record<string, unknown>;
    assert.ok(row, `a ${t.field} row`);
    assert.deepEqual(
      t.values(row),
      Object.keys(cols).map((k) => row[k]),
      t.table,
    );
  }
});

Deno.test("COPY_TABLES text escapes and terminates every row", () => {
  const resident = COPY_TABLES.find((t) => t.field === "residents")!;
  const [chunk] = generatePopulation({
    municipalityCode: "401005",
    residents: 3,
    seed: 1,
  });
  const row = {
    ...chunk.residents[0],
    katagaki: "A\tB\\C\nD",
    previousAddress: null,
  };
  const text = resident.text([row]);
  assert.ok(text.endsWith("\n"));
  const cells = text.slice(0, -1).split("\t");
  assert.equal(cells.length, resident.columns.length);
  assert.equal(cells[resident.columns.indexOf("katagaki")], "A\\tB\\\\C\\nD");
  assert.equal(cells[resident.columns.indexOf("previous_address")], "\\N");
  assert.equal(resident.text([]), "");
});

Deno.test("seedRegistry() loads two municipalities and the counts match", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  try {
    const a = await seedRegistry(database, {
      municipalityCode: "401005",
      residents: 3_000,
      seed: 11,
    });
    const progress: number[] = [];
    const b = await seedRegistry(database, {
      municipalityCode: "401307",
      residents: 700,
      seed: 12,
      onProgress: (n) => progress.push(n),
    });
    assert.equal(a.residents, 3_000);
    assert.equal(b.residents, 700);
    assert.equal(progress.at(-1), 700);
    assert.equal(a.skipped, false);
    for (const s of [a, b]) {
      for (
        const [field, table] of Object.entries(TABLES) as [
          ChunkTable,
          PgTable,
        ][]
      ) {
        const [{ n }] = await database.db.select({
          n: sql<number>`count(*)::int`,
        }).from(table)
          .where(sql`municipality_code = ${s.municipalityCode}`);
        assert.equal(n, s[field], `${s.municipalityCode} ${field}`);
      }
      assert.ok(s.seals > 0 && s.cards > 0 && s.households > 0);
    }
    const munis = await database.db.select().from(municipalities).orderBy(
      municipalities.code,
    );
    assert.deepEqual(
      munis.map((m) => [m.code, m.name, m.printMyNumberAtKiosk]),
      [
        ["401005", "北九州市", false],
        ["401307", "福岡市", false],
      ],
    );
    const heads = await database.db.select().from(outboxHeads).orderBy(
      outboxHeads.municipalityCode,
    );
    assert.deepEqual(heads.map((h) => [h.municipalityCode, h.lastSeq]), [[
      "401005",
      0,
    ], ["401307", 0]]);
  } finally {
    await database.close();
  }
});

Deno.test("seedRegistry() stores 外字 and IVS names, seal images and snapshots byte for byte", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  try {
    const options = { municipalityCode: "401005", residents: 3_000, seed: 11 };
    await seedRegistry(database, options);
    const generated = [...generatePopulation(options)].flatMap((c) =>
      c.residents
    );
    const special = generated.filter((r) =>
      /[\uE000-\uF8FF]|[\u{E0100}-\u{E01EF}]|[\u{20000}-\u{2FFFF}]/u.test(
        r.name,
      )
    );
    assert.ok(
      special.some((r) => /[\uE000-\uF8FF]/.test(r.name)),
      "population holds a 外字 name",
    );
    assert.ok(
      special.some((r) => /[\u{E0100}-\u{E01EF}]/u.test(r.name)),
      "population holds an IVS name",
    );
    const stored = await database.db.select().from(residents).where(
      inArray(residents.id, special.map((r) => r.id)),
    );
    assert.equal(stored.length, special.length);
    const utf8 = new TextEncoder();
    for (const r of special) {
      const s = stored.find((x) => x.id === r.id)!;
      assert.deepEqual(utf8.encode(s.name), utf8.encode(r.name), r.id);
      assert.deepEqual(s, r);
    }
    const [history] = await database.db.select().from(residentHistory)
      .where(eq(residentHistory.residentId, special[0].id));
    assert.deepEqual(history.snapshot, JSON.parse(JSON.stringify(special[0])));
    const seals = [...generatePopulation(options)].flatMap((c) => c.seals)
      .slice(0, 5);
    const storedSeals = await database.db.select().from(sealRegistrations)
      .where(inArray(sealRegistrations.id, seals.map((s) => s.id))).orderBy(
        sealRegistrations.id,
      );
    assert.deepEqual(
      storedSeals.map((s) => new Uint8Array(s.impressionPng)),
      seals.map((s) => s.impressionPng),
    );
    // stored as registration stores a seal: a print version of ≥ 300 dpi
    // (one registration accepts) and a compact one within the back side's
    for (const s of storedSeals) {
      const print = new Uint8Array(s.printPng!);
      assert.equal(readPngStructure(print).width, SEAL_PRINT_SIDE_PX, s.id);
      assert.ok(s.compactPng!.length <= MAX_SEAL_PNG_BYTES, s.id);
      await prepareSealImage(print);
    }
  } finally {
    await database.close();
  }
});

Deno.test("seedRegistry() loads the same rows when a worker generates them", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  try {
    const options = { municipalityCode: "401005", residents: 1_200, seed: 5 };
    const summary = await seedRegistry(database, { ...options, workers: 1 });
    const generated = [...generatePopulation(options)];
    const count = (field: ChunkTable) =>
      generated.reduce((n, c) => n + c[field].length, 0);
    for (const field of Object.keys(TABLES) as ChunkTable[]) {
      assert.equal(summary[field], count(field), field);
    }
    const stored = await database.db.select().from(residents).orderBy(
      residents.id,
    );
    assert.deepEqual(stored, generated.flatMap((c) => c.residents));
    const seals = await database.db.select({
      print: sealRegistrations.printPng,
      compact: sealRegistrations.compactPng,
    }).from(sealRegistrations);
    assert.ok(seals.length > 0);
    assert.ok(
      seals.every((s) => s.print && s.compact),
      "a worker stores both versions too",
    );
    const cards = await database.db.select().from(cardLinks).orderBy(
      cardLinks.serial,
    );
    assert.deepEqual(
      cards.map((c) => c.serial),
      generated.flatMap((c) => c.cards).map((c) => c.serial).sort(),
    );
  } finally {
    await database.close();
  }
});

Deno.test("seedRegistry() refuses a seeded municipality unless skipIfSeeded", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  try {
    await seedRegistry(database, {
      municipalityCode: "401005",
      residents: 50,
      seed: 1,
    });
    await assert.rejects(
      () =>
        seedRegistry(database, {
          municipalityCode: "401005",
          residents: 50,
          seed: 1,
        }),
      AlreadySeededError,
    );
    const again = await seedRegistry(database, {
      municipalityCode: "401005",
      residents: 50,
      seed: 1,
      skipIfSeeded: true,
    });
    assert.equal(again.skipped, true);
    assert.equal(again.residents, 0);
    const [{ n }] = await database.db.select({ n: sql<number>`count(*)::int` })
      .from(residents);
    assert.equal(n, 50);
  } finally {
    await database.close();
  }
});

Deno.test("seedRegistry() rejects an unknown municipality before writing anything", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  try {
    await assert.rejects(
      () =>
        seedRegistry(database, { municipalityCode: "999999", residents: 5 }),
      RangeError,
    );
    assert.equal((await database.db.select().from(municipalities)).length, 0);
  } finally {
    await database.close();
  }
});
