/**
 * The rules of each change event (異動): checked against the current state
 * (plain reads through a PlanDb, each remembered), then recorded in a
 * ChangeSet that `commitChange` writes as one event — after checking that
 * nothing read has changed meanwhile, else planning it again.
 *
 * @module
 */
import type { Db } from "../../lib/db/database.ts";
import type { Household, Resident } from "../../db/registry/schema.ts";
import { RegistryError } from "./errors.ts";
import type { EventInput } from "./event_schemas.ts";
import {
  type ChangeSet,
  commitChange,
  type Committed,
  type PlanDb,
  readActiveSeals,
  readHousehold,
  readHouseholdOrNull,
  readMembers,
  readOutboxEvent,
  readResident,
  readResidentCodeHolders,
  readResidents,
  readSeal,
} from "./store.ts";

function newId(code: string, prefix: string): string {
  const hex = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  return `${code}-${prefix}${hex}`;
}

function requireActive(r: Resident): void {
  if (r.status === "removed") {
    throw new RegistryError("RESIDENT_REMOVED", { residentId: r.id });
  }
}

function requireFullyActive(r: Resident): void {
  requireActive(r);
  if (r.status !== "active") {
    throw new RegistryError("RESIDENT_NOT_ACTIVE", {
      residentId: r.id,
      status: r.status,
    });
  }
}

function requireHouseholdActive(h: Household): void {
  if (h.status !== "active") {
    throw new RegistryError("HOUSEHOLD_NOT_ACTIVE", { householdId: h.id });
  }
}

function personRow(
  code: string,
  p: Extract<EventInput, { type: "tennyu" }>["person"],
  extra: Pick<
    Resident,
    "householdId" | "relationship" | "address" | "katagaki" | "previousAddress"
  >,
  date: string,
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
    alphabeticName: p.foreign?.alphabeticName ?? null,
    alias: p.foreign?.alias ?? null,
    aliasKana: p.foreign?.aliasKana ?? null,
    birthDate: p.birthDate,
    sex: p.sex,
    householdId: extra.householdId,
    relationship: extra.relationship,
    honseki: p.foreign ? null : p.honseki ?? null,
    hittousha: p.foreign ? null : p.hittousha ?? null,
    becameResidentDate: date,
    addressSetDate: date,
    notifiedDate: date,
    address: extra.address,
    katagaki: extra.katagaki,
    previousAddress: extra.previousAddress,
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

/** Plans one event: checks its rules and records its changes. */
async function plan(
  p: PlanDb,
  cs: ChangeSet,
  code: string,
  ev: EventInput,
): Promise<void> {
  switch (ev.type) {
    case "tennyu": {
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
          }, ev.date),
        );
      } else {
        const hid = newId(code, "H");
        const r = personRow(code, ev.person, {
          householdId: hid,
          relationship: "世帯主",
          address: ev.address!,
          katagaki: ev.katagaki ?? null,
          previousAddress: ev.previousAddress,
        }, ev.date);
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
      return;
    }
    case "shussei": {
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
        }, ev.date),
      );
      return;
    }
    case "tenshutsu_yotei": {
      const r = await readResident(p, code, ev.residentId);
      requireFullyActive(r);
      cs.resident(r, {
        ...r,
        status: "moving_out",
        plannedMoveOutDate: ev.plannedDate,
        destinationAddress: ev.destinationAddress,
        notifiedDate: ev.date,
      });
      return;
    }
    case "tenshutsu_kakutei": {
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
      return;
    }
    case "tenkyo": {
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
          notifiedDate: ev.date,
        });
      }
      return;
    }
    case "shibou": {
      const r = await readResident(p, code, ev.residentId);
      requireActive(r);
      cs.resident(r, {
        ...r,
        status: "removed",
        removalReason: "死亡",
        removalDate: ev.date,
      });
      await cancelSeals(p, cs, r.id, ev.date, "死亡");
      return;
    }
    case "setai_bunri": {
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
        notifiedDate: ev.date,
      });
      return;
    }
    case "setai_gappei": {
      if (ev.householdId === ev.intoHouseholdId) {
        throw new RegistryError("SAME_HOUSEHOLD");
      }
      const [first, second] = [ev.householdId, ev.intoHouseholdId].sort();
      const a = await readHousehold(p, code, first);
      const b = await readHousehold(p, code, second);
      const from = a.id === ev.householdId ? a : b;
      const into = a.id === ev.householdId ? b : a;
      requireHouseholdActive(from);
      requireHouseholdActive(into);
      if (
        from.address !== into.address ||
        (from.katagaki ?? "") !== (into.katagaki ?? "")
      ) {
        throw new RegistryError("ADDRESS_MISMATCH");
      }
      const members = await readMembers(p, from.id);
      for (const m of members) {
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
          notifiedDate: ev.date,
        });
      }
      for (const id of Object.keys(ev.relationships)) {
        if (!members.some((m) => m.id === id)) {
          throw new RegistryError("NOT_A_MEMBER", { residentId: id });
        }
      }
      cs.household(from, { ...from, status: "dissolved", householderId: null });
      return;
    }
    case "setainushi_henko": {
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
      for (const id of Object.keys(ev.relationships ?? {})) {
        if (!members.some((m) => m.id === id)) {
          throw new RegistryError("NOT_A_MEMBER", { residentId: id });
        }
      }
      cs.household(h, { ...h, householderId: next.id });
      for (const m of members) {
        const rel = m.id === next.id ? "世帯主" : ev.relationships?.[m.id];
        if (rel && rel !== m.relationship) {
          cs.resident(m, { ...m, relationship: rel, notifiedDate: ev.date });
        }
      }
      return;
    }
    case "kyuuji_kisai":
    case "kyuuji_henko": {
      const r = await readResident(p, code, ev.residentId);
      requireActive(r);
      if (ev.type === "kyuuji_kisai" && r.formerSurname) {
        throw new RegistryError("FORMER_SURNAME_EXISTS");
      }
      if (ev.type === "kyuuji_henko" && !r.formerSurname) {
        throw new RegistryError("FORMER_SURNAME_ABSENT");
      }
      cs.resident(r, {
        ...r,
        formerSurname: ev.formerSurname,
        formerSurnameKana: ev.formerSurnameKana,
        notifiedDate: ev.date,
      });
      return;
    }
    case "kyuuji_sakujo": {
      const r = await readResident(p, code, ev.residentId);
      requireActive(r);
      if (!r.formerSurname) throw new RegistryError("FORMER_SURNAME_ABSENT");
      cs.resident(r, {
        ...r,
        formerSurname: null,
        formerSurnameKana: null,
        notifiedDate: ev.date,
      });
      return;
    }
    case "shokken_shusei":
    case "gokisai_shusei": {
      const r = await readResident(p, code, ev.residentId);
      const changes = Object.fromEntries(
        Object.entries(ev.changes).filter(([k, v]) =>
          (r as Record<string, unknown>)[k] !== v
        ),
      );
      if (!Object.keys(changes).length) {
        throw new RegistryError("NOTHING_TO_CHANGE");
      }
      // A removed record may only be corrected for errors (誤記修正).
      if (ev.type === "shokken_shusei") requireActive(r);
      cs.resident(r, { ...r, ...changes } as Resident);
      return;
    }
    case "torikeshi":
      await planCancel(p, cs, code, ev.seq);
      return;
  }
}

const NOT_CANCELLABLE = new Set([
  "torikeshi",
  "seal_register",
  "seal_abolish",
  "block_set",
  "block_lift",
  "card_link",
  "card_unlink",
]);

/** 取消: restores everything an event touched, if nothing later touched it. */
async function planCancel(
  p: PlanDb,
  cs: ChangeSet,
  code: string,
  seq: number,
): Promise<void> {
  const ev = await readOutboxEvent(p, code, seq);
  if (!ev) throw new RegistryError("EVENT_NOT_FOUND", { seq });
  if (NOT_CANCELLABLE.has(ev.type)) {
    throw new RegistryError("EVENT_NOT_CANCELLABLE", { seq, type: ev.type });
  }
  if (ev.cancelledBySeq) {
    throw new RegistryError("EVENT_ALREADY_CANCELLED", { seq });
  }
  const undo = ev.undo as {
    residents: Record<string, Resident | null>;
    households: Record<string, Household | null>;
    seals: Record<
      string,
      (Record<string, unknown> & { impressionPng: string }) | null
    >;
  };
  const ids = Object.keys(undo.residents);
  const current = await readResidents(p, code, ids);
  for (const id of ids) {
    const now = current.find((r) => r.id === id) ?? null;
    if (now && Number(now.updatedSeq) !== seq) {
      throw new RegistryError("CANCEL_CONFLICT", { residentId: id });
    }
    const before = undo.residents[id];
    if (!now && before) {
      throw new RegistryError("CANCEL_CONFLICT", { residentId: id });
    }
    if (now) {
      cs.resident(now, before ? { ...before, historyNo: now.historyNo } : null);
    }
  }
  for (const [id, before] of Object.entries(undo.households)) {
    const now = await readHouseholdOrNull(p, code, id);
    if (now) cs.household(now, before);
    else if (before) cs.household(null, before);
  }
  for (const [id, before] of Object.entries(undo.seals ?? {})) {
    const now = await readSeal(p, id);
    const restored = before
      ? {
        ...before,
        impressionPng: Uint8Array.fromBase64(before.impressionPng),
      }
      : null;
    // deno-lint-ignore no-explicit-any
    cs.seal(now, restored as any);
  }
}

/**
 * Applies one change event in one transaction (planned again when a
 * concurrent event changed what it read; see `commitChange`).
 *
 * @example
 * ```ts ignore
 * await applyEvent(db, "401005", { type: "shibou", date: "2026-11-26", residentId }, { client: "city" });
 * ```
 */
export async function applyEvent(
  db: Db,
  municipalityCode: string,
  ev: EventInput,
  who: { client: string; requestId?: string },
): Promise<Committed> {
  return await commitChange(db, {
    municipalityCode,
    type: ev.type,
    client: who.client,
    requestId: who.requestId,
    effectiveDate: ev.date,
    request: ev,
    cancelsSeq: ev.type === "torikeshi" ? ev.seq : undefined,
  }, (p, cs) => plan(p, cs, municipalityCode, ev));
}
