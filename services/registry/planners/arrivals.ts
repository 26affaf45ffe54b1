/**
 * Planners of a person entering the registry: 転入 (moving in, into an
 * existing household or a new one) and 出生 (birth, into an existing one).
 * Both refuse a 住民票コード somebody already holds.
 *
 * @module
 */
import type { Resident } from "../../../db/registry/schema.ts";
import { RegistryError } from "../errors.ts";
import {
  type ChangeSet,
  type PlanDb,
  readHousehold,
  readMembers,
  readResidentCodeHolders,
} from "../store.ts";
import {
  type EventOf,
  newId,
  notifiedOf,
  type Planner,
  requireHouseholdActive,
} from "./rules.ts";
import { furiganaOfNewcomer } from "./furigana.ts";

type PersonInput = EventOf<"tennyu">["person"];

/** Where a new resident lives, and as whom. */
type Placement = Pick<
  Resident,
  "householdId" | "relationship" | "address" | "katagaki" | "previousAddress"
>;

/** The row of a person entering the registry on `date`. */
function personRow(
  code: string,
  p: PersonInput,
  at: Placement,
  ev: { date: string; notifiedDate?: string },
): Resident {
  return {
    id: newId(code, "R"),
    municipalityCode: code,
    historyNo: 0,
    status: "active",
    name: p.name,
    nameKana: p.nameKana,
    formerSurname: p.formerSurname ?? null,
    formerSurnameKana: p.formerSurnameKana ?? null,
    ...furiganaOfNewcomer(p.furigana, !!p.formerSurname),
    alphabeticName: p.foreign?.alphabeticName ?? null,
    alias: p.foreign?.alias ?? null,
    aliasKana: p.foreign?.aliasKana ?? null,
    birthDate: p.birthDate,
    sex: p.sex,
    householdId: at.householdId,
    relationship: at.relationship,
    honseki: p.foreign ? null : p.honseki ?? null,
    hittousha: p.foreign ? null : p.hittousha ?? null,
    becameResidentDate: ev.date,
    addressSetDate: ev.date,
    notifiedDate: notifiedOf(ev),
    address: at.address,
    katagaki: at.katagaki,
    previousAddress: at.previousAddress,
    myNumber: p.myNumber ?? null,
    residentCode: p.residentCode,
    isForeign: !!p.foreign,
    nationality: p.foreign?.nationality ?? null,
    residenceStatus: p.foreign?.residenceStatus ?? null,
    periodOfStay: p.foreign?.periodOfStay ?? null,
    stayExpiry: p.foreign?.stayExpiry ?? null,
    residenceCardNumber: p.foreign?.residenceCardNumber ?? null,
    plannedMoveOutDate: null,
    destinationAddress: null,
    removalReason: null,
    removalDate: null,
    processedDate: null,
    processedTypes: null,
    updatedSeq: 0,
  };
}

async function requireUniqueResidentCode(
  p: PlanDb,
  code: string,
): Promise<void> {
  if ((await readResidentCodeHolders(p, code)).length) {
    throw new RegistryError("DUPLICATE_RESIDENT_CODE");
  }
}

/**
 * 転入: joins an active household, or starts a new one as its 世帯主.
 *
 * @example
 * ```ts ignore
 * await planTennyu(p, cs, "401005", ev);
 * ```
 */
export const planTennyu: Planner<"tennyu"> = async (p, cs, code, ev) => {
  await requireUniqueResidentCode(p, ev.person.residentCode);
  if (ev.householdId) {
    const h = await readHousehold(p, code, ev.householdId);
    requireHouseholdActive(h);
    cs.resident(
      null,
      personRow(code, ev.person, {
        householdId: h.id,
        relationship: ev.relationship!,
        address: h.address,
        katagaki: h.katagaki,
        previousAddress: ev.previousAddress,
      }, ev),
    );
  } else {
    startHousehold(cs, code, ev);
  }
};

/** 転入 into a new household at the event's address. */
function startHousehold(
  cs: ChangeSet,
  code: string,
  ev: EventOf<"tennyu">,
): void {
  const hid = newId(code, "H");
  const r = personRow(code, ev.person, {
    householdId: hid,
    relationship: "世帯主",
    address: ev.address!,
    katagaki: ev.katagaki ?? null,
    previousAddress: ev.previousAddress,
  }, ev);
  cs.household(null, {
    id: hid,
    municipalityCode: code,
    householderId: r.id,
    address: r.address,
    katagaki: r.katagaki,
    status: "active",
  });
  cs.resident(null, r);
}

/**
 * 出生: a child joins an active household that has living members.
 *
 * @example
 * ```ts ignore
 * await planShussei(p, cs, "401005", ev);
 * ```
 */
export const planShussei: Planner<"shussei"> = async (p, cs, code, ev) => {
  await requireUniqueResidentCode(p, ev.person.residentCode);
  const h = await readHousehold(p, code, ev.householdId);
  requireHouseholdActive(h);
  if ((await readMembers(p, h.id)).length === 0) {
    throw new RegistryError("HOUSEHOLD_NOT_ACTIVE", { householdId: h.id });
  }
  cs.resident(
    null,
    personRow(code, ev.person, {
      householdId: h.id,
      relationship: ev.relationship,
      address: h.address,
      katagaki: h.katagaki,
      previousAddress: null,
    }, ev),
  );
};
