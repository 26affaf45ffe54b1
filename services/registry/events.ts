/**
 * The rules of each change event (異動): one planner per event type, in
 * {@linkcode PLANNERS} (planners/*.ts, grouped by what the events change).
 * A planner checks its rules against the current state (plain reads
 * through a PlanDb, each remembered), then records its changes in a
 * ChangeSet that `commitChange` writes as one event — after checking that
 * nothing read has changed meanwhile, else planning it again.
 *
 * @module
 */
import type { Db } from "../../lib/db/database.ts";
import type { EventInput } from "./event_schemas.ts";
import {
  type ChangeSet,
  commitChange,
  type CommitOptions,
  type Committed,
  type PlanDb,
} from "./store.ts";
import { planShussei, planTennyu } from "./planners/arrivals.ts";
import {
  planShibou,
  planTenshutsuKakutei,
  planTenshutsuYotei,
} from "./planners/departures.ts";
import {
  planSetaiBunri,
  planSetaiGappei,
  planSetainushiHenko,
  planTenkyo,
} from "./planners/households.ts";
import {
  planGokisaiShusei,
  planKyuujiHenko,
  planKyuujiKisai,
  planKyuujiSakujo,
  planShokkenShusei,
} from "./planners/corrections.ts";
import { planTorikeshi } from "./planners/cancel.ts";
import { planFuriganaKisai } from "./planners/furigana.ts";
import type { EventType, Planner } from "./planners/rules.ts";
import { RegistryError } from "./errors.ts";

/** The planner of every event type (a missing type does not compile). */
const PLANNERS: { readonly [T in EventType]: Planner<T> } = {
  tennyu: planTennyu,
  shussei: planShussei,
  tenshutsu_yotei: planTenshutsuYotei,
  tenshutsu_kakutei: planTenshutsuKakutei,
  tenkyo: planTenkyo,
  shibou: planShibou,
  setai_bunri: planSetaiBunri,
  setai_gappei: planSetaiGappei,
  setainushi_henko: planSetainushiHenko,
  kyuuji_kisai: planKyuujiKisai,
  kyuuji_henko: planKyuujiHenko,
  kyuuji_sakujo: planKyuujiSakujo,
  furigana_kisai: planFuriganaKisai,
  shokken_shusei: planShokkenShusei,
  gokisai_shusei: planGokisaiShusei,
  torikeshi: planTorikeshi,
};

/** Plans one event with its type's planner. */
function plan(
  p: PlanDb,
  cs: ChangeSet,
  code: string,
  ev: EventInput,
): Promise<void> {
  // The table pairs each type with its planner; TypeScript cannot follow
  // that pairing through an indexed call.
  const planner = PLANNERS[ev.type] as Planner<EventType>;
  return planner(p, cs, code, ev);
}

/**
 * Refuses an event whose dates contradict each other or today: no 異動日 and
 * no 届出日 after today (the registry's date in Japan), no 届出日 before the
 * 異動日.
 *
 * @example
 * ```ts
 * checkEventDates({ date: "2026-11-20", notifiedDate: "2026-11-25" }, "2026-11-26"); // ok
 * ```
 */
export function checkEventDates(
  ev: { date: string; notifiedDate?: string },
  today: string,
): void {
  if (ev.date > today) {
    throw new RegistryError("EVENT_DATE_IN_FUTURE", { date: ev.date, today });
  }
  if (ev.notifiedDate !== undefined) {
    if (ev.notifiedDate < ev.date) {
      throw new RegistryError("NOTIFIED_BEFORE_EVENT", {
        date: ev.date,
        notifiedDate: ev.notifiedDate,
      });
    }
    if (ev.notifiedDate > today) {
      throw new RegistryError("NOTIFIED_DATE_IN_FUTURE", {
        notifiedDate: ev.notifiedDate,
        today,
      });
    }
  }
}

/**
 * Applies one change event, committed together with the municipality's
 * other events queued meanwhile, each in its own savepoint (planned again
 * when a concurrent event changed what it read; see `commitChange`).
 *
 * @example
 * ```ts ignore
 * await applyEvent(db, "401005", { type: "shibou", date: "2026-11-26", residentId }, { client: "city", today: "2026-11-26" });
 * ```
 *
 * With `who.today` (the registry's date in Japan: the 処理日) the dates are
 * checked first ({@linkcode checkEventDates}) and every resident the event
 * changes is stamped with the 処理日.
 */
export async function applyEvent(
  db: Db,
  municipalityCode: string,
  ev: EventInput,
  who: { client: string; requestId?: string; today?: string },
  opts: CommitOptions = {},
): Promise<Committed> {
  if (who.today) checkEventDates(ev, who.today);
  return await commitChange(
    db,
    {
      municipalityCode,
      type: ev.type,
      client: who.client,
      requestId: who.requestId,
      effectiveDate: ev.date,
      notifiedDate: ev.notifiedDate ?? ev.date,
      processedDate: who.today,
      request: ev,
      cancelsSeq: ev.type === "torikeshi" ? ev.seq : undefined,
    },
    (p, cs) => plan(p, cs, municipalityCode, ev),
    opts,
  );
}
