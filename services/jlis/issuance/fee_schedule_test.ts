import assert from "node:assert/strict";
import {
  DEFAULT_FEES,
  feeOn,
  type FeeScheduleEntry,
  feeScheduleInputSchema,
  scheduleProblems,
} from "./fee_schedule.ts";

const standing: FeeScheduleEntry = {
  type: "juminhyo",
  fee: 300,
  from: "2026-04-01",
  until: null,
};
const discount: FeeScheduleEntry = {
  type: "juminhyo",
  fee: 100,
  from: "2026-12-01",
  until: "2026-12-31",
};

Deno.test("feeOn(): the covering entry with the latest start; the default where none covers the day", () => {
  const entries = [discount, standing];
  assert.equal(feeOn(entries, "juminhyo", "2026-03-31"), DEFAULT_FEES.juminhyo);
  assert.equal(feeOn(entries, "juminhyo", "2026-04-01"), 300);
  assert.equal(feeOn(entries, "juminhyo", "2026-11-30"), 300);
  assert.equal(feeOn(entries, "juminhyo", "2026-12-01"), 100, "first day");
  assert.equal(feeOn(entries, "juminhyo", "2026-12-31"), 100, "last day");
  assert.equal(feeOn(entries, "juminhyo", "2027-01-01"), 300, "after it");
  assert.equal(feeOn(entries, "inkan", "2026-12-15"), DEFAULT_FEES.inkan);
  assert.equal(feeOn([], "juminhyo", "2026-12-15"), 200, "the default: 200");
  // A discount alone: the default before and after it.
  assert.equal(feeOn([discount], "juminhyo", "2027-01-01"), 200);
});

Deno.test("scheduleProblems(): an entry ending before its start, two of one type from one day", () => {
  assert.deepEqual(scheduleProblems([standing, discount]), []);
  assert.deepEqual(
    scheduleProblems([{ ...discount, until: "2026-11-30" }]),
    ["entry 1 ends before it starts"],
  );
  assert.deepEqual(
    scheduleProblems([standing, { ...standing, fee: 250 }]),
    ["entries 1 and 2 are both juminhyo from 2026-04-01"],
  );
  // The same day for two types is fine; a one-day entry is fine.
  assert.deepEqual(
    scheduleProblems([
      standing,
      { ...standing, type: "inkan" },
      { ...discount, until: discount.from },
    ]),
    [],
  );
});

Deno.test("feeScheduleInputSchema: whole yen from 0, real dates, known types; until defaults to open-ended", () => {
  const ok = feeScheduleInputSchema.parse({
    entries: [{ type: "inkan", fee: 0, from: "2028-02-29" }],
  });
  assert.deepEqual(ok.entries, [{
    type: "inkan",
    fee: 0,
    from: "2028-02-29",
    until: null,
  }]);
  for (
    const bad of [
      { type: "inkan", fee: -1, from: "2026-01-01" },
      { type: "inkan", fee: 1.5, from: "2026-01-01" },
      { type: "inkan", fee: 100_000, from: "2026-01-01" },
      { type: "inkan", fee: 100, from: "2027-02-29" },
      { type: "inkan", fee: 100, from: "2026/01/01" },
      { type: "koseki", fee: 100, from: "2026-01-01" },
      { type: "inkan", fee: 100, from: "2026-01-01", extra: 1 },
    ]
  ) {
    assert.equal(
      feeScheduleInputSchema.safeParse({ entries: [bad] }).success,
      false,
      JSON.stringify(bad),
    );
  }
});
