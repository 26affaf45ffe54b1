import assert from "node:assert/strict";
import { decodeErasure, encodeErasure } from "./erasure.ts";

function shardsOf(k: number, size: number, seed: number): Uint8Array[] {
  let s = seed;
  return Array.from(
    { length: k },
    () =>
      Uint8Array.from(
        { length: size },
        () => (s = (s * 1103515245 + 12345) >>> 0) >>> 24,
      ),
  );
}

function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  return [
    ...subsets(n - 1, k - 1).map((s) => [...s, n - 1]),
    ...subsets(n - 1, k),
  ];
}

Deno.test("decodeErasure() rebuilds the data from ANY k of n shards", () => {
  for (const [k, n] of [[1, 3], [2, 5], [3, 6], [4, 12], [2, 12]]) {
    const data = shardsOf(k, 37, k * 100 + n);
    const all = [...data, ...encodeErasure(data, n)];
    for (const pick of subsets(n, k)) {
      const got = decodeErasure(new Map(pick.map((i) => [i, all[i]])), k, n);
      assert.deepEqual(got, data, `k=${k} n=${n} shards ${pick}`);
    }
  }
});

Deno.test("decodeErasure() refuses fewer than k shards", () => {
  const data = shardsOf(3, 8, 1);
  const all = [...data, ...encodeErasure(data, 5)];
  assert.throws(
    () => decodeErasure(new Map([[0, all[0]], [4, all[4]]]), 3, 5),
    RangeError,
  );
});

Deno.test("encodeErasure() with one parity shard is XOR parity", () => {
  const data = shardsOf(1, 8, 2);
  // k = 1: the parity row is 1/(1⊕0) = 1, a copy of the data shard.
  assert.deepEqual(encodeErasure(data, 2)[0], data[0]);
});
