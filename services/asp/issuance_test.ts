import assert from "node:assert/strict";
import { blockActive } from "./issuance.ts";
import type { ReplicaBlock } from "./replica.ts";

function block(over: Partial<ReplicaBlock>): ReplicaBlock {
  return {
    id: "401005-B1",
    residentId: "401005-R1",
    reason: "support_measure",
    startDate: "2026-11-01",
    endDate: null,
    liftedAt: null,
    ...over,
  };
}

Deno.test("blockActive(): in force from its start to its end, until lifted", () => {
  const today = "2026-11-26";
  assert.equal(blockActive(block({}), today), true);
  assert.equal(blockActive(block({ startDate: "2026-11-27" }), today), false);
  assert.equal(blockActive(block({ endDate: "2026-11-26" }), today), true);
  assert.equal(blockActive(block({ endDate: "2026-11-25" }), today), false);
  assert.equal(
    blockActive(block({ liftedAt: "2026-11-20T10:00:00+09:00" }), today),
    false,
  );
});

Deno.test("blockActive(): fails closed on a block whose end is before its start (in force until lifted)", () => {
  const today = "2026-11-26";
  const bad = block({ startDate: "2026-11-20", endDate: "2026-11-10" });
  assert.equal(blockActive(bad, today), true);
  assert.equal(
    blockActive(
      block({ startDate: "2026-12-20", endDate: "2026-12-10" }),
      today,
    ),
    true,
  );
  assert.equal(
    blockActive({ ...bad, liftedAt: "2026-11-25T10:00:00+09:00" }, today),
    false,
  );
});
