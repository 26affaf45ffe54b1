import assert from "node:assert/strict";
import {
  createProgress,
  formatCount,
  formatDuration,
  type ProgressSink,
} from "./progress.ts";

function fakeSink(tty: boolean): ProgressSink & { text(): string } {
  const chunks: Uint8Array[] = [];
  return {
    writeSync(bytes) {
      chunks.push(bytes.slice());
      return bytes.length;
    },
    isTerminal: () => tty,
    text: () => chunks.map((c) => new TextDecoder().decode(c)).join(""),
  };
}

Deno.test("formatCount() and formatDuration() format for humans", () => {
  assert.equal(formatCount(970000), "970,000");
  assert.equal(formatCount(999), "999");
  assert.equal(formatCount(-1234), "-1,234");
  assert.equal(formatDuration(75.4), "1:15");
  assert.equal(formatDuration(3725), "1:02:05");
  assert.equal(formatDuration(Infinity), "?");
});

Deno.test("createProgress() on a terminal redraws at most every interval, with rate and ETA", () => {
  let t = 0;
  const sink = fakeSink(true);
  const p = createProgress({
    label: "seed",
    total: 1000,
    unit: "rows",
    sink,
    now: () => t,
    intervalMs: 100,
  });
  t = 1000;
  p.update(100); // drawn
  t = 1050;
  p.update(150); // too soon
  t = 2000;
  p.add(50); // drawn: 200 in 2 s
  const text = sink.text();
  assert.equal(text.split("\r").length - 1, 2);
  assert.match(
    text,
    /seed {2}\[#{5}-{19}\] {2}200\/1,000 +20\.0% {2}100 rows\/s {2}ETA 0:08/,
  );
  p.done();
  p.done();
  assert.ok(sink.text().endsWith("in 2.0 s\x1b[K\n"));
  assert.equal(p.count, 200);
});

Deno.test("createProgress() off a terminal prints only the final line", () => {
  let t = 0;
  const sink = fakeSink(false);
  const p = createProgress({ label: "export", total: 0, sink, now: () => t });
  for (let i = 1; i <= 10; i++) {
    t = i * 500;
    p.add(100);
  }
  assert.equal(sink.text(), "");
  p.done("ok");
  assert.equal(sink.text(), "export  1,000  200/s  in 5.0 s  ok\n");
});
