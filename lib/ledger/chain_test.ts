import assert from "node:assert/strict";
import {
  canonicalJson,
  type ChainEntry,
  chainHash,
  GENESIS_HASH,
  verifyChain,
} from "./chain.ts";

async function chain(n: number): Promise<ChainEntry[]> {
  const out: ChainEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const body = { kind: "issued", n: seq, who: "北九州市" };
    const hash = await chainHash(prev, seq, body);
    out.push({ seq, prevHash: prev, hash, body });
    prev = hash;
  }
  return out;
}

Deno.test("canonicalJson() sorts keys and refuses what jsonb would change", () => {
  assert.equal(
    canonicalJson({ b: 1, a: [true, null, "x"] }),
    '{"a":[true,null,"x"],"b":1}',
  );
  assert.throws(() => canonicalJson({ x: 1.5 }), TypeError);
  assert.throws(() => canonicalJson({ d: new Date() }), TypeError);
});

Deno.test("verifyChain() accepts an intact chain and finds an edit, a gap, a reorder and a cut", async () => {
  const entries = await chain(5);
  const ok = await verifyChain(entries, {
    expectedHead: { seq: 5, hash: entries[4].hash },
  });
  assert.ok(ok.ok);
  const edited = entries.map((e) => ({ ...e }));
  edited[2] = {
    ...edited[2],
    body: { kind: "issued", n: 99, who: "北九州市" },
  };
  const e = await verifyChain(edited);
  assert.equal(e.ok, false);
  if (!e.ok) assert.deepEqual([e.seq, e.problem], [3, "hash-mismatch"]);
  const gap = await verifyChain([entries[0], entries[2]]);
  if (gap.ok) assert.fail("gap accepted");
  assert.equal(gap.problem, "sequence-gap");
  const cut = await verifyChain(entries.slice(0, 4), {
    expectedHead: { seq: 5, hash: entries[4].hash },
  });
  if (cut.ok) assert.fail("cut accepted");
  assert.equal(cut.problem, "head-mismatch");
});
