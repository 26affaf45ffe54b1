/**
 * The legal 氏名の振り仮名 (令和5年法律第48号, since 2025-05-26): its rules
 * and the planner of 振り仮名の記載 (`furigana_kisai`). The reading of the
 * surname and of the given name are recorded separately, each with how it
 * was recorded (届出 or 職権, `FURIGANA_STATUSES` in db/registry/schema.ts),
 * and the 旧氏's reading beside the 旧氏. A recorded reading is removed or
 * corrected by 取消 of the event, or by 職権修正 / 誤記修正
 * (./corrections.ts), which check it here too.
 *
 * @module
 */
import type { FuriganaStatus, Resident } from "../../../db/registry/schema.ts";
import { RegistryError } from "../errors.ts";
import { type ChangeSet, type PlanDb, readResident } from "../store.ts";
import { type EventOf, type Planner, requireActive } from "./rules.ts";

/**
 * The readings of a record that has none: what a resident row written
 * before the readings existed (an old `undo` restored by 取消) is given.
 *
 * @example
 * ```ts ignore
 * const row = { ...UNRECORDED_FURIGANA, ...before };
 * ```
 */
export const UNRECORDED_FURIGANA: Pick<
  Resident,
  | "furiganaSurname"
  | "furiganaSurnameStatus"
  | "furiganaGivenName"
  | "furiganaGivenNameStatus"
  | "formerSurnameFurigana"
> = {
  furiganaSurname: null,
  furiganaSurnameStatus: "unrecorded",
  furiganaGivenName: null,
  furiganaGivenNameStatus: "unrecorded",
  formerSurnameFurigana: null,
};

/** The readings a correction (職権修正・誤記修正) may change. */
const FURIGANA_FIELDS = [
  "furiganaSurname",
  "furiganaGivenName",
  "formerSurnameFurigana",
] as const;

/** Each part of the name's reading and the field of its status. */
const NAME_PARTS = [
  ["furiganaSurname", "furiganaSurnameStatus"],
  ["furiganaGivenName", "furiganaGivenNameStatus"],
] as const;

/** Most characters of one part of a reading (surname, given name, 旧氏). */
export const MAX_FURIGANA_CHARS = 50;

/**
 * Full-width katakana as the 戸籍 writes a reading, the whole text: ァ…ヴ
 * (small kana included) and the long-vowel mark ー — no half-width kana,
 * hiragana, spaces, ・, ヵ, ヶ, ヷ…ヺ or iteration marks.
 */
export const LEGAL_READING = /^[\u30A1-\u30F4\u30FC]+$/;

/**
 * Refuses a reading that is not full-width katakana (ー included) of 1 to
 * {@linkcode MAX_FURIGANA_CHARS} characters, with FURIGANA_INVALID naming the
 * field (never the value).
 *
 * @example
 * ```ts
 * checkFurigana("surname", "ヤマダ"); // ok
 * // checkFurigana("surname", "やまだ") throws FURIGANA_INVALID
 * ```
 */
export function checkFurigana(field: string, value: string): void {
  if (
    !LEGAL_READING.test(value) || [...value].length > MAX_FURIGANA_CHARS
  ) {
    throw new RegistryError("FURIGANA_INVALID", {
      field,
      maxChars: MAX_FURIGANA_CHARS,
    });
  }
}

/** A part's reading and status after it is set (null: removed). */
function part(
  reading: string | null,
  status: FuriganaStatus,
): { reading: string | null; status: FuriganaStatus } {
  return reading === null
    ? { reading: null, status: "unrecorded" }
    : { reading, status };
}

/**
 * The readings of a person entering the registry, as the 出生届 or the
 * 転出証明書 gives them (each checked); none given: unrecorded.
 *
 * @example
 * ```ts
 * furiganaOfNewcomer({ surname: "ヤマダ", recordedBy: "notified" }, false).furiganaSurnameStatus; // "notified"
 * ```
 */
export function furiganaOfNewcomer(
  given:
    | {
      surname?: string;
      givenName?: string;
      formerSurname?: string;
      recordedBy?: "notified" | "ex_officio";
    }
    | undefined,
  hasFormerSurname: boolean,
): typeof UNRECORDED_FURIGANA {
  if (!given) return { ...UNRECORDED_FURIGANA };
  const status = given.recordedBy ?? "notified";
  const parts = [
    ["surname", given.surname],
    ["givenName", given.givenName],
    ["formerSurname", given.formerSurname],
  ] as const;
  for (const [field, v] of parts) {
    if (v !== undefined) checkFurigana(`person.furigana.${field}`, v);
  }
  if (given.formerSurname !== undefined && !hasFormerSurname) {
    throw new RegistryError("FORMER_SURNAME_ABSENT");
  }
  return {
    furiganaSurname: given.surname ?? null,
    furiganaSurnameStatus: given.surname === undefined ? "unrecorded" : status,
    furiganaGivenName: given.givenName ?? null,
    furiganaGivenNameStatus: given.givenName === undefined
      ? "unrecorded"
      : status,
    formerSurnameFurigana: given.formerSurname ?? null,
  };
}

/**
 * A resident with the readings a correction (職権修正・誤記修正) sets: each
 * checked; a removed reading (null) becomes unrecorded; a reading set where
 * none was recorded counts as entered ex officio, one corrected keeps its
 * status.
 *
 * @example
 * ```ts ignore
 * const after = correctFurigana(r, { furiganaSurname: "ヤマダ" });
 * ```
 */
export function correctFurigana(
  r: Resident,
  changes: Readonly<Record<string, unknown>>,
): Resident {
  const reading = (k: string) => changes[k] as string | null | undefined;
  const out = { ...r };
  for (const field of FURIGANA_FIELDS) {
    const v = reading(field);
    if (typeof v === "string") checkFurigana(field, v);
  }
  const keepOr = (s: FuriganaStatus): FuriganaStatus =>
    s === "unrecorded" ? "ex_officio" : s;
  for (const [field, statusField] of NAME_PARTS) {
    const v = reading(field);
    if (v === undefined) continue;
    const p = part(v, keepOr(r[statusField] as FuriganaStatus));
    out[field] = p.reading;
    out[statusField] = p.status;
  }
  const former = reading("formerSurnameFurigana");
  if (former !== undefined) {
    if (former !== null && !r.formerSurname) {
      throw new RegistryError("FORMER_SURNAME_ABSENT");
    }
    out.formerSurnameFurigana = former;
  }
  return out;
}

/**
 * 振り仮名の記載: records the legal reading of the surname, the given name
 * and/or the 旧氏 (the parts given), as notified (届出) or entered ex
 * officio (職権). Refuses FURIGANA_INVALID for a reading that is not
 * katakana, FORMER_SURNAME_ABSENT for a 旧氏 reading without a 旧氏, and
 * NOTHING_TO_CHANGE when every part is already recorded so.
 *
 * @example
 * ```ts ignore
 * await planFuriganaKisai(p, cs, "401005", { type: "furigana_kisai", date, residentId, surname: "ヤマダ", givenName: "タロウ", recordedBy: "notified" });
 * ```
 */
export const planFuriganaKisai: Planner<"furigana_kisai"> = async (
  p: PlanDb,
  cs: ChangeSet,
  code: string,
  ev: EventOf<"furigana_kisai">,
) => {
  if (ev.surname !== undefined) checkFurigana("surname", ev.surname);
  if (ev.givenName !== undefined) checkFurigana("givenName", ev.givenName);
  if (ev.formerSurname !== undefined) {
    checkFurigana("formerSurname", ev.formerSurname);
  }
  const r = await readResident(p, code, ev.residentId);
  requireActive(r);
  if (ev.formerSurname !== undefined && !r.formerSurname) {
    throw new RegistryError("FORMER_SURNAME_ABSENT");
  }
  const status = ev.recordedBy ?? "notified";
  // The event's 異動日 and 届出日 are the outbox row's; the resident's own
  // 届出日 is the address's (printed as such) and stays.
  const after: Resident = { ...r };
  if (ev.surname !== undefined) {
    after.furiganaSurname = ev.surname;
    after.furiganaSurnameStatus = status;
  }
  if (ev.givenName !== undefined) {
    after.furiganaGivenName = ev.givenName;
    after.furiganaGivenNameStatus = status;
  }
  if (ev.formerSurname !== undefined) {
    after.formerSurnameFurigana = ev.formerSurname;
  }
  const same = after.furiganaSurname === r.furiganaSurname &&
    after.furiganaSurnameStatus === r.furiganaSurnameStatus &&
    after.furiganaGivenName === r.furiganaGivenName &&
    after.furiganaGivenNameStatus === r.furiganaGivenNameStatus &&
    after.formerSurnameFurigana === r.formerSurnameFurigana;
  if (same) throw new RegistryError("NOTHING_TO_CHANGE");
  cs.resident(r, after);
};
