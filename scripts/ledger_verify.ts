/**
 * Walks the center's issuance ledger (`npx -y deno@2.9.6 task ledger:verify`): recomputes
 * every entry's hash from the previous one and checks that the chain ends at
 * the recorded head. Exit 0 when intact, 1 naming the first entry that does
 * not fit (edited, removed, inserted or cut off).
 *
 * ```
 * npx -y deno@2.9.6 task ledger:verify    # the center's database (JLIS_DATABASE_URL, DATABASE_URL or ./data/jlis)
 * ```
 *
 * @module
 */
import { serviceDatabaseOptions } from "../lib/db/config.ts";
import { openDatabase } from "../lib/db/database.ts";
import { MIGRATIONS } from "../services/jlis/main.ts";
import { verifyLedger } from "../services/jlis/issuance/ledger.ts";
import { parseCli } from "../lib/service/cli.ts";

if (import.meta.main) {
  parseCli({
    task: "ledger:verify",
    usage: "",
    description:
      "Walks the center's hash-chained issuance ledger (JLIS_DATABASE_URL,\n" +
      "DATABASE_URL or ./data/jlis); exit 0 when intact, 1 naming the first bad entry.",
    options: {},
  });
  const database = await openDatabase(await serviceDatabaseOptions("jlis"));
  try {
    await database.migrate(MIGRATIONS);
    const started = performance.now();
    const v = await verifyLedger(database.db);
    const ms = Math.round(performance.now() - started);
    if (v.ok) {
      console.log(
        `ledger intact: ${v.entries} entries, head ${v.headSeq} ${v.headHash} (${ms} ms)`,
      );
    } else {
      console.error(
        `ledger BROKEN at entry ${v.seq}: ${v.problem} — ${v.detail} (${v.entries} entries read, ${ms} ms)`,
      );
      Deno.exitCode = 1;
    }
  } finally {
    await database.close();
  }
}
