/**
 * Planners of a resident leaving: 転出予定 (notice of moving out), 転出確定
 * (the move confirmed: removed) and 死亡 (death: removed). A removal cancels
 * the resident's active seal registrations; 転出確定 also ends the
 * resident's card links (the card is carried on by the new municipality,
 * 継続利用, and the registry's center pusher tells the center the holder
 * moved out).
 *
 * @module
 */
import { and, eq, isNull } from "drizzle-orm";
import { cardLinks } from "../../../db/registry/schema.ts";
import { RegistryError } from "../errors.ts";
import {
  type ChangeSet,
  type PlanDb,
  readActiveSeals,
  readResident,
} from "../store.ts";
import { planSuccession } from "./succession.ts";
import {
  notifiedOf,
  type Planner,
  requireActive,
  requireFullyActive,
} from "./rules.ts";

/** Cancels every active seal registration of a removed resident. */
async function cancelSeals(
  p: PlanDb,
  cs: ChangeSet,
  residentId: string,
  date: string,
  reason: string,
): Promise<void> {
  for (const s of await readActiveSeals(p, residentId)) {
    cs.seal(s, {
      ...s,
      status: "cancelled",
      endedDate: date,
      endReason: reason,
    });
  }
}

/**
 * Ends every active card link of a resident who moved out (each link read
 * is checked at commit like any other).
 */
async function unlinkCards(
  p: PlanDb,
  cs: ChangeSet,
  residentId: string,
  date: string,
): Promise<void> {
  const links = await p.db.select().from(cardLinks).where(
    and(eq(cardLinks.residentId, residentId), isNull(cardLinks.unlinkedAt)),
  );
  for (const l of links) {
    if (!p.reads.cards.has(l.serial)) p.reads.cards.set(l.serial, l);
    cs.card(l, { ...l, unlinkedAt: `${date}T00:00:00+09:00` });
  }
}

/**
 * 転出予定: an active resident is marked as moving out.
 *
 * @example
 * ```ts ignore
 * await planTenshutsuYotei(p, cs, "401005", ev);
 * ```
 */
export const planTenshutsuYotei: Planner<"tenshutsu_yotei"> = async (
  p,
  cs,
  code,
  ev,
) => {
  const r = await readResident(p, code, ev.residentId);
  requireFullyActive(r);
  cs.resident(r, {
    ...r,
    status: "moving_out",
    plannedMoveOutDate: ev.plannedDate,
    destinationAddress: ev.destinationAddress,
    notifiedDate: notifiedOf(ev),
  });
};

/**
 * 転出確定: a resident moving out is removed on the planned date; their card
 * links end that day.
 *
 * @example
 * ```ts ignore
 * await planTenshutsuKakutei(p, cs, "401005", ev);
 * ```
 */
export const planTenshutsuKakutei: Planner<"tenshutsu_kakutei"> = async (
  p,
  cs,
  code,
  ev,
) => {
  const r = await readResident(p, code, ev.residentId);
  requireActive(r);
  if (r.status !== "moving_out") {
    throw new RegistryError("RESIDENT_NOT_MOVING_OUT", {
      residentId: r.id,
    });
  }
  cs.resident(r, {
    ...r,
    status: "removed",
    removalReason: "転出",
    removalDate: r.plannedMoveOutDate ?? ev.date,
  });
  await cancelSeals(p, cs, r.id, ev.date, "転出");
  await unlinkCards(p, cs, r.id, r.plannedMoveOutDate ?? ev.date);
};

/**
 * 死亡: a resident is removed on the date of death (not before the day
 * they became a resident); a householder's death names the new
 * householder in the same event (planners/succession.ts).
 *
 * @example
 * ```ts ignore
 * await planShibou(p, cs, "401005", ev);
 * ```
 */
export const planShibou: Planner<"shibou"> = async (p, cs, code, ev) => {
  const r = await readResident(p, code, ev.residentId);
  requireActive(r);
  if (ev.date < r.becameResidentDate) {
    throw new RegistryError("DEATH_BEFORE_RESIDENCE", {
      residentId: r.id,
      date: ev.date,
      becameResidentDate: r.becameResidentDate,
    });
  }
  await planSuccession(p, cs, code, r, ev);
  cs.resident(r, {
    ...r,
    status: "removed",
    removalReason: "死亡",
    removalDate: ev.date,
  });
  await cancelSeals(p, cs, r.id, ev.date, "死亡");
};
