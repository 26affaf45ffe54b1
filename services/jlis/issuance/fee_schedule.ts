/**
 * Each municipality's fee schedule (手数料) for kiosk certificates: the fee
 * per copy (通) of each certificate type, in effective-dated entries — a
 * fee from a JST date, until an optional last day (inclusive). On a given
 * day the entry of the type with the latest start that covers the day
 * applies, so a discount with a start and an end is laid over a standing
 * fee and the standing fee applies again the day after the discount ends.
 * A type with no entry covering the day costs the catalogue's default
 * ({@linkcode DEFAULT_FEES}: 200 yen a copy for 住民票の写し and
 * 印鑑登録証明書). Counter exemptions do not apply at kiosks: there is no
 * per-applicant fee here.
 *
 * The municipality sets its whole schedule at once (one transaction:
 * nothing is half-replaced), over mutual TLS with its own identity and only
 * for a municipality it acts for; operators may read every schedule. The
 * fee of each copy is fixed at release and kept in the ledger's `issued`
 * entry and `issuance_copies`: a later change never alters what was charged
 * or refunded.
 *
 * @module
 */
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import {
  CERTIFICATE_TYPES,
  type CertificateType,
} from "../../../lib/certificate/model.ts";
import { CERTIFICATE_CATALOGUE } from "../../../lib/certificate/types/mod.ts";
import type { Db } from "../../../lib/db/database.ts";
import { feeScheduleEntries } from "../../../db/jlis/schema.ts";
import { JlisError } from "../errors.ts";
import { assertActsFor } from "../auth.ts";

/** The default fee per copy, yen, by type (the catalogue's `defaultFeePerCopy`). */
export const DEFAULT_FEES: Readonly<Record<CertificateType, number>> = Object
  .fromEntries(
    CERTIFICATE_TYPES.map((t) => [
      t,
      CERTIFICATE_CATALOGUE[t].defaultFeePerCopy,
    ]),
  ) as Record<CertificateType, number>;

/** The highest fee per copy the center accepts, yen. */
export const MAX_FEE = 10_000;

const jstDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine(
  (d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
  },
  { message: "a real date, YYYY-MM-DD" },
);

/** One entry of a schedule as the API carries it. */
export const feeScheduleEntrySchema = z.object({
  type: z.enum(CERTIFICATE_TYPES),
  /** Yen per copy (通). */
  fee: z.number().int().min(0).max(MAX_FEE),
  /** First day the fee applies (JST). */
  from: jstDay,
  /** Last day it applies (JST, inclusive); null or absent: open-ended. */
  until: jstDay.nullable().default(null),
}).strict();

/** A schedule as the municipality sets it (the whole schedule). */
export const feeScheduleInputSchema = z.object({
  entries: z.array(feeScheduleEntrySchema).max(200),
}).strict();

/** One entry of a schedule. */
export type FeeScheduleEntry = z.output<typeof feeScheduleEntrySchema>;

/** A municipality's schedule as the center answers it. */
export const feeScheduleSchema = z.object({
  municipalityCode: z.string(),
  entries: z.array(feeScheduleEntrySchema),
  /** Yen per copy by type when no entry covers the day. */
  defaults: z.record(z.enum(CERTIFICATE_TYPES), z.number().int()),
  /** Who set it last and when (null: never set, the defaults apply). */
  setBy: z.string().nullable(),
  setAt: z.string().nullable(),
});

/** A schedule as the center answers it. */
export type FeeSchedule = z.output<typeof feeScheduleSchema>;

/**
 * What is wrong with a schedule (empty: nothing): an entry ending before it
 * starts, two entries of one type starting on the same day.
 *
 * @example
 * ```ts
 * scheduleProblems([{ type: "juminhyo", fee: 100, from: "2026-12-10", until: "2026-12-01" }]);
 * // ["entry 1 ends before it starts"]
 * ```
 */
export function scheduleProblems(entries: FeeScheduleEntry[]): string[] {
  const problems: string[] = [];
  const starts = new Map<string, number>();
  entries.forEach((e, i) => {
    if (e.until !== null && e.until < e.from) {
      problems.push(`entry ${i + 1} ends before it starts`);
    }
    const key = `${e.type} ${e.from}`;
    const first = starts.get(key);
    if (first !== undefined) {
      problems.push(
        `entries ${first + 1} and ${i + 1} are both ${e.type} from ${e.from}`,
      );
    } else starts.set(key, i);
  });
  return problems;
}

/**
 * The fee per copy of a type on a JST day under a schedule: the covering
 * entry with the latest start, else the default.
 *
 * @example
 * ```ts
 * const entries = [
 *   { type: "juminhyo" as const, fee: 300, from: "2026-04-01", until: null },
 *   { type: "juminhyo" as const, fee: 100, from: "2026-12-01", until: "2026-12-31" },
 * ];
 * feeOn(entries, "juminhyo", "2026-12-15"); // 100
 * feeOn(entries, "juminhyo", "2027-01-01"); // 300
 * feeOn(entries, "inkan", "2027-01-01"); // 200 (the default)
 * ```
 */
export function feeOn(
  entries: readonly FeeScheduleEntry[],
  type: CertificateType,
  day: string,
): number {
  let best: FeeScheduleEntry | undefined;
  for (const e of entries) {
    if (e.type !== type || e.from > day) continue;
    if (e.until !== null && e.until < day) continue;
    if (!best || e.from > best.from) best = e;
  }
  return best ? best.fee : DEFAULT_FEES[type];
}

async function entriesOf(db: Db, code: string) {
  return await db.select().from(feeScheduleEntries).where(
    eq(feeScheduleEntries.municipalityCode, code),
  ).orderBy(
    asc(feeScheduleEntries.type),
    asc(feeScheduleEntries.validFrom),
  );
}

/**
 * A municipality's fee per copy of a type on a JST day.
 *
 * @example
 * ```ts ignore
 * const fee = await municipalFee(db, "401005", "juminhyo", "2026-11-26");
 * ```
 */
export async function municipalFee(
  db: Db,
  code: string,
  type: CertificateType,
  day: string,
): Promise<number> {
  return feeOn((await readFeeSchedule(db, code)).entries, type, day);
}

/**
 * A municipality's fees per copy of every type on a JST day (what a kiosk
 * shows before printing).
 *
 * @example
 * ```ts ignore
 * await municipalFees(db, "401005", "2026-11-26"); // { juminhyo: 200, inkan: 200, kisai: 200 }
 * ```
 */
export async function municipalFees(
  db: Db,
  code: string,
  day: string,
): Promise<Record<CertificateType, number>> {
  const { entries } = await readFeeSchedule(db, code);
  return Object.fromEntries(
    CERTIFICATE_TYPES.map((t) => [t, feeOn(entries, t, day)]),
  ) as Record<CertificateType, number>;
}

/**
 * A municipality's schedule (its entries, the defaults, who set its
 * entries last: null when it has none).
 *
 * @example
 * ```ts ignore
 * const s = await readFeeSchedule(db, "401005");
 * ```
 */
export async function readFeeSchedule(
  db: Db,
  code: string,
): Promise<FeeSchedule> {
  const rows = await entriesOf(db, code);
  const last = rows.reduce<typeof rows[number] | undefined>(
    (a, r) => (!a || r.setAt > a.setAt ? r : a),
    undefined,
  );
  return {
    municipalityCode: code,
    entries: rows.map((r) => ({
      type: r.type as CertificateType,
      fee: r.fee,
      from: r.validFrom,
      until: r.validUntil,
    })),
    defaults: { ...DEFAULT_FEES },
    setBy: last?.setBy ?? null,
    setAt: last?.setAt.toISOString() ?? null,
  };
}

/** Who asks, as the center authenticated them. */
export interface ScheduleCaller {
  /** Client id (the municipality's identity). */
  actor: string;
  /** The municipalities the client acts for. */
  municipalities: readonly string[];
}

/**
 * Replaces a municipality's whole schedule in one transaction (an empty
 * list: the defaults apply again). Throws FEE_SCHEDULE_NOT_YOURS (not a
 * municipality the caller acts for) or FEE_SCHEDULE_INVALID (nothing
 * changed); returns the schedule as stored.
 *
 * @example
 * ```ts ignore
 * await setFeeSchedule(db, "401005", [{ type: "juminhyo", fee: 300, from: "2026-04-01", until: null }],
 *   { actor: "city-401005", municipalities: ["401005"], at: clock.now() });
 * ```
 */
export async function setFeeSchedule(
  db: Db,
  code: string,
  entries: FeeScheduleEntry[],
  caller: ScheduleCaller & { at: Date },
): Promise<FeeSchedule> {
  assertActsFor(code, caller, "FEE_SCHEDULE_NOT_YOURS");
  const problems = scheduleProblems(entries);
  if (problems.length) {
    throw new JlisError("FEE_SCHEDULE_INVALID", { problems });
  }
  await db.transaction(async (tx) => {
    await tx.delete(feeScheduleEntries).where(
      eq(feeScheduleEntries.municipalityCode, code),
    );
    if (entries.length) {
      await tx.insert(feeScheduleEntries).values(entries.map((e) => ({
        municipalityCode: code,
        type: e.type,
        fee: e.fee,
        validFrom: e.from,
        validUntil: e.until,
        setAt: caller.at,
        setBy: caller.actor,
      })));
    }
  });
  return await readFeeSchedule(db, code);
}
