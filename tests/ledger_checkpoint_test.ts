/**
 * A ledger rewrite caught by the checkpoints (issue 12, Build 9): the
 * center signs checkpoints of its ledger head, a registry pulls copies over
 * a real socket (in order, no gaps, signatures checked with the provisioned
 * key list), and `ledger:verify`'s audit fails on a full rewrite with
 * recomputed hashes — which the unanchored chain walk alone still passes —
 * naming the first checkpoint that no longer matches.
 *
 * @module
 */
import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import type { Db } from "../lib/db/database.ts";
import { rowsOf } from "../lib/db/database.ts";
import { chainHash, GENESIS_HASH } from "../lib/ledger/chain.ts";
import {
  checkCheckpointSignature,
  type Checkpoint,
  LEDGER_CHAIN,
  signCheckpoint,
} from "../lib/ledger/checkpoint.ts";
import { createSigner, generateSigningKey } from "../lib/crypto/signer.ts";
import { generateContentKey } from "../lib/crypto/content_key.ts";
import { serveHttp } from "../lib/service/serve.ts";
import { silentLogger } from "../lib/service/logger.ts";
import { createAspDirectory } from "../services/jlis/issuance/asp_directory.ts";
import {
  appendLedger,
  verifyLedger,
} from "../services/jlis/issuance/ledger.ts";
import {
  allLedgerCheckpoints,
  auditLedger,
  createLedgerCheckpoint,
  startCheckpointTimer,
} from "../services/jlis/issuance/checkpoints.ts";
import {
  CheckpointPullError,
  listCheckpointCopies,
  pullCheckpoints,
} from "../services/registry/checkpoints.ts";
import { fetchRegistryCopies } from "../scripts/ledger_verify.ts";
import { openTestJlis, type TestJlis, TOKENS } from "./support/jlis_world.ts";
import {
  openTestRegistry,
  TOKENS as REG_TOKENS,
} from "./support/registry_world.ts";

async function openCenter(): Promise<TestJlis> {
  return await openTestJlis({
    issuance: async () => ({
      directory: createAspDirectory([]),
      contentKey: await generateContentKey("enc-test"),
      // No issuance here: no municipality has a binding key.
      bindingKeys: () => null,
    }),
  });
}

async function appendEntries(db: Db, n: number, from: number): Promise<void> {
  for (let i = from; i < from + n; i++) {
    await appendLedger(db, {
      at: new Date(`2026-11-26T01:${String(i % 60).padStart(2, "0")}:00Z`),
      kind: "issued",
      issueNumber: `401005-20261126-${String(i).padStart(7, "0")}`,
      requestId: `req-${crypto.randomUUID()}`,
      data: { pages: 1, fee: 200, type: "juminhyo" },
    });
  }
}

/**
 * The attack: every entry rewritten through direct SQL (entry 3's fee
 * changed), every hash recomputed from the genesis hash, the head moved
 * along — the chain is self-consistent again.
 */
async function rewriteWholeLedger(db: Db): Promise<void> {
  const rows = rowsOf<
    {
      seq: string | number;
      at: string | Date;
      kind: string;
      issue_number: string;
      request_id: string;
      data: unknown;
    }
  >(
    await db.execute(
      sql`select seq, at, kind, issue_number, request_id, data from ledger order by seq`,
    ),
  );
  let prev = GENESIS_HASH;
  for (const r of rows) {
    const seq = Number(r.seq);
    const data = seq === 3
      ? { ...(r.data as Record<string, unknown>), fee: 0 }
      : r.data;
    const body = {
      at: new Date(r.at).toISOString(),
      kind: r.kind,
      issueNumber: r.issue_number,
      requestId: r.request_id,
      data,
    };
    // deno-lint-ignore no-explicit-any
    const hash = await chainHash(prev, seq, body as any);
    await db.execute(
      sql`update ledger set data = ${
        JSON.stringify(data)
      }::jsonb, prev_hash = ${prev}, hash = ${hash} where seq = ${seq}`,
    );
    prev = hash;
  }
  await db.execute(sql`update ledger_head set hash = ${prev},
    prev_hash = (select prev_hash from ledger order by seq desc limit 1) where id = 1`);
}

Deno.test("untouched ledger: the chain passes through every signed checkpoint", async () => {
  const jlis = await openCenter();
  try {
    const db = jlis.databases[0].db;
    await appendEntries(db, 10, 1);
    await createLedgerCheckpoint(db, jlis.signer, jlis.clock);
    await appendEntries(db, 5, 11);
    await createLedgerCheckpoint(db, jlis.signer, jlis.clock);
    const findings = await auditLedger(db, await jlis.signer.keyList(), []);
    assert.deepEqual(findings.map((f) => f.ok), [true]);
    assert.match(findings[0].detail, /15 entries.*2 signed checkpoints/);
  } finally {
    await jlis.close();
  }
});

Deno.test("a full rewrite with recomputed hashes passes the bare walk but fails at the first checkpoint", async () => {
  const jlis = await openCenter();
  try {
    const db = jlis.databases[0].db;
    await appendEntries(db, 10, 1);
    await createLedgerCheckpoint(db, jlis.signer, jlis.clock);
    await appendEntries(db, 5, 11);
    await createLedgerCheckpoint(db, jlis.signer, jlis.clock);
    await rewriteWholeLedger(db);
    // The weakness the checkpoints close: the chain alone is consistent again.
    assert.equal((await verifyLedger(db)).ok, true);
    const findings = await auditLedger(db, await jlis.signer.keyList(), []);
    assert.equal(findings[0].ok, false);
    assert.match(findings[0].detail, /^checkpoint 1 .*entry 10 .*rewritten/);
  } finally {
    await jlis.close();
  }
});

Deno.test("a checkpoint with a forged signature is refused", async () => {
  const jlis = await openCenter();
  try {
    const db = jlis.databases[0].db;
    await appendEntries(db, 3, 1);
    const genuine =
      (await createLedgerCheckpoint(db, jlis.signer, jlis.clock))!;
    const keyList = await jlis.signer.keyList();
    assert.equal(
      await checkCheckpointSignature(keyList, genuine, LEDGER_CHAIN),
      null,
    );
    // An attacker's key claiming the center's key id.
    const forger = await createSigner([
      await generateSigningKey({
        keyId: genuine.keyId,
        notBefore: new Date("2025-01-01T00:00:00Z"),
        notAfter: new Date("2040-01-01T00:00:00Z"),
      }),
    ], { clock: jlis.clock });
    const forged = await signCheckpoint(forger, {
      chain: LEDGER_CHAIN,
      number: 2,
      seq: 3,
      hash: "ab".repeat(32),
      at: jlis.clock.now(),
    });
    assert.equal(
      await checkCheckpointSignature(keyList, forged, LEDGER_CHAIN),
      "bad-signature",
    );
    const moved = { ...genuine, seq: 2 };
    assert.equal(
      await checkCheckpointSignature(keyList, moved, LEDGER_CHAIN),
      "bad-signature",
    );
    // A genuine ledger checkpoint does not pass as another chain's.
    assert.equal(
      await checkCheckpointSignature(keyList, genuine, "portal-audit"),
      "wrong-chain",
    );
    // Forged into the center's own table: ledger:verify refuses it.
    await db.execute(sql`insert into ledger_checkpoints
      (number, seq, hash, at, key_id, signature) values (2, 3, ${forged.hash},
      ${forged.at}, ${forged.keyId}, ${forged.signature})`);
    const findings = await auditLedger(db, keyList, []);
    assert.equal(findings[0].ok, false);
    assert.match(findings[0].detail, /checkpoint 2 .*refused: bad-signature/);
  } finally {
    await jlis.close();
  }
});

Deno.test("the registry pulls copies over a socket in order without gaps; a rewrite and a purge of the center's checkpoints are caught by them", async () => {
  const jlis = await openCenter();
  const reg = await openTestRegistry(["401005"]);
  const center = await serveHttp(jlis.apps[0].fetch, {
    port: 0,
    hostname: "127.0.0.1",
  });
  const registry = await serveHttp(reg.app.fetch, {
    port: 0,
    hostname: "127.0.0.1",
  });
  try {
    const db = jlis.databases[0].db;
    const keyList = await jlis.signer.keyList();
    const pull = () =>
      pullCheckpoints({
        db: reg.database.db,
        centerUrl: center.url,
        token: TOKENS.city,
        keyList,
        pageSize: 2,
      });
    for (let i = 0; i < 5; i++) {
      await appendEntries(db, 2, 2 * i + 1);
      const res = await fetch(`${center.url}/ledger/checkpoints`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKENS.operator}` },
      });
      assert.equal(res.status, 201);
      await res.body?.cancel();
      jlis.clock.advance(60_000);
    }
    assert.equal(await pull(), 5); // three pages of 2, 2, 1
    await appendEntries(db, 1, 11);
    await createLedgerCheckpoint(db, jlis.signer, jlis.clock);
    assert.equal(await pull(), 1);
    assert.equal(await pull(), 0);
    const copies = await listCheckpointCopies(reg.database.db);
    assert.deepEqual(copies.map((c) => c.number), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(copies.map((c) => c.seq), [2, 4, 6, 8, 10, 11]);
    assert.deepEqual(copies, await allLedgerCheckpoints(db));

    // Read back through the registry's API, as ledger:verify --registry does.
    const viaApi = await fetchRegistryCopies(registry.url, REG_TOKENS.reader);
    assert.deepEqual(viaApi, copies);
    const ok = await auditLedger(db, keyList, [
      { source: "registry", checkpoints: viaApi },
    ]);
    assert.deepEqual(ok.map((f) => f.ok), [true, true]);

    // The attacker rewrites the ledger and deletes the center's checkpoints.
    await rewriteWholeLedger(db);
    await db.execute(sql`delete from ledger_checkpoints`);
    const findings = await auditLedger(db, keyList, [
      { source: "registry", checkpoints: viaApi },
    ]);
    assert.equal(
      findings[0].ok,
      true,
      "the center's own check has nothing left",
    );
    assert.equal(findings[1].ok, false);
    assert.equal(findings[1].source, "registry");
    assert.match(findings[1].detail, /^checkpoint 2 .*entry 4 .*rewritten/);
  } finally {
    await registry.stop();
    await center.stop();
    await reg.close();
    await jlis.close();
  }
});

Deno.test("the registry refuses a page with a gap or a forged signature and stores none of it", async () => {
  const jlis = await openCenter();
  const reg = await openTestRegistry(["401005"]);
  let page: Checkpoint[] = [];
  const fake = await serveHttp(
    () => Response.json({ checkpoints: page }),
    { port: 0, hostname: "127.0.0.1" },
  );
  try {
    const db = jlis.databases[0].db;
    const keyList = await jlis.signer.keyList();
    await appendEntries(db, 3, 1);
    const a = (await createLedgerCheckpoint(db, jlis.signer, jlis.clock))!;
    await appendEntries(db, 1, 4);
    await createLedgerCheckpoint(db, jlis.signer, jlis.clock);
    await appendEntries(db, 1, 5);
    const c = (await createLedgerCheckpoint(db, jlis.signer, jlis.clock))!;
    const pull = () =>
      pullCheckpoints({
        db: reg.database.db,
        centerUrl: fake.url,
        token: TOKENS.city,
        keyList,
      });
    page = [a, c];
    await assert.rejects(
      pull,
      (e) => e instanceof CheckpointPullError && e.code === "CHECKPOINT_GAP",
    );
    page = [{ ...a, hash: "cd".repeat(32) }];
    await assert.rejects(
      pull,
      (e) =>
        e instanceof CheckpointPullError && e.code === "CHECKPOINT_SIGNATURE",
    );
    assert.deepEqual(await listCheckpointCopies(reg.database.db), []);
    page = [a];
    assert.equal(await pull(), 1);
  } finally {
    await fake.stop();
    await reg.close();
    await jlis.close();
  }
});

Deno.test("checkpoints: the timer signs only when the head moved; who may read and sign", async () => {
  const jlis = await openCenter();
  try {
    const db = jlis.databases[0].db;
    const timer = startCheckpointTimer({
      db,
      signer: jlis.signer,
      clock: jlis.clock,
      logger: silentLogger(),
      intervalMs: 0,
    });
    assert.equal(await timer.tick(), null, "empty ledger: nothing to sign");
    await appendEntries(db, 2, 1);
    assert.equal((await timer.tick())?.number, 1);
    assert.equal(await timer.tick(), null, "head unmoved");
    await appendEntries(db, 1, 3);
    assert.equal((await timer.tick())?.seq, 3);
    await timer.stop();

    const status = async (method: string, token: string) => {
      const res = await jlis.call(method, "/ledger/checkpoints", { token });
      await res.body?.cancel();
      return res.status;
    };
    assert.equal(await status("GET", TOKENS.city), 200);
    assert.equal(await status("GET", TOKENS.operator), 200);
    assert.equal(await status("GET", TOKENS.kiosk), 403);
    assert.equal(await status("POST", TOKENS.city), 403);
    assert.equal(await status("POST", TOKENS.operator), 201);
    const res = await jlis.call("GET", "/ledger/checkpoints?after=2", {
      token: TOKENS.city,
    });
    const body = await res.json();
    assert.deepEqual(body.checkpoints.map((c: Checkpoint) => c.number), [3]);
  } finally {
    await jlis.close();
  }
});
