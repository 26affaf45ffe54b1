import assert from "node:assert/strict";
import { PDFDocument } from "pdf-lib";
import sharp from "sharp";
import type { ScanVerification } from "../../lib/backside/decode_scan.ts";
import { reason } from "../../lib/backside/reasons.ts";
import { silentLogger } from "../../lib/service/logger.ts";
import { fakeClock } from "../../lib/time/clock.ts";
import { type AuditSink, memoryAuditSink } from "./audit.ts";
import { DEFAULT_LIMITS } from "./scan_guard.ts";
import type { DecodePool } from "./decode_pool.ts";
import { createVerifier, type VerifierOptions } from "./verify.ts";

const who = { channel: "api" as const, client: "key:bank-a", requestId: "r1" };
const page = new Uint8Array(
  await sharp({
    create: { width: 620, height: 877, channels: 3, background: "#fff" },
  }).png().toBuffer(),
);

function verifier(overrides: Partial<VerifierOptions> = {}) {
  const audit = memoryAuditSink();
  const v = createVerifier({
    keyList: { keys: [] },
    decryptionKeys: [],
    statusLookup: () => Promise.resolve("valid"),
    limits: DEFAULT_LIMITS,
    audit,
    clock: fakeClock("2026-12-01T10:00:00+09:00"),
    logger: silentLogger(),
    ...overrides,
  });
  return { v, audit };
}

const unreadable: ScanVerification = {
  verdict: "unreadable",
  reason: reason("BLANK_IMAGE"),
  stats: { pages: 1, passes: 1, symbolsRead: 0, ms: 1 },
};

Deno.test("verifyBytes() refuses with BUSY when every decoding slot and the queue are taken", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { v, audit } = verifier({
    maxConcurrent: 1,
    maxQueue: 0,
    decode: async () => {
      await gate;
      return unreadable;
    },
  });
  const first = v.verifyBytes(page.slice(), who);
  await new Promise((r) => setTimeout(r, 20));
  const second = await v.verifyBytes(page.slice(), who);
  assert.equal(!second.ok && second.refusal.code, "BUSY");
  assert.equal(!second.ok && second.refusal.status, 503);
  release();
  assert.equal((await first).ok, true);
  assert.deepEqual(audit.records.map((r) => r.code), ["BUSY", "BLANK_IMAGE"]);
});

Deno.test("verifyBytes() gives no verdict when the audit cannot be written", async () => {
  const failing: AuditSink = {
    write: () => Promise.reject(new Error("disk full")),
  };
  const { v } = verifier({
    audit: failing,
    decode: () => Promise.resolve(unreadable),
  });
  const out = await v.verifyBytes(page.slice(), who);
  assert.equal(!out.ok && out.refusal.code, "AUDIT_UNAVAILABLE");
});

Deno.test("verifyBytes() turns a decoder failure into a 422 refusal, not a crash", async () => {
  const { v } = verifier({
    decode: () => Promise.reject(new Error("wasm trap")),
  });
  const out = await v.verifyBytes(page.slice(), who);
  assert.equal(!out.ok && out.refusal.code, "UNDECODABLE");
  assert.equal(!out.ok && out.refusal.status, 422);
});

Deno.test("verifyBytes() treats a nonsense ledger answer as unavailable", async () => {
  const { v } = verifier({
    statusLookup: () => Promise.resolve("maybe" as never),
    decode: () =>
      Promise.resolve({
        ...unreadable,
        verdict: "genuine",
        reason: reason("GENUINE"),
        issueNumber: "401005-20261126-000001",
        certificate: { issueNumber: "401005-20261126-000001" } as never,
      }),
  });
  const out = await v.verifyBytes(page.slice(), who);
  assert.ok(out.ok);
  assert.equal(out.result.verdict, "genuine");
  assert.equal(out.result.status, "unavailable");
  assert.ok(out.result.statusNote?.en);
});

Deno.test("a PDF scan leaves nothing behind in the temporary folder", async () => {
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  const leftovers = async () => {
    const names: string[] = [];
    for await (const e of Deno.readDir(tmp)) {
      if (e.name.startsWith("portal-pdf-") || e.name.startsWith("scan-pdf-")) {
        names.push(e.name);
      }
    }
    return names.sort();
  };
  const before = await leftovers();
  const doc = await PDFDocument.create();
  doc.addPage([595.28, 841.89]);
  const { v } = verifier();
  const out = await v.verifyBytes(await doc.save(), who);
  assert.equal(out.ok && out.result.verdict, "unreadable");
  assert.deepEqual(await leftovers(), before);
});

Deno.test("verifyBytes() turns every way a pool job can fail into a refusal, and sends browser uploads as the form channel", async () => {
  const channels: string[] = [];
  const cases = [
    ["busy", "BUSY", 503],
    ["closed", "BUSY", 503],
    ["timeout", "DECODE_TIMEOUT", 422],
    ["crashed", "DECODER_CRASHED", 422],
    ["failed", "UNDECODABLE", 422],
  ] as const;
  for (const [problem, code, status] of cases) {
    const pool: DecodePool = {
      jobTimeoutMs: 30_000,
      decode: (_bytes, { channel }) => {
        channels.push(channel);
        return Promise.resolve({ ok: false, problem, error: "x" });
      },
      stats: () => {
        throw new Error("not used");
      },
      close: () => Promise.resolve(),
    };
    const { v, audit } = verifier({ pool });
    const out = await v.verifyBytes(page.slice(), {
      ...who,
      channel: problem === "busy" ? "form" : "api",
    });
    assert.equal(!out.ok && out.refusal.code, code, problem);
    assert.equal(!out.ok && out.refusal.status, status, problem);
    assert.deepEqual(audit.records.map((r) => r.code), [code]);
  }
  assert.deepEqual(channels, ["form", "api", "api", "api", "api"]);
  const { v } = verifier({
    pool: {
      jobTimeoutMs: 30_000,
      decode: () => Promise.resolve({ ok: false, problem: "timeout" as const }),
      stats: () => {
        throw new Error("not used");
      },
      close: () => Promise.resolve(),
    },
  });
  const out = await v.verifyBytes(page.slice(), who);
  assert.match(!out.ok && out.refusal.en || "", /limit 30 s/);
});
