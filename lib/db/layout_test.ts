import assert from "node:assert/strict";
import { assertLayout, declaredLayout, layoutProblem } from "./layout.ts";

const env = (o: Record<string, string>) => new Map(Object.entries(o));

Deno.test("layout: several processes on the embedded database are refused, saying why", () => {
  const two = env({ ASP_INSTANCES: "2" });
  const problem = layoutProblem("asp", two, declaredLayout("asp", two));
  assert.match(problem!, /ASP_INSTANCES=2 declares 2 processes/);
  assert.match(problem!, /PGlite/);
  assert.match(problem!, /DATABASE_URL/);
  assert.throws(
    () =>
      assertLayout(
        "jlis",
        env({ JLIS_INSTANCES: "4" }),
        declaredLayout("jlis", env({ JLIS_INSTANCES: "4" })),
      ),
    /JLIS_INSTANCES=4 declares 4 processes/,
  );
});

Deno.test("layout: one process on PGlite, or any number on PostgreSQL, fits", () => {
  assert.equal(
    layoutProblem("jlis", env({}), declaredLayout("jlis", env({}))),
    null,
  );
  for (
    const e of [
      env({ JLIS_INSTANCES: "3", DATABASE_URL: "postgres://x/db" }),
      env({ JLIS_INSTANCES: "3", JLIS_DATABASE_URL: "postgres://x/db" }),
    ]
  ) {
    assert.equal(layoutProblem("jlis", e, declaredLayout("jlis", e)), null);
  }
  assert.throws(
    () => declaredLayout("jlis", env({ JLIS_INSTANCES: "0" })),
    /JLIS_INSTANCES/,
  );
});
