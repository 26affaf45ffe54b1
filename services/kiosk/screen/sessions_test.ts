import assert from "node:assert/strict";
import { createSessionStore } from "./sessions.ts";

Deno.test("createSessionStore() renews a session on use and ends it after its idle lifetime", () => {
  let now = 0;
  const ended: string[] = [];
  const store = createSessionStore({
    ttlMs: 1000,
    now: () => now,
    onEnd: (s) => ended.push(s.id),
  });
  const a = store.create("a.card.json");
  const b = store.create("b.card.json");
  assert.notEqual(a.id, b.id);
  assert.match(a.id, /^[A-Za-z0-9_-]{22}$/);
  now = 900;
  assert.equal(store.get(a.id)?.card, "a.card.json");
  now = 1500;
  assert.equal(store.get(b.id), undefined);
  assert.equal(store.get(a.id)?.card, "a.card.json");
  assert.deepEqual(ended, [b.id]);
  store.end(a.id);
  assert.equal(store.size, 0);
  assert.deepEqual(ended, [b.id, a.id]);
});

Deno.test("createSessionStore() keeps a session while the kiosk runs for it", () => {
  let now = 0;
  const store = createSessionStore({ ttlMs: 1000, now: () => now });
  const s = store.create("a.card.json");
  s.busy = true;
  now = 5000;
  assert.equal(store.size, 1);
  s.busy = false;
  assert.equal(store.size, 0);
});

Deno.test("createSessionStore() refuses a lifetime that is not positive", () => {
  assert.throws(() => createSessionStore({ ttlMs: 0 }), RangeError);
});
