/**
 * The order of a household's members on a certificate (standard j1010,
 * written for 世帯連記式; 個票式 sheets follow it too): 世帯主, 配偶者, the
 * householder's children by birth date, then the children's families, then
 * 父母, 兄弟姉妹 and 祖父母, then other relatives, 縁故者 and 同居人.
 *
 * The group of a member comes from their 続柄 as the registry records it
 * (the notation of the 住民基本台帳事務処理要領: 妻, 子, 子の妻, 孫, 父, 兄, …),
 * looked up in {@link RELATIONSHIP_GROUPS}; a 続柄 not in the table is an
 * "other relative" (e.g. 叔父, 甥, 妻の父), ahead of 縁故者 and 同居人.
 *
 * @module
 */

/** Groups of j1010 in print order (lower prints first). */
export const MEMBER_GROUPS = {
  householder: 0,
  spouse: 1,
  child: 2,
  childFamily: 3,
  parent: 4,
  sibling: 5,
  grandparent: 6,
  otherRelative: 7,
  enko: 8,
  doukyonin: 9,
} as const;

/** One group of j1010. */
export type MemberGroup = keyof typeof MEMBER_GROUPS;

/**
 * 続柄 → group, for every 続柄 that is not an "other relative". The
 * householder is recognised by id, not by the 続柄 "世帯主" alone.
 *
 * @example
 * ```ts
 * RELATIONSHIP_GROUPS["子の妻"]; // "childFamily"
 * ```
 */
export const RELATIONSHIP_GROUPS: Readonly<Record<string, MemberGroup>> = {
  世帯主: "householder",
  妻: "spouse",
  夫: "spouse",
  未届の妻: "spouse",
  未届の夫: "spouse",
  子: "child",
  妻の子: "child",
  夫の子: "child",
  子の妻: "childFamily",
  子の夫: "childFamily",
  孫: "childFamily",
  孫の妻: "childFamily",
  孫の夫: "childFamily",
  ひ孫: "childFamily",
  父: "parent",
  母: "parent",
  兄: "sibling",
  姉: "sibling",
  弟: "sibling",
  妹: "sibling",
  祖父: "grandparent",
  祖母: "grandparent",
  縁故者: "enko",
  同居人: "doukyonin",
};

/** What ordering needs of a member. */
export interface OrderableMember {
  id: string;
  /** 続柄 as recorded (世帯主, 妻, 子, …). */
  relationship: string;
  /** ISO date. */
  birthDate: string;
}

/**
 * The j1010 group of a member.
 *
 * @example
 * ```ts
 * memberGroup({ id: "a", relationship: "叔父", birthDate: "1950-01-01" }, "h"); // "otherRelative"
 * ```
 */
export function memberGroup(
  m: OrderableMember,
  householderId: string | null,
): MemberGroup {
  if (m.id === householderId) return "householder";
  const g = RELATIONSHIP_GROUPS[m.relationship.trim()];
  // A second "世帯主" (stale data) is not the householder: an other relative.
  return !g || g === "householder" ? "otherRelative" : g;
}

/**
 * Orders members per j1010: by group, within a group by birth date (the
 * elder first), then by id so that the order is stable. Returns a new array.
 *
 * @example
 * ```ts ignore
 * householdOrder(members, householderId).map((m) => m.relationship);
 * // ["世帯主", "妻", "子", "子", "子の妻", "孫", "母", "同居人"]
 * ```
 */
export function householdOrder<T extends OrderableMember>(
  members: readonly T[],
  householderId: string | null,
): T[] {
  const rank = (m: T) => MEMBER_GROUPS[memberGroup(m, householderId)];
  return [...members].sort((a, b) =>
    rank(a) - rank(b) || a.birthDate.localeCompare(b.birthDate) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
