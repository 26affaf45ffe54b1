import assert from "node:assert/strict";
import { createLogger, safeError } from "./logger.ts";

class FakeQueryError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

Deno.test("safeError() keeps class, codes and frames, never the message or values", () => {
  const db = Object.assign(
    new Error('null value in column "name" violates ... (正子, 1990-01-01)'),
    { code: "23502" },
  );
  const err = new FakeQueryError(
    "Failed query: insert into residents values ($1)\nparams: 北九州　正子,123456789012",
    db,
  );
  const safe = safeError(err);
  assert.equal(safe.class, "FakeQueryError");
  assert.equal(safe.cause?.sqlstate, "23502");
  assert.ok(safe.at && safe.at.length > 0);
  const text = JSON.stringify(safe);
  for (const leak of ["正子", "123456789012", "Failed query", "params"]) {
    assert.ok(!text.includes(leak), leak);
  }
  assert.deepEqual(
    safeError(Object.assign(new Error("x"), { code: "ECONNREFUSED" })).code,
    "ECONNREFUSED",
  );
  assert.deepEqual(safeError("a string with 正子"), { class: "string" });
});

Deno.test("a logger line carries an Error field only as its safe description", () => {
  const lines: string[] = [];
  const log = createLogger({ service: "t", write: (l) => lines.push(l) });
  log.error("write failed", {
    requestId: "r1",
    error: new Error("params: 北九州　正子"),
  });
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]);
  assert.equal(line.requestId, "r1");
  assert.equal(line.error.class, "Error");
  assert.ok(!lines[0].includes("正子"));
});
