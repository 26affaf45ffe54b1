import assert from "node:assert/strict";
import {
  isValidMyNumber,
  myNumberCheckDigit,
  myNumberFromBody,
  residenceCardNumber,
  residentCodeCheckDigit,
  residentCodeFromBody,
} from "./numbers.ts";
import { Rng, scrambleDecimal, WeightedTable } from "./random.ts";

Deno.test("myNumberCheckDigit() matches the published example 1234 5678 9018", () => {
  assert.equal(myNumberCheckDigit("12345678901"), 8);
  assert.equal(myNumberFromBody(12345678901), "123456789018");
  assert.ok(isValidMyNumber("123456789018"));
});

Deno.test("isValidMyNumber() rejects a wrong check digit or length", () => {
  assert.equal(isValidMyNumber("123456789012"), false);
  assert.equal(isValidMyNumber("12345678901"), false);
  assert.equal(isValidMyNumber("12345678901a"), false);
  for (let d = 0; d <= 9; d++) {
    assert.equal(isValidMyNumber(`12345678901${d}`), d === 8);
  }
});

Deno.test("myNumberCheckDigit() gives 0 when the remainder is 0 or 1", () => {
  // Σ Pn·Qn for "00000000001" is 1·2 = 2 → 11 − 2 = 9; for "00000000000" it is 0 → 0.
  assert.equal(myNumberCheckDigit("00000000000"), 0);
  assert.equal(myNumberCheckDigit("00000000001"), 9);
  assert.throws(() => myNumberCheckDigit("123"), TypeError);
});

Deno.test("residentCodeFromBody() makes 11 digits with a modulus-11 check digit", () => {
  assert.equal(residentCodeCheckDigit("1234567890"), 3);
  assert.equal(residentCodeFromBody(1234567890), "12345678903");
  assert.equal(residentCodeFromBody(0).length, 11);
});

Deno.test("residenceCardNumber() is two letters, eight digits, two letters", () => {
  assert.equal(residenceCardNumber(12345678, 0), "AA12345678AA");
  assert.match(
    residenceCardNumber(42, 987654321),
    /^[A-Z]{2}00000042[A-Z]{2}$/,
  );
});

Deno.test("scrambleDecimal() is a bijection that scatters neighbours", () => {
  for (const digits of [1, 3, 4]) {
    const m = 10 ** digits;
    const seen = new Set<number>();
    for (let x = 0; x < m; x++) seen.add(scrambleDecimal(x, digits, 5));
    assert.equal(seen.size, m, `digits ${digits}`);
    assert.ok([...seen].every((y) => y >= 0 && y < m));
  }
  const a = scrambleDecimal(1000, 11), b = scrambleDecimal(1001, 11);
  assert.ok(Math.abs(a - b) > 1e6, `${a} and ${b} are too close`);
  assert.throws(() => scrambleDecimal(1000, 3), RangeError);
});

Deno.test("Rng is deterministic and WeightedTable follows its weights", () => {
  const a = new Rng(1, 401005), b = new Rng(1, 401005), c = new Rng(2, 401005);
  const xs = Array.from({ length: 5 }, () => a.u32());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.u32()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.u32()));
  const t = new WeightedTable([["x", 1], ["y", 3]] as const);
  const rng = new Rng(9);
  let y = 0;
  for (let i = 0; i < 4000; i++) if (t.pick(rng) === "y") y++;
  assert.ok(Math.abs(y / 4000 - 0.75) < 0.03, `${y}`);
  assert.throws(() => new WeightedTable([]), RangeError);
});
