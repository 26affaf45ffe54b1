/**
 * What every planner of a change event (異動) shares: its signature and the
 * status rules several events check.
 *
 * @module
 */
import type { Household, Resident } from "../../../db/registry/schema.ts";
import { RegistryError } from "../errors.ts";
import type { EventInput } from "../event_schemas.ts";
import type { ChangeSet, PlanDb } from "../store.ts";

/** An event type (異動事由). */
export type EventType = EventInput["type"];

/** The event of one type. */
export type EventOf<T extends EventType> = Extract<EventInput, { type: T }>;

/**
 * Plans one event of type `T`: reads what its rules need through `p`,
 * refuses with a RegistryError, and records its changes in `cs`.
 *
 * @example
 * ```ts ignore
 * const planShibou: Planner<"shibou"> = async (p, cs, code, ev) => {
 *   const r = await readResident(p, code, ev.residentId);
 *   cs.resident(r, { ...r, status: "removed" });
 * };
 * ```
 */
export type Planner<T extends EventType> = (
  p: PlanDb,
  cs: ChangeSet,
  municipalityCode: string,
  ev: EventOf<T>,
) => Promise<void>;

/**
 * The 届出日 of an event: as given, else its 異動日 (a 職権 change has no
 * notification of its own).
 *
 * @example
 * ```ts
 * notifiedOf({ date: "2026-11-20" }); // "2026-11-20"
 * ```
 */
export function notifiedOf(
  ev: { date: string; notifiedDate?: string },
): string {
  return ev.notifiedDate ?? ev.date;
}

/**
 * A fresh row id: the municipality code, a prefix and 12 hex digits.
 *
 * @example
 * ```ts
 * newId("401005", "H"); // "401005-H3f9c0a1b2d4e"
 * ```
 */
export function newId(code: string, prefix: string): string {
  const hex = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  return `${code}-${prefix}${hex}`;
}

/**
 * Refuses a removed resident (除票).
 *
 * @example
 * ```ts ignore
 * requireActive(r); // throws RESIDENT_REMOVED when r.status is "removed"
 * ```
 */
export function requireActive(r: Resident): void {
  if (r.status === "removed") {
    throw new RegistryError("RESIDENT_REMOVED", { residentId: r.id });
  }
}

/**
 * Refuses a resident who is removed or moving out.
 *
 * @example
 * ```ts ignore
 * requireFullyActive(r); // throws RESIDENT_NOT_ACTIVE when r.status is "moving_out"
 * ```
 */
export function requireFullyActive(r: Resident): void {
  requireActive(r);
  if (r.status !== "active") {
    throw new RegistryError("RESIDENT_NOT_ACTIVE", {
      residentId: r.id,
      status: r.status,
    });
  }
}

/**
 * Refuses a dissolved household.
 *
 * @example
 * ```ts ignore
 * requireHouseholdActive(h); // throws HOUSEHOLD_NOT_ACTIVE unless h.status is "active"
 * ```
 */
export function requireHouseholdActive(h: Household): void {
  if (h.status !== "active") {
    throw new RegistryError("HOUSEHOLD_NOT_ACTIVE", { householdId: h.id });
  }
}
