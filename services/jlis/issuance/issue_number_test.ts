import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { rowsOf } from "../../../lib/db/database.ts";
import {
  formatIssueNumber,
  municipalityOfIssueNumber,
  parseIssueNumber,
} from "../../../lib/contracts/issue_number.ts";
import { openTestDatabase } from "../../../tests/support/test_database.ts";
import { MIGRATIONS } from "../main.ts";
import { furtherIssueNumbers, issueNumberSql } from "./issue_number.ts";

Deno.test("issueNumberSql() makes what formatIssueNumber() writes (the kiosk's odd characters too), each with its own serial", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  try {
    for (
      const kioskId of [
        "kiosk-0001",
        "店舗 1/A",
        "kiosk-with-a-very-long-id-01",
      ]
    ) {
      const [row] = rowsOf<{ n: string }>(
        await database.db.execute(sql`select ${
          issueNumberSql({
            date: "2026-11-26",
            municipalityCode: sql`${"401005"}::text`,
            kioskId: sql`${kioskId}::text`,
          })
        } as n`),
      );
      const serial = Number(parseIssueNumber(row.n)!.serial);
      assert.equal(
        row.n,
        formatIssueNumber({
          date: "2026-11-26",
          municipalityCode: "401005",
          terminal: kioskId,
          serial,
        }),
      );
      assert.equal(municipalityOfIssueNumber(row.n), "401005");
    }
  } finally {
    await database.close();
  }
});

Deno.test("furtherIssueNumbers(): each further copy its own number, same date, municipality, terminal and printer", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  try {
    const first = formatIssueNumber({
      date: "2026-11-26",
      municipalityCode: "401307",
      terminal: "kiosk-0002",
      serial: 0,
    });
    const more = await furtherIssueNumbers(database.db, first, 3);
    const again = await furtherIssueNumbers(database.db, first, 2);
    const all = [first, ...more, ...again];
    assert.equal(new Set(all).size, all.length);
    const serials = [...more, ...again].map((n) => {
      const p = parseIssueNumber(n)!;
      assert.deepEqual(
        [p.form, p.date, p.municipalityCode, p.terminal, p.printer],
        ["standard", "20261126", "401307", "kiosk-0002", "01"],
      );
      return Number(p.serial);
    });
    // in order, from the center's one sequence
    assert.deepEqual(serials, [...serials].sort((a, b) => a - b));
    assert.deepEqual(await furtherIssueNumbers(database.db, first, 0), []);
    await assert.rejects(
      furtherIssueNumbers(database.db, "401307-20261126-0000001", 1),
      RangeError,
    );
  } finally {
    await database.close();
  }
});
