/**
 * Japanese era (和暦) formatting of ISO dates, as printed on certificates.
 *
 * Eras and their first day (Gregorian): 明治 1868-10-23, 大正 1912-07-30,
 * 昭和 1926-12-25, 平成 1989-01-08, 令和 2019-05-01. The first year of an era
 * is written 元年. Dates before 明治 are refused: Japan used a lunisolar
 * calendar until 1872, so such a date cannot be a registry date.
 *
 * @module
 */

/** One Japanese era and the Gregorian date it began. */
export interface Era {
  /** e.g. "令和" */
  name: string;
  /** First day, ISO `YYYY-MM-DD`. */
  start: string;
}

/**
 * The modern eras, oldest first.
 *
 * @example
 * ```ts
 * ERAS.at(-1)?.name; // "令和"
 * ```
 */
export const ERAS: readonly Era[] = [
  { name: "明治", start: "1868-10-23" },
  { name: "大正", start: "1912-07-30" },
  { name: "昭和", start: "1926-12-25" },
  { name: "平成", start: "1989-01-08" },
  { name: "令和", start: "2019-05-01" },
];

/** A date split into era, era year and month/day. */
export interface EraDate {
  era: string;
  /** 1 for 元年. */
  eraYear: number;
  year: number;
  month: number;
  day: number;
}

/** Options of {@link formatJapaneseDate}. */
export interface FormatEraOptions {
  /** Print digits as full-width (１２), as most printed forms do. Default false. */
  fullWidth?: boolean;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses a strict ISO `YYYY-MM-DD` calendar date.
 *
 * @example
 * ```ts
 * parseIsoDate("2019-05-01"); // { year: 2019, month: 5, day: 1 }
 * ```
 */
export function parseIsoDate(
  iso: string,
): { year: number; month: number; day: number } {
  const m = ISO_DATE.exec(iso);
  if (!m) throw new TypeError(`Invalid date "${iso}": expected YYYY-MM-DD`);
  const year = Number(m[1]), month = Number(m[2]), day = Number(m[3]);
  const t = new Date(Date.UTC(year, month - 1, day));
  if (
    t.getUTCFullYear() !== year || t.getUTCMonth() !== month - 1 ||
    t.getUTCDate() !== day
  ) {
    throw new RangeError(`Invalid date "${iso}": no such calendar day`);
  }
  return { year, month, day };
}

/**
 * Converts an ISO date to its Japanese era.
 *
 * @example
 * ```ts
 * toEraDate("2019-05-01"); // { era: "令和", eraYear: 1, year: 2019, month: 5, day: 1 }
 * ```
 */
export function toEraDate(iso: string): EraDate {
  const { year, month, day } = parseIsoDate(iso);
  const key = iso; // ISO dates compare correctly as strings
  for (let i = ERAS.length - 1; i >= 0; i--) {
    const era = ERAS[i];
    if (key >= era.start) {
      const startYear = Number(era.start.slice(0, 4));
      return { era: era.name, eraYear: year - startYear + 1, year, month, day };
    }
  }
  throw new RangeError(
    `Cannot format ${iso} in a Japanese era: it is before 明治 (${
      ERAS[0].start
    })`,
  );
}

/**
 * Converts ASCII digits to full-width digits (０-９).
 *
 * @example
 * ```ts
 * toFullWidthDigits("令和8年"); // "令和８年"
 * ```
 */
export function toFullWidthDigits(s: string): string {
  return s.replace(
    /[0-9]/g,
    (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0),
  );
}

/**
 * Formats an ISO date in the Japanese era, e.g. "令和8年11月26日", with 元年 for
 * the first year of an era.
 *
 * @example
 * ```ts
 * formatJapaneseDate("2026-11-26"); // "令和8年11月26日"
 * formatJapaneseDate("1989-01-08"); // "平成元年1月8日"
 * formatJapaneseDate("2026-11-26", { fullWidth: true }); // "令和８年１１月２６日"
 * ```
 */
export function formatJapaneseDate(
  iso: string,
  options: FormatEraOptions = {},
): string {
  const d = toEraDate(iso);
  const year = d.eraYear === 1 ? "元" : String(d.eraYear);
  const s = `${d.era}${year}年${d.month}月${d.day}日`;
  return options.fullWidth ? toFullWidthDigits(s) : s;
}

/** A timestamp split into its Japan-time date and time of day. */
export interface JapanDateTime {
  /** ISO date in Japan time. */
  date: string;
  hour: number;
  minute: number;
}

/**
 * Reads an ISO 8601 timestamp and returns its date and time in Japan time
 * (UTC+9, no daylight saving).
 *
 * @example
 * ```ts
 * toJapanDateTime("2026-11-26T10:15:00+09:00"); // { date: "2026-11-26", hour: 10, minute: 15 }
 * toJapanDateTime("2026-11-26T20:00:00Z"); // { date: "2026-11-27", hour: 5, minute: 0 }
 * ```
 */
export function toJapanDateTime(timestamp: string): JapanDateTime {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(
      timestamp,
    )
  ) {
    throw new TypeError(
      `Invalid timestamp "${timestamp}": expected ISO 8601 with an offset`,
    );
  }
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) {
    throw new RangeError(`Invalid timestamp "${timestamp}"`);
  }
  const jst = new Date(ms + 9 * 3600_000);
  const date = jst.toISOString().slice(0, 10);
  return { date, hour: jst.getUTCHours(), minute: jst.getUTCMinutes() };
}

/**
 * Formats an issue timestamp as printed: "令和8年11月26日 10時15分" (Japan time).
 *
 * @example
 * ```ts
 * formatJapaneseDateTime("2026-11-26T10:05:00+09:00"); // "令和8年11月26日 10時05分"
 * ```
 */
export function formatJapaneseDateTime(
  timestamp: string,
  options: FormatEraOptions = {},
): string {
  const t = toJapanDateTime(timestamp);
  const time = `${t.hour}時${String(t.minute).padStart(2, "0")}分`;
  const s = `${formatJapaneseDate(t.date)} ${time}`;
  return options.fullWidth ? toFullWidthDigits(s).replace(" ", "　") : s;
}
