/**
 * An ASP answer that does not match the center↔ASP contract
 * (lib/contracts/center_asp.ts) is refused cleanly: nothing is released,
 * the kiosk gets ISSUANCE_WITHHELD, and a MALFORMED_ANSWER incident halts
 * the tenant — never a crash on a half-read answer.
 *
 * @module
 */
import assert from "node:assert/strict";
import { incidents, issuanceRequests } from "../db/jlis/schema.ts";
import { ONE_NODE, openIssuanceWorld } from "./support/issuance_world.ts";
import type { KioskRefusal } from "../services/kiosk/kiosk.ts";

const CODE = "401005";

Deno.test("[e2e] a malformed build answer from the ASP is withheld as MALFORMED_ANSWER, never used", async () => {
  const corrupt: ((body: Record<string, unknown>) => void)[] = [];
  const w = await openIssuanceWorld({
    nodes: ONE_NODE,
    // The node itself answers wrongly: it signs what it sends.
    transport: (_id, t, resign) => async (input, init) => {
      const res = await t(input, init);
      const fault = corrupt.shift();
      if (!fault || !/\/certificates$/.test(input) || res.status !== 201) {
        return res;
      }
      const body = await res.json();
      fault(body);
      return await resign(input, init, 201, JSON.stringify(body), res);
    },
  });
  try {
    const id = await w.moveIn(CODE);
    const card = await w.issueCard(CODE, id);
    await w.sync();
    // A sheet whose subject lost its sex and whose page is text.
    corrupt.push((body) => {
      const [sheet] = body.sheets as Record<string, unknown>[];
      delete (sheet.subject as Record<string, unknown>).sex;
      sheet.page = "1";
    });
    const r = await w.kiosk().run({ card, pin: "1234", type: "juminhyo" });
    assert.equal(r.ok, false);
    const refusal = r as KioskRefusal;
    assert.equal(refusal.code, "ISSUANCE_WITHHELD", refusal.message_en);
    assert.ok(refusal.message_ja.length > 5);
    const db = w.jlis.databases[0].db;
    const [incident] = await db.select().from(incidents);
    assert.equal(incident.kind, "MALFORMED_ANSWER");
    assert.match(
      String((incident.details as { error?: string }).error),
      /The ASP's build answer is malformed: .*sheets\.0\./,
    );
    const requests = await db.select().from(issuanceRequests);
    assert.deepEqual(requests.map((q) => q.state), ["withheld"]);
  } finally {
    await w.close();
  }
});
