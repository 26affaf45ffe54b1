/**
 * Planners of household changes: 転居 (the household moves within the
 * municipality), 世帯分離 (a member starts a household), 世帯合併 (one
 * household joins another at the same address) and 世帯主変更 (a new
 * householder).
 *
 * @module
 */
import type { Household, Resident } from "../../../db/registry/schema.ts";
import { RegistryError } from "../errors.ts";
import {
  type ChangeSet,
  readHousehold,
  readMembers,
  readResident,
} from "../store.ts";
import {
  type EventOf,
  newId,
  notifiedOf,
  type Planner,
  requireFullyActive,
  requireHouseholdActive,
} from "./rules.ts";

/** Refuses relationships given for residents who are not among `members`. */
function requireMembers(
  members: Resident[],
  relationships: Record<string, string>,
): void {
  for (const id of Object.keys(relationships)) {
    if (!members.some((m) => m.id === id)) {
      throw new RegistryError("NOT_A_MEMBER", { residentId: id });
    }
  }
}

/**
 * 転居: every member of an active household moves to the new address.
 *
 * @example
 * ```ts ignore
 * await planTenkyo(p, cs, "401005", ev);
 * ```
 */
export const planTenkyo: Planner<"tenkyo"> = async (p, cs, code, ev) => {
  const h = await readHousehold(p, code, ev.householdId);
  requireHouseholdActive(h);
  const members = await readMembers(p, h.id);
  if (!members.length) {
    throw new RegistryError("HOUSEHOLD_NOT_ACTIVE", { householdId: h.id });
  }
  for (const m of members) requireFullyActive(m);
  const katagaki = ev.katagaki ?? null;
  cs.household(h, { ...h, address: ev.address, katagaki });
  for (const m of members) {
    cs.resident(m, {
      ...m,
      previousAddress: m.address,
      address: ev.address,
      katagaki,
      addressSetDate: ev.date,
      notifiedDate: notifiedOf(ev),
    });
  }
};

/**
 * 世帯分離: a member (not the householder) starts a household of their
 * own at the same address.
 *
 * @example
 * ```ts ignore
 * await planSetaiBunri(p, cs, "401005", ev);
 * ```
 */
export const planSetaiBunri: Planner<"setai_bunri"> = async (
  p,
  cs,
  code,
  ev,
) => {
  const r = await readResident(p, code, ev.residentId);
  requireFullyActive(r);
  const h = await readHousehold(p, code, r.householdId);
  if (h.householderId === r.id) {
    throw new RegistryError("HOUSEHOLDER_CANNOT_SEPARATE");
  }
  const hid = newId(code, "H");
  cs.household(null, {
    id: hid,
    municipalityCode: code,
    householderId: r.id,
    address: h.address,
    katagaki: h.katagaki,
    status: "active",
  });
  cs.resident(r, {
    ...r,
    householdId: hid,
    relationship: "世帯主",
    notifiedDate: notifiedOf(ev),
  });
};

/**
 * 世帯合併: every member of one household moves into another at the same
 * address, with a new relationship each; the first household is dissolved.
 *
 * @example
 * ```ts ignore
 * await planSetaiGappei(p, cs, "401005", ev);
 * ```
 */
export const planSetaiGappei: Planner<"setai_gappei"> = async (
  p,
  cs,
  code,
  ev,
) => {
  if (ev.householdId === ev.intoHouseholdId) {
    throw new RegistryError("SAME_HOUSEHOLD");
  }
  // Read in id order, whichever way the merge goes.
  const [first, second] = [ev.householdId, ev.intoHouseholdId].sort();
  const a = await readHousehold(p, code, first);
  const b = await readHousehold(p, code, second);
  const from = a.id === ev.householdId ? a : b;
  const into = a.id === ev.householdId ? b : a;
  requireSameAddress(from, into);
  const members = await readMembers(p, from.id);
  for (const m of members) moveMember(cs, m, into, ev);
  requireMembers(members, ev.relationships);
  cs.household(from, { ...from, status: "dissolved", householderId: null });
};

/** Both households active, at the same address and 方書. */
function requireSameAddress(from: Household, into: Household): void {
  requireHouseholdActive(from);
  requireHouseholdActive(into);
  if (
    from.address !== into.address ||
    (from.katagaki ?? "") !== (into.katagaki ?? "")
  ) {
    throw new RegistryError("ADDRESS_MISMATCH");
  }
}

/** One member of a 世帯合併 moves into `into` with their new relationship. */
function moveMember(
  cs: ChangeSet,
  m: Resident,
  into: Household,
  ev: EventOf<"setai_gappei">,
): void {
  requireFullyActive(m);
  const rel = ev.relationships[m.id];
  if (!rel) {
    throw new RegistryError("NOT_A_MEMBER", {
      residentId: m.id,
      missing: "relationship",
    });
  }
  cs.resident(m, {
    ...m,
    householdId: into.id,
    relationship: rel,
    notifiedDate: notifiedOf(ev),
  });
}

/**
 * 世帯主変更: an active member becomes the householder; the other members'
 * relationships change as given.
 *
 * @example
 * ```ts ignore
 * await planSetainushiHenko(p, cs, "401005", ev);
 * ```
 */
export const planSetainushiHenko: Planner<"setainushi_henko"> = async (
  p,
  cs,
  code,
  ev,
) => {
  const h = await readHousehold(p, code, ev.householdId);
  requireHouseholdActive(h);
  const members = await readMembers(p, h.id);
  const next = members.find((m) => m.id === ev.newHouseholderId);
  if (!next) {
    throw new RegistryError("NOT_A_MEMBER", {
      residentId: ev.newHouseholderId,
    });
  }
  requireFullyActive(next);
  if (h.householderId === next.id) {
    throw new RegistryError("ALREADY_HOUSEHOLDER");
  }
  requireMembers(members, ev.relationships ?? {});
  cs.household(h, { ...h, householderId: next.id });
  for (const m of members) {
    const rel = m.id === next.id ? "世帯主" : ev.relationships?.[m.id];
    if (rel && rel !== m.relationship) {
      cs.resident(m, { ...m, relationship: rel, notifiedDate: notifiedOf(ev) });
    }
  }
};
