import assert from "node:assert/strict";
import {
  compareRecordDigests,
  type FieldPlan,
  parseReconcileResponse,
  rangeDigests,
  type ReconcileRecord,
  recordDigests,
  splitRange,
  WHOLE_RECORD,
  withoutRetired,
} from "./reconciliation.ts";

const PLAN: FieldPlan = {
  resident: [{ field: "name" }, { field: "isForeign", rule: "boolean" }],
  household: [{ field: "householderId" }],
  seal: [],
  block: [{ field: "liftedAt", rule: "instant" }],
  card: [{ field: "active", from: "unlinkedAt", rule: "absent" }],
};
const NONCE = "0123456789abcdef0123";

function resident(id: string, data: Record<string, unknown>): ReconcileRecord {
  return { kind: "resident", key: id, subject: id, data: { id, ...data } };
}

Deno.test("rangeDigests(): the source's feed values through the rules equal the replica's stored values", async () => {
  const source: ReconcileRecord[] = [
    resident("a", { name: "x" }),
    {
      kind: "block",
      key: "b1",
      subject: "a",
      data: { liftedAt: "2026-11-26 01:00:00+00" },
    },
    { kind: "card", key: "S1", subject: "a", data: { unlinkedAt: null } },
  ];
  const replica: ReconcileRecord[] = [
    resident("a", { name: "x", isForeign: false }),
    {
      kind: "block",
      key: "b1",
      subject: "a",
      data: { liftedAt: "2026-11-26T01:00:00.000Z" },
    },
    { kind: "card", key: "S1", subject: "a", data: { active: true } },
  ];
  const all = [{ from: null, to: null }];
  assert.deepEqual(
    await rangeDigests(source, all, PLAN, NONCE, "source"),
    await rangeDigests(replica, all, PLAN, NONCE, "replica"),
  );
  replica[2].data.active = false;
  assert.notDeepEqual(
    await rangeDigests(source, all, PLAN, NONCE, "source"),
    await rangeDigests(replica, all, PLAN, NONCE, "replica"),
  );
});

Deno.test("recordDigests() + compareRecordDigests(): name the field and the record present on one side only", async () => {
  const all = [{ from: null, to: null }];
  const a = await recordDigests(
    [resident("a", { name: "x" }), resident("b", { name: "y" })],
    all,
    PLAN,
    NONCE,
    "source",
  );
  const b = await recordDigests(
    [resident("a", { name: "z", isForeign: false })],
    all,
    PLAN,
    NONCE,
    "replica",
  );
  assert.deepEqual(compareRecordDigests(a.records, b.records), [
    { subject: "a", kind: "resident", key: "a", field: "name" },
    { subject: "b", kind: "resident", key: "b", field: WHOLE_RECORD },
  ]);
  // Digests depend on the nonce: no answer is reusable by another run.
  const c = await recordDigests(
    [resident("a", { name: "x" })],
    all,
    PLAN,
    "another-nonce-000000",
    "source",
  );
  assert.notEqual(c.records[0].fields.name, a.records[0].fields.name);
});

Deno.test("splitRange(): parts at the replica's ids, covering the range", () => {
  const ids = ["a", "b", "c", "d", "e", "f", "g", "h"];
  const parts = splitRange({ from: null, to: null }, ids, 4);
  assert.deepEqual(parts, [
    { from: null, to: "c" },
    { from: "c", to: "e" },
    { from: "e", to: "g" },
    { from: "g", to: null },
  ]);
  assert.deepEqual(splitRange({ from: "c", to: "d" }, ids, 4), [
    { from: "c", to: "d" },
  ]);
});

Deno.test("withoutRetired(): leaves out residents removed by the cutoff, their records, and households left without others", () => {
  const recs: ReconcileRecord[] = [
    resident("a", {
      householdId: "h1",
      status: "removed",
      removalDate: "2020-01-01",
    }),
    resident("b", {
      householdId: "h2",
      status: "removed",
      removalDate: "2020-01-01",
    }),
    resident("c", { householdId: "h2", status: "active", removalDate: null }),
    { kind: "household", key: "h1", subject: "h1", data: {} },
    { kind: "household", key: "h2", subject: "h2", data: {} },
    { kind: "seal", key: "s1", subject: "a", data: {} },
  ];
  assert.deepEqual(
    withoutRetired(recs, "2021-11-26").map((r) => r.key),
    ["c", "h2"],
  );
  assert.equal(withoutRetired(recs, "2019-12-31").length, recs.length);
});

Deno.test("parseReconcileResponse(): refuses an answer without ranges", () => {
  assert.throws(() => parseReconcileResponse({ municipalityCode: "401005" }));
});
