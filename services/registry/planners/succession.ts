/**
 * The householder's death (世帯主の死亡): in the 死亡 event itself, a
 * remaining member becomes 世帯主 — the only one automatically, else the one
 * the event names — and every other member's 続柄 is re-expressed relative
 * to the new householder where the registry can derive it
 * ({@linkcode relationshipToNewHouseholder}); where it cannot, the event
 * must give it. A household left with nobody is dissolved.
 *
 * @module
 */
import type { Household, Resident } from "../../../db/registry/schema.ts";
import { RegistryError } from "../errors.ts";
import {
  type ChangeSet,
  type PlanDb,
  readHousehold,
  readMembers,
} from "../store.ts";
import { type EventOf, requireActive } from "./rules.ts";

/** 続柄 that say nothing of kinship: kept as they are. */
const UNRELATED = new Set(["同居人", "縁故者"]);

/** Kin of both spouses alike: the surviving spouse's household keeps them. */
const KEPT_UNDER_SPOUSE = new Set([
  "子",
  "孫",
  "子の妻",
  "子の夫",
  "孫の妻",
  "孫の夫",
]);

type Derive = (member: Resident, next: Resident) => string | null;

/** The new householder's 続柄 to the deceased → how a member's 続柄 is re-expressed. */
const RULES: Record<string, Derive> = {
  // The surviving spouse: the couple's children stay 子; the deceased's
  // parents become 夫の父 / 妻の母; the survivor's own parents, 父 / 母.
  妻: (m) => underSpouse(m, "夫", "妻"),
  夫: (m) => underSpouse(m, "妻", "夫"),
  // A child of the deceased: the surviving spouse is their 母 / 父, the
  // deceased's other children their 兄・姉・弟・妹, the deceased's parents
  // their 祖父 / 祖母.
  子: (m, next) => {
    if (m.relationship === "妻") return "母";
    if (m.relationship === "夫") return "父";
    if (m.relationship === "父") return "祖父";
    if (m.relationship === "母") return "祖母";
    if (m.relationship === "子") return sibling(m, next);
    return null;
  },
};

function underSpouse(
  m: Resident,
  deceased: "夫" | "妻",
  survivor: "夫" | "妻",
): string | null {
  if (KEPT_UNDER_SPOUSE.has(m.relationship)) return m.relationship;
  if (m.relationship === "父" || m.relationship === "母") {
    return `${deceased}の${m.relationship}`;
  }
  if (m.relationship === `${survivor}の父`) return "父";
  if (m.relationship === `${survivor}の母`) return "母";
  return null;
}

/** 兄・姉・弟・妹 by birth date and sex; null for the same birth date. */
function sibling(m: Resident, next: Resident): string | null {
  if (m.birthDate === next.birthDate) return null;
  const elder = m.birthDate < next.birthDate;
  if (m.sex === "male") return elder ? "兄" : "弟";
  return elder ? "姉" : "妹";
}

/**
 * A member's 続柄 to the new householder, derived from both one's 続柄 to
 * the deceased householder; null when the registry cannot tell (e.g. a 孫
 * under a new householder who is a 子: their child, or a sibling's?).
 *
 * @example
 * ```ts ignore
 * relationshipToNewHouseholder(son, widow); // "子" (widow was 妻)
 * ```
 */
export function relationshipToNewHouseholder(
  member: Resident,
  next: Resident,
): string | null {
  if (UNRELATED.has(member.relationship)) return member.relationship;
  return RULES[next.relationship]?.(member, next) ?? null;
}

/**
 * Plans the household side of a resident's death: when the deceased is the
 * householder, the successor becomes 世帯主 and the others' 続柄 follow;
 * when nobody remains, the household is dissolved. Refuses
 * NEW_HOUSEHOLDER_REQUIRED, NOT_A_MEMBER, RELATIONSHIP_REQUIRED and
 * NEW_HOUSEHOLDER_NOT_NEEDED.
 *
 * @example
 * ```ts ignore
 * await planSuccession(p, cs, "401005", deceased, ev);
 * ```
 */
export async function planSuccession(
  p: PlanDb,
  cs: ChangeSet,
  code: string,
  deceased: Resident,
  ev: EventOf<"shibou">,
): Promise<void> {
  const h = await readHousehold(p, code, deceased.householdId);
  if (h.householderId !== deceased.id) {
    if (ev.newHouseholderId || ev.relationships) {
      throw new RegistryError("NEW_HOUSEHOLDER_NOT_NEEDED", {
        residentId: deceased.id,
      });
    }
    return;
  }
  const remaining = (await readMembers(p, h.id)).filter((m) =>
    m.id !== deceased.id
  );
  if (!remaining.length) {
    if (ev.newHouseholderId) {
      throw new RegistryError("NOT_A_MEMBER", {
        residentId: ev.newHouseholderId,
      });
    }
    if (h.status === "active") cs.household(h, { ...h, status: "dissolved" });
    return;
  }
  const next = successor(remaining, ev);
  succeed(cs, h, next, remaining, ev);
}

/** The new householder: the one named, or the only one remaining. */
function successor(remaining: Resident[], ev: EventOf<"shibou">): Resident {
  if (!ev.newHouseholderId) {
    if (remaining.length > 1) {
      throw new RegistryError("NEW_HOUSEHOLDER_REQUIRED", {
        members: remaining.map((m) => m.id),
      });
    }
    return remaining[0];
  }
  const next = remaining.find((m) => m.id === ev.newHouseholderId);
  if (!next) {
    throw new RegistryError("NOT_A_MEMBER", {
      residentId: ev.newHouseholderId,
    });
  }
  requireActive(next);
  return next;
}

/** Records the new householder and every member's new 続柄. */
function succeed(
  cs: ChangeSet,
  h: Household,
  next: Resident,
  remaining: Resident[],
  ev: EventOf<"shibou">,
): void {
  const given = ev.relationships ?? {};
  for (const id of Object.keys(given)) {
    if (id === next.id || !remaining.some((m) => m.id === id)) {
      throw new RegistryError("NOT_A_MEMBER", { residentId: id });
    }
  }
  const changes: [Resident, string][] = [[next, "世帯主"]];
  const unknown: string[] = [];
  for (const m of remaining) {
    if (m.id === next.id) continue;
    const rel = given[m.id] ?? relationshipToNewHouseholder(m, next);
    if (rel === null) unknown.push(m.id);
    else changes.push([m, rel]);
  }
  if (unknown.length) {
    throw new RegistryError("RELATIONSHIP_REQUIRED", { members: unknown });
  }
  cs.household(h, { ...h, householderId: next.id });
  for (const [m, rel] of changes) {
    if (rel !== m.relationship) {
      // Only the 続柄: the member's own 届出日 (of their address) stays.
      cs.resident(m, { ...m, relationship: rel });
    }
  }
}
