/**
 * Reed–Solomon erasure coding over GF(2⁸) with a systematic Cauchy matrix:
 * `k` data shards plus `n − k` parity shards, and ANY `k` of the `n` shards
 * rebuild the data. On the back side every shard is one 2D symbol, so a
 * stain, fold or staple hole that destroys up to `n − k` symbols loses
 * nothing.
 *
 * Parity row j, column i of the generator is 1 / (x_j ⊕ y_i) with
 * x_j = k + j and y_i = i; every square submatrix of a Cauchy matrix is
 * invertible, so every choice of k shards is decodable.
 *
 * @module
 */

import { EXP, inv, LOG, mul } from "./gf256.ts";

/** Generator row for shard `index` (identity rows for data shards). */
function generatorRow(index: number, k: number): Uint8Array {
  const row = new Uint8Array(k);
  if (index < k) {
    row[index] = 1;
  } else {
    for (let i = 0; i < k; i++) row[i] = inv(index ^ i);
  }
  return row;
}

function checkShape(k: number, n: number) {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 1 || n < k) {
    throw new RangeError(`Bad erasure code shape k=${k} n=${n}`);
  }
  if (n > 128) throw new RangeError(`At most 128 shards, got ${n}`);
}

/**
 * Computes the `n − k` parity shards for `k` equal-length data shards.
 *
 * @example
 * ```ts ignore
 * const parity = encodeErasure([a, b, c], 5); // 2 parity shards
 * ```
 */
export function encodeErasure(data: Uint8Array[], n: number): Uint8Array[] {
  const k = data.length;
  checkShape(k, n);
  const size = data[0].length;
  if (data.some((d) => d.length !== size)) {
    throw new RangeError("Data shards must have equal length");
  }
  const parity: Uint8Array[] = [];
  for (let index = k; index < n; index++) {
    const row = generatorRow(index, k);
    const out = new Uint8Array(size);
    for (let i = 0; i < k; i++) {
      const c = row[i];
      const logC = LOG[c];
      const d = data[i];
      for (let b = 0; b < size; b++) {
        if (d[b] !== 0) out[b] ^= EXP[logC + LOG[d[b]]];
      }
    }
    parity.push(out);
  }
  return parity;
}

/**
 * Rebuilds the `k` data shards from any `k` (or more) shards given as
 * index → bytes. Throws `RangeError` when fewer than `k` are present.
 *
 * @example
 * ```ts ignore
 * const data = decodeErasure(new Map([[0, a], [3, p0], [4, p1]]), 3, 5);
 * ```
 */
export function decodeErasure(
  shards: Map<number, Uint8Array>,
  k: number,
  n: number,
): Uint8Array[] {
  checkShape(k, n);
  const indices = [...shards.keys()].filter((i) => i >= 0 && i < n).sort((
    a,
    b,
  ) => a - b).slice(0, k);
  if (indices.length < k) {
    throw new RangeError(`Need ${k} shards, have ${indices.length}`);
  }
  const size = shards.get(indices[0])!.length;
  if (indices.every((i) => i < k)) {
    return indices.map((i) => shards.get(i)!.slice());
  }
  // Invert the k×k submatrix of the generator for the chosen shards.
  const m = indices.map((i) => generatorRow(i, k));
  const invM = indices.map((_, r) => {
    const row = new Uint8Array(k);
    row[r] = 1;
    return row;
  });
  for (let col = 0; col < k; col++) {
    let pivot = col;
    while (pivot < k && m[pivot][col] === 0) pivot++;
    if (pivot === k) throw new Error("Erasure matrix is singular");
    [m[col], m[pivot]] = [m[pivot], m[col]];
    [invM[col], invM[pivot]] = [invM[pivot], invM[col]];
    const f = inv(m[col][col]);
    for (let j = 0; j < k; j++) {
      m[col][j] = mul(m[col][j], f);
      invM[col][j] = mul(invM[col][j], f);
    }
    for (let r = 0; r < k; r++) {
      const g = m[r][col];
      if (r === col || g === 0) continue;
      for (let j = 0; j < k; j++) {
        m[r][j] ^= mul(g, m[col][j]);
        invM[r][j] ^= mul(g, invM[col][j]);
      }
    }
  }
  const inputs = indices.map((i) => shards.get(i)!);
  return invM.map((row) => {
    const out = new Uint8Array(size);
    for (let j = 0; j < k; j++) {
      const c = row[j];
      if (c === 0) continue;
      const d = inputs[j];
      for (let b = 0; b < size; b++) {
        if (d[b] !== 0) out[b] ^= EXP[LOG[c] + LOG[d[b]]];
      }
    }
    return out;
  });
}
