import assert from "node:assert/strict";
import { isWellFormedId, newCorrelationId } from "./correlation.ts";

Deno.test("isWellFormedId() keeps short ids of safe characters only", () => {
  assert.ok(isWellFormedId("run-5f0c2a1e-aaaa"));
  assert.ok(isWellFormedId("req-0f6c2a1e_x=1"));
  assert.ok(!isWellFormedId(""));
  assert.ok(!isWellFormedId(undefined));
  assert.ok(!isWellFormedId("a".repeat(101)));
  assert.ok(!isWellFormedId("run 1"));
  assert.ok(!isWellFormedId('run"}\n{"level":"error'));
  assert.ok(!isWellFormedId("山田"));
});

Deno.test("newCorrelationId() is well-formed and new each time", () => {
  const a = newCorrelationId("run");
  assert.match(a, /^run-[0-9a-f-]{36}$/);
  assert.ok(isWellFormedId(a));
  assert.notEqual(a, newCorrelationId("run"));
  assert.throws(() => newCorrelationId("Run!"), TypeError);
});
