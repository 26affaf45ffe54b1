import assert from "node:assert/strict";
import { CborError, decodeCbor, encodeCbor } from "./cbor.ts";

Deno.test("encodeCbor() sorts map keys and uses shortest lengths", () => {
  const bytes = encodeCbor(
    new Map<number, string | number>([[2, 7], [1, "a"]]),
  );
  assert.deepEqual([...bytes], [0xa2, 0x01, 0x61, 0x61, 0x02, 0x07]);
  assert.deepEqual([...encodeCbor(300)], [0x19, 0x01, 0x2c]);
});

Deno.test("decodeCbor() round-trips text, bytes and nested maps", () => {
  const value = new Map<number, unknown>([
    [1, "𠮷野家　葛󠄀城"],
    [2, new Uint8Array([0, 255, 10])],
    [3, new Map([[1, 70000]])],
  ]);
  // deno-lint-ignore no-explicit-any
  assert.deepEqual(decodeCbor(encodeCbor(value as any)), value);
});

Deno.test("decodeCbor() round-trips arrays of maps (an empty one too)", () => {
  const value = new Map<number, unknown>([
    [1, [new Map([[1, "a"]]), new Map<number, unknown>([[1, "b"], [2, 3]])]],
    [2, []],
  ]);
  const bytes = encodeCbor(value as never);
  assert.equal(bytes[1 + 1], 0x82); // key 1: an array of two
  assert.deepEqual(decodeCbor(bytes), value);
});

Deno.test("decodeCbor() rejects non-canonical and foreign encodings", () => {
  const bad = [
    [0x18, 0x05], // 5 in a 1-byte extension
    [0xa2, 0x02, 0x00, 0x01, 0x00], // unsorted keys
    [0xa2, 0x01, 0x00, 0x01, 0x00], // duplicate key
    [0x63, 0xff, 0xfe, 0xfd], // invalid UTF-8
    [0x01, 0x00], // trailing byte
    [0x85, 0x01], // array of 5 with one item: truncated
    [0x9f, 0x01, 0xff], // indefinite-length array: unsupported
    [0xf5], // true: unsupported
  ];
  for (const b of bad) {
    assert.throws(() => decodeCbor(Uint8Array.from(b)), CborError, `${b}`);
  }
});

Deno.test("encodeCbor() refuses lone surrogates instead of replacing them", () => {
  assert.throws(() => encodeCbor("\ud800"), TypeError);
});
