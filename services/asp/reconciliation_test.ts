import assert from "node:assert/strict";
import {
  describeDifferences,
  fieldPlan,
  STORED_FORMS,
} from "./reconciliation.ts";
import {
  BLOCK_FIELDS,
  CARD_FIELDS,
  HOUSEHOLD_FIELDS,
  RESIDENT_CLEAR,
  RESIDENT_ENCRYPTED,
  SEAL_FIELDS,
} from "./replica.ts";

Deno.test("fieldPlan(): every field the replica keeps is compared (個人番号 only when kept)", () => {
  const plan = fieldPlan({ printMyNumber: true });
  const feedName = (s: { field: string; from?: string }) => s.from ?? s.field;
  assert.deepEqual(plan.resident.map(feedName), [
    ...RESIDENT_CLEAR,
    ...RESIDENT_ENCRYPTED,
  ]);
  assert.deepEqual(plan.household.map(feedName), [...HOUSEHOLD_FIELDS]);
  // The submitted seal image is not kept: its print and compact versions are.
  assert.deepEqual(
    plan.seal.map(feedName),
    SEAL_FIELDS.filter((f) => f !== "impressionPng"),
  );
  assert.deepEqual(plan.block.map(feedName), [...BLOCK_FIELDS]);
  assert.deepEqual(plan.card.map(feedName), [...CARD_FIELDS]);
  assert.ok(
    !fieldPlan({ printMyNumber: false }).resident.some((s) =>
      s.field === "myNumber"
    ),
  );
  // A stored form names only fields the replica keeps.
  for (const [kind, forms] of Object.entries(STORED_FORMS)) {
    for (const f of Object.keys(forms ?? {})) {
      assert.ok(
        plan[kind as keyof typeof plan].some((s) => feedName(s) === f),
        `${kind}.${f}`,
      );
    }
  }
});

Deno.test("describeDifferences(): fields and ids, capped", () => {
  const diffs = Array.from({ length: 25 }, (_, i) => ({
    subject: `401005-${i}`,
    kind: "resident" as const,
    key: `401005-${i}`,
    field: "address",
  }));
  const text = describeDifferences(7, diffs);
  assert.match(text, /seq 7: resident\.address of 401005-0;/);
  assert.match(text, /\(\+5 more\)$/);
});
