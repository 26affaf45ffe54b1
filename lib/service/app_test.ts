import assert from "node:assert/strict";
import {
  annotateRequestLog,
  createServiceApp,
  quietRequestLog,
} from "./app.ts";
import { DomainError } from "./errors.ts";
import { createLogger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";

function testApp() {
  const lines: Record<string, unknown>[] = [];
  const app = createServiceApp({
    service: "test",
    logger: createLogger({
      service: "test",
      level: "debug",
      write: (l) => lines.push(JSON.parse(l)),
    }),
    metrics: createMetrics(),
    statusOf: (code) => code === "KNOWN_REFUSAL" ? 409 : undefined,
  });
  app.get("/ok", (c) => {
    c.get("logger").info("working");
    return c.json({ ok: true });
  });
  app.get("/refused", () => {
    throw new DomainError("KNOWN_REFUSAL", "拒否", "No");
  });
  app.get(
    "/answered",
    (c) => c.json({ code: "SAID_NO", message_ja: "否", message_en: "No" }, 422),
  );
  app.get("/annotated/:id", (c) => {
    annotateRequestLog(c, { issuanceRequestId: c.req.param("id") });
    c.get("logger").info("step");
    return c.json({ ok: true });
  });
  app.get("/quiet", (c) => {
    quietRequestLog(c);
    return c.json({ events: [] });
  });
  const requestLine = () => lines.findLast((l) => l.msg === "request")!;
  return { app, lines, requestLine };
}

Deno.test("createServiceApp() keeps a well-formed X-Correlation-Id on every line and echoes it", async () => {
  const { app, lines, requestLine } = testApp();
  const res = await app.request("/ok", {
    headers: { "X-Correlation-Id": "run-1234-abcd", "X-Request-Id": "hop-9" },
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.equal(res.headers.get("X-Correlation-Id"), "run-1234-abcd");
  assert.equal(res.headers.get("X-Request-Id"), "hop-9");
  assert.deepEqual(
    lines.map((l) => [l.msg, l.correlationId, l.requestId]),
    [["working", "run-1234-abcd", "hop-9"], [
      "request",
      "run-1234-abcd",
      "hop-9",
    ]],
  );
  assert.equal(requestLine().code, undefined);
});

Deno.test("createServiceApp() replaces a malformed or overlong incoming id with its own", async () => {
  const { app, requestLine } = testApp();
  for (
    const bad of ['x"}{"level":"error', "a".repeat(101), "two words"]
  ) {
    const res = await app.request("/ok", {
      headers: { "X-Correlation-Id": bad, "X-Request-Id": bad },
    });
    await res.body?.cancel();
    const line = requestLine();
    assert.notEqual(line.correlationId, bad);
    assert.notEqual(line.requestId, bad);
    assert.match(String(line.requestId), /^[0-9a-f-]{36}$/);
    // Without a usable correlation id, the request is its own run.
    assert.equal(line.correlationId, line.requestId);
    assert.equal(res.headers.get("X-Correlation-Id"), line.requestId);
  }
});

Deno.test("createServiceApp(): the request line carries the refusal code of an error answer", async () => {
  const { app, requestLine } = testApp();
  for (
    const [path, status, code] of [
      ["/refused", 409, "KNOWN_REFUSAL"],
      ["/answered", 422, "SAID_NO"],
      ["/nowhere", 404, "NOT_FOUND"],
    ] as const
  ) {
    const res = await app.request(path);
    assert.equal(res.status, status);
    assert.equal((await res.json()).code, code);
    assert.equal(requestLine().status, status);
    assert.equal(requestLine().code, code);
    assert.equal(requestLine().level, "info");
  }
});

Deno.test("annotateRequestLog() adds fields to later lines and the request line; quietRequestLog() lowers it to debug", async () => {
  const { app, lines, requestLine } = testApp();
  let res = await app.request("/annotated/req-0001");
  await res.body?.cancel();
  assert.equal(
    lines.find((l) => l.msg === "step")?.issuanceRequestId,
    "req-0001",
  );
  assert.equal(requestLine().issuanceRequestId, "req-0001");
  res = await app.request("/quiet");
  await res.body?.cancel();
  assert.equal(requestLine().level, "debug");
  assert.equal(requestLine().path, "/quiet");
});
