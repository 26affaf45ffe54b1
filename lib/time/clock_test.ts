import assert from "node:assert/strict";
import { clockFrom, fakeClock } from "./clock.ts";

Deno.test("clockFrom(): reads the start now, then advances as its base does", () => {
  const base = fakeClock("2026-11-26T15:55:00Z");
  const clock = clockFrom(new Date("2026-11-27T10:00:00+09:00"), base);
  assert.equal(clock.now().toISOString(), "2026-11-27T01:00:00.000Z");
  base.advance(90_000);
  assert.equal(clock.now().toISOString(), "2026-11-27T01:01:30.000Z");
});
