import assert from "node:assert/strict";
import {
  CenterPullError,
  refuseFailedAnswer,
  startPullJob,
} from "./center_pull.ts";

class SomePullError extends CenterPullError {}

Deno.test("center pull: a refusal carries its code and its subclass's name", () => {
  const e = new SomePullError("CENTER_ANSWER", "x");
  assert.ok(e instanceof CenterPullError);
  assert.equal(e.name, "SomePullError");
  assert.equal(e.code, "CENTER_ANSWER");
});

Deno.test("center pull: an answer that is not a success is refused with its status, a success passes", async () => {
  await assert.rejects(
    refuseFailedAnswer(new Response("no", { status: 503 }), SomePullError),
    (e) =>
      e instanceof SomePullError && e.code === "CENTER_ANSWER" &&
      e.message.includes("503"),
  );
  const ok = new Response("{}", { status: 200 });
  await refuseFailedAnswer(ok, SomePullError);
  assert.deepEqual(await ok.json(), {}, "the body of a success is left");
});

Deno.test("center pull: ticks run one after another; a failed tick is its caller's and the next runs", async () => {
  const log: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const job = startPullJob(async (arg?: string) => {
    log.push(`start ${arg}`);
    if (arg === "a") await gate;
    if (arg === "bad") throw new Error("refused");
    log.push(`end ${arg}`);
    return arg;
  }, 0);
  const a = job.tick("a");
  const bad = job.tick("bad");
  const b = job.tick("b");
  await Promise.resolve();
  assert.deepEqual(log, ["start a"], "the second waits for the first");
  release();
  assert.equal(await a, "a");
  await assert.rejects(bad, /refused/);
  assert.equal(await b, "b");
  assert.deepEqual(log, ["start a", "end a", "start bad", "start b", "end b"]);
  await job.stop();
});
