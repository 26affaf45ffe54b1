import assert from "node:assert/strict";
import { envFlag, envInt, parseJsonArray } from "./env.ts";

const env = (vars: Record<string, string>) => ({
  get: (k: string) => vars[k],
});

Deno.test("envInt: default when unset, the value when in range, a clear error otherwise", () => {
  assert.equal(envInt(env({}), "X_PORT", 8103, 0, 65535), 8103);
  assert.equal(envInt(env({ X_PORT: "8200" }), "X_PORT", 8103, 0, 65535), 8200);
  for (const bad of ["70000", "-1", "8.5", "port"]) {
    assert.throws(
      () => envInt(env({ X_PORT: bad }), "X_PORT", 8103, 0, 65535),
      new RegExp(`X_PORT.*${bad.replace(".", "\\.")}`),
    );
  }
});

Deno.test("parseJsonArray: items that pass the check, or the caller's message", () => {
  const valid = (x: unknown) => typeof (x as { id?: unknown })?.id === "string";
  assert.deepEqual(parseJsonArray('[{"id":"a"}]', valid, "bad list"), [{
    id: "a",
  }]);
  for (const raw of ["{", '{"id":"a"}', '[{"id":1}]']) {
    assert.throws(() => parseJsonArray(raw, valid, "bad list"), /bad list/);
  }
});

Deno.test("envFlag: false when unset, empty, 0 or false; true for 1 or true; a clear error otherwise", () => {
  for (
    const off of [{}, { X: "" }, { X: "0" }, { X: "false" }] as Record<
      string,
      string
    >[]
  ) {
    assert.equal(envFlag(env(off), "X"), false);
  }
  assert.equal(envFlag(env({ X: "1" }), "X"), true);
  assert.equal(envFlag(env({ X: "true" }), "X"), true);
  assert.throws(
    () => envFlag(env({ X: "yes" }), "X"),
    /X must be true or false, got 'yes'/,
  );
});
