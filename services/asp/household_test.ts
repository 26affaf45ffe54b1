import assert from "node:assert/strict";
import { listOrder } from "./household.ts";
import type { ReplicaResident } from "./replica.ts";

const m = (id: string, relationship: string, birthDate: string) =>
  ({ id, relationship, birthDate }) as ReplicaResident;

Deno.test("listOrder() puts the applicant first, then the others in certificate order (j1010)", () => {
  const members = [
    m("mother", "母", "1950-01-01"),
    m("lodger", "同居人", "1978-01-01"),
    m("child2", "子", "2015-01-01"),
    m("h", "世帯主", "1980-01-01"),
    m("child1", "子", "2012-01-01"),
    m("wife", "妻", "1982-01-01"),
  ];
  assert.deepEqual(listOrder(members, "child2", "h").map((x) => x.id), [
    "child2",
    "h",
    "wife",
    "child1",
    "mother",
    "lodger",
  ]);
  assert.deepEqual(listOrder(members, "h", "h").map((x) => x.id), [
    "h",
    "wife",
    "child1",
    "child2",
    "mother",
    "lodger",
  ]);
});
