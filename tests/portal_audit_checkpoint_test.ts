/**
 * The portal's audit chain anchored by signed checkpoints (issue 12, Build
 * 9): a rewrite of the whole audit file with recomputed hashes passes the
 * bare chain walk but not the checkpoints; a checkpoint signed by any other
 * key is refused; the portal's key comes from a development secret made
 * once under DATA_DIR (never in source) and is refused in production.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Checkpoint } from "../lib/ledger/checkpoint.ts";
import { fakeClock } from "../lib/time/clock.ts";
import {
  type AuditRecord,
  openJsonlAuditSink,
  verifyAuditAgainstCheckpoints,
  verifyAuditChain,
} from "../services/portal/audit.ts";
import { makeTestPortal } from "./support/portal_world.ts";
import {
  openAuditCheckpoints,
  portalAuditSigner,
} from "../services/portal/audit_checkpoints.ts";
import { serveHttp } from "../lib/service/serve.ts";

function record(i: number): AuditRecord {
  return {
    time: `2026-12-01T01:00:0${i}.000Z`,
    requestId: `r${i}`,
    channel: "api",
    client: "key:bank-a",
    outcome: "verdict",
    verdict: i === 2 ? "revoked" : "genuine",
    code: "GENUINE",
    issueNumber: `401005-20261126-00000${i}`,
    ms: 400 + i,
  };
}

async function sha256Hex(text: string): Promise<string> {
  return new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  ).toHex();
}

/** The attack: line 2's verdict changed, every hash recomputed from the start. */
async function rewriteAuditFile(path: string): Promise<void> {
  const lines = (await Deno.readTextFile(path)).trim().split("\n");
  let prev = "";
  const out: string[] = [];
  for (const line of lines) {
    const { hash: _old, ...rec } = JSON.parse(line);
    if (rec.seq === 2) rec.verdict = "genuine";
    rec.prev = prev;
    const hash = await sha256Hex(prev + "\n" + JSON.stringify(rec));
    out.push(JSON.stringify({ ...rec, hash }));
    prev = hash;
  }
  await Deno.writeTextFile(path, out.join("\n") + "\n");
}

async function withWorld(
  fn: (w: {
    dir: string;
    env: Map<string, string>;
    clock: ReturnType<typeof fakeClock>;
  }) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "portal-audit-cp-" });
  try {
    await fn({
      dir,
      env: new Map([["DATA_DIR", `${dir}/data`]]),
      clock: fakeClock("2026-12-01T10:00:00+09:00"),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("portal audit: a rewrite with recomputed hashes is caught by the signed checkpoints", async () => {
  await withWorld(async ({ dir, env, clock }) => {
    const path = `${dir}/audit.jsonl`;
    const sink = await openJsonlAuditSink(path);
    const signer = await portalAuditSigner(env, clock);
    const cps = await openAuditCheckpoints({
      path: `${dir}/audit-checkpoints.jsonl`,
      signer,
      clock,
      head: () => sink.head(),
    });
    assert.equal(await cps.checkpoint(), null, "nothing to sign yet");
    for (const i of [1, 2, 3]) await sink.write(record(i));
    assert.equal((await cps.checkpoint())?.seq, 3);
    assert.equal(await cps.checkpoint({ ifMoved: true }), null);
    for (const i of [4, 5]) await sink.write(record(i));
    assert.equal((await cps.checkpoint({ ifMoved: true }))?.number, 2);
    await cps.close();
    await sink.close();

    // What an auditor holds: the key list taken out of band, the copies.
    const keyList = JSON.parse(
      await Deno.readTextFile(`${dir}/audit-keys.json`),
    );
    const copies: Checkpoint[] = (await Deno.readTextFile(
      `${dir}/audit-checkpoints.jsonl`,
    )).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(copies.map((c) => [c.number, c.seq]), [[1, 3], [2, 5]]);
    const intact = await verifyAuditAgainstCheckpoints(path, copies, keyList);
    assert.equal(intact.ok, true, intact.detail);

    await rewriteAuditFile(path);
    assert.deepEqual(await verifyAuditChain(path), { lines: 5 });
    const v = await verifyAuditAgainstCheckpoints(path, copies, keyList);
    assert.equal(v.ok, false);
    assert.match(v.detail, /^checkpoint 1 .*entry 3 .*rewritten/);
  });
});

Deno.test("portal audit: a checkpoint signed by another key is refused; the key is the same across restarts", async () => {
  await withWorld(async ({ dir, env, clock }) => {
    const path = `${dir}/audit.jsonl`;
    const sink = await openJsonlAuditSink(path);
    await sink.write(record(1));
    const signer = await portalAuditSigner(env, clock);
    const again = await portalAuditSigner(env, clock);
    assert.deepEqual(await again.keyList(), await signer.keyList());
    const secrets = `${dir}/data/dev-secrets.json`;
    assert.equal((await Deno.stat(secrets)).mode! & 0o777, 0o600);
    const other = await portalAuditSigner(
      new Map([["DATA_DIR", `${dir}/elsewhere`]]),
      clock,
    );
    const forgedCps = await openAuditCheckpoints({
      path: `${dir}/forged/cp.jsonl`,
      signer: other,
      clock,
      head: () => sink.head(),
    });
    const forged = (await forgedCps.checkpoint())!;
    await forgedCps.close();
    await sink.close();
    const keyList = await signer.keyList();
    const v = await verifyAuditAgainstCheckpoints(path, [forged], keyList);
    assert.equal(v.ok, false);
    assert.match(v.detail, /checkpoint 1 .*refused: unknown-key/);
    const sameId = { ...forged, keyId: keyList.keys[0].keyId };
    const w = await verifyAuditAgainstCheckpoints(path, [sameId], keyList);
    assert.match(w.detail, /refused: bad-signature/);

    await assert.rejects(
      () => portalAuditSigner(new Map([["KONBINI_ENV", "production"]]), clock),
      /PORTAL_AUDIT_SIGNING_SECRET is required/,
    );
  });
});

Deno.test("portal audit: checkpoints are published at /audit/checkpoints", async () => {
  await withWorld(async ({ dir, env, clock }) => {
    const sink = await openJsonlAuditSink(`${dir}/audit.jsonl`);
    const cps = await openAuditCheckpoints({
      path: `${dir}/audit-checkpoints.jsonl`,
      signer: await portalAuditSigner(env, clock),
      clock,
      head: () => sink.head(),
    });
    for (const i of [1, 2, 3]) {
      await sink.write(record(i));
      await cps.checkpoint();
    }
    const { app } = await makeTestPortal({ auditCheckpoints: cps });
    const served = await serveHttp(app.fetch, {
      port: 0,
      hostname: "127.0.0.1",
    });
    try {
      const res = await fetch(`${served.url}/audit/checkpoints?after=1`);
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.deepEqual(
        body.checkpoints.map((c: Checkpoint) => [c.number, c.seq]),
        [[2, 2], [3, 3]],
      );
      const bad = await fetch(`${served.url}/audit/checkpoints?after=-1`);
      assert.equal(bad.status, 400);
      assert.ok((await bad.json()).code);
    } finally {
      await served.stop();
      await cps.close();
      await sink.close();
    }
  });
});
