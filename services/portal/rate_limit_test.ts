import assert from "node:assert/strict";
import { fakeClock } from "../../lib/time/clock.ts";
import { createRateLimiter } from "./rate_limit.ts";

Deno.test("createRateLimiter() allows a burst, then refills at the sustained rate", () => {
  const clock = fakeClock("2026-12-01T10:00:00+09:00");
  const limiter = createRateLimiter({ capacity: 3, perMinute: 6, clock });
  for (let i = 0; i < 3; i++) assert.equal(limiter.take("a").ok, true);
  assert.deepEqual(limiter.take("a"), { ok: false, retryAfterSeconds: 10 });
  assert.equal(limiter.take("b").ok, true, "buckets are per key");
  clock.advance(10_000);
  assert.equal(limiter.take("a").ok, true);
  assert.equal(limiter.take("a").ok, false);
  clock.advance(3_600_000);
  assert.deepEqual(
    limiter.take("a"),
    { ok: true, remaining: 2 },
    "never above capacity",
  );
});

Deno.test("createRateLimiter() forgets the least recently used keys beyond maxKeys", () => {
  const clock = fakeClock("2026-12-01T10:00:00+09:00");
  const limiter = createRateLimiter({
    capacity: 1,
    perMinute: 1,
    clock,
    maxKeys: 2,
  });
  limiter.take("a");
  limiter.take("b");
  limiter.take("c"); // evicts a
  assert.equal(limiter.take("a").ok, true, "a starts afresh");
  assert.equal(limiter.take("c").ok, false);
});

Deno.test("createRateLimiter() refuses nonsense options", () => {
  const clock = fakeClock("2026-12-01T10:00:00+09:00");
  assert.throws(
    () => createRateLimiter({ capacity: 0, perMinute: 1, clock }),
    RangeError,
  );
  assert.throws(
    () => createRateLimiter({ capacity: 1, perMinute: 0, clock }),
    RangeError,
  );
});
