import assert from "node:assert/strict";
import {
  householdOrder,
  memberGroup,
  type OrderableMember,
} from "./member_order.ts";

const m = (
  id: string,
  relationship: string,
  birthDate: string,
): OrderableMember => ({ id, relationship, birthDate });

Deno.test("householdOrder() follows j1010: householder, spouse, children by birth, their families, parents, siblings, grandparents, others, 縁故者, 同居人", () => {
  const h = m("h", "世帯主", "1960-01-01");
  const expected = [
    h,
    m("w", "妻", "1962-05-05"),
    m("c1", "子", "1985-03-03"),
    m("c2", "子", "1988-08-08"),
    m("c3", "子", "1992-12-12"),
    m("cw", "子の妻", "1986-06-06"),
    m("g1", "孫", "2012-01-01"),
    m("f", "父", "1930-02-02"),
    m("mo", "母", "1933-03-03"),
    m("b", "弟", "1964-04-04"),
    m("gm", "祖母", "1910-09-09"),
    m("u", "叔父", "1940-10-10"),
    m("e", "縁故者", "1950-01-01"),
    m("d", "同居人", "1945-01-01"),
  ];
  // any input order gives the same result; age alone does not decide
  const shuffled = [...expected].reverse();
  assert.deepEqual(
    householdOrder(shuffled, "h").map((x) => x.id),
    expected.map((x) => x.id),
  );
  const rotated = [...expected.slice(5), ...expected.slice(0, 5)];
  assert.deepEqual(
    householdOrder(rotated, "h").map((x) => x.id),
    expected.map((x) => x.id),
  );
  // a six-person household where a parent is older than the householder
  const six = [
    m("mo", "母", "1935-01-01"),
    m("c2", "子", "2000-02-02"),
    m("h", "世帯主", "1965-01-01"),
    m("x", "同居人", "1970-01-01"),
    m("c1", "子", "1995-01-01"),
    m("w", "妻", "1967-01-01"),
  ];
  assert.deepEqual(householdOrder(six, "h").map((x) => x.id), [
    "h",
    "w",
    "c1",
    "c2",
    "mo",
    "x",
  ]);
});

Deno.test("householdOrder() recognises the householder by id and is stable on ties", () => {
  // the householder's 続柄 need not say 世帯主; a stale second 世帯主 is no householder
  const members = [
    m("b", "世帯主", "1950-01-01"),
    m("a", "子", "1990-01-01"),
    m("h", "本人", "1960-01-01"),
    m("t2", "子", "1990-01-01"),
  ];
  assert.deepEqual(householdOrder(members, "h").map((x) => x.id), [
    "h",
    "a",
    "t2",
    "b",
  ]);
  assert.equal(memberGroup(members[0], "h"), "otherRelative");
  assert.equal(memberGroup(m("s", " 夫 ", "1950-01-01"), "h"), "spouse");
  // without a householder everyone is ordered by group
  assert.deepEqual(
    householdOrder(
      [m("x", "同居人", "1950-01-01"), m("y", "妻", "1990-01-01")],
      null,
    )
      .map((x) => x.id),
    ["y", "x"],
  );
  // the input is not changed
  const input = [
    m("x", "同居人", "1950-01-01"),
    m("h", "世帯主", "1990-01-01"),
  ];
  householdOrder(input, "h");
  assert.equal(input[0].id, "x");
});
