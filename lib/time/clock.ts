/**
 * Injectable clocks. Services take a `Clock` so that hours, holidays and
 * retention rules can be tested with a fake one.
 *
 * @module
 */

/** Something that tells the time. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that stands still until moved.
 *
 * @example
 * ```ts
 * const clock = fakeClock("2026-11-26T10:00:00+09:00");
 * clock.advance(60_000);
 * ```
 */
export function fakeClock(
  start: string | Date,
): Clock & { set(t: string | Date): void; advance(ms: number): void } {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (v) => {
      t = new Date(v).getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

const JST_OFFSET_MS = 9 * 3600_000;

/** The date in Japan (YYYY-MM-DD) at an instant. */
export function jstDate(at: Date): string {
  return new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Hours and minutes in Japan at an instant. */
export function jstTime(
  at: Date,
): { hour: number; minute: number; month: number; day: number } {
  const d = new Date(at.getTime() + JST_OFFSET_MS);
  return {
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
  };
}

/** An ISO 8601 string with the +09:00 offset. */
export function jstIso(at: Date): string {
  return new Date(at.getTime() + JST_OFFSET_MS).toISOString().replace(
    "Z",
    "+09:00",
  );
}

/** Age in whole years on a date (both YYYY-MM-DD). */
export function ageOn(birthDate: string, onDate: string): number {
  const [by, bm, bd] = birthDate.split("-").map(Number);
  const [y, m, d] = onDate.split("-").map(Number);
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age--;
  return age;
}

/**
 * A clock that runs from a chosen start: it reads `start` now and advances
 * as `base` (the system clock) does (demonstrations at any hour, a
 * benchmark pinned to a working morning).
 *
 * @example
 * ```ts
 * const clock = clockFrom(new Date("2026-11-26T10:00:00+09:00"));
 * ```
 */
export function clockFrom(start: Date, base: Clock = systemClock): Clock {
  const offset = start.getTime() - base.now().getTime();
  return { now: () => new Date(base.now().getTime() + offset) };
}
