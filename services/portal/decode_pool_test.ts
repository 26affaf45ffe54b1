import assert from "node:assert/strict";
import sharp from "sharp";
import { decodeScan } from "../../lib/backside/decode_scan.ts";
import { createRenderer } from "../../lib/render/mod.ts";
import {
  makeDemoCenter,
  verdictScans,
} from "../../tests/fixtures/verdict_scans.ts";
import { MISBEHAVE } from "../../tests/support/misbehaving_decode_worker.ts";
import {
  createDecodePool,
  type DecodePoolOptions,
  type PoolDecodeOutcome,
} from "./decode_pool.ts";

const MISBEHAVING = new URL(
  "../../tests/support/misbehaving_decode_worker.ts",
  import.meta.url,
);

/** A white page PNG of `width` × 877 (620 wide: decoded as usual). */
async function page(width = 620): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({
      create: { width, height: 877, channels: 3, background: "#fff" },
    }).png().toBuffer(),
  );
}

function testPool(options: Partial<DecodePoolOptions> = {}) {
  return createDecodePool({
    keyList: { keys: [] },
    decryptionKeys: [],
    workers: 1,
    workerUrl: MISBEHAVING,
    ...options,
  });
}

const verdictOf = (o: PoolDecodeOutcome) =>
  o.ok ? o.scan.verdict : `refused:${o.problem}`;

Deno.test("decode pool gives the in-thread decoder's result for every verdict scan", async () => {
  const center = await makeDemoCenter();
  const scans = await verdictScans(center);
  const renderer = await createRenderer();
  const keys = {
    keyList: center.keyList,
    decryptionKeys: [center.contentKey],
  };
  const pool = await createDecodePool({
    ...keys,
    workers: 2,
    frontWidthPx: 760,
  });
  try {
    const pooled = await Promise.all(
      scans.map((s) => pool.decode(s.png.slice(), { channel: "api" })),
    );
    for (const [i, s] of scans.entries()) {
      const out = pooled[i];
      assert.ok(out.ok, `${s.verdict}: ${!out.ok && out.problem}`);
      const here = await decodeScan(s.png.slice(), {
        ...keys,
        renderFront: (sheet) =>
          Promise.resolve(renderer.png(sheet, { widthPx: 760 })),
      });
      const { stats: a, ...inPool } = out.scan;
      const { stats: b, ...inThread } = here;
      assert.deepEqual(inPool, inThread, s.verdict);
      assert.deepEqual({ ...a, ms: 0 }, { ...b, ms: 0 }, s.verdict);
    }
    assert.equal(
      pooled.filter((o) => o.ok && o.scan.frontImagePng).length,
      3,
      "genuine, voided and revoked sheets come with their front",
    );
  } finally {
    await pool.close();
  }
});

Deno.test("decode pool takes a browser job before the API jobs queued ahead of it", async () => {
  const pool = await testPool({ maxQueue: { form: 4, api: 4 } });
  try {
    const pages = await Promise.all([page(), page(), page(), page()]);
    const done: string[] = [];
    const job = (name: string, channel: "form" | "api") =>
      pool.decode(pages.pop()!, { channel }).then((out) => {
        done.push(name);
        return out;
      });
    // Submitted in one turn: the worker takes api-1, the rest wait.
    const jobs = [
      job("api-1", "api"),
      job("api-2", "api"),
      job("api-3", "api"),
      job("form-1", "form"),
    ];
    assert.deepEqual(pool.stats().queued, { form: 1, api: 2 });
    assert.equal(pool.stats().busy, 1);
    const outs = await Promise.all(jobs);
    assert.deepEqual(done, ["api-1", "form-1", "api-2", "api-3"]);
    assert.deepEqual(outs.map(verdictOf), Array(4).fill("unreadable"));
  } finally {
    await pool.close();
  }
});

Deno.test("decode pool refuses a job beyond its channel's queue bound at once", async () => {
  const pool = await testPool({ maxQueue: { form: 1, api: 1 } });
  try {
    const [a, b, c, d] = await Promise.all([page(), page(), page(), page()]);
    const running = pool.decode(a, { channel: "api" });
    const waiting = pool.decode(b, { channel: "api" });
    const refused = await pool.decode(c, { channel: "api" });
    assert.equal(verdictOf(refused), "refused:busy");
    // The browser's own queue still has room.
    const browser = pool.decode(d, { channel: "form" });
    assert.deepEqual(pool.stats().queued, { form: 1, api: 1 });
    assert.deepEqual(
      (await Promise.all([running, waiting, browser])).map(verdictOf),
      ["unreadable", "unreadable", "unreadable"],
    );
  } finally {
    await pool.close();
  }
});

Deno.test("decode pool fails a crashing job alone and replaces its worker", async () => {
  const pool = await testPool();
  try {
    const crashed = await pool.decode(await page(MISBEHAVE.crash), {
      channel: "api",
    });
    assert.equal(verdictOf(crashed), "refused:crashed");
    assert.match(!crashed.ok && crashed.error || "", /decoder crashed/);
    const next = await pool.decode(await page(), { channel: "api" });
    assert.equal(verdictOf(next), "unreadable");
    assert.equal(pool.stats().replaced, 1);
  } finally {
    await pool.close();
  }
});

Deno.test("decode pool stops a hanging job at the timeout and replaces its worker", async () => {
  const pool = await testPool({ jobTimeoutMs: 500 });
  try {
    const t0 = performance.now();
    const hung = await pool.decode(await page(MISBEHAVE.hang), {
      channel: "form",
    });
    assert.equal(verdictOf(hung), "refused:timeout");
    assert.ok(performance.now() - t0 < 5000);
    const next = await pool.decode(await page(), { channel: "form" });
    assert.equal(verdictOf(next), "unreadable");
    assert.equal(pool.stats().replaced, 1);
  } finally {
    await pool.close();
  }
});

Deno.test("decode pool fails running and waiting jobs when closed", async () => {
  const pool = await testPool();
  const running = pool.decode(await page(MISBEHAVE.hang), { channel: "api" });
  const waiting = pool.decode(await page(), { channel: "form" });
  await new Promise((r) => setTimeout(r, 50));
  await pool.close();
  assert.deepEqual((await Promise.all([running, waiting])).map(verdictOf), [
    "refused:closed",
    "refused:closed",
  ]);
  assert.equal(
    verdictOf(await pool.decode(await page(), { channel: "api" })),
    "refused:closed",
  );
});

Deno.test("createDecodePool() fails when a worker cannot start, and leaves none running", async () => {
  await assert.rejects(
    createDecodePool({
      keyList: { keys: [] },
      decryptionKeys: [],
      workers: 2,
      workerUrl: "data:application/javascript,throw new Error('no decoder')",
    }),
    /did not start.*no decoder/,
  );
});
