/**
 * Deterministic randomness for the seed generator: a small fast PRNG (sfc32),
 * weighted tables, and bijective permutations that turn a counter into
 * random-looking but collision-free numbers (個人番号, 住民票コード, card serials).
 *
 * Nothing here reads the clock or `Math.random`: the same seed gives the same
 * sequence on every machine.
 *
 * @module
 */

/**
 * A seeded pseudo-random generator (sfc32, 128-bit state).
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * rng.int(6); // 0..5, the same on every run
 * ```
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** Seeds from one or more integers (e.g. the seed and a municipality code). */
  constructor(...seeds: number[]) {
    let h = 0x9e3779b9;
    const mix = () => {
      h = (h + 0x9e3779b9) | 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    for (const s of seeds) {
      h ^= Math.imul((s | 0) ^ Math.floor(s / 4294967296), 0x27d4eb2d);
      mix();
    }
    this.#a = mix();
    this.#b = mix();
    this.#c = mix();
    this.#d = mix() | 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Next unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi] (both inclusive). */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }
}

/**
 * A table to draw items from with fixed relative weights.
 *
 * @example
 * ```ts
 * const sizes = new WeightedTable([[1, 38], [2, 28], [3, 16]]);
 * sizes.pick(new Rng(1)); // 1, 2 or 3
 * ```
 */
export class WeightedTable<T> {
  readonly items: readonly T[];
  readonly #cumulative: Float64Array;
  readonly #total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    if (entries.length === 0) {
      throw new RangeError("WeightedTable needs at least one entry");
    }
    this.items = entries.map((e) => e[0]);
    this.#cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, w], i) => {
      if (!(w >= 0)) {
        throw new RangeError(`WeightedTable weight ${w} at ${i} is not ≥ 0`);
      }
      sum += w;
      this.#cumulative[i] = sum;
    });
    if (sum <= 0) throw new RangeError("WeightedTable weights sum to 0");
    this.#total = sum;
  }

  /** Draws one item. */
  pick(rng: Rng): T {
    const u = rng.float() * this.#total;
    const c = this.#cumulative;
    let lo = 0, hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}

function mix32(x: number, key: number, round: number): number {
  let h = (x ^ Math.imul(key + 0x632be5ab, 0x9e3779b1) ^
    Math.imul(round + 1, 0x85ebca6b)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A bijection of [0, 10^digits) onto itself (digits ≤ 15): a four-round
 * Feistel network on a square domain just above 10^digits, with cycle
 * walking back into range. Distinct inputs always give distinct outputs, so
 * counters become unique, random-looking numbers.
 *
 * @example
 * ```ts
 * scrambleDecimal(1, 11) !== scrambleDecimal(2, 11); // true, always
 * ```
 */
export function scrambleDecimal(x: number, digits: number, key = 0): number {
  if (!(digits >= 1 && digits <= 15 && Number.isInteger(digits))) {
    throw new RangeError(
      `scrambleDecimal supports 1..15 digits, not ${digits}`,
    );
  }
  const m = 10 ** digits;
  if (!(x >= 0 && x < m && Number.isInteger(x))) {
    throw new RangeError(
      `scrambleDecimal input ${x} is outside [0, 10^${digits})`,
    );
  }
  const n = Math.ceil(Math.sqrt(m));
  let y = x;
  do {
    let l = Math.floor(y / n), r = y % n;
    for (let round = 0; round < 4; round++) {
      const t = (l + (mix32(r, key, round) % n)) % n;
      l = r;
      r = t;
    }
    y = l * n + r;
  } while (y >= m);
  return y;
}

/**
 * Formats a non-negative integer with leading zeros.
 *
 * @example
 * ```ts
 * pad(42, 5); // "00042"
 * ```
 */
export function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}
