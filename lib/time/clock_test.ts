import assert from "node:assert/strict";
import { clockFrom } from "./clock.ts";

Deno.test("clockFrom(): reads the start now, then runs in real time", async () => {
  const start = new Date("2026-11-27T10:00:00+09:00");
  const clock = clockFrom(start);
  const first = clock.now().getTime();
  assert.ok(Math.abs(first - start.getTime()) < 1000);
  await new Promise((r) => setTimeout(r, 30));
  const later = clock.now().getTime() - first;
  assert.ok(later >= 25 && later < 5000, `advanced ${later} ms`);
});
