/**
 * The center on an ASP's reconciliation halt (issue 15, item 4): the node's
 * live reconciliation finds a field dropped in its replica and halts the
 * municipality there; the node's signed REPLICA_MISMATCH refusal makes the
 * center withhold, record a REPLICA_MISMATCH incident naming the field and
 * the person id (no personal data) and halt the municipality at the center
 * too, so operators see it in one place.
 */
import assert from "node:assert/strict";
import { type SQL, sql } from "drizzle-orm";
import { incidents, tenantHalts } from "../db/jlis/schema.ts";
import { createReconciler } from "../services/asp/reconciliation.ts";
import type { KioskRefusal } from "../services/kiosk/kiosk.ts";
import { registryFetch } from "./support/asp_world.ts";
import {
  type IssuanceWorld,
  openIssuanceWorld,
} from "./support/issuance_world.ts";

const NAME = "照合　花子";

/**
 * The ASP node serving `code`: a reconciler of its replica against the
 * registry, and a change made behind the replication's back.
 */
function nodeOf(w: IssuanceWorld, code: string) {
  const node = w.nodes.find((n) => n.codes.includes(code))!;
  return {
    reconciler: createReconciler({
      tenancy: node.asp.tenancy,
      registryUrl: "http://registry.test",
      token: "asp-token",
      fetch: registryFetch(w.reg),
      clock: node.asp.clock,
      logger: node.asp.logger,
      metrics: node.asp.metrics,
    }),
    tamper: (query: SQL) =>
      node.asp.tenancy.withTenant(code, async (tx) => {
        await tx.execute(query);
      }),
  };
}

Deno.test("center: an ASP's REPLICA_MISMATCH refusal becomes an incident naming the field and the person, and halts the municipality", async () => {
  const w = await openIssuanceWorld();
  try {
    const applicant = await w.moveIn("401005", { name: NAME });
    const other = await w.moveIn("401005", { name: "照合　次郎" });
    const card = await w.issueCard("401005", applicant);
    await w.sync();
    const { reconciler, tamper } = nodeOf(w, "401005");
    assert.equal((await reconciler.run("401005")).outcome, "clean");
    await tamper(
      sql`update residents set household_id = household_id || '0' where id = ${other}`,
    );
    const run = await reconciler.run("401005");
    assert.equal(run.outcome, "mismatch");

    const r = await w.kiosk().run({ card, pin: "1234", type: "juminhyo" });
    assert.equal(r.ok, false);
    assert.equal((r as KioskRefusal).code, "ISSUANCE_WITHHELD");
    const db = w.jlis.databases[0].db;
    const [incident] = await db.select().from(incidents);
    assert.equal(incident.kind, "REPLICA_MISMATCH");
    assert.equal(incident.municipalityCode, "401005");
    const details = incident.details as {
      seq: number;
      differences: { subject: string; kind: string; field: string }[];
    };
    assert.equal(details.seq, run.seq);
    assert.deepEqual(
      details.differences.map((d) => [d.subject, d.kind, d.field]),
      [[other, "resident", "householdId"]],
    );
    assert.ok(!JSON.stringify(incident).includes("照合"));
    const [halt] = await db.select().from(tenantHalts);
    assert.equal(halt.municipalityCode, "401005");
    assert.equal(halt.resumedAt, null);
    const again = await w.kiosk().run({ card, pin: "1234", type: "juminhyo" });
    assert.equal((again as KioskRefusal).code, "TENANT_HALTED");
  } finally {
    await w.close();
  }
});

Deno.test("center: the household list on a halted node's REPLICA_MISMATCH records the incident and halts too", async () => {
  const w = await openIssuanceWorld();
  try {
    const applicant = await w.moveIn("401005", { name: NAME });
    const card = await w.issueCard("401005", applicant);
    await w.sync();
    const { reconciler, tamper } = nodeOf(w, "401005");
    await tamper(
      sql`update residents set status = 'active', removal_date = '2020-01-01' where id = ${applicant}`,
    );
    assert.equal((await reconciler.run("401005")).outcome, "mismatch");
    const kiosk = w.kiosk();
    const s = await kiosk.authenticate(card, "1234");
    if (!s.ok) assert.fail(`refused: ${s.code}`);
    const h = await kiosk.household(s);
    assert.equal((h as KioskRefusal).code, "TENANT_HALTED");
    const db = w.jlis.databases[0].db;
    const [incident] = await db.select().from(incidents);
    assert.equal(incident.kind, "REPLICA_MISMATCH");
    const details = incident.details as {
      differences: { subject: string; field: string }[];
    };
    assert.deepEqual(
      details.differences.map((d) => [d.subject, d.field]),
      [[applicant, "removalDate"]],
    );
    const [halt] = await db.select().from(tenantHalts);
    assert.equal(halt.municipalityCode, "401005");
  } finally {
    await w.close();
  }
});
