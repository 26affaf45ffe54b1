/**
 * Bad input at the center never becomes a 500 and changes nothing: a print
 * report naming a page the document does not have, and text no field may
 * hold in a kiosk's request.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { issuanceRequests } from "../db/jlis/schema.ts";
import { openIssuanceWorld } from "./support/issuance_world.ts";
import { TOKENS } from "./support/jlis_world.ts";
import type { KioskRefusal } from "../services/kiosk/kiosk.ts";

/** A fetch to the center that rewrites the JSON body of calls matching `path`. */
function rewriting(
  app: {
    request: (i: string, init?: RequestInit) => Response | Promise<Response>;
  },
  path: RegExp,
  edit: (body: Record<string, unknown>) => Record<string, unknown>,
) {
  return async (input: string, init?: RequestInit) => {
    if (path.test(new URL(input).pathname) && typeof init?.body === "string") {
      init = { ...init, body: JSON.stringify(edit(JSON.parse(init.body))) };
    }
    return await app.request(input, init);
  };
}

Deno.test("[e2e] a print report naming a page beyond the document is a 400, and the request stays unreported", async () => {
  const w = await openIssuanceWorld();
  try {
    const a = await w.moveIn("401005");
    const card = await w.issueCard("401005", a);
    await w.sync();
    const kiosk = w.kiosk({
      fetch: rewriting(w.jlis.apps[0], /\/outcome$/, () => ({ jammedPage: 7 })),
    });
    const r = await kiosk.run({ card, pin: "1234", type: "juminhyo" });
    assert.equal(r.ok, false);
    const refusal = r as KioskRefusal;
    assert.equal(refusal.stage, "outcome");
    assert.equal(refusal.status, 400);
    assert.equal(refusal.code, "JAMMED_PAGE_OUT_OF_RANGE");
    assert.ok(refusal.message_ja.length > 0);
    const db = w.jlis.databases[0].db;
    const rows = await db.select().from(issuanceRequests);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].state, "released", "nothing recorded");
    // The same request can still be reported correctly.
    const fixed = await w.jlis.apps[0].request(
      `http://jlis.test/kiosk/requests/${rows[0].requestId}/outcome`,
      {
        method: "POST",
        headers: {
          Authorization: `Bearer ${TOKENS.kiosk}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ jammedPage: null }),
      },
    );
    assert.equal(fixed.status, 200, await fixed.text());
    const [after] = await db.select().from(issuanceRequests).where(
      eq(issuanceRequests.requestId, rows[0].requestId),
    );
    assert.notEqual(after.state, "released");
  } finally {
    await w.close();
  }
});

Deno.test("[e2e] a print failure naming a page beyond the document, or beside a jam, is a 400, and the request stays unreported", async () => {
  const w = await openIssuanceWorld();
  try {
    const a = await w.moveIn("401005");
    const card = await w.issueCard("401005", a);
    await w.sync();
    const bad: [Record<string, unknown>, string][] = [
      [
        {
          jammedPage: null,
          printFailure: { page: 3, reason: "RENDER_FAILED" },
        },
        "FAILED_PAGE_OUT_OF_RANGE",
      ],
      [
        { jammedPage: 1, printFailure: { page: 1, reason: "WRITE_FAILED" } },
        "VALIDATION_FAILED",
      ],
      [
        { jammedPage: null, printFailure: { page: 1, reason: "ON_FIRE" } },
        "VALIDATION_FAILED",
      ],
    ];
    const db = w.jlis.databases[0].db;
    for (const [body, code] of bad) {
      const kiosk = w.kiosk({
        fetch: rewriting(w.jlis.apps[0], /\/outcome$/, () => body),
      });
      const r = await kiosk.run({ card, pin: "1234", type: "juminhyo" });
      assert.equal(r.ok, false, JSON.stringify(body));
      const refusal = r as KioskRefusal;
      assert.equal(refusal.stage, "outcome");
      assert.equal(refusal.status, 400);
      if (code !== "VALIDATION_FAILED") assert.equal(refusal.code, code);
    }
    const rows = await db.select().from(issuanceRequests);
    assert.equal(rows.length, bad.length);
    for (const row of rows) {
      assert.equal(row.state, "released", "nothing recorded");
    }
  } finally {
    await w.close();
  }
});

Deno.test("[e2e] NUL or a lone surrogate in a kiosk's member list is a 400 INVALID_TEXT, and no request is recorded", async () => {
  const w = await openIssuanceWorld();
  try {
    const a = await w.moveIn("401005");
    const card = await w.issueCard("401005", a);
    await w.sync();
    for (const bad of ["401005-\u0000", "\uD800"]) {
      const r = await w.kiosk().run({
        card,
        pin: "1234",
        type: "juminhyo",
        members: [bad],
      });
      assert.equal(r.ok, false);
      const refusal = r as KioskRefusal;
      assert.equal(refusal.stage, "certificate");
      assert.equal(refusal.status, 400);
      assert.equal(refusal.code, "INVALID_TEXT");
    }
    const rows = await w.jlis.databases[0].db.select().from(issuanceRequests);
    assert.equal(rows.length, 0);
  } finally {
    await w.close();
  }
});
