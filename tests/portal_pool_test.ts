/**
 * The portal with its decode pool (services/portal/decode_pool.ts): the
 * same answers as decoding on the main thread, 503 BUSY with Retry-After
 * beyond a channel's queue, a crashed or hung worker refused cleanly
 * without a 500, and workers stopped with the portal.
 */
import assert from "node:assert/strict";
import sharp from "sharp";
import { createRenderer } from "../lib/render/mod.ts";
import { silentLogger } from "../lib/service/logger.ts";
import { memoryAuditSink } from "../services/portal/audit.ts";
import {
  createDecodePool,
  type DecodePool,
  type DecodePoolOptions,
} from "../services/portal/decode_pool.ts";
import { startPortal } from "../services/portal/main.ts";
import { makeDemoCenter, verdictScans } from "./fixtures/verdict_scans.ts";
import { MISBEHAVE } from "./support/misbehaving_decode_worker.ts";
import {
  BANK_KEY,
  makeTestPortal,
  openStartPage,
  pagePng,
  postApi,
  postForm,
} from "./support/portal_world.ts";

const MISBEHAVING = new URL(
  "./support/misbehaving_decode_worker.ts",
  import.meta.url,
);

async function pngOfWidth(width: number): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({
      create: { width, height: 877, channels: 3, background: "#fff" },
    }).png().toBuffer(),
  );
}

async function misbehavingPool(
  options: Partial<DecodePoolOptions> = {},
): Promise<DecodePool> {
  return await createDecodePool({
    keyList: { keys: [] },
    decryptionKeys: [],
    workers: 1,
    workerUrl: MISBEHAVING,
    ...options,
  });
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test("[portal] /api/verify answers every verdict scan the same with the decode pool as on the main thread", async () => {
  const center = await makeDemoCenter();
  const scans = await verdictScans(center);
  const renderer = await createRenderer();
  const keys = {
    keyList: center.keyList,
    decryptionKeys: [center.contentKey],
    statusLookup: center.statusLookup,
  };
  const pool = await createDecodePool({
    ...keys,
    workers: 2,
    frontWidthPx: 760,
  });
  try {
    const pooled = await makeTestPortal({ ...keys, decodePool: pool });
    const inThread = await makeTestPortal({
      ...keys,
      renderFront: (s) => Promise.resolve(renderer.png(s, { widthPx: 760 })),
    });
    for (const s of scans) {
      const bodies = [];
      for (const { app } of [pooled, inThread]) {
        const res = await postApi(app, s.png, { key: BANK_KEY });
        assert.equal(res.status, 200, s.verdict);
        assert.match(res.headers.get("content-type") ?? "", /json/);
        const { request_id: _, ...body } = await res.json();
        bodies.push(body);
      }
      assert.equal(bodies[0].verdict, s.verdict);
      assert.equal(bodies[0].reason_code, s.reason);
      assert.deepEqual(bodies[0], bodies[1], s.verdict);
    }
    assert.deepEqual(
      pooled.audit.records.map((r) => r.verdict),
      inThread.audit.records.map((r) => r.verdict),
    );
  } finally {
    await pool.close();
  }
});

Deno.test("[portal] with the API queue full, /api/verify answers 503 BUSY with Retry-After while the upload form still gets through", async () => {
  const pool = await misbehavingPool({
    maxQueue: { form: 1, api: 0 },
    jobTimeoutMs: 3000,
  });
  try {
    const { app } = await makeTestPortal({ decodePool: pool });
    const busy = postApi(app, await pngOfWidth(MISBEHAVE.hang), {
      key: BANK_KEY,
    });
    await until(() => pool.stats().busy === 1);
    const res = await postApi(app, await pagePng(), { key: BANK_KEY });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "5");
    assert.equal((await res.json()).code, "BUSY");
    const { cookie, token } = await openStartPage(app);
    const page = postForm(app, await pagePng(), { cookie, token });
    await until(() => pool.stats().queued.form === 1);
    const hung = await busy;
    assert.equal(hung.status, 422);
    const refusal = await hung.json();
    assert.equal(refusal.code, "DECODE_TIMEOUT");
    assert.equal(refusal.verdict, "unreadable");
    assert.match(refusal.message_en, /limit 3 s/);
    const form = await page;
    assert.equal(form.status, 200);
    assert.match(form.headers.get("content-type") ?? "", /html/);
    await form.text();
  } finally {
    await pool.close();
  }
});

Deno.test("[portal] a decode worker crash refuses that scan with 422 DECODER_CRASHED, and the next scan is verified", async () => {
  const pool = await misbehavingPool();
  try {
    const { app, audit } = await makeTestPortal({ decodePool: pool });
    const crashed = await postApi(app, await pngOfWidth(MISBEHAVE.crash), {
      key: BANK_KEY,
    });
    assert.equal(crashed.status, 422);
    assert.match(crashed.headers.get("content-type") ?? "", /json/);
    const body = await crashed.json();
    assert.equal(body.code, "DECODER_CRASHED");
    assert.equal(body.verdict, "unreadable");
    const next = await postApi(app, await pagePng(), { key: BANK_KEY });
    assert.equal(next.status, 200);
    assert.equal((await next.json()).verdict, "unreadable");
    assert.deepEqual(audit.records.map((r) => r.code), [
      "DECODER_CRASHED",
      "BLANK_IMAGE",
    ]);
    const health = await app.request("/healthz");
    assert.equal(health.status, 200);
    assert.deepEqual((await health.json()).decode, {
      workers: 1,
      busy: 0,
      queued: { form: 0, api: 0 },
      replaced: 1,
      completed: 1,
    });
  } finally {
    await pool.close();
  }
});

Deno.test("[portal] startPortal() decodes in PORTAL_DECODE_WORKERS workers and stops them on stop()", async () => {
  const center = await makeDemoCenter();
  const [genuine] = await verdictScans(center, { only: ["genuine"] });
  const env = new Map([
    ["PORTAL_PORT", "0"],
    ["PORTAL_DECODE_WORKERS", "1"],
    ["PORTAL_API_CLIENTS", JSON.stringify([{ id: "b", key: BANK_KEY }])],
  ]);
  const portal = await startPortal({
    keyList: center.keyList,
    decryptionKeys: [center.contentKey],
    statusLookup: center.statusLookup,
    env,
    audit: memoryAuditSink(),
    buildIslands: false,
    logger: silentLogger(),
  });
  try {
    const form = new FormData();
    form.set("scan", new File([new Uint8Array(genuine.png)], "scan.png"));
    const res = await fetch(`${portal.url}/api/verify`, {
      method: "POST",
      body: form,
      headers: { "X-API-Key": BANK_KEY },
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.verdict, "genuine");
    assert.ok(body.front_image_png, "the worker rendered the front");
  } finally {
    await portal.stop();
  }
});
