import assert from "node:assert/strict";
import { openTestDatabase } from "../../../tests/support/test_database.ts";
import { MIGRATIONS } from "../main.ts";
import {
  acknowledgeIncident,
  type FailureInput,
  INCIDENT_KINDS,
  isHalted,
  listIncidents,
  recordFailure,
  recordIncident,
} from "./incidents.ts";

const policy = { threshold: 3, windowMs: 60_000 };
const t0 = new Date("2026-11-26T01:00:00Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);

function failure(s: number, over: Partial<FailureInput> = {}): FailureInput {
  return {
    at: at(s),
    kind: "ASP_TIMEOUT",
    municipalityCode: "401005",
    requestId: `req-${s}`,
    kioskId: "kiosk-0001",
    aspNode: "asp-1",
    ...over,
  };
}

Deno.test("repeated failures: threshold within the window per tenant and kind opens one incident; acknowledged, the next run may open another", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  const db = database.db;
  try {
    // Two long ago, outside the window: they do not count.
    assert.equal(await recordFailure(db, failure(0), policy), null);
    assert.equal(await recordFailure(db, failure(1), policy), null);
    assert.equal(await recordFailure(db, failure(100), policy), null);
    assert.equal(await recordFailure(db, failure(110), policy), null);
    // Another kind and another tenant count apart.
    assert.equal(
      await recordFailure(
        db,
        failure(111, { kind: "ASP_UNAVAILABLE" }),
        policy,
      ),
      null,
    );
    assert.equal(
      await recordFailure(
        db,
        failure(112, { municipalityCode: "401307" }),
        policy,
      ),
      null,
    );
    const third = await recordFailure(db, failure(120), policy);
    assert.equal(third?.opened, true);
    const fourth = await recordFailure(db, failure(121), policy);
    assert.deepEqual(fourth, { id: third!.id, opened: false });
    const rows = await listIncidents(db);
    assert.deepEqual(rows.map((r) => [r.kind, r.requestId]), [[
      "REPEATED_ASP_TIMEOUT",
      "req-120",
    ]]);
    // Repeated failures do not halt the tenant.
    assert.equal(await isHalted(db, "401005"), false);

    await acknowledgeIncident(db, third!.id, {
      by: "ops",
      reason: "link repaired",
      at: at(130),
    });
    const again = await recordFailure(db, failure(131), policy);
    assert.equal(again?.opened, true);
    assert.notEqual(again!.id, third!.id);
    assert.equal(
      (await listIncidents(db, { municipalityCode: "401307" })).length,
      0,
    );
  } finally {
    await database.close();
  }
});

Deno.test("incident catalogue: a kind that halts halts; a once-per-tenant kind joins the open one", async () => {
  const database = await openTestDatabase(MIGRATIONS);
  const db = database.db;
  try {
    const input = {
      at: t0,
      municipalityCode: "401005",
      requestId: "req-1",
      kioskId: "kiosk-0001",
      aspNode: "asp-1",
      details: {},
    };
    const a = await recordIncident(db, {
      ...input,
      kind: "BUILD_DIGEST_MISMATCH",
    });
    const b = await recordIncident(db, {
      ...input,
      kind: "BUILD_DIGEST_MISMATCH",
    });
    assert.deepEqual([a.opened, b.opened, b.id], [true, false, a.id]);
    assert.equal(await isHalted(db, "401005"), true);
    // Kinds recorded per occurrence open one each.
    const c = await recordIncident(db, { ...input, kind: "SUBJECT_MISMATCH" });
    const d = await recordIncident(db, { ...input, kind: "SUBJECT_MISMATCH" });
    assert.notEqual(c.id, d.id);
    for (const [kind, e] of Object.entries(INCIDENT_KINDS)) {
      assert.ok(e.operator.length > 10, kind);
    }
    await assert.rejects(
      () => acknowledgeIncident(db, 424242, { by: "ops", reason: "x", at: t0 }),
      /INCIDENT_NOT_FOUND|incident/i,
    );
  } finally {
    await database.close();
  }
});
