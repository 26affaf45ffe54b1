import assert from "node:assert/strict";
import { openTestDatabase } from "../../tests/support/test_database.ts";
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

Deno.test({
  name:
    "PostgreSQL: parameterized statements are prepared once per connection (in and out of transactions), long parameter lists are not",
  // PGlite has no wire protocol and no statement cache to check.
  ignore: !Deno.env.get("TEST_DATABASE_URL"),
  fn: async () => {
    const database = await openTestDatabase(MIGRATIONS);
    try {
      const { sql } = await import("drizzle-orm");
      // One connection: the statements and the check see the same session.
      await database.db.transaction(async (tx) => {
        for (const code of ["401005", "401307", "401005"]) {
          await tx.execute(
            sql`select ${code}::text as prepared_probe_in_tx`,
          );
        }
        const ids = Array.from({ length: 40 }, (_, i) => `id-${i}`);
        await tx.execute(
          sql`select 1 as long_list_probe where 'x' in (${
            sql.join(ids.map((i) => sql`${i}`), sql`, `)
          })`,
        );
        const n = (like: string) =>
          tx.execute(
            sql`select count(*)::int as n from pg_prepared_statements where statement like ${like}`,
          ).then((r) => (rowsOf(r)[0] as { n: number }).n);
        assert.equal(await n("%prepared_probe_in_tx%"), 1);
        assert.equal(await n("%long_list_probe%"), 0);
      });
    } finally {
      await database.close();
    }
  },
});
