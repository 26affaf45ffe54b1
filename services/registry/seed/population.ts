/**
 * The population generator: a deterministic, realistic resident registry for
 * one municipality, produced household by household and handed out in chunks
 * of table rows (residents, households, their first history snapshot, seal
 * registrations, issuance blocks, card links).
 *
 * The same options give the same rows, byte for byte, whatever the chunk
 * size; a smaller population is a prefix of a larger one (except for its
 * last, possibly truncated, household).
 *
 * @module
 */

import type {
  CardLink,
  Household,
  IssuanceBlock,
  municipalities,
  Resident,
  residentHistory,
  SealRegistration,
} from "../../../db/registry/schema.ts";
import {
  AddressBook,
  katagaki,
  type MunicipalityProfile,
  municipalityProfile,
} from "./places.ts";
import {
  type GivenName,
  NATIONALITIES,
  type Nationality,
  periodDays,
  pickGivenName,
  pickSurname,
  residencePeriods,
  type Surname,
  toKatakana,
} from "./names.ts";
import {
  myNumberFromBody,
  residenceCardNumber,
  residentCodeFromBody,
} from "./numbers.ts";
import { pad, Rng, scrambleDecimal, WeightedTable } from "./random.ts";
import {
  sealImpressionPng,
  sealPrintPng,
  type SealShape,
} from "./seal_image.ts";
import { LEGAL_READING, MAX_FURIGANA_CHARS } from "../planners/furigana.ts";

/** A municipalities row. */
export type MunicipalityRow = typeof municipalities.$inferSelect;
/** A resident_history row. */
export type ResidentHistoryRow = typeof residentHistory.$inferSelect;

/** Options of {@linkcode generatePopulation}. */
export interface PopulationOptions {
  /** 6-digit code of a municipality the generator knows (401005, 401307). */
  municipalityCode: string;
  /** Number of residents (1 … 9,999,999). */
  residents: number;
  /** Seed; default 1. */
  seed?: number;
  /** Residents per chunk (a chunk always ends on a household boundary); default 50,000. */
  chunkSize?: number;
  /** The registry's "today" (YYYY-MM-DD); default {@linkcode DEFAULT_AS_OF}. */
  asOf?: string;
}

/** One chunk of generated rows, ready for COPY. */
export interface PopulationChunk {
  /** 0-based chunk number. */
  index: number;
  households: Household[];
  residents: Resident[];
  /** One row per resident: history_no 1, seq 0, event "seed", snapshot = the resident row. */
  history: ResidentHistoryRow[];
  seals: SealRegistration[];
  blocks: IssuanceBlock[];
  cards: CardLink[];
}

/** The default "today" of generated data. */
export const DEFAULT_AS_OF = "2026-11-01";

/** Target shares the generator draws with (tests check the outcome against them). */
export const SHARES = {
  /** Households that are foreign (tuned so ~2% of residents are foreign). */
  foreignHouseholds: 0.032,
  /** Adults (18+) with a registered seal. */
  sealsOfAdults: 0.4,
  /** Residents with a linked My Number card. */
  cards: 0.7,
  /** Residents who opted out of kiosk issuance. */
  optOut: 0.003,
  /** Residents under a DV/stalking support measure. */
  supportMeasure: 0.003,
  /** Households with a move-out filed (転出予定). */
  movingOut: 0.004,
  /** Married-in spouses with a 旧氏 recorded. */
  formerSurname: 0.12,
} as const;

const DAY_MS = 86_400_000;
const YEAR = 365.2425;
const EPOCH_OFFSET = 25_567; // days from 1900-01-01 to 1970-01-01
const FIRST_YEAR = 1900;
const LAST_YEAR = 2149;

/** YYYY-MM-DD of every day from 1900 to 2149, indexed by day number + EPOCH_OFFSET (a packed array). */
const ISO_DAYS: string[] = (() => {
  const out: string[] = [];
  const two = (n: number) => (n < 10 ? "0" : "") + n;
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    const lengths = [
      31,
      leap ? 29 : 28,
      31,
      30,
      31,
      30,
      31,
      31,
      30,
      31,
      30,
      31,
    ];
    for (let m = 0; m < 12; m++) {
      const ym = `${y}-${two(m + 1)}-`;
      for (let d = 1; d <= lengths[m]; d++) out.push(ym + two(d));
    }
  }
  return out;
})();

function dayOf(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new TypeError(`Expected a YYYY-MM-DD date, got "${iso}"`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

function iso(day: number): string {
  const k = (day + EPOCH_OFFSET) | 0; // an int32 index keeps the lookup on the fast path
  return k >= 0 && k < ISO_DAYS.length
    ? ISO_DAYS[k]
    : new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The municipalities row of a known municipality.
 *
 * @example
 * ```ts
 * municipalityRow("401005").name; // "北九州市"
 * ```
 */
export function municipalityRow(code: string): MunicipalityRow {
  const p = municipalityProfile(code);
  return {
    code: p.code,
    name: p.name,
    mayor: p.mayor,
    printMyNumberAtKiosk: false,
    sameDayEventTypes: null,
    householdMoveOutPolicy: "strict",
    gaijiVersion: 0,
    // The default form profile (lib/contracts/form_profile.ts).
    formProfile: null,
  };
}

type Sex = "male" | "female";

/** A member as planned before dates and numbers are assigned. */
interface Plan {
  rel: string;
  sex: Sex;
  /** Age in years (fractional) on the as-of date. */
  age: number;
  surname: Surname;
  formerSurname?: Surname;
  /** Index into the household's koseki list. */
  koseki: number;
  /** Joined the household after it settled (married in, moved in later). */
  joinedLater?: boolean;
}

interface Koseki {
  honseki: string;
  /** Plan index of the 筆頭者 in this household, or a name outside it. */
  head: number | string;
}

const JP_SIZES = new WeightedTable(
  [[1, 38], [2, 33], [3, 15], [4, 10], [5, 3], [6, 1]] as const,
);
const FOREIGN_SIZES = new WeightedTable(
  [[1, 60], [2, 20], [3, 11], [4, 9]] as const,
);
const SINGLE_AGES = new WeightedTable(
  [[[20, 30], 15], [[30, 45], 11], [[45, 65], 18], [[65, 80], 30], [
    [80, 98],
    26,
  ]] as const,
);
const COUPLE_AGES = new WeightedTable(
  [[[24, 40], 12], [[40, 60], 13], [[60, 75], 37], [[75, 95], 38]] as const,
);
const HEAD_AGE_BY_STATUS: Record<string, readonly [number, number]> = {
  "留学": [19, 30],
  "技能実習": [20, 35],
  "特定技能": [20, 40],
  "特別永住者": [25, 90],
  "永住者": [28, 80],
};
const LIVES_ALONE = new Set(["留学", "技能実習", "特定技能"]);

/**
 * Generates a population in chunks of rows. Pure and synchronous: the same
 * options give the same rows (seal PNGs are shared `Uint8Array`s).
 *
 * @example
 * ```ts
 * for (const chunk of generatePopulation({ municipalityCode: "401005", residents: 100, seed: 7 })) {
 *   console.log(chunk.residents.length, chunk.households.length);
 * }
 * ```
 */
export function* generatePopulation(
  options: PopulationOptions,
): Generator<PopulationChunk> {
  checkPopulationOptions(options);
  const count = segmentCount(options.residents);
  let index = 0;
  for (let k = 0; k < count; k++) {
    for (const chunk of generateSegment(options, k)) {
      chunk.index = index++;
      yield chunk;
    }
  }
}

/**
 * Checks population options (throws `RangeError` like the generator would)
 * without generating anything.
 *
 * @example
 * ```ts ignore
 * checkPopulationOptions({ municipalityCode: "999999", residents: 10 }); // throws RangeError
 * ```
 */
export function checkPopulationOptions(options: PopulationOptions): void {
  new Generator_(options, 0);
}

/**
 * Residents per segment. Segments are generated independently (each with
 * its own random stream and id ranges), so they can be generated in
 * parallel; a household never spans two segments. Changing this changes
 * the generated data.
 */
export const SEGMENT_SIZE = 50_000;

/**
 * Number of segments of a population.
 *
 * @example
 * ```ts
 * segmentCount(970_000); // 20
 * ```
 */
export function segmentCount(residents: number): number {
  return Math.ceil(residents / SEGMENT_SIZE);
}

/**
 * The chunks of one segment (residents `segment × SEGMENT_SIZE + 1` …) —
 * what {@linkcode generatePopulation} yields for it. Resident, household,
 * seal and block numbers of segment k start after k × SEGMENT_SIZE.
 *
 * @example
 * ```ts
 * const [first] = generateSegment({ municipalityCode: "401005", residents: 100_010 }, 2);
 * first.residents[0].id; // "401005-00100001"
 * ```
 */
export function* generateSegment(
  options: PopulationOptions,
  segment: number,
): Generator<PopulationChunk> {
  const g = new Generator_(options, segment);
  yield* g.run();
}

class Generator_ {
  readonly code: string;
  readonly end: number;
  readonly chunkSize: number;
  readonly asOf: number;
  readonly asOfIso: string;
  readonly recordedAt: string;
  readonly rng: Rng;
  readonly book: AddressBook;
  readonly profile: MunicipalityProfile;
  readonly muniKey: number;
  readonly seedDigit: number;
  residentSeq: number;
  householdSeq: number;
  sealSeq: number;
  blockSeq: number;
  chunk!: PopulationChunk;

  constructor(o: PopulationOptions, segment: number) {
    if (
      !Number.isInteger(o.residents) || o.residents < 1 ||
      o.residents > 9_999_999
    ) {
      throw new RangeError(
        `residents must be an integer in 1..9,999,999, got ${o.residents}`,
      );
    }
    const seed = o.seed ?? 1;
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`seed must be an integer, got ${seed}`);
    }
    const chunkSize = o.chunkSize ?? 50_000;
    if (!Number.isInteger(chunkSize) || chunkSize < 1) {
      throw new RangeError(
        `chunkSize must be a positive integer, got ${chunkSize}`,
      );
    }
    if (
      !Number.isInteger(segment) || segment < 0 ||
      segment >= segmentCount(o.residents)
    ) {
      throw new RangeError(
        `segment ${segment} is outside 0..${segmentCount(o.residents) - 1}`,
      );
    }
    this.profile = municipalityProfile(o.municipalityCode);
    this.code = o.municipalityCode;
    this.end = Math.min(o.residents, (segment + 1) * SEGMENT_SIZE);
    this.chunkSize = chunkSize;
    this.asOfIso = o.asOf ?? DEFAULT_AS_OF;
    this.asOf = dayOf(this.asOfIso);
    this.recordedAt = `${this.asOfIso}T00:00:00+09:00`;
    this.rng = new Rng(seed, Number(o.municipalityCode), segment);
    this.book = new AddressBook(this.profile);
    this.muniKey = Number(o.municipalityCode) % 997;
    this.seedDigit = ((seed % 10) + 10) % 10;
    const start = segment * SEGMENT_SIZE;
    this.residentSeq =
      this.householdSeq =
      this.sealSeq =
      this.blockSeq =
        start;
  }

  *run(): Generator<PopulationChunk> {
    let index = 0;
    this.chunk = this.emptyChunk(index);
    while (this.residentSeq < this.end) {
      this.household();
      if (this.chunk.residents.length >= this.chunkSize) {
        yield this.chunk;
        this.chunk = this.emptyChunk(++index);
      }
    }
    if (this.chunk.residents.length > 0) yield this.chunk;
  }

  emptyChunk(index: number): PopulationChunk {
    return {
      index,
      households: [],
      residents: [],
      history: [],
      seals: [],
      blocks: [],
      cards: [],
    };
  }

  // ---- household composition -------------------------------------------

  household(): void {
    const rng = this.rng;
    const remaining = this.end - this.residentSeq;
    if (rng.chance(SHARES.foreignHouseholds)) {
      const nat = NATIONALITIES.pick(rng);
      const status = nat.statuses.pick(rng);
      const size = Math.min(
        remaining,
        LIVES_ALONE.has(status) ? 1 : FOREIGN_SIZES.pick(rng),
      );
      this.emitForeign(nat, status, size);
    } else {
      const size = Math.min(remaining, JP_SIZES.pick(rng));
      this.emitJapanese(size);
    }
  }

  between(lo: number, hi: number): number {
    return lo + this.rng.float() * (hi - lo);
  }

  /** Ages of `count` children of parents whose younger one is `parentAge`. */
  childAges(count: number, parentAge: number, minAge = 0): number[] {
    const rng = this.rng;
    const ages: number[] = [];
    // The younger parent had the first child between 19 and 40 (and the child is at least minAge).
    const hi = Math.min(40, parentAge - minAge);
    let age = parentAge - this.between(19, Math.max(19, hi));
    for (let i = 0; i < count; i++) {
      if (i > 0) age -= 1 + rng.float() * 4;
      ages.push(Math.max(age, rng.float() * 0.9));
    }
    return ages;
  }

  marriedIn(p: Plan, sameSurname: Surname): Plan {
    if (this.rng.chance(SHARES.formerSurname)) {
      let former = pickSurname(this.rng);
      if (former.kanji === sameSurname.kanji) former = pickSurname(this.rng);
      p.formerSurname = former;
    }
    return p;
  }

  emitJapanese(size: number): void {
    const rng = this.rng;
    const surname = pickSurname(rng);
    const plans: Plan[] = [];
    const kosekis: Koseki[] = [];
    const newKoseki = (head: number | string) =>
      kosekis.push({ honseki: this.book.honseki(rng), head }) - 1;
    const outsider = (sur: Surname, sex: Sex, birthYear: number) => {
      return `${sur.kanji}　${pickGivenName(rng, sex, birthYear).kanji}`;
    };
    const yearOf = (age: number) =>
      Math.floor(1970 + (this.asOf - age * YEAR) / YEAR);
    const couple = (headAge: number, headMale = rng.chance(0.9)): void => {
      const diff = (rng.float() + rng.float() - 1) * 6 + (headMale ? -2 : 2);
      const k = newKoseki(headMale ? 0 : 1);
      plans.push({
        rel: "世帯主",
        sex: headMale ? "male" : "female",
        age: headAge,
        surname,
        koseki: k,
      });
      const spouse: Plan = {
        rel: headMale ? "妻" : "夫",
        sex: headMale ? "female" : "male",
        age: Math.max(19, headAge + diff),
        surname,
        koseki: k,
      };
      plans.push(headMale ? this.marriedIn(spouse, surname) : spouse);
      if (!headMale && rng.chance(SHARES.formerSurname)) {
        this.marriedIn(plans[0], surname);
      }
    };
    const children = (
      count: number,
      parentAge: number,
      koseki: number,
      rel = "子",
      minAge = 0,
    ) => {
      for (const age of this.childAges(count, parentAge, minAge)) {
        plans.push({
          rel,
          sex: rng.chance(0.51) ? "male" : "female",
          age,
          surname,
          koseki,
        });
      }
    };

    if (size === 1) {
      const [lo, hi] = SINGLE_AGES.pick(rng);
      const age = this.between(lo, hi);
      const sex: Sex = rng.chance(age >= 65 ? 0.35 : 0.55) ? "male" : "female";
      let head: number | string = 0;
      if (age < 35 && rng.chance(0.8)) {
        head = outsider(surname, "male", yearOf(age + 30));
      } else if (sex === "female" && age >= 65 && rng.chance(0.7)) {
        head = outsider(surname, "male", yearOf(age + 2));
      }
      plans.push({ rel: "世帯主", sex, age, surname, koseki: newKoseki(head) });
    } else if (size === 2) {
      const u = rng.float();
      if (u < 0.6) {
        const [lo, hi] = COUPLE_AGES.pick(rng);
        couple(this.between(lo, hi));
      } else if (u < 0.84) {
        const age = this.between(45, 90);
        const sex: Sex = rng.chance(0.3) ? "male" : "female";
        const k = newKoseki(
          sex === "male" || rng.chance(0.4)
            ? 0
            : outsider(surname, "male", yearOf(age + 2)),
        );
        plans.push({ rel: "世帯主", sex, age, surname, koseki: k });
        children(1, age, k);
      } else if (u < 0.92) {
        const age = this.between(30, 65);
        const sex: Sex = rng.chance(0.6) ? "male" : "female";
        const parentAge = Math.min(99, age + this.between(22, 38));
        const parentSex: Sex = rng.chance(0.25) ? "male" : "female";
        const parentsKoseki = newKoseki(
          parentSex === "male"
            ? 1
            : outsider(surname, "male", yearOf(parentAge + 2)),
        );
        const own = age >= 35 && rng.chance(0.5) ? newKoseki(0) : parentsKoseki;
        plans.push({ rel: "世帯主", sex, age, surname, koseki: own });
        plans.push({
          rel: parentSex === "male" ? "父" : "母",
          sex: parentSex,
          age: parentAge,
          surname,
          koseki: parentsKoseki,
          joinedLater: true,
        });
      } else if (u < 0.95) {
        const age = this.between(20, 70);
        const k = newKoseki(outsider(surname, "male", yearOf(age + 30)));
        const sex: Sex = rng.chance(0.5) ? "male" : "female";
        plans.push({ rel: "世帯主", sex, age, surname, koseki: k });
        const older = rng.chance(0.5);
        const sib = Math.max(18, age + (older ? 1 : -1) * this.between(1, 8));
        const sibSex: Sex = rng.chance(0.5) ? "male" : "female";
        const rel = older
          ? (sibSex === "male" ? "兄" : "姉")
          : (sibSex === "male" ? "弟" : "妹");
        plans.push({ rel, sex: sibSex, age: sib, surname, koseki: k });
      } else {
        const age = this.between(22, 70);
        plans.push({
          rel: "世帯主",
          sex: rng.chance(0.5) ? "male" : "female",
          age,
          surname,
          koseki: newKoseki(0),
        });
        const other = pickSurname(rng);
        plans.push({
          rel: "同居人",
          sex: rng.chance(0.5) ? "male" : "female",
          age: Math.max(19, age + this.between(-8, 8)),
          surname: other,
          koseki: kosekis.push({ honseki: this.book.honseki(rng), head: 1 }) -
            1,
          joinedLater: true,
        });
      }
    } else {
      const u = rng.float();
      if (u < 0.68) {
        couple(28 + 40 * (rng.float() + rng.float()) / 2);
        children(size - 2, Math.min(plans[0].age, plans[1].age), 0);
      } else if (u < 0.8) {
        const sex: Sex = rng.chance(0.85) ? "female" : "male";
        const age = this.between(30, 62);
        const k = newKoseki(0);
        plans.push({ rel: "世帯主", sex, age, surname, koseki: k });
        children(size - 1, age, k);
      } else if (u < 0.92) {
        let rem = size - 1;
        const headAge = this.between(58, 85);
        if (rem >= 3 || rng.chance(0.6)) {
          couple(headAge, true);
          rem--;
        } else {
          const sex: Sex = rng.chance(0.3) ? "male" : "female";
          plans.push({
            rel: "世帯主",
            sex,
            age: headAge,
            surname,
            koseki: newKoseki(
              sex === "male"
                ? 0
                : outsider(surname, "male", yearOf(headAge + 2)),
            ),
          });
        }
        const elder = Math.min(...plans.map((p) => p.age));
        const childSex: Sex = rng.chance(0.7) ? "male" : "female";
        const childAge = this.childAges(1, elder, 24)[0];
        const childIdx = plans.length;
        plans.push({
          rel: "子",
          sex: childSex,
          age: childAge,
          surname,
          koseki: 0,
        });
        rem--;
        let youngerParent = childAge;
        if (rem >= 2 && rng.chance(0.8)) {
          const k = newKoseki(childSex === "male" ? childIdx : childIdx + 1);
          plans[childIdx].koseki = k;
          const spouseAge = Math.max(20, childAge + this.between(-4, 4));
          const inLaw: Plan = {
            rel: childSex === "male" ? "子の妻" : "子の夫",
            sex: childSex === "male" ? "female" : "male",
            age: spouseAge,
            surname,
            koseki: k,
            joinedLater: true,
          };
          plans.push(this.marriedIn(inLaw, surname));
          youngerParent = Math.min(childAge, spouseAge);
          rem--;
        }
        children(rem, youngerParent, plans[childIdx].koseki, "孫");
      } else {
        const headAge = this.between(38, 62);
        couple(headAge, true);
        const both = size >= 6;
        const elderAge = Math.min(99, headAge + this.between(22, 36));
        const k = newKoseki(
          both || rng.chance(0.3)
            ? plans.length
            : outsider(surname, "male", yearOf(elderAge + 2)),
        );
        if (both) {
          plans.push({
            rel: "父",
            sex: "male",
            age: elderAge + 2,
            surname,
            koseki: k,
            joinedLater: true,
          });
        }
        plans.push({
          rel: both || typeof kosekis[k].head === "string" ? "母" : "父",
          sex: both || typeof kosekis[k].head === "string" ? "female" : "male",
          age: elderAge,
          surname,
          koseki: k,
          joinedLater: true,
        });
        children(size - plans.length, Math.min(plans[0].age, plans[1].age), 0);
      }
    }
    this.emit(plans, kosekis, null);
  }

  emitForeign(nat: Nationality, status: string, size: number): void {
    const rng = this.rng;
    const [lo, hi] = HEAD_AGE_BY_STATUS[status] ?? [24, 60];
    const headAge = this.between(lo, hi);
    const headSex: Sex = rng.chance(0.6) ? "male" : "female";
    const family = rng.pick(nat.surnames);
    const plans: ForeignPlan[] = [{
      rel: "世帯主",
      sex: headSex,
      age: headAge,
      surname: family,
      status,
    }];
    const dependant = status === "永住者" || status === "特別永住者"
      ? status
      : "家族滞在";
    if (size >= 2) {
      const spouseSex: Sex = headSex === "male" ? "female" : "male";
      plans.push({
        rel: spouseSex === "female" ? "妻" : "夫",
        sex: spouseSex,
        age: Math.max(19, headAge + this.between(-6, 4)),
        surname: rng.pick(nat.surnames),
        status: dependant,
      });
    }
    const parentAge = Math.min(...plans.map((p) => p.age));
    for (const age of this.childAges(size - plans.length, parentAge)) {
      plans.push({
        rel: "子",
        sex: rng.chance(0.5) ? "male" : "female",
        age,
        surname: headSex === "male" || plans.length < 2
          ? family
          : plans[1].surname,
        status: dependant,
      });
    }
    this.emit(
      plans.map((p) => ({
        rel: p.rel,
        sex: p.sex,
        age: p.age,
        surname: NO_SURNAME,
        koseki: -1,
      })),
      [],
      {
        nat,
        plans,
        aliasSurname: rng.chance(nat.aliasRate) ? pickSurname(rng) : null,
      },
    );
  }

  // ---- rows -------------------------------------------------------------

  emit(plans: Plan[], kosekis: Koseki[], foreign: ForeignContext | null): void {
    const rng = this.rng;
    const code = this.code;
    const asOf = this.asOf;
    const householdId = `${code}-H${pad(++this.householdSeq, 7)}`;
    const home = this.book.inCity(rng);
    const apartment = rng.chance(foreign ? 0.85 : 0.45)
      ? katagaki(rng, home.town)
      : null;
    const movingOut = rng.chance(SHARES.movingOut);
    const planned = movingOut ? iso(asOf + rng.range(1, 30)) : null;
    const destination = movingOut ? this.book.elsewhere(rng) : null;

    const births = plans.map((p) => asOf - Math.floor(p.age * YEAR));
    const headBirth = births[0];
    // When the household came to the municipality, and when it moved to this address.
    const bornHere = !foreign && rng.chance(0.3);
    const adult = headBirth + Math.round(18 * YEAR);
    const earliest = Math.min(
      Math.max(adult, asOf - Math.round(45 * YEAR)),
      asOf - 30,
    );
    const arrival = Math.round(earliest + rng.float() * (asOf - 7 - earliest));
    const addrSet = rng.chance(0.35)
      ? Math.round(arrival + rng.float() * (asOf - 7 - arrival))
      : arrival;
    const fromAbroad = foreign !== null && rng.chance(0.5);
    const arrivedFrom = fromAbroad
      ? foreign!.nat.name
      : this.book.elsewhere(rng);
    const movedFrom = addrSet > arrival ? this.book.inCity(rng).address : null;

    const ids: string[] = [];
    for (let i = 0; i < plans.length; i++) {
      ids.push(`${code}-${pad(++this.residentSeq, 8)}`);
    }
    const names: string[] = new Array(plans.length);

    for (let i = 0; i < plans.length; i++) {
      const p = plans[i];
      const birth = births[i];
      const birthYear = Number(iso(birth).slice(0, 4));
      let name: string, nameKana: string;
      let alphabeticName: string | null = null,
        alias: string | null = null,
        aliasKana: string | null = null;
      let sealText: string;
      // The parts of the reading (hiragana or katakana as generated).
      let readings: [string, string];
      const fp = foreign?.plans[i];
      if (foreign && fp) {
        const given = rng.pick(foreign.nat.given[p.sex]);
        alphabeticName = `${fp.surname.alpha} ${given.alpha}`;
        nameKana = `${fp.surname.kana}　${given.kana}`;
        readings = [fp.surname.kana, given.kana];
        name = fp.surname.kanji && given.kanji
          ? `${fp.surname.kanji}　${given.kanji}`
          : alphabeticName;
        if (foreign.aliasSurname) {
          const g: GivenName = pickGivenName(rng, p.sex, birthYear);
          alias = `${foreign.aliasSurname.kanji}　${g.kanji}`;
          aliasKana = `${foreign.aliasSurname.kana}　${g.kana}`;
          sealText = foreign.aliasSurname.seal;
        } else {
          sealText = fp.surname.kanji ??
            toKatakana(fp.surname.kana.split("　")[0]).slice(0, 3);
        }
      } else {
        const given = pickGivenName(rng, p.sex, birthYear);
        name = `${p.surname.kanji}　${given.kanji}`;
        nameKana = `${p.surname.kana}　${given.kana}`;
        readings = [p.surname.kana, given.kana];
        sealText = p.surname.seal;
      }
      names[i] = name;

      // Dates: born after arrival → resident since birth; joined later → own date.
      let became: number;
      let previous: string | null;
      if (birth >= arrival || (bornHere && i === 0)) {
        became = birth;
        previous = null;
      } else if (p.joinedLater) {
        const from = Math.max(arrival, birth + Math.round(18 * YEAR));
        became = from >= asOf - 7
          ? arrival
          : Math.round(from + rng.float() * (asOf - 7 - from));
        previous = became === arrival ? arrivedFrom : this.book.elsewhere(rng);
      } else {
        became = arrival;
        previous = arrivedFrom;
      }
      const addressSet = Math.max(became, addrSet);
      if (addressSet > became) {
        previous = movedFrom ?? this.book.inCity(rng).address;
      }
      const notified = Math.min(asOf, addressSet + rng.int(15));

      let honseki: string | null = null, hittousha: string | null = null;
      if (!foreign) {
        const k = kosekis[p.koseki];
        honseki = k.honseki;
        hittousha = typeof k.head === "string" ? k.head : null; // plan index: filled below
      }

      const key = this.residentSeq - plans.length + i + 1;
      let periodOfStay: string | null = null, stayExpiry: string | null = null;
      let residenceCard: string | null = null;
      if (foreign && fp) {
        const periods = residencePeriods(fp.status);
        if (periods.length > 0) {
          periodOfStay = rng.pick(periods);
          stayExpiry = iso(asOf + rng.range(20, periodDays(periodOfStay)));
        }
        residenceCard = residenceCardNumber(
          scrambleDecimal(key % 100_000_000, 8, this.muniKey),
          rng.u32(),
        );
      }

      const resident: Resident = {
        id: ids[i],
        municipalityCode: code,
        historyNo: 1,
        status: movingOut ? "moving_out" : "active",
        name,
        nameKana,
        formerSurname: p.formerSurname?.kanji ?? null,
        formerSurnameKana: p.formerSurname?.kana ?? null,
        ...seedFurigana(key, readings, foreign !== null, p.formerSurname?.kana),
        alphabeticName,
        alias,
        aliasKana,
        birthDate: iso(birth),
        sex: p.sex,
        householdId,
        relationship: p.rel,
        honseki,
        hittousha,
        becameResidentDate: iso(became),
        addressSetDate: iso(addressSet),
        notifiedDate: iso(notified),
        address: home.address,
        katagaki: apartment,
        previousAddress: previous,
        myNumber: myNumberFromBody(
          scrambleDecimal(this.seedDigit * 1e10 + this.muniKey * 1e7 + key, 11),
        ),
        residentCode: residentCodeFromBody(
          scrambleDecimal(this.muniKey * 1e7 + key, 10, 3),
        ),
        isForeign: foreign !== null,
        nationality: foreign ? foreign.nat.name : null,
        residenceStatus: fp ? fp.status : null,
        periodOfStay,
        stayExpiry,
        residenceCardNumber: residenceCard,
        plannedMoveOutDate: planned,
        destinationAddress: destination,
        removalReason: null,
        removalDate: null,
        // Seeded records carry no 処理日 (the same-day rule falls back to
        // the 住民となった日).
        processedDate: null,
        processedTypes: null,
        updatedSeq: 0,
      };
      this.chunk.residents.push(resident);
      this.chunk.history.push({
        residentId: resident.id,
        historyNo: 1,
        municipalityCode: code,
        seq: 0,
        eventType: "seed",
        snapshot: resident,
        recordedAt: this.recordedAt,
      });
      this.extras(resident, birth, became, key, sealText);
    }
    // 筆頭者 who live in the household: their generated names.
    if (!foreign) {
      const start = this.chunk.residents.length - plans.length;
      for (let i = 0; i < plans.length; i++) {
        const head = kosekis[plans[i].koseki].head;
        if (typeof head === "number") {
          this.chunk.residents[start + i].hittousha = names[head];
        }
      }
    }
    this.chunk.households.push({
      id: householdId,
      municipalityCode: code,
      householderId: ids[0],
      address: home.address,
      katagaki: apartment,
      status: "active",
    });
  }

  /** Seal registration, issuance block and card link of one resident. */
  extras(
    r: Resident,
    birth: number,
    became: number,
    key: number,
    sealText: string,
  ): void {
    const rng = this.rng;
    const asOf = this.asOf;
    const code = this.code;
    const adultFrom = birth + Math.round(18 * YEAR);
    if (adultFrom <= asOf && rng.chance(SHARES.sealsOfAdults)) {
      const from = Math.max(adultFrom, became);
      const n = ++this.sealSeq;
      const shape: SealShape = rng.chance(0.8) ? "round" : "square";
      this.chunk.seals.push({
        id: `${code}-S${pad(n, 7)}`,
        municipalityCode: code,
        residentId: r.id,
        registrationNumber: pad(n, 7),
        impressionPng: sealImpressionPng(sealText, shape),
        // Stored as registration stores them: a print version (≥ 300 dpi)
        // and a compact one within the back side's budget (the impression).
        printPng: sealPrintPng(sealText, shape),
        compactPng: sealImpressionPng(sealText, shape),
        registeredDate: iso(Math.round(from + rng.float() * (asOf - from))),
        status: "active",
        endedDate: null,
        endReason: null,
      });
    }
    const u = rng.float();
    if (u < SHARES.optOut + SHARES.supportMeasure) {
      const optOut = u < SHARES.optOut;
      const from = optOut ? Math.max(became, asOf - 1100) : asOf - 360;
      const start = Math.max(
        became,
        Math.round(from + rng.float() * (asOf - 1 - from)),
      );
      this.chunk.blocks.push({
        id: `${code}-B${pad(++this.blockSeq, 7)}`,
        municipalityCode: code,
        residentId: r.id,
        reason: optOut ? "opt_out" : "support_measure",
        startDate: iso(start),
        endDate: optOut ? null : iso(start + 365),
        liftedAt: null,
        liftedReason: null,
      });
    }
    if (rng.chance(SHARES.cards)) {
      const body = scrambleDecimal(
        this.seedDigit * 1e10 + this.muniKey * 1e7 + key,
        11,
        7,
      );
      const serial = body.toString(16).padStart(10, "0") +
        (rng.u32() & 0xffffff).toString(16).padStart(6, "0");
      const from = Math.max(birth, CARDS_FROM);
      this.chunk.cards.push({
        serial: serial.toUpperCase(),
        municipalityCode: code,
        residentId: r.id,
        linkedAt: `${
          iso(Math.round(from + rng.float() * (asOf - from)))
        }T09:00:00+09:00`,
        unlinkedAt: null,
      });
    }
  }
}

/** My Number cards were first issued in January 2016. */
const CARDS_FROM = Date.UTC(2016, 0, 12) / DAY_MS;

const NO_SURNAME: Surname = { kanji: "", kana: "", seal: "" };

interface ForeignPlan {
  rel: string;
  sex: Sex;
  age: number;
  surname: Nationality["surnames"][number];
  status: string;
}

interface ForeignContext {
  nat: Nationality;
  plans: ForeignPlan[];
  aliasSurname: Surname | null;
}

/** A reading as the 戸籍 records it, or null when the generated one is not plain katakana. */
function legalReading(kana: string | undefined): string | null {
  if (kana === undefined) return null;
  const k = toKatakana(kana);
  return LEGAL_READING.test(k) && k.length <= MAX_FURIGANA_CHARS ? k : null;
}

/**
 * The legal 氏名の振り仮名 of a generated resident as of late 2026, drawn from
 * its key (no draw from the generator's stream, so every other value stays
 * as it was): of Japanese residents about 72 % have both parts recorded
 * (mostly entered ex officio from the presumed reading since 2026-05-26, a
 * quarter notified), 8 % one part only, the rest none yet; of foreign
 * residents 15 % both (notified); a 旧氏 has its reading for about 40 %.
 */
function seedFurigana(
  key: number,
  [surname, given]: [string, string],
  foreign: boolean,
  formerSurnameKana: string | undefined,
): Pick<
  Resident,
  | "furiganaSurname"
  | "furiganaSurnameStatus"
  | "furiganaGivenName"
  | "furiganaGivenNameStatus"
  | "formerSurnameFurigana"
> {
  const h = Math.imul(key, 0x9e3779b1) >>> 0;
  const roll = h % 100;
  const status = (h >>> 8) % 4 === 0 ? "notified" : "ex_officio";
  const both = foreign ? roll < 15 : roll < 72;
  const surnameOnly = !foreign && roll >= 72 && roll < 78;
  const givenOnly = !foreign && roll >= 78 && roll < 80;
  const s = both || surnameOnly ? legalReading(surname) : null;
  const g = both || givenOnly ? legalReading(given) : null;
  const former = (h >>> 16) % 10 < 4 ? legalReading(formerSurnameKana) : null;
  return {
    furiganaSurname: s,
    furiganaSurnameStatus: s ? (foreign ? "notified" : status) : "unrecorded",
    furiganaGivenName: g,
    furiganaGivenNameStatus: g ? (foreign ? "notified" : status) : "unrecorded",
    formerSurnameFurigana: s ? former : null,
  };
}
