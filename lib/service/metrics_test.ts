import assert from "node:assert/strict";
import { createMetrics } from "./metrics.ts";

Deno.test("a metric asked for again by name is the same metric, rendered once", () => {
  const m = createMetrics();
  m.counter("x_total", "X").inc({ reason: "a" });
  m.counter("x_total", "X").inc({ reason: "a" }, 2);
  assert.equal(m.counter("x_total", "X").get({ reason: "a" }), 3);
  m.gauge("g", "G").set(5);
  assert.equal(m.gauge("g", "G").get(), 5);
  m.histogram("h_seconds", "H").observe(0.2);
  m.histogram("h_seconds", "H").observe(0.3);
  const text = m.render();
  assert.equal(text.match(/# TYPE x_total counter/g)?.length, 1);
  assert.match(text, /x_total\{reason="a"\} 3/);
  assert.match(text, /h_seconds_count 2/);
});
