/**
 * The fee a kiosk quotes before the resident confirms: how many
 * certificates (通) a request makes and what they cost, from the fee per
 * copy the center stated at authentication and the household format it
 * stated with the household list. A 住民票 of several people is one
 * certificate per person where the municipality prints 個票式 (`kohyo`) and
 * one certificate for all of them where it prints 世帯連記式 (`renki`). With
 * the format unknown (the household not read, or a node that did not state
 * it) or the number of people unknown, several people cannot be quoted
 * exactly: the quote says so and the
 * screen keeps its generic note. One person is one certificate either way.
 *
 * A quote only: what is charged is the released document's fee. Pure.
 *
 * @module
 */
import type { HouseholdFormat } from "../../lib/contracts/form_profile.ts";

/** Certificates (通) one copy (部数) of a request for `persons` people makes, by format. */
const CERTIFICATES_PER_COPY: Record<
  HouseholdFormat,
  (persons: number) => number
> = {
  kohyo: (persons) => persons,
  renki: () => 1,
};

/** What a request will cost, as quoted before printing. */
export interface FeeQuote {
  /**
   * The format the quote rests on: a known one, `"single"` for one person
   * (the format does not matter), or `"unknown"` for several people whose
   * municipality's format is not known (or people not counted).
   */
  basis: HouseholdFormat | "single" | "unknown";
  /** Certificates (通) per copy (部数); for `"unknown"`, 1 (the least). */
  certificatesPerCopy: number;
  /** Yen for every copy; for `"unknown"`, the least it can be. */
  total: number;
}

/**
 * Quotes a request: `fee` yen a certificate, `persons` people, `copies`
 * 部数, the municipality's household format if known.
 *
 * @example
 * ```ts
 * quoteFee({ fee: 300, persons: 3, copies: 2, householdFormat: "kohyo" }).total; // 1800
 * quoteFee({ fee: 300, persons: 3, copies: 2, householdFormat: "renki" }).total; // 600
 * ```
 */
export function quoteFee(
  q: {
    fee: number;
    /** People on the request; undefined when not known (the household not read). */
    persons: number | undefined;
    copies: number;
    householdFormat?: HouseholdFormat;
  },
): FeeQuote {
  const { persons, householdFormat } = q;
  const [basis, certificatesPerCopy]: [FeeQuote["basis"], number] =
    persons === undefined
      ? ["unknown", 1]
      : persons <= 1
      ? ["single", 1]
      : householdFormat
      ? [householdFormat, CERTIFICATES_PER_COPY[householdFormat](persons)]
      : ["unknown", 1];
  return {
    basis,
    certificatesPerCopy,
    total: q.fee * certificatesPerCopy * q.copies,
  };
}
