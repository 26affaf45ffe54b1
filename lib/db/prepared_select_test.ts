import assert from "node:assert/strict";
import { and, asc, eq, sql } from "drizzle-orm";
import { kioskSessions } from "../../db/jlis/schema.ts";
import { preparedSelect } from "./prepared_select.ts";
import { openTestDatabase } from "./testing.ts";

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
      (d) =>
        d.select().from(kioskSessions).where(
          and(
            eq(kioskSessions.kioskId, sql.placeholder("kiosk")),
            sql`${kioskSessions.createdAt} <= ${sql.placeholder("at")}`,
          ),
        ).orderBy(asc(kioskSessions.id)),
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

Deno.test("preparedSelect() refuses a partial selection instead of mapping it wrongly", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  try {
    const partial = preparedSelect(
      kioskSessions,
      (d) => d.select({ id: kioskSessions.id }).from(kioskSessions),
    );
    await assert.rejects(partial(database.db, {}), TypeError);
  } finally {
    await database.close();
  }
});
