/**
 * In-memory token buckets, one per client key, on an injected clock: each
 * bucket holds up to `capacity` tokens and refills at `perMinute` tokens a
 * minute; a verification takes one. The least recently used buckets are
 * dropped beyond `maxKeys`, so a flood of addresses cannot exhaust memory.
 *
 * @module
 */
import type { Clock } from "../../lib/time/clock.ts";

/** Options of {@linkcode createRateLimiter}. */
export interface RateLimiterOptions {
  /** Burst size. */
  capacity: number;
  /** Sustained rate. */
  perMinute: number;
  clock: Clock;
  /** Most buckets kept (default 10,000). */
  maxKeys?: number;
}

/** Result of taking a token. */
export type RateDecision =
  | { ok: true; remaining: number }
  | { ok: false; retryAfterSeconds: number };

/** A set of token buckets. */
export interface RateLimiter {
  /** Takes one token (or `cost`) from `key`'s bucket. */
  take(key: string, cost?: number): RateDecision;
}

/**
 * Creates a token-bucket rate limiter.
 *
 * @example
 * ```ts ignore
 * const limiter = createRateLimiter({ capacity: 10, perMinute: 6, clock: systemClock });
 * if (!limiter.take("anon:1f2e").ok) { ... 429 ... }
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { capacity, perMinute, clock } = options;
  if (!(capacity >= 1) || !(perMinute > 0)) {
    throw new RangeError(
      `Rate limiter needs capacity ≥ 1 and perMinute > 0, got ${capacity}, ${perMinute}`,
    );
  }
  const maxKeys = options.maxKeys ?? 10_000;
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, cost = 1) {
      const now = clock.now().getTime();
      const b = buckets.get(key) ?? { tokens: capacity, at: now };
      buckets.delete(key); // re-inserted below: Map order is recency
      b.tokens = Math.min(capacity, b.tokens + Math.max(0, now - b.at) * perMs);
      b.at = now;
      buckets.set(key, b);
      if (buckets.size > maxKeys) {
        buckets.delete(buckets.keys().next().value!);
      }
      if (b.tokens >= cost) {
        b.tokens -= cost;
        return { ok: true, remaining: Math.floor(b.tokens) };
      }
      return {
        ok: false,
        retryAfterSeconds: Math.max(
          1,
          Math.ceil((cost - b.tokens) / perMs / 1000),
        ),
      };
    },
  };
}
