/**
 * The kiosk service's opening hours: 06:30–23:00 Japan time every day,
 * closed from 29 December to 3 January. Checked against the injected clock
 * when a kiosk opens a session and again when it asks for a certificate.
 *
 * @module
 */
import { jstTime } from "../../lib/time/clock.ts";
import { JlisError } from "./errors.ts";

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
 * ```ts
 * assertOpen(clock.now());
 * ```
 */
export function assertOpen(at: Date): void {
  const reason = closedReason(at);
  if (reason) throw new JlisError(reason, { at: at.toISOString() });
}
