/**
 * The kiosk service's opening hours: 06:30–23:00 Japan time every day,
 * closed from 29 December to 3 January. Checked against the injected clock
 * when a kiosk opens a session and again when it asks for a certificate.
 *
 * @module
 */
import { jstDate, jstTime } from "../../../lib/time/clock.ts";
import { JlisError } from "../errors.ts";

/** Why the service is closed at an instant, or null when open. */
export function closedReason(
  at: Date,
): "OUTSIDE_HOURS" | "YEAR_END_CLOSED" | null {
  const t = jstTime(at);
  if ((t.month === 12 && t.day >= 29) || (t.month === 1 && t.day <= 3)) {
    return "YEAR_END_CLOSED";
  }
  const minutes = t.hour * 60 + t.minute;
  if (minutes < 6 * 60 + 30 || minutes >= 23 * 60) return "OUTSIDE_HOURS";
  return null;
}

/**
 * Throws OUTSIDE_HOURS or YEAR_END_CLOSED when the service is closed.
 *
 * @example
 * ```ts ignore
 * assertOpen(clock.now());
 * ```
 */
export function assertOpen(at: Date): void {
  const reason = closedReason(at);
  if (reason) throw new JlisError(reason, { at: at.toISOString() });
}

/**
 * The first 10:00 Japan time after `at` on a day the service is open, as
 * ISO 8601 with its offset (what to set `JLIS_CLOCK_START` to for a
 * demonstration outside the hours).
 *
 * @example
 * ```ts
 * nextOpenMorning(new Date("2026-11-26T15:00:00Z")); // "2026-11-27T10:00:00+09:00"
 * ```
 */
export function nextOpenMorning(at: Date): string {
  for (let d = 0; d < 14; d++) {
    const day = jstDate(new Date(at.getTime() + d * 86_400_000));
    const candidate = `${day}T10:00:00+09:00`;
    const instant = new Date(candidate);
    if (instant > at && !closedReason(instant)) return candidate;
  }
  throw new Error("no open day within two weeks");
}
