import assert from "node:assert/strict";
import { fakeClock } from "../../lib/time/clock.ts";
import { createCsrfTokens } from "./csrf.ts";

const secret = new Uint8Array(32).fill(1);

Deno.test("CSRF tokens verify when cookie and field match, are signed here, and are young enough", async () => {
  const clock = fakeClock("2026-12-01T10:00:00+09:00");
  const csrf = await createCsrfTokens(secret, clock);
  const token = await csrf.issue();
  assert.equal(await csrf.verify(token, token), true);
  assert.equal(await csrf.verify(token, undefined), false);
  assert.equal(await csrf.verify(undefined, token), false);
  assert.equal(
    await csrf.verify(token, await csrf.issue()),
    false,
    "another token",
  );
  const forged = token.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
  assert.equal(await csrf.verify(forged, forged), false, "bad signature");
  const elsewhere = await createCsrfTokens(new Uint8Array(32).fill(2), clock);
  const theirs = await elsewhere.issue();
  assert.equal(
    await csrf.verify(theirs, theirs),
    false,
    "signed by another server",
  );
  assert.equal(await csrf.isFresh(token), true);
  clock.advance(3_600_001);
  assert.equal(await csrf.isFresh(token), false, "past half its life: reissue");
  assert.equal(await csrf.verify(token, token), true);
  clock.advance(3_600_000);
  assert.equal(await csrf.verify(token, token), false, "expired");
});

Deno.test("createCsrfTokens() refuses a short secret", async () => {
  await assert.rejects(
    () =>
      createCsrfTokens(
        new Uint8Array(8),
        fakeClock("2026-12-01T10:00:00+09:00"),
      ),
    RangeError,
  );
});
