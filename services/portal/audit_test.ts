import assert from "node:assert/strict";
import {
  type AuditRecord,
  openJsonlAuditSink,
  verifyAuditChain,
} from "./audit.ts";

function record(i: number): AuditRecord {
  return {
    time: `2026-12-01T01:00:0${i}.000Z`,
    requestId: `r${i}`,
    channel: "api",
    client: "key:bank-a",
    outcome: "verdict",
    verdict: "genuine",
    code: "GENUINE",
    issueNumber: `401005-20261126-00000${i}`,
    ms: 400 + i,
  };
}

Deno.test("the JSON-lines audit is hash-chained across reopenings, and an edit breaks the chain", async () => {
  const dir = await Deno.makeTempDir({ prefix: "audit-test-" });
  try {
    const path = `${dir}/sub/audit.jsonl`;
    const first = await openJsonlAuditSink(path);
    await Promise.all([first.write(record(1)), first.write(record(2))]);
    await first.close();
    const second = await openJsonlAuditSink(path);
    await second.write(record(3));
    await second.close();
    assert.deepEqual(await verifyAuditChain(path), { lines: 3 });
    const lines = (await Deno.readTextFile(path)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.deepEqual(lines.map((l) => [l.seq, l.requestId]), [[1, "r1"], [
      2,
      "r2",
    ], [3, "r3"]]);
    assert.equal(lines[1].prev, lines[0].hash);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);

    const edited = (await Deno.readTextFile(path)).replace(
      '"verdict":"genuine","code":"GENUINE","issueNumber":"401005-20261126-000002"',
      '"verdict":"tampered","code":"GENUINE","issueNumber":"401005-20261126-000002"',
    );
    await Deno.writeTextFile(path, edited);
    assert.deepEqual(await verifyAuditChain(path), { lines: 3, brokenAt: 2 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a closed audit sink refuses writes (the portal then refuses to verify)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "audit-test-" });
  try {
    const sink = await openJsonlAuditSink(`${dir}/a.jsonl`);
    await sink.close();
    await assert.rejects(() => sink.write(record(1)), /closed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
