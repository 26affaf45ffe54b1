import assert from "node:assert/strict";
import { quoteFee } from "./fee_quote.ts";

Deno.test("quoteFee(): 個票式 is a certificate per person, 世帯連記式 one for the chosen members, one person one either way", () => {
  assert.deepEqual(
    quoteFee({ fee: 300, persons: 3, copies: 2, householdFormat: "kohyo" }),
    { basis: "kohyo", certificatesPerCopy: 3, total: 1800 },
  );
  assert.deepEqual(
    quoteFee({ fee: 300, persons: 3, copies: 2, householdFormat: "renki" }),
    { basis: "renki", certificatesPerCopy: 1, total: 600 },
  );
  for (const householdFormat of ["kohyo", "renki", undefined] as const) {
    assert.deepEqual(
      quoteFee({ fee: 200, persons: 1, copies: 3, householdFormat }),
      { basis: "single", certificatesPerCopy: 1, total: 600 },
    );
  }
});

Deno.test("quoteFee(): several people with the format unknown are quoted as unknown (the least: one per copy)", () => {
  assert.deepEqual(
    quoteFee({ fee: 200, persons: 2, copies: 1 }),
    { basis: "unknown", certificatesPerCopy: 1, total: 200 },
  );
  assert.deepEqual(
    quoteFee({
      fee: 200,
      persons: undefined,
      copies: 2,
      householdFormat: "kohyo",
    }),
    { basis: "unknown", certificatesPerCopy: 1, total: 400 },
  );
});
