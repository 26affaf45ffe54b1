import assert from "node:assert/strict";
import { createServiceApp } from "./app.ts";
import { DomainError, validationError } from "./errors.ts";
import { createLogger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";

function appThrowing(err: Error) {
  const lines: Record<string, unknown>[] = [];
  const app = createServiceApp({
    service: "test",
    logger: createLogger({
      service: "test",
      write: (l) => lines.push(JSON.parse(l)),
    }),
    metrics: createMetrics(),
    statusOf: (code) => code === "KNOWN_REFUSAL" ? 409 : undefined,
  });
  app.get("/x", () => {
    throw err;
  });
  return { app, lines };
}

Deno.test("errorHandler() answers a mapped code with its status and body", async () => {
  const { app } = appThrowing(new DomainError("KNOWN_REFUSAL", "拒否", "No"));
  const res = await app.request("/x");
  assert.equal(res.status, 409);
  assert.match(res.headers.get("content-type") ?? "", /json/);
  assert.deepEqual(await res.json(), {
    code: "KNOWN_REFUSAL",
    message_ja: "拒否",
    message_en: "No",
  });
});

Deno.test("errorHandler(): bad input is a 400, never a 500", async () => {
  const { app, lines } = appThrowing(validationError([{ path: ["a"] }]));
  const res = await app.request("/x");
  assert.equal(res.status, 400);
  assert.equal((await res.json()).code, "VALIDATION_FAILED");
  assert.ok(!lines.some((l) => l.level === "error"));
});

Deno.test("errorHandler(): a code no table maps is a 500 and a log line naming it", async () => {
  const { app, lines } = appThrowing(
    new DomainError("NOT_IN_ANY_TABLE", "未定義", "Unmapped"),
  );
  const res = await app.request("/x");
  assert.equal(res.status, 500);
  assert.match(res.headers.get("content-type") ?? "", /json/);
  const body = await res.json();
  assert.equal(body.code, "INTERNAL");
  assert.ok(body.details.requestId);
  const line = lines.find((l) => l.level === "error");
  assert.ok(line, "an error line");
  assert.match(String(line.msg), /NOT_IN_ANY_TABLE/);
  assert.equal(line.code, "NOT_IN_ANY_TABLE");
  assert.equal(line.requestId, body.details.requestId);
});
