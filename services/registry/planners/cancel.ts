/**
 * The planner of 取消 (cancelling an earlier event): restores everything
 * the event touched, from the `undo` it was recorded with, if nothing later
 * touched it.
 *
 * @module
 */
import type { Household, Resident } from "../../../db/registry/schema.ts";
import { RegistryError } from "../errors.ts";
import {
  type ChangeSet,
  type PlanDb,
  readHouseholdOrNull,
  readOutboxEvent,
  readResidents,
  readSeal,
} from "../store.ts";
import type { Planner } from "./rules.ts";
import { UNRECORDED_FURIGANA } from "./furigana.ts";

/** Events that are never cancelled (seals, blocks and cards have their own ends). */
const NOT_CANCELLABLE = new Set([
  "torikeshi",
  "seal_register",
  "seal_abolish",
  "block_set",
  "block_lift",
  "card_link",
  "card_unlink",
]);

/** An event's rows as they were before it (null: absent). */
interface Undo {
  residents: Record<string, Resident | null>;
  households: Record<string, Household | null>;
  seals: Record<
    string,
    | (Record<string, unknown> & {
      impressionPng: string;
      printPng?: string | null;
      compactPng?: string | null;
    })
    | null
  >;
}

/**
 * 取消: restores everything an event touched, if nothing later touched it.
 *
 * @example
 * ```ts ignore
 * await planTorikeshi(p, cs, "401005", { type: "torikeshi", date, seq: 1042, reason });
 * ```
 */
export const planTorikeshi: Planner<"torikeshi"> = async (p, cs, code, ev) => {
  const undo = await readUndo(p, code, ev.seq);
  await restoreResidents(p, cs, code, ev.seq, undo.residents);
  await restoreHouseholds(p, cs, code, undo.households);
  await restoreSeals(p, cs, undo.seals ?? {});
};

/** The undo of a cancellable, not yet cancelled event. */
async function readUndo(p: PlanDb, code: string, seq: number): Promise<Undo> {
  const ev = await readOutboxEvent(p, code, seq);
  if (!ev) throw new RegistryError("EVENT_NOT_FOUND", { seq });
  if (NOT_CANCELLABLE.has(ev.type)) {
    throw new RegistryError("EVENT_NOT_CANCELLABLE", { seq, type: ev.type });
  }
  if (ev.cancelledBySeq) {
    throw new RegistryError("EVENT_ALREADY_CANCELLED", { seq });
  }
  return ev.undo as Undo;
}

/** Residents back as they were; refused when one changed after event `seq`. */
async function restoreResidents(
  p: PlanDb,
  cs: ChangeSet,
  code: string,
  seq: number,
  residents: Undo["residents"],
): Promise<void> {
  const ids = Object.keys(residents);
  const current = await readResidents(p, code, ids);
  for (const id of ids) {
    const now = current.find((r) => r.id === id) ?? null;
    if (now && Number(now.updatedSeq) !== seq) {
      throw new RegistryError("CANCEL_CONFLICT", { residentId: id });
    }
    const before = residents[id];
    if (!now && before) {
      throw new RegistryError("CANCEL_CONFLICT", { residentId: id });
    }
    if (now) {
      // An undo written before the legal furigana existed has no readings.
      cs.resident(
        now,
        before
          ? { ...UNRECORDED_FURIGANA, ...before, historyNo: now.historyNo }
          : null,
      );
    }
  }
}

async function restoreHouseholds(
  p: PlanDb,
  cs: ChangeSet,
  code: string,
  households: Undo["households"],
): Promise<void> {
  for (const [id, before] of Object.entries(households)) {
    const now = await readHouseholdOrNull(p, code, id);
    if (now) cs.household(now, before);
    else if (before) cs.household(null, before);
  }
}

async function restoreSeals(
  p: PlanDb,
  cs: ChangeSet,
  seals: Undo["seals"],
): Promise<void> {
  for (const [id, before] of Object.entries(seals)) {
    const now = await readSeal(p, id);
    const restored = before
      ? {
        ...before,
        impressionPng: Uint8Array.fromBase64(before.impressionPng),
        printPng: before.printPng
          ? Uint8Array.fromBase64(before.printPng)
          : null,
        compactPng: before.compactPng
          ? Uint8Array.fromBase64(before.compactPng)
          : null,
      }
      : null;
    // deno-lint-ignore no-explicit-any
    cs.seal(now, restored as any);
  }
}
