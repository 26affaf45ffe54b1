/**
 * Planners of changes to a resident's items: 旧氏 (former surname) recorded,
 * changed or deleted (its legal reading with it), and corrections ex officio
 * (職権修正) or of errors (誤記修正), the legal furigana included
 * (./furigana.ts).
 *
 * @module
 */
import type { Resident } from "../../../db/registry/schema.ts";
import { RegistryError } from "../errors.ts";
import { type ChangeSet, type PlanDb, readResident } from "../store.ts";
import { checkFurigana, correctFurigana } from "./furigana.ts";
import {
  type EventOf,
  notifiedOf,
  type Planner,
  requireActive,
} from "./rules.ts";

/** Records or changes the former surname of a resident who has none, or has one. */
function setFormerSurname(hasOne: boolean) {
  return async (
    p: PlanDb,
    cs: ChangeSet,
    code: string,
    ev: EventOf<"kyuuji_kisai" | "kyuuji_henko">,
  ): Promise<void> => {
    const r = await readResident(p, code, ev.residentId);
    requireActive(r);
    if (!hasOne && r.formerSurname) {
      throw new RegistryError("FORMER_SURNAME_EXISTS");
    }
    if (hasOne && !r.formerSurname) {
      throw new RegistryError("FORMER_SURNAME_ABSENT");
    }
    if (ev.formerSurnameFurigana !== undefined) {
      checkFurigana("formerSurnameFurigana", ev.formerSurnameFurigana);
    }
    cs.resident(r, {
      ...r,
      formerSurname: ev.formerSurname,
      formerSurnameKana: ev.formerSurnameKana,
      // A changed 旧氏 drops the old one's legal reading unless given anew.
      formerSurnameFurigana: ev.formerSurnameFurigana ?? null,
      notifiedDate: notifiedOf(ev),
    });
  };
}

/**
 * 旧氏記載: records the former surname of a resident who has none.
 *
 * @example
 * ```ts ignore
 * await planKyuujiKisai(p, cs, "401005", ev);
 * ```
 */
export const planKyuujiKisai: Planner<"kyuuji_kisai"> = setFormerSurname(
  false,
);

/**
 * 旧氏変更: changes the former surname of a resident who has one.
 *
 * @example
 * ```ts ignore
 * await planKyuujiHenko(p, cs, "401005", ev);
 * ```
 */
export const planKyuujiHenko: Planner<"kyuuji_henko"> = setFormerSurname(true);

/**
 * 旧氏削除: deletes the former surname of a resident who has one.
 *
 * @example
 * ```ts ignore
 * await planKyuujiSakujo(p, cs, "401005", ev);
 * ```
 */
export const planKyuujiSakujo: Planner<"kyuuji_sakujo"> = async (
  p,
  cs,
  code,
  ev,
) => {
  const r = await readResident(p, code, ev.residentId);
  requireActive(r);
  if (!r.formerSurname) throw new RegistryError("FORMER_SURNAME_ABSENT");
  cs.resident(r, {
    ...r,
    formerSurname: null,
    formerSurnameKana: null,
    formerSurnameFurigana: null,
    notifiedDate: notifiedOf(ev),
  });
};

/** Applies the items of a correction that differ from the record. */
function correct(onlyActive: boolean) {
  return async (
    p: PlanDb,
    cs: ChangeSet,
    code: string,
    ev: EventOf<"shokken_shusei" | "gokisai_shusei">,
  ): Promise<void> => {
    const r = await readResident(p, code, ev.residentId);
    const changes = changedItems(r, ev);
    if (!Object.keys(changes).length) {
      throw new RegistryError("NOTHING_TO_CHANGE");
    }
    if (onlyActive) requireActive(r);
    // The readings checked and their statuses set, then every item as given.
    cs.resident(r, { ...correctFurigana(r, changes), ...changes } as Resident);
  };
}

function changedItems(
  r: Resident,
  ev: EventOf<"shokken_shusei" | "gokisai_shusei">,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(ev.changes).filter(([k, v]) =>
      (r as Record<string, unknown>)[k] !== v
    ),
  );
}

/**
 * 職権修正: corrects items of an active (not removed) resident.
 *
 * @example
 * ```ts ignore
 * await planShokkenShusei(p, cs, "401005", ev);
 * ```
 */
export const planShokkenShusei: Planner<"shokken_shusei"> = correct(true);

/**
 * 誤記修正: corrects errors; a removed record (除票) may only be corrected
 * this way.
 *
 * @example
 * ```ts ignore
 * await planGokisaiShusei(p, cs, "401005", ev);
 * ```
 */
export const planGokisaiShusei: Planner<"gokisai_shusei"> = correct(false);
