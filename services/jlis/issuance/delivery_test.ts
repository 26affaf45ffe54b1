import assert from "node:assert/strict";
import {
  createSigner,
  generateSigningKey,
} from "../../../lib/crypto/signer.ts";
import { silentLogger } from "../../../lib/service/logger.ts";
import { fakeClock } from "../../../lib/time/clock.ts";
import type { AspNode } from "./asp_directory.ts";
import { createDeliveryConfirmer } from "./delivery.ts";
import type { MessageLog, MessageRow } from "./message_log.ts";
import {
  ASP_SIGNATURE_HEADER,
  aspResponseSigningInput,
} from "../../../lib/contracts/center_asp.ts";
import {
  sha256B64,
  signHeader,
} from "../../../lib/contracts/signed_message.ts";

interface Seen {
  url: string;
  requestId: string;
  signature: string;
  requestIds: string[];
}

// The fake nodes' answer-signing key (the center is provisioned with its list).
const nodeSigner = await createSigner([
  await generateSigningKey({
    notBefore: new Date("2025-01-01T00:00:00Z"),
    notAfter: new Date("2040-01-01T00:00:00Z"),
  }),
]);
const nodeKeys = await nodeSigner.keyList();

/** A node's answer, signed as a node signs it. */
async function signedAnswer(
  url: string,
  requestId: string,
  body: string,
): Promise<Response> {
  const time = new Date().toISOString();
  const { header } = await signHeader(
    nodeSigner,
    time,
    aspResponseSigningInput({
      method: "POST",
      path: new URL(url).pathname,
      requestId,
      status: 200,
      time,
      bodySha256: await sha256B64(new TextEncoder().encode(body)),
      // No X-Asp-Build / X-Asp-Tenant-Config headers: stated as "".
      buildDigest: "",
      tenantConfigDigest: "",
    }),
  );
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": "application/json",
      [ASP_SIGNATURE_HEADER]: header,
    },
  });
}

function fakeNode(id: string, seen: Seen[], opts: { fail?: boolean } = {}) {
  const node: AspNode = {
    id,
    url: `https://${id}.test`,
    token: "t",
    municipalities: ["401005", "401307"],
    keys: () => Promise.resolve(nodeKeys),
    fetch(url, init) {
      const raw = init?.body;
      const body = JSON.parse(
        typeof raw === "string"
          ? raw
          : new TextDecoder().decode(raw as Uint8Array),
      );
      const h = new Headers(init?.headers);
      seen.push({
        url,
        requestId: h.get("X-Request-Id") ?? "",
        signature: h.get("X-Center-Signature") ?? "",
        requestIds: body.requestIds,
      });
      if (opts.fail) return Promise.reject(new TypeError("connection refused"));
      return signedAnswer(
        url,
        h.get("X-Request-Id") ?? "",
        JSON.stringify({
          delivered: body.requestIds.filter((r: string) => r !== "req-gone")
            .map((requestId: string) => ({ requestId, replicaSeq: 7 })),
          notFound: body.requestIds.filter((r: string) => r === "req-gone"),
        }),
      );
    },
  };
  return node;
}

async function deps() {
  const clock = fakeClock("2026-11-26T10:00:00+09:00");
  const signer = await createSigner([
    await generateSigningKey({
      notBefore: new Date("2025-01-01T00:00:00Z"),
      notAfter: new Date("2040-01-01T00:00:00Z"),
    }),
  ], { clock });
  const logged: MessageRow[] = [];
  const messages: MessageLog = {
    write(rows) {
      logged.push(...rows);
      return Promise.resolve();
    },
  };
  return { clock, signer, messages, logged, logger: silentLogger() };
}

Deno.test("deliveries: with a window, confirmations gather per node and municipality into one signed, logged call", async () => {
  const d = await deps();
  const seenA: Seen[] = [];
  const seenB: Seen[] = [];
  const a = fakeNode("asp-a", seenA);
  const b = fakeNode("asp-b", seenB);
  const confirmer = createDeliveryConfirmer(d, { windowMs: 60_000 });
  const done = [
    confirmer.confirm(a, "401005", "req-0001"),
    confirmer.confirm(a, "401005", "req-0002"),
    confirmer.confirm(a, "401307", "req-0003"),
    confirmer.confirm(b, "401005", "req-0004"),
    confirmer.confirm(a, "401005", "req-gone"),
  ];
  // Nothing goes before the window ends (or a flush).
  assert.equal(seenA.length + seenB.length, 0);
  await confirmer.flush();
  await Promise.all(done);
  assert.deepEqual(
    seenA.map((s) => [s.url, s.requestIds]).sort(),
    [
      [
        "https://asp-a.test/tenants/401005/certificates/delivered",
        ["req-0001", "req-0002", "req-gone"],
      ],
      [
        "https://asp-a.test/tenants/401307/certificates/delivered",
        ["req-0003"],
      ],
    ],
  );
  assert.deepEqual(seenB.map((s) => s.requestIds), [["req-0004"]]);
  // A group has its own request id; a single confirmation keeps the request's.
  const group = seenA.find((s) => s.requestIds.length === 3)!;
  assert.match(group.requestId, /^delivery-/);
  assert.equal(seenB[0].requestId, "req-0004");
  for (const s of [...seenA, ...seenB]) assert.match(s.signature, /sig=/);
  // Each call logged out and in, under its request id.
  assert.equal(d.logged.length, 6);
  assert.deepEqual(
    d.logged.filter((r) => r.requestId === group.requestId).map((r) =>
      r.direction
    ),
    ["out", "in"],
  );
});

Deno.test("deliveries: a full group goes at once; without a window each goes alone; a failed call never rejects", async () => {
  const d = await deps();
  const seen: Seen[] = [];
  const node = fakeNode("asp-a", seen);
  const full = createDeliveryConfirmer(d, { windowMs: 60_000, maxBatch: 2 });
  await Promise.all([
    full.confirm(node, "401005", "req-0001"),
    full.confirm(node, "401005", "req-0002"),
  ]);
  assert.deepEqual(seen.map((s) => s.requestIds), [["req-0001", "req-0002"]]);

  seen.length = 0;
  const each = createDeliveryConfirmer(d, { windowMs: 0 });
  await each.confirm(node, "401005", "req-0003");
  await each.confirm(node, "401005", "req-0004");
  assert.deepEqual(seen.map((s) => s.requestIds), [["req-0003"], [
    "req-0004",
  ]]);

  const down = fakeNode("asp-down", []);
  const failing = createDeliveryConfirmer(d, { windowMs: 0 });
  const broken = { ...down, fetch: fakeNode("x", [], { fail: true }).fetch };
  assert.equal(
    await failing.confirm(broken, "401005", "req-0005").then(() => "settled"),
    "settled",
  );
  await failing.flush();
});
