/**
 * Arithmetic in GF(2⁸) with the polynomial 0x11D, the field of QR codes'
 * Reed–Solomon codes, shared by the QR encoder and the erasure code.
 *
 * @module
 */

/** α^i for i in 0…511 (doubled so a sum of two logs needs no modulo). */
export const EXP: Uint8Array = new Uint8Array(512);
/** log_α(x) for x in 1…255. */
export const LOG: Uint8Array = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
}

/**
 * The product of two field elements.
 *
 * @example
 * ```ts
 * mul(2, 0x80); // 0x1d
 * ```
 */
export function mul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]];
}

/**
 * The inverse of a non-zero element; `RangeError` for zero.
 *
 * @example
 * ```ts
 * mul(7, inv(7)); // 1
 * ```
 */
export function inv(a: number): number {
  if (a === 0) throw new RangeError("GF(256): inverse of zero");
  return EXP[255 - LOG[a]];
}
