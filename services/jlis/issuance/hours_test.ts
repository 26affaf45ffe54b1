import assert from "node:assert/strict";
import { closedReason, nextOpenMorning } from "./hours.ts";

Deno.test("closedReason(): open 06:30–23:00 JST, closed 29 Dec – 3 Jan", () => {
  const at = (s: string) => closedReason(new Date(s));
  assert.equal(at("2026-11-26T06:29:59+09:00"), "OUTSIDE_HOURS");
  assert.equal(at("2026-11-26T06:30:00+09:00"), null);
  assert.equal(at("2026-11-26T22:59:59+09:00"), null);
  assert.equal(at("2026-11-26T23:00:00+09:00"), "OUTSIDE_HOURS");
  assert.equal(at("2026-11-26T14:00:00Z"), "OUTSIDE_HOURS"); // 23:00 JST
  assert.equal(at("2026-12-28T22:00:00+09:00"), null);
  assert.equal(at("2026-12-29T10:00:00+09:00"), "YEAR_END_CLOSED");
  assert.equal(at("2027-01-01T10:00:00+09:00"), "YEAR_END_CLOSED");
  assert.equal(at("2027-01-03T22:59:00+09:00"), "YEAR_END_CLOSED");
  assert.equal(at("2027-01-04T06:30:00+09:00"), null);
});

Deno.test("nextOpenMorning(): the first open 10:00 JST after an instant", () => {
  const next = (s: string) => nextOpenMorning(new Date(s));
  assert.equal(next("2026-11-26T05:00:00+09:00"), "2026-11-26T10:00:00+09:00");
  assert.equal(next("2026-11-26T10:00:00+09:00"), "2026-11-27T10:00:00+09:00");
  assert.equal(next("2026-11-26T23:30:00+09:00"), "2026-11-27T10:00:00+09:00");
  assert.equal(next("2026-11-26T15:30:00Z"), "2026-11-27T10:00:00+09:00");
  assert.equal(next("2026-12-28T23:30:00+09:00"), "2027-01-04T10:00:00+09:00");
});
