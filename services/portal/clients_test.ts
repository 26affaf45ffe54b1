import assert from "node:assert/strict";
import { apiKeyOf, createAnonymizer, createApiKeyRegistry } from "./clients.ts";

Deno.test("createApiKeyRegistry() finds a client by its key and nothing else", async () => {
  const keys = await createApiKeyRegistry([
    { id: "bank-a", key: "bank-a-key-0123456789" },
    { id: "bank-b", key: "bank-b-key-0123456789", perMinute: 60 },
  ]);
  assert.equal(keys.size, 2);
  assert.deepEqual(await keys.authenticate("bank-b-key-0123456789"), {
    id: "bank-b",
    capacity: 120,
    perMinute: 60,
  });
  assert.equal(await keys.authenticate("bank-b-key-012345678"), undefined);
  assert.equal(await keys.authenticate(""), undefined);
  await assert.rejects(
    () => createApiKeyRegistry([{ id: "x", key: "short" }]),
    RangeError,
  );
  await assert.rejects(
    () => createApiKeyRegistry([{ id: "Bad Id", key: "x".repeat(20) }]),
    TypeError,
  );
});

Deno.test("apiKeyOf() reads X-API-Key or a bearer token, and flags a malformed header", () => {
  assert.equal(apiKeyOf(new Headers({ "X-API-Key": " k1 " })), "k1");
  assert.equal(apiKeyOf(new Headers({ Authorization: "Bearer k2" })), "k2");
  assert.equal(apiKeyOf(new Headers({ Authorization: "Basic abc" })), "");
  assert.equal(apiKeyOf(new Headers()), undefined);
});

Deno.test("createAnonymizer() gives a stable keyed hash, never the address", async () => {
  const anon = await createAnonymizer(new Uint8Array(32).fill(3));
  const a = await anon("203.0.113.7");
  assert.match(a, /^anon:[0-9a-f]{16}$/);
  assert.equal(await anon("203.0.113.7"), a);
  assert.notEqual(await anon("203.0.113.8"), a);
  const other = await createAnonymizer(new Uint8Array(32).fill(4));
  assert.notEqual(await other("203.0.113.7"), a);
});
