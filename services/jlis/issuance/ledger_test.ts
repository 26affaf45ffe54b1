import assert from "node:assert/strict";
import { openTestDatabase } from "../../../tests/support/test_database.ts";
import { parseLedgerFeedPage } from "../../../lib/contracts/ledger_feed.ts";
import { MIGRATIONS } from "../main.ts";
import { appendLedger, municipalLedgerPage, verifyLedger } from "./ledger.ts";

Deno.test("appendLedger() numbers an entry in its municipality's feed by the issue number, of j1040's form and of the old one", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  const db = database.db;
  try {
    const at = new Date("2026-11-26T01:00:00Z");
    const numbers = [
      "401005-20261126-0000001", // before j1040's form
      "20261126-401307-kiosk-0001-01-0000002",
      "20261126-401005-kiosk-0002-01-0000003",
    ];
    for (const [i, issueNumber] of numbers.entries()) {
      await appendLedger(db, {
        at,
        kind: "issued",
        issueNumber,
        requestId: `req-${i}`,
        data: {},
      });
    }
    const page = (code: string) => municipalLedgerPage(db, code, 0, 10);
    const kita = parseLedgerFeedPage(await page("401005"));
    assert.deepEqual(
      kita.entries.map((e) => [e.seq, e.ledgerSeq, e.issueNumber]),
      [[1, 1, numbers[0]], [2, 3, numbers[2]]],
    );
    assert.equal(kita.head, 2);
    const fuku = parseLedgerFeedPage(await page("401307"));
    assert.deepEqual(fuku.entries.map((e) => e.issueNumber), [numbers[1]]);
    assert.equal((await verifyLedger(db)).ok, true);
  } finally {
    await database.close();
  }
});
