/**
 * The 発行番号 (issue number) of a certificate, as the standard prints it
 * (j1040: issue date, municipality, issuing terminal, printer number,
 * serial, page / total pages; each copy its own number) — one definition
 * for every party that makes, checks or reads one: the center makes it
 * (services/jlis/issuance/issue_number.ts, in SQL with
 * {@linkcode ISSUE_NUMBER_SQL_PARTS} mirroring {@linkcode formatIssueNumber}),
 * the center's ledger numbers its municipal feed by
 * {@linkcode municipalityOfIssueNumber}, the registry and the kiosk check
 * it, the form prints it with {@linkcode printedIssueNumber}.
 *
 * The stored number is `<yyyymmdd>-<municipality>-<terminal>-<printer>-<serial>`,
 * e.g. `20261126-401005-kiosk-0001-01-0000123`: the JST issue date, the
 * municipality's code, the issuing kiosk's id (its certificate's name at the
 * center; characters outside `[A-Za-z0-9._-]` become `_`, at most
 * {@linkcode TERMINAL_MAX_CHARS} kept, so the number always fits the
 * form's boxes), the kiosk's
 * printer (`01`: kiosks declare no printers) and a serial from the center's
 * one sequence (at least 7 digits) — unique by the serial alone, so the
 * other parts only say where and when. The page and total are not stored:
 * every sheet of a copy carries the copy's number, and the form prints its
 * own page beside it.
 *
 * Numbers made before this form (`<municipality>-<yyyymmdd>-<serial>`,
 * e.g. `401005-20261126-0000123`) stay valid: every parser here accepts
 * both, and the municipality of either is derived by the one function.
 *
 * @module
 */
import { z } from "zod";

/** The printer of a kiosk (kiosks declare no printers: each has one). */
export const KIOSK_PRINTER = "01";

/** Characters of the kiosk's id the terminal part keeps (the form's boxes hold them at 6 pt). */
export const TERMINAL_MAX_CHARS = 16;

/** Digits a serial is padded to (longer serials keep all their digits). */
export const SERIAL_DIGITS = 7;

/** The parts of an issue number (the page is the sheet's, not the number's). */
export interface IssueNumberParts {
  /** JST issue date, `yyyymmdd` (or an ISO date `yyyy-mm-dd`, formatted without dashes). */
  date: string;
  /** The municipality's six-digit code. */
  municipalityCode: string;
  /** The issuing terminal: the kiosk's id. */
  terminal: string;
  /** The terminal's printer (default {@linkcode KIOSK_PRINTER}). */
  printer?: string;
  /** The serial from the center's sequence. */
  serial: number | bigint;
}

/** An issue number read back: which form it has, and its parts. */
export interface ParsedIssueNumber {
  /** `standard`: j1040's parts; `legacy`: `<municipality>-<yyyymmdd>-<serial>`. */
  form: "standard" | "legacy";
  date: string;
  municipalityCode: string;
  /** The terminal (standard form only). */
  terminal?: string;
  /** The printer (standard form only). */
  printer?: string;
  /** The serial as printed (with its zeros). */
  serial: string;
}

const STANDARD = /^(\d{8})-(\d{6})-([A-Za-z0-9._-]+)-(\d{2})-(\d{7,})$/;
const LEGACY = /^(\d{6})-(\d{8})-(\d{6,})$/;

/**
 * Either form of an issue number (the pattern of every schema and route
 * parameter that takes one).
 *
 * @example
 * ```ts
 * ISSUE_NUMBER_PATTERN.test("20261126-401005-kiosk-0001-01-0000123"); // true
 * ISSUE_NUMBER_PATTERN.test("401005-20261126-0000123"); // true
 * ```
 */
export const ISSUE_NUMBER_PATTERN = new RegExp(
  `(?:${STANDARD.source})|(?:${LEGACY.source})`,
);

/** An issue number in either form. */
export const issueNumberSchema = z.string().max(120).regex(
  ISSUE_NUMBER_PATTERN,
);

/**
 * The terminal part for a kiosk id: the id, with characters outside
 * `[A-Za-z0-9._-]` made `_`, its first {@linkcode TERMINAL_MAX_CHARS} (the
 * SQL twin does the same; the serial alone keeps numbers unique).
 *
 * @example
 * ```ts
 * terminalCode("kiosk-0001"); // "kiosk-0001"
 * terminalCode("店舗 1"); // "___1"
 * ```
 */
export function terminalCode(kioskId: string): string {
  return kioskId.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, TERMINAL_MAX_CHARS);
}

/**
 * The serial as the number holds it: at least {@linkcode SERIAL_DIGITS}
 * digits.
 *
 * @example
 * ```ts
 * serialText(123); // "0000123"
 * ```
 */
export function serialText(serial: number | bigint): string {
  return String(serial).padStart(SERIAL_DIGITS, "0");
}

/**
 * The issue number of one copy (the one format; the center's SQL twin is
 * built from {@linkcode ISSUE_NUMBER_SQL_PARTS}).
 *
 * @example
 * ```ts
 * formatIssueNumber({
 *   date: "2026-11-26",
 *   municipalityCode: "401005",
 *   terminal: "kiosk-0001",
 *   serial: 123,
 * }); // "20261126-401005-kiosk-0001-01-0000123"
 * ```
 */
export function formatIssueNumber(parts: IssueNumberParts): string {
  const date = parts.date.replaceAll("-", "");
  if (!/^\d{8}$/.test(date)) {
    throw new RangeError(`Issue date ${parts.date} is not yyyymmdd`);
  }
  if (!/^\d{6}$/.test(parts.municipalityCode)) {
    throw new RangeError(
      `Municipality code ${parts.municipalityCode} is not six digits`,
    );
  }
  const printer = parts.printer ?? KIOSK_PRINTER;
  if (!/^\d{2}$/.test(printer)) {
    throw new RangeError(`Printer ${printer} is not two digits`);
  }
  const terminal = terminalCode(parts.terminal);
  if (!terminal) throw new RangeError("An issue number needs a terminal");
  return [
    date,
    parts.municipalityCode,
    terminal,
    printer,
    serialText(parts.serial),
  ].join("-");
}

/**
 * The parts of the SQL expression twin of {@linkcode formatIssueNumber}:
 * the terminal's replacement and the serial's padding, written once here so
 * that the two cannot drift (a test compares them on the database).
 *
 * @example
 * ```ts ignore
 * sql.raw(ISSUE_NUMBER_SQL_PARTS.terminalClass); // "[^A-Za-z0-9._-]"
 * ```
 */
export const ISSUE_NUMBER_SQL_PARTS = {
  terminalClass: "[^A-Za-z0-9._-]",
  terminalMax: TERMINAL_MAX_CHARS,
  serialDigits: SERIAL_DIGITS,
  printer: KIOSK_PRINTER,
} as const;

/**
 * Reads an issue number of either form; null when it is neither.
 *
 * @example
 * ```ts
 * parseIssueNumber("20261126-401005-kiosk-0001-01-0000123")?.terminal; // "kiosk-0001"
 * parseIssueNumber("401005-20261126-0000123")?.form; // "legacy"
 * ```
 */
export function parseIssueNumber(
  issueNumber: string,
): ParsedIssueNumber | null {
  const s = STANDARD.exec(issueNumber);
  if (s) {
    const [, date, municipalityCode, terminal, printer, serial] = s;
    return {
      form: "standard",
      date,
      municipalityCode,
      terminal,
      printer,
      serial,
    };
  }
  const l = LEGACY.exec(issueNumber);
  if (l) {
    const [, municipalityCode, date, serial] = l;
    return { form: "legacy", date, municipalityCode, serial };
  }
  return null;
}

/**
 * The municipality an issue number belongs to (either form); undefined when
 * it is no issue number. The one place the municipality is read from one.
 *
 * @example
 * ```ts
 * municipalityOfIssueNumber("20261126-401005-kiosk-0001-01-0000123"); // "401005"
 * municipalityOfIssueNumber("401307-20261126-0000123"); // "401307"
 * ```
 */
export function municipalityOfIssueNumber(
  issueNumber: string,
): string | undefined {
  return parseIssueNumber(issueNumber)?.municipalityCode;
}

/**
 * The 発行番号 as a sheet prints it (j1040): issue date, municipality,
 * terminal, printer, serial and the sheet's page / total pages, e.g.
 * `20261126 北九州市 kiosk-0001 プリンタ01 0000123 1/2`. A number of the
 * old form is printed as it is, with the page.
 *
 * @example
 * ```ts
 * printedIssueNumber("20261126-401005-kiosk-0001-01-0000123", {
 *   municipalityName: "北九州市",
 *   page: 1,
 *   pages: 2,
 * }); // "20261126 北九州市 kiosk-0001 プリンタ01 0000123 1/2"
 * ```
 */
export function printedIssueNumber(
  issueNumber: string,
  at: { municipalityName: string; page: number; pages: number },
): string {
  const p = parseIssueNumber(issueNumber);
  const page = `${at.page}/${at.pages}`;
  if (p?.form !== "standard") return `${issueNumber} ${page}`;
  return [
    p.date,
    at.municipalityName,
    p.terminal,
    `プリンタ${p.printer}`,
    p.serial,
    page,
  ].join(" ");
}
