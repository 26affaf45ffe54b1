/**
 * The issuance rules over the replica: freshness of the tenant, and the
 * state of a person and their household (removed, deceased, move-out filed,
 * blocks active today, moved in today, age). Everything fails closed: an
 * unknown block reason blocks, a replica whose head was not seen recently is
 * stale.
 *
 * @module
 */
import type { Tx } from "../../lib/db/database.ts";
import { ageOn, jstDate } from "../../lib/time/clock.ts";
import type { Tenant } from "../../db/asp/schema.ts";
import type { AspCode } from "./errors.ts";
import {
  normalizeInstant,
  readBlocks,
  readHousehold,
  readHouseholdMembers,
  readResident,
  type ReplicaBlock,
  type ReplicaResident,
} from "./replica.ts";
import { type Tenancy, type TenantScope, writeAudit } from "./tenancy.ts";
import { personalDataRead, type ReadAuditContext } from "./read_audit.ts";

/** Why a replica is not fresh (see {@linkcode freshnessOf}). */
export const STALENESS_REASONS = [
  "sync_stopped",
  "record_not_heard",
  "behind_head",
  "head_not_seen",
] as const;

/** How fresh a tenant's replica is. */
export interface Freshness {
  fresh: boolean;
  /** Why it is not fresh. */
  reason?: typeof STALENESS_REASONS[number];
  syncState: string;
  appliedSeq: number;
  headSeq: number;
  headSeenAt: string | null;
}

/**
 * Freshness of a tenant at `now` (the ASP's clock): stale when its sync is
 * stopped, when the municipality's record (its name and mayor: what the
 * forms print) was never heard from its registry, when it is more than `stalenessMaxEvents` (default 0) behind the
 * head it last heard, or when it heard nothing from the registry — no
 * events, no heartbeat — within `stalenessMaxSeconds` (default 5; the feed
 * sends a heartbeat every second): the worker is down, or the link is cut or
 * silently stalled, and the replica cannot know what it misses. The time
 * heard is the ASP's own, taken on receipt; one in the future by more than
 * the bound (the clock stepped back) counts as not heard.
 *
 * @example
 * ```ts ignore
 * if (!freshnessOf(tenant, clock.now()).fresh) throw new AspError("REPLICA_STALE");
 * ```
 */
export function freshnessOf(t: Tenant, now: Date): Freshness {
  const appliedSeq = Number(t.appliedSeq);
  const headSeq = Number(t.headSeq);
  const base = {
    syncState: t.syncState,
    appliedSeq,
    headSeq,
    headSeenAt: t.headSeenAt,
  };
  if (t.syncState !== "running") {
    return { ...base, fresh: false, reason: "sync_stopped" };
  }
  if (t.name === null || t.mayor === null) {
    return { ...base, fresh: false, reason: "record_not_heard" };
  }
  if (headSeq - appliedSeq > t.stalenessMaxEvents) {
    return { ...base, fresh: false, reason: "behind_head" };
  }
  const seen = t.headSeenAt ? Date.parse(normalizeInstant(t.headSeenAt)!) : NaN;
  const bound = t.stalenessMaxSeconds * 1000;
  const age = now.getTime() - seen;
  if (Number.isNaN(seen) || age > bound || age < -bound) {
    return { ...base, fresh: false, reason: "head_not_seen" };
  }
  return { ...base, fresh: true };
}

/**
 * Whether a block is in force on a date. Fails closed: a block whose dates
 * contradict each other (end before start) is in force until it is lifted.
 */
export function blockActive(b: ReplicaBlock, today: string): boolean {
  if (b.liftedAt) return false;
  if (b.endDate && b.endDate < b.startDate) return true;
  if (b.startDate > today) return false;
  return !b.endDate || b.endDate >= today;
}

const BLOCK_CODES: Record<string, AspCode> = {
  support_measure: "SUPPORT_MEASURE",
  opt_out: "OPT_OUT",
  municipal: "BLOCKED",
};
const BLOCK_ORDER = ["support_measure", "municipal", "opt_out"];

/**
 * The same-day rule: a change the registry processed today (処理日) reaches
 * kiosks tomorrow, for the event types the municipality's policy names
 * (`sameDayEventTypes`, comma-separated; null: every type). A record the
 * registry stamped with no 処理日 (written before it was carried) falls back
 * to its 住民となった日.
 *
 * @example
 * ```ts ignore
 * changedToday(resident, "2026-11-26", "tennyu,tenkyo");
 * ```
 */
export function changedToday(
  r: ReplicaResident,
  today: string,
  sameDayEventTypes: string | null,
): boolean {
  if (!r.processedDate) return r.becameResidentDate === today;
  if (r.processedDate < today) return false;
  if (sameDayEventTypes === null) return true;
  const held = new Set(sameDayEventTypes.split(","));
  return (r.processedTypes ?? "").split(",").some((t) => held.has(t));
}

/** A refusal with the person it concerns. */
export interface Refusal {
  code: AspCode;
  details: Record<string, unknown>;
}

/**
 * Why a person cannot appear on a certificate today, or null.
 *
 * @example
 * ```ts ignore
 * const refusal = personRefusal(resident, blocks, "2026-11-26", tenant.sameDayEventTypes);
 * ```
 */
export function personRefusal(
  r: ReplicaResident,
  blocks: ReplicaBlock[],
  today: string,
  sameDayEventTypes: string | null = null,
): Refusal | null {
  const details = { residentId: r.id };
  if (r.status === "removed") {
    return {
      code: r.removalReason === "死亡" ? "DECEASED" : "RESIDENT_REMOVED",
      details,
    };
  }
  if (r.status !== "active") {
    return { code: "MOVE_OUT_FILED", details: { ...details, scope: "person" } };
  }
  const active = blocks.filter((b) =>
    b.residentId === r.id && blockActive(b, today)
  );
  if (active.length) {
    const reasons = active.map((b) => b.reason);
    const first = BLOCK_ORDER.find((x) => reasons.includes(x));
    return { code: first ? BLOCK_CODES[first] : "BLOCKED", details };
  }
  if (changedToday(r, today, sameDayEventTypes)) {
    return { code: "CHANGED_TODAY", details };
  }
  return null;
}

/** One member of the applicant's household as the rules see it. */
export interface MemberState {
  residentId: string;
  status: string;
  isHouseholder: boolean;
  /** Refusal code if this member cannot be printed today. */
  refusal: AspCode | null;
}

/** The result of an issuance check. */
export interface IssuanceCheck {
  allowed: boolean;
  refusal?: Refusal;
  /** The replica sequence the check read. */
  replicaSeq: number;
  freshness: Freshness;
  applicant?: {
    residentId: string;
    status: string;
    deceased: boolean;
    /** A change processed today holds the record until tomorrow (the same-day rule). */
    changedToday: boolean;
    age: number;
    under15: boolean;
    /** Reasons of blocks in force today. */
    blocks: string[];
  };
  household?: {
    householdId: string;
    householderId: string | null;
    /** The householder has filed a move-out (the household's move-out). */
    householdMoveOutFiled: boolean;
    members: MemberState[];
  };
}

/** Everything the rules read for one applicant, inside a tenant transaction. */
export interface ApplicantView {
  tenant: Tenant;
  freshness: Freshness;
  today: string;
  applicant: ReplicaResident | null;
  members: ReplicaResident[];
  householderId: string | null;
  blocks: ReplicaBlock[];
}

/** Reads the applicant, the household and their blocks (the tenant row shared-locked). */
export async function readApplicantView(
  tx: Tx,
  t: TenantScope,
  residentId: string,
  now: Date,
): Promise<ApplicantView> {
  // Independent reads go out together (pipelined on the connection); the
  // directory row's share lock is still the first statement.
  const [tenant, applicant] = await Promise.all([
    t.state({ lock: "share" }),
    readResident(tx, t.cipher, residentId),
  ]);
  const freshness = freshnessOf(tenant, now);
  const today = jstDate(now);
  if (!applicant) {
    return {
      tenant,
      freshness,
      today,
      applicant,
      members: [],
      householderId: null,
      blocks: [],
    };
  }
  const [members, household] = await Promise.all([
    readHouseholdMembers(tx, t.cipher, applicant.householdId),
    readHousehold(tx, applicant.householdId),
  ]);
  const ids = [...new Set([applicant.id, ...members.map((m) => m.id)])];
  const blocks = await readBlocks(tx, t.cipher, ids);
  return {
    tenant,
    freshness,
    today,
    applicant,
    members,
    householderId: household?.householderId ?? null,
    blocks,
  };
}

/**
 * What a halted tenant's refusal tells the center: when, at which sequence,
 * and which fields of which person ids differ (never a value).
 */
export function haltDetails(t: Tenant): Record<string, unknown> {
  const d = (t.haltDetails ?? {}) as Record<string, unknown>;
  return { haltedAt: t.haltedAt, ...d };
}

/** The applicant-level refusal of a view (halt, then freshness), or null. */
export function applicantRefusal(v: ApplicantView): Refusal | null {
  if (v.tenant.haltedAt) {
    // Reconciliation found the replica wrong: nothing it holds is printed.
    return { code: "REPLICA_MISMATCH", details: haltDetails(v.tenant) };
  }
  if (!v.freshness.fresh) {
    return {
      code: "REPLICA_STALE",
      details: {
        reason: v.freshness.reason,
        appliedSeq: v.freshness.appliedSeq,
        headSeq: v.freshness.headSeq,
      },
    };
  }
  if (!v.applicant) return null;
  const own = personRefusal(
    v.applicant,
    v.blocks,
    v.today,
    v.tenant.sameDayEventTypes,
  );
  if (own) return own;
  const householder = v.members.find((m) => m.id === v.householderId);
  if (householder && householder.status === "moving_out") {
    return {
      code: "MOVE_OUT_FILED",
      details: { residentId: v.applicant.id, scope: "household" },
    };
  }
  if (ageOn(v.applicant.birthDate, v.today) < 15) {
    return { code: "UNDER_15", details: { residentId: v.applicant.id } };
  }
  return null;
}

/**
 * The household move-out rule of a certificate printing `subjects`, or null:
 * under the municipality's strict policy a certificate of more than the
 * applicant themself is refused while any member of the household has
 * filed a move-out (転出予定); the applicant's own certificate still issues.
 * Lenient: nothing beyond the person rules (a printed member's own move-out,
 * the householder's — see {@linkcode applicantRefusal}).
 *
 * @example
 * ```ts ignore
 * const r = householdMoveOutRefusal(view, subjects);
 * ```
 */
export function householdMoveOutRefusal(
  v: ApplicantView,
  subjects: ReplicaResident[],
): Refusal | null {
  if (v.tenant.householdMoveOutPolicy === "lenient" || !v.applicant) {
    return null;
  }
  const applicantId = v.applicant.id;
  if (subjects.every((s) => s.id === applicantId)) return null;
  if (!v.members.some((m) => m.status === "moving_out")) return null;
  return {
    code: "MOVE_OUT_FILED",
    details: { residentId: applicantId, scope: "household_member" },
  };
}

/**
 * Checks whether a resident may be issued a certificate now, and returns
 * the rules data the center needs.
 *
 * @example
 * ```ts ignore
 * const check = await issuanceCheck(tenancy, "401005", residentId, clock.now(), who);
 * if (!check.allowed) console.log(check.refusal?.code);
 * ```
 */
export async function issuanceCheck(
  tenancy: Tenancy,
  code: string,
  residentId: string,
  now: Date,
  who?: ReadAuditContext,
): Promise<IssuanceCheck> {
  return await tenancy.withTenant(code, async (tx, t) => {
    const v = await readApplicantView(tx, t, residentId, now);
    const replicaSeq = Number(v.tenant.appliedSeq);
    const refusal = applicantRefusal(v);
    if (who) {
      const read = v.applicant
        ? [v.applicant.id, ...v.members.map((m) => m.id)]
        : [residentId];
      await writeAudit(
        tx,
        personalDataRead(who, "issuance.check", code, read, {
          outcome: refusal?.code ??
            (v.applicant ? "ok" : "RESIDENT_NOT_FOUND"),
          details: { replicaSeq },
        }),
      );
    }
    if (!v.applicant) {
      return {
        allowed: false,
        refusal: refusal ??
          { code: "RESIDENT_NOT_FOUND", details: { residentId } },
        replicaSeq,
        freshness: v.freshness,
      };
    }
    const a = v.applicant;
    const age = ageOn(a.birthDate, v.today);
    return {
      allowed: !refusal,
      ...(refusal ? { refusal } : {}),
      replicaSeq,
      freshness: v.freshness,
      applicant: {
        residentId: a.id,
        status: a.status,
        deceased: a.status === "removed" && a.removalReason === "死亡",
        changedToday: changedToday(a, v.today, v.tenant.sameDayEventTypes),
        age,
        under15: age < 15,
        blocks: v.blocks.filter((b) =>
          b.residentId === a.id && blockActive(b, v.today)
        ).map((b) => b.reason),
      },
      household: {
        householdId: a.householdId,
        householderId: v.householderId,
        householdMoveOutFiled: v.members.some((m) =>
          m.id === v.householderId && m.status === "moving_out"
        ),
        members: v.members.map((m) => ({
          residentId: m.id,
          status: m.status,
          isHouseholder: m.id === v.householderId,
          refusal: personRefusal(
            m,
            v.blocks,
            v.today,
            v.tenant.sameDayEventTypes,
          )?.code ?? null,
        })),
      },
    };
  });
}
