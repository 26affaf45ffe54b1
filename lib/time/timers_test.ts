import assert from "node:assert/strict";
import { fakeTimers, periodicJob } from "./timers.ts";

Deno.test("periodicJob: a pass at start, the next one interval after it, errors reported and the schedule kept", async () => {
  const timers = fakeTimers();
  let n = 0;
  const errors: unknown[] = [];
  const job = periodicJob(() => {
    n++;
    return n === 2 ? Promise.reject(new Error("boom")) : Promise.resolve(n);
  }, { intervalMs: 1000, timers, onError: (e) => errors.push(e) });
  const first = job.nextPass();
  job.start();
  assert.equal(await first, 1);
  assert.deepEqual(timers.pending(), [1000]);
  timers.fire(); // pass 2 throws
  const third = job.nextPass();
  while (!timers.pending().length) await new Promise((r) => setTimeout(r, 1));
  timers.fire();
  assert.equal(await third, 3);
  assert.equal(errors.length, 1);
  await job.stop();
  assert.deepEqual(timers.pending(), []);
});
