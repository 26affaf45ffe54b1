/**
 * Identification numbers of the resident record: 個人番号 (My Number) with its
 * check digit, 住民票コード, and the 在留カード number of foreign residents.
 *
 * @module
 */

/**
 * The check digit of a 個人番号 from its first 11 digits, per the ordinance
 * (行政手続における特定の個人を識別するための番号の利用等に関する法律施行令 第8条):
 * with Pn the n-th digit counted from the right of the 11 and Qn = n + 1 for
 * n ≤ 6, n − 5 for n ≥ 7, the check digit is 11 − (Σ Pn·Qn mod 11), or 0 when
 * that remainder is 0 or 1.
 *
 * @example
 * ```ts
 * myNumberCheckDigit("12345678901"); // 8
 * ```
 */
export function myNumberCheckDigit(first11: string): number {
  if (!/^[0-9]{11}$/.test(first11)) {
    throw new TypeError(`A My Number body is 11 digits, got "${first11}"`);
  }
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = first11.charCodeAt(11 - n) - 48;
    sum += p * (n <= 6 ? n + 1 : n - 5);
  }
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

/**
 * Whether a string is a 12-digit 個人番号 with a correct check digit.
 *
 * @example
 * ```ts
 * isValidMyNumber("123456789018"); // true
 * isValidMyNumber("123456789012"); // false
 * ```
 */
export function isValidMyNumber(value: string): boolean {
  return /^[0-9]{12}$/.test(value) &&
    myNumberCheckDigit(value.slice(0, 11)) === value.charCodeAt(11) - 48;
}

/**
 * A 個人番号 built from an 11-digit body number (0 ≤ body < 10^11).
 *
 * @example
 * ```ts
 * myNumberFromBody(12345678901); // "123456789018"
 * ```
 */
export function myNumberFromBody(body: number): string {
  const first11 = String(body).padStart(11, "0");
  return first11 + myNumberCheckDigit(first11);
}

/**
 * The check digit of a 住民票コード from its first 10 digits. The code is 11
 * digits; we use modulus 11 with weights 2–7 cycling from the right (the
 * published description of the 住基ネット check digit), 10 and 11 giving 0.
 *
 * @example
 * ```ts
 * residentCodeCheckDigit("1234567890"); // 3
 * ```
 */
export function residentCodeCheckDigit(first10: string): number {
  if (!/^[0-9]{10}$/.test(first10)) {
    throw new TypeError(`A 住民票コード body is 10 digits, got "${first10}"`);
  }
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    sum += (first10.charCodeAt(9 - i) - 48) * (2 + (i % 6));
  }
  const c = 11 - (sum % 11);
  return c >= 10 ? 0 : c;
}

/**
 * A 住民票コード from a 10-digit body number (0 ≤ body < 10^10).
 *
 * @example
 * ```ts
 * residentCodeFromBody(1234567890); // "12345678903"
 * ```
 */
export function residentCodeFromBody(body: number): string {
  const first10 = String(body).padStart(10, "0");
  return first10 + residentCodeCheckDigit(first10);
}

const LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ";

/**
 * A 在留カード番号: two letters, eight digits, two letters ("AB12345678CD").
 * The digits come from `serial` (0 ≤ serial < 10^8), the letters from `letters`
 * (any non-negative integer).
 *
 * @example
 * ```ts
 * residenceCardNumber(12345678, 0); // "AA12345678AA"
 * ```
 */
export function residenceCardNumber(serial: number, letters: number): string {
  const l = (k: number) =>
    LETTERS[Math.floor(letters / LETTERS.length ** k) % LETTERS.length];
  return l(3) + l(2) + String(serial % 100_000_000).padStart(8, "0") + l(1) +
    l(0);
}
