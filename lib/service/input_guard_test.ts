import assert from "node:assert/strict";
import { silentLogger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";
import { createServiceApp } from "./app.ts";
import {
  isSafeText,
  unsafeJsonTextPath,
  unsafeTextPath,
} from "./input_guard.ts";

Deno.test("isSafeText() refuses NUL, controls, lone surrogates and non-characters, and keeps 外字 and variation sequences", () => {
  for (
    const bad of [
      "a\u0000b",
      "\u0001",
      "\u007F",
      "\uD800",
      "x\uDC00",
      "\uFFFE",
      "\uFDD0",
      "\u{1FFFF}",
      "\u{10FFFF}",
    ]
  ) {
    assert.equal(isSafeText(bad), false, JSON.stringify(bad));
  }
  for (
    const good of [
      "髙橋　\u{E000}子",
      "葛\u{E0100}飾",
      "𠮷野家",
      "line\nbreak\tand\rtab",
      "",
    ]
  ) {
    assert.equal(isSafeText(good), true, JSON.stringify(good));
  }
});

Deno.test("isSafeText() decides every code point as the module doc says", () => {
  const refused = (cp: number) =>
    (cp <= 0x1f && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) ||
    cp === 0x7f || (cp >= 0xfdd0 && cp <= 0xfdef) ||
    (cp & 0xfffe) === 0xfffe || (cp >= 0xd800 && cp <= 0xdfff);
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    const ch = String.fromCodePoint(cp);
    if (isSafeText(`a${ch}b`) === refused(cp)) {
      assert.fail(`U+${cp.toString(16).toUpperCase()}`);
    }
  }
});

Deno.test("unsafeTextPath() names where the text is, keys included", () => {
  assert.equal(unsafeTextPath({ a: [1, "ok", { b: "x\u0000" }] }), "$.a[2].b");
  assert.equal(unsafeTextPath({ ["k\uD800"]: 1 }), "${key}");
  assert.equal(unsafeTextPath({ a: ["ok", null, true, 3] }), undefined);
});

Deno.test("unsafeJsonTextPath() gives the answer of parsing and walking, for raw and escaped text alike", () => {
  const texts = [
    '{"a":"髙橋　\u{E000}子","b":["葛\u{E0100}飾",1,null]}',
    '{"pem":"-----BEGIN-----\\nAAA\\n-----END-----\\n"}',
    '{"path":"C:\\\\bin\\\\f"}', // escaped backslashes: a false alarm, still safe
    '{"a":"\\u0000"}',
    '{"a":{"b":"x\\by"}}', // \b is U+0008
    '{"a":"\\f"}', // U+000C
    '{"a":"\\u0009 tab is fine"}',
    '{"a":"\\uD800"}', // a lone surrogate, escaped
    '{"a":"\\uD83D\\uDE00"}', // a pair: fine
    '{"a":"\\uD83F\\uDFFE"}', // U+1FFFE, a non-character
    '{"a":"\\uFDD0"}',
    '{"k\\u0001":1}', // in a key
    '{"a":"\u007F"}', // DEL as it is
    '{"a":"\uFFFF"}', // a non-character as it is
    '[1,2,{"x":"\u0001"}]', // a raw control: not JSON at all
    '{"a":"\\u0000"', // not JSON: left to the validator
    "",
  ];
  for (const text of texts) {
    let expected: string | undefined;
    try {
      expected = unsafeTextPath(JSON.parse(text));
    } catch {
      expected = undefined;
    }
    assert.equal(unsafeJsonTextPath(text), expected, text);
  }
  assert.equal(unsafeJsonTextPath('{"a":{"b":"x\\by"}}'), "$.a.b");
  assert.equal(unsafeJsonTextPath('{"a":"\\uD83F\\uDFFE"}'), "$.a");
  assert.equal(unsafeJsonTextPath('{"a":"ok"}'), undefined);
});

function app() {
  const calls: unknown[] = [];
  const a = createServiceApp({
    service: "t",
    logger: silentLogger(),
    metrics: createMetrics(),
    statusOf: () => undefined,
    maxBodyBytes: 1024,
  });
  a.post("/things/:id", async (c) => {
    calls.push(await c.req.json());
    return c.json({ ok: true }, 201);
  });
  return { a, calls };
}

Deno.test("a service refuses unsafe text in body, path, query and headers with 400 INVALID_TEXT, and its handler never runs", async () => {
  const { a, calls } = app();
  const cases: [string, RequestInit, string][] = [
    ["/things/1", { body: JSON.stringify({ name: "a\u0000" }) }, "body $.name"],
    ["/things/1", { body: '{"name":"\\ud800"}' }, "body $.name"],
    ["/things/%00", { body: "{}" }, "path"],
    ["/things/%E0%A4%A", { body: "{}" }, "path"],
    ["/things/1?q=%EF%BF%BF", { body: "{}" }, "query.q"],
  ];
  for (const [path, init, where] of cases) {
    const res = await a.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      ...init,
    });
    assert.equal(res.status, 400, path);
    assert.match(res.headers.get("content-type") ?? "", /json/);
    const body = await res.json();
    assert.equal(body.code, "INVALID_TEXT");
    assert.ok(body.message_ja && body.message_en);
    assert.equal(body.details.where, where);
    assert.ok(!JSON.stringify(body).includes("\\u0000"));
  }
  assert.deepEqual(calls, []);
  const ok = await a.request("/things/1", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "髙橋　\u{E000}子" }),
  });
  assert.equal(ok.status, 201);
  await ok.body?.cancel();
  assert.deepEqual(calls, [{ name: "髙橋　\u{E000}子" }]);
});

Deno.test("a service refuses a body over its limit with 413 PAYLOAD_TOO_LARGE", async () => {
  const { a, calls } = app();
  const res = await a.request("/things/1", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "x".repeat(2000) }),
  });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).code, "PAYLOAD_TOO_LARGE");
  assert.deepEqual(calls, []);
});

Deno.test("middleware after the guard can still read the body (a second body limit, the handler)", async () => {
  const { bodyLimit } = await import("hono/body-limit");
  const a = createServiceApp({
    service: "t",
    logger: silentLogger(),
    metrics: createMetrics(),
    statusOf: () => undefined,
  });
  a.use(bodyLimit({ maxSize: 64 }));
  a.post("/echo", async (c) => c.json(await c.req.json(), 200));
  const body = new ReadableStream({
    start(ctl) {
      ctl.enqueue(new TextEncoder().encode('{"a":"髙"}'));
      ctl.close();
    },
  });
  const res = await a.request("/echo", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body,
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { a: "髙" });
});

Deno.test("over a real socket, the guard and a later body limit both read the body", async () => {
  const { bodyLimit } = await import("hono/body-limit");
  const a = createServiceApp({
    service: "t",
    logger: silentLogger(),
    metrics: createMetrics(),
    statusOf: () => undefined,
  });
  a.use(bodyLimit({ maxSize: 64 }));
  a.post("/echo", async (c) => c.json(await c.req.json(), 200));
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    a.fetch,
  );
  try {
    const url = `http://127.0.0.1:${server.addr.port}/echo`;
    const post = (body: string) =>
      fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body,
      });
    const good = await post('{"a":"髙"}');
    assert.equal(good.status, 200);
    assert.deepEqual(await good.json(), { a: "髙" });
    const bad = await post('{"a":"\\u0000"}');
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).code, "INVALID_TEXT");
  } finally {
    await server.shutdown();
  }
});
