/**
 * How the center numbers a certificate (発行番号, j1040): the format is
 * lib/contracts/issue_number.ts's {@linkcode formatIssueNumber}; here are
 * its SQL twin (for the statement that records a request and numbers its
 * first copy from the session row, in one go) and the numbering of further
 * certificates of the same request (each copy its own number; a 個票式
 * household: each member's certificate its own). Every serial comes from
 * the center's one sequence `issue_number_seq`, so numbers are unique.
 *
 * @module
 */
import { type SQL, sql } from "drizzle-orm";
import { type Db, rowsOf, type Tx } from "../../../lib/db/database.ts";
import {
  formatIssueNumber,
  ISSUE_NUMBER_SQL_PARTS,
  parseIssueNumber,
} from "../../../lib/contracts/issue_number.ts";

/**
 * The SQL expression of a new issue number (the twin of
 * `formatIssueNumber`, a serial drawn from the sequence): `date` is the JST
 * issue date, the municipality and the kiosk are SQL expressions (columns of
 * the session row).
 *
 * @example
 * ```ts ignore
 * sql`select ${issueNumberSql({ date: "2026-11-26", municipalityCode: sql`s.municipality_code`, kioskId: sql`s.kiosk_id` })}`;
 * ```
 */
export function issueNumberSql(parts: {
  date: string;
  municipalityCode: SQL;
  kioskId: SQL;
}): SQL {
  const { terminalClass, terminalMax, serialDigits, printer } =
    ISSUE_NUMBER_SQL_PARTS;
  const date = parts.date.replaceAll("-", "");
  return sql`(${date} || '-' || ${parts.municipalityCode} || '-' ||
    left(regexp_replace(${parts.kioskId}, ${terminalClass}, '_', 'g'), ${terminalMax}) || '-' ||
    ${printer} || '-' || (select lpad(n::text, greatest(${serialDigits}, length(n::text)), '0')
      from (select nextval('issue_number_seq') as n) q))`;
}

/**
 * `count` further issue numbers of the request whose first number is
 * `first`: same date, municipality, terminal and printer, each its own
 * serial from the sequence, in order.
 *
 * @example
 * ```ts ignore
 * const more = await furtherIssueNumbers(db, "20261126-401005-kiosk-0001-01-0000123", 2);
 * // ["20261126-401005-kiosk-0001-01-0000124", "20261126-401005-kiosk-0001-01-0000125"]
 * ```
 */
export async function furtherIssueNumbers(
  db: Db | Tx,
  first: string,
  count: number,
): Promise<string[]> {
  if (count <= 0) return [];
  const p = parseIssueNumber(first);
  if (p?.form !== "standard") {
    throw new RangeError(`${first} is not an issue number of j1040's form`);
  }
  const serials = rowsOf<{ n: string | number }>(
    await db.execute(sql`
      select nextval('issue_number_seq') as n
      from generate_series(1, ${count}) i order by i`),
  ).map((r) => BigInt(r.n));
  return serials.map((serial) =>
    formatIssueNumber({
      date: p.date,
      municipalityCode: p.municipalityCode,
      terminal: p.terminal!,
      printer: p.printer,
      serial,
    })
  );
}
