import assert from "node:assert/strict";
import { makeHouseholdOfSix } from "../../tests/fixtures/certificate.ts";
import { planSheets } from "./household_format.ts";

const OPTIONS = { honseki: true, zokugara: true, myNumber: false };
const six = makeHouseholdOfSix();
const shape = (plans: ReturnType<typeof planSheets>) =>
  plans.map((p) => [p.people.length, p.page, p.pages, p.wholeHousehold]);

Deno.test("planSheets(): 個票式 — one certificate of one sheet per person, in order, never the whole-household wording", () => {
  const plans = planSheets(six, {
    format: "kohyo",
    perSheet: 4,
    options: OPTIONS,
    wholeHousehold: true,
  });
  assert.deepEqual(shape(plans), six.map(() => [1, 1, 1, false]));
  assert.deepEqual(
    plans.map((p) => p.people[0].residentId),
    six.map((p) => p.residentId),
  );
});

Deno.test("planSheets(): 世帯連記式 — one certificate, at most membersPerSheet a sheet, the whole-household mark on the last page only when it is the whole household", () => {
  const renki = (perSheet: number, wholeHousehold = true) =>
    shape(planSheets(six, {
      format: "renki",
      perSheet,
      options: OPTIONS,
      wholeHousehold,
    }));
  assert.deepEqual(renki(4), [[4, 1, 2, false], [2, 2, 2, true]]);
  assert.deepEqual(renki(3), [[3, 1, 2, false], [3, 2, 2, true]]);
  assert.deepEqual(renki(4, false), [[4, 1, 2, false], [2, 2, 2, false]]);
  assert.deepEqual(
    shape(planSheets(six.slice(0, 1), {
      format: "renki",
      perSheet: 4,
      options: OPTIONS,
      wholeHousehold: true,
    })),
    [[1, 1, 1, true]],
  );
});
