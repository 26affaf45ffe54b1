import assert from "node:assert/strict";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { kioskSessions } from "../../db/jlis/schema.ts";
import { preparedSelect } from "./prepared_select.ts";
import {
  openTestDatabase,
  testEngine,
} from "../../tests/support/test_database.ts";

const MIGRATIONS = new URL("../../db/migrations/jlis", import.meta.url)
  .pathname;

Deno.test("preparedSelect() answers what the builder answers, on the database and in a transaction, for each set of values", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  const { db } = database;
  try {
    const at = new Date("2026-11-26T01:00:00.000Z");
    await db.insert(kioskSessions).values([
      {
        id: "s1",
        kioskId: "k1",
        nonce: "n1",
        createdAt: at,
        expiresAt: new Date(at.getTime() + 60_000),
      },
      {
        id: "s2",
        kioskId: "k1",
        nonce: "n2",
        createdAt: at,
        expiresAt: new Date(at.getTime() + 60_000),
        usedAt: at,
        outcome: "AUTHENTICATED",
        cardSerial: "ab",
        municipalityCode: "401005",
      },
      {
        id: "s3",
        kioskId: "k2",
        nonce: "n3",
        createdAt: at,
        expiresAt: at,
      },
    ]);
    const ofKiosk = preparedSelect(
      kioskSessions,
      and(
        eq(kioskSessions.kioskId, sql.placeholder("kiosk")),
        sql`${kioskSessions.createdAt} <= ${sql.placeholder("at")}`,
      ),
      { orderBy: asc(kioskSessions.id) },
    );
    const direct = (kiosk: string) =>
      db.select().from(kioskSessions).where(eq(kioskSessions.kioskId, kiosk))
        .orderBy(asc(kioskSessions.id));
    for (const kiosk of ["k1", "k2", "k3"]) {
      const rows = await ofKiosk(db, { kiosk, at: at.toISOString() });
      assert.deepEqual(rows, await direct(kiosk));
    }
    const k1 = await ofKiosk(db, { kiosk: "k1", at: at.toISOString() });
    assert.equal(k1.length, 2);
    assert.ok(k1[1].usedAt instanceof Date);
    assert.equal(k1[1].usedAt.getTime(), at.getTime());
    assert.equal(k1[0].usedAt, null);
    // In a transaction, it sees the transaction's own writes.
    await db.transaction(async (tx) => {
      await tx.update(kioskSessions).set({ kioskId: "k2" }).where(
        eq(kioskSessions.id, "s1"),
      );
      const inside = await ofKiosk(tx, { kiosk: "k2", at: at.toISOString() });
      assert.deepEqual(inside.map((r) => r.id), ["s1", "s3"]);
    });
  } finally {
    await database.close();
  }
});

Deno.test("preparedSelect() orders and locks as asked: a FOR UPDATE read waits for the row's writer", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  const { db } = database;
  try {
    const at = new Date("2026-11-26T01:00:00.000Z");
    await db.insert(kioskSessions).values(
      ["b", "c", "a"].map((id) => ({
        id,
        kioskId: "k1",
        nonce: `n-${id}`,
        createdAt: at,
        expiresAt: at,
      })),
    );
    const newestFirst = preparedSelect(
      kioskSessions,
      eq(kioskSessions.kioskId, sql.placeholder("kiosk")),
      { orderBy: desc(kioskSessions.id) },
    );
    assert.deepEqual(
      (await newestFirst(db, { kiosk: "k1" })).map((r) => r.id),
      ["c", "b", "a"],
    );
    if (testEngine() === "postgres") {
      const locked = preparedSelect(
        kioskSessions,
        eq(kioskSessions.id, sql.placeholder("id")),
        { lock: "update" },
      );
      const order: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((r) => release = r);
      const writer = db.transaction(async (tx) => {
        await locked(tx, { id: "a" });
        order.push("writer has the row");
        await held;
        await tx.update(kioskSessions).set({ outcome: "X" }).where(
          eq(kioskSessions.id, "a"),
        );
        order.push("writer commits");
      });
      while (!order.length) await new Promise((r) => setTimeout(r, 5));
      const reader = db.transaction(async (tx) => {
        const [row] = await locked(tx, { id: "a" });
        order.push(`reader sees ${row.outcome}`);
      });
      await new Promise((r) => setTimeout(r, 100));
      release();
      await Promise.all([writer, reader]);
      assert.deepEqual(order, [
        "writer has the row",
        "writer commits",
        "reader sees X",
      ]);
    }
  } finally {
    await database.close();
  }
});
