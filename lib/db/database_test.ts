import assert from "node:assert/strict";
import { openTestDatabase } from "./testing.ts";
import { copyEscape, rowsOf } from "./database.ts";

const MIGRATIONS =
  new URL("../../db/migrations/registry", import.meta.url).pathname;

Deno.test("copyEscape escapes COPY text specials, nulls and bytes", () => {
  assert.equal(copyEscape(null), "\\N");
  assert.equal(copyEscape("a\tb\nc\\d"), "a\\tb\\nc\\\\d");
  assert.equal(copyEscape(new Uint8Array([0, 255])), "\\\\x00ff");
  assert.equal(copyEscape(true), "t");
  assert.equal(copyEscape("葛\u{E0100}"), "葛\u{E0100}");
});

Deno.test("copyRows loads rows byte for byte, and a refused batch fails instead of hanging", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  try {
    const n = await database.copyRows("municipalities", [
      "code",
      "name",
      "mayor",
      "print_my_number_at_kiosk",
    ], [
      ["401005", "北九州\t市", "市長\u{E000}", false],
      ["401307", "福岡市", "市長", true],
    ]);
    assert.equal(n, 2);
    await assert.rejects(
      database.copyRows("municipalities", ["code", "name", "mayor"], [[
        "401005",
        "dup",
        "dup",
      ]]),
    );
    const { sql } = await import("drizzle-orm");
    const r = await database.db.execute(
      sql`select name, mayor from municipalities order by code`,
    );
    const rows = rowsOf(r);
    assert.deepEqual(rows, [{ name: "北九州\t市", mayor: "市長\u{E000}" }, {
      name: "福岡市",
      mayor: "市長",
    }]);
  } finally {
    await database.close();
  }
});
