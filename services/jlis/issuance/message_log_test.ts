import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { rowsOf } from "../../../lib/db/database.ts";
import { openTestDatabase } from "../../../tests/support/test_database.ts";
import { createMessageLog, type MessageRow } from "./message_log.ts";
import { JLIS_MIGRATIONS } from "../../../tests/support/jlis_world.ts";

function row(i: number, over: Partial<MessageRow> = {}): MessageRow {
  return {
    at: new Date(Date.UTC(2026, 10, 26, 1, 0, 0, i)),
    direction: i % 2 ? "out" : "in",
    peer: "kiosk-0001",
    requestId: `req-${i}`,
    method: "POST",
    path: "/kiosk/sessions",
    status: i % 2 ? 201 : null,
    messageSha256: `sha-${i}`,
    ...over,
  };
}

Deno.test("message log: concurrent writes are grouped into few statements, each resolves after its rows are committed", async () => {
  const database = await openTestDatabase(JLIS_MIGRATIONS);
  try {
    let statements = 0;
    const counting = new Proxy(database.db, {
      get(target, p, receiver) {
        const v = Reflect.get(target, p, receiver);
        if (p === "execute") {
          return (...args: unknown[]) => {
            statements++;
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const log = createMessageLog(counting);
    const count = async () =>
      Number(
        (rowsOf(
          await database.db.execute(
            sql`select count(*)::int as n from message_log`,
          ),
        )[0] as { n: number }).n,
      );
    // 50 callers at once, two rows each.
    const done: number[] = [];
    await Promise.all(
      Array.from(
        { length: 50 },
        (_, i) =>
          log.write([row(2 * i), row(2 * i + 1)]).then(async () => {
            // When a write resolves, its rows are there.
            const ids = rowsOf(
              await database.db.execute(
                sql`select request_id from message_log where request_id in (${`req-${
                  2 * i
                }`}, ${`req-${2 * i + 1}`})`,
              ),
            );
            assert.equal(ids.length, 2);
            done.push(i);
          }),
      ),
    );
    assert.equal(done.length, 50);
    assert.equal(await count(), 100);
    assert.ok(statements <= 3, `${statements} statements for 50 writes`);
    assert.ok(statements >= 1);

    // A group that fails rejects every write in it and writes none of them;
    // the log goes on with the next group.
    const bad = row(1000, { status: "not a number" as unknown as number });
    const results = await Promise.allSettled([
      log.write([row(500)]),
      log.write([row(501), bad]),
      log.write([row(502)]),
    ]);
    assert.ok(results.some((r) => r.status === "rejected"));
    const after = await count();
    // Whatever was committed was committed whole: rows 500 and 502 may
    // have gone in the first group, never 501 without the bad row.
    const ids = rowsOf(
      await database.db.execute(
        sql`select request_id from message_log where request_id in ('req-500','req-501','req-502','req-1000')`,
      ),
    ).map((r) => (r as { request_id: string }).request_id).sort();
    assert.ok(!ids.includes("req-501") && !ids.includes("req-1000"));
    for (const [i, r] of results.entries()) {
      const id = `req-${500 + i}`;
      assert.equal(r.status === "fulfilled", ids.includes(id), id);
    }
    await log.write([row(600)]);
    assert.equal(await count(), after + 1);
    assert.equal(await log.write([]).then(() => "ok"), "ok");
  } finally {
    await database.close();
  }
});
