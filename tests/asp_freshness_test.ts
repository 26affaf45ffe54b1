/**
 * Bounded freshness (issue 15, item 3), over real sockets: the registry's
 * feed served over mutual TLS, a TCP proxy between it and the ASP's sync
 * worker that can stall (hold the bytes, close nothing), and the ASP's
 * issuance check and certificate build. A stalled link refuses
 * (`REPLICA_STALE`) within the tenant's bound; a resumed one issues again,
 * with what the registry wrote meanwhile. An ASP that heard a head it has
 * not applied refuses too. The registry's idle long poll answers a
 * heartbeat within its interval.
 *
 * The ASP's clock runs in real time from a fixed business morning and is
 * read from the monotonic timer; the registry's clock stands still, so its
 * `heartbeatAt` could never make a replica look fresh.
 */
import assert from "node:assert/strict";
import { createTestPki, mtlsFetch, serveMtls } from "../lib/tls/mod.ts";
import { createMetrics } from "../lib/service/metrics.ts";
import { silentLogger } from "../lib/service/logger.ts";
import { createRegistryApp } from "../services/registry/app.ts";
import { clientsFromTokens } from "../services/registry/auth.ts";
import { createFeedNotifier } from "../services/registry/feed_notifier.ts";
import { createSyncWorker } from "../services/asp/sync_worker.ts";
import { parseFeedEnvelope } from "../lib/contracts/registry_feed.ts";
import { openTestRegistry, TOKENS } from "./support/registry_world.ts";
import {
  openTestAsp,
  registryEvent,
  registryFamily,
  registryFetch,
  type TestAsp,
  testWorker,
} from "./support/asp_world.ts";

const CODE = "401005";
const START = "2026-11-26T10:00:00+09:00";

/** A clock that runs in real time (monotonic timer) from `start`, and can be moved. */
function runningClock(start: string): TestAsp["clock"] {
  const base = performance.now();
  let at = new Date(start).getTime();
  return {
    now: () => new Date(at + (performance.now() - base)),
    set: (t) => {
      at = new Date(t).getTime() - (performance.now() - base);
    },
    advance: (ms) => {
      at += ms;
    },
  };
}

/** Polls `probe` until it returns true, at most `seconds`. */
async function eventually(
  what: string,
  seconds: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`not within ${seconds} s: ${what}`);
}

/** A TCP proxy that can stall: it keeps its connections open and holds every byte until resumed. */
interface StallingProxy {
  port: number;
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

function stallingProxy(targetPort: number): StallingProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const pumps: Promise<void>[] = [];
  let gate: { promise: Promise<void>; resolve: () => void } | null = null;
  const pump = async (from: Deno.Conn, to: Deno.Conn) => {
    const buf = new Uint8Array(16 * 1024);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        // Stalled: the bytes read are held here, nothing is closed.
        while (gate) await gate.promise;
        let off = 0;
        while (off < n) off += await to.write(buf.subarray(off, n));
      }
    } catch {
      // a side closed
    }
    for (const c of [from, to]) {
      try {
        c.close();
      } catch { /* closed already */ }
      conns.delete(c);
    }
  };
  const accepting = (async () => {
    for await (const client of listener) {
      const upstream = await Deno.connect({
        hostname: "127.0.0.1",
        port: targetPort,
      });
      conns.add(client).add(upstream);
      pumps.push(pump(client, upstream), pump(upstream, client));
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    stall() {
      gate ??= Promise.withResolvers<void>();
    },
    resume() {
      gate?.resolve();
      gate = null;
    },
    async close() {
      this.resume();
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed already */ }
      }
      await accepting;
      await Promise.allSettled(pumps);
    },
  };
}

/** The ASP's issuance check for a resident: its refusal code and reason, or "allowed". */
async function check(asp: TestAsp, residentId: string): Promise<string> {
  const res = await asp.call(
    "GET",
    `/tenants/${CODE}/residents/${residentId}/issuance-check`,
  );
  const body = await res.json();
  if (res.status !== 200) return `${res.status} ${body.code}`;
  if (body.allowed) return "allowed";
  return `${body.refusal.code} ${body.refusal.details?.reason ?? ""}`.trim();
}

let n = 0;
/** Builds a 住民票 of the resident; the status and the body. */
async function build(asp: TestAsp, residentId: string) {
  n++;
  const res = await asp.call("POST", `/tenants/${CODE}/certificates`, {
    body: {
      requestId: `req-${crypto.randomUUID()}`,
      applicantResidentId: residentId,
      type: "juminhyo",
      members: "self",
      options: { honseki: false, zokugara: false, myNumber: false },
      issueNumber: `${CODE}-20261126-${String(n).padStart(6, "0")}`,
      issuedAt: START,
      includePdf: false,
    },
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("[freshness] a stalled link refuses REPLICA_STALE within the tenant's bound; once it resumes, the replica catches up and issues again", async () => {
  const reg = await openTestRegistry([CODE]);
  const pki = await createTestPki();
  const server = serveMtls(reg.app.fetch, {
    port: 0,
    ...pki.registry,
    ca: pki.ca.cert,
  });
  const { port } = await server.ready;
  const proxy = stallingProxy(port);
  const feedFetch = mtlsFetch({ ca: pki.ca.cert, ...pki.asp });
  const asp = await openTestAsp({
    clock: runningClock(START),
    tenants: [
      // The bound is the tenant's setting: 2 s here, the default (5 s) for the other.
      {
        code: CODE,
        name: "北九州市",
        mayor: "北九州市長　武内　和久",
        stalenessMaxSeconds: 2,
      },
      { code: "401307", name: "福岡市", mayor: "福岡市長　高島　宗一郎" },
    ],
  });
  const worker = createSyncWorker({
    tenancy: asp.tenancy,
    registryUrl: `https://127.0.0.1:${proxy.port}`,
    token: TOKENS.asp,
    fetch: feedFetch,
    clock: asp.clock,
    logger: asp.logger,
    metrics: asp.metrics,
    waitSeconds: 20,
    requestTimeoutMs: 3_000,
    retryMinMs: 50,
    retryMaxMs: 200,
  });
  try {
    assert.equal((await asp.tenancy.get("401307")).stalenessMaxSeconds, 5);
    const fam = await registryFamily(reg, CODE);
    await worker.start([CODE]);
    await eventually(
      "the replica is fresh",
      10,
      async () => await check(asp, fam.householder) === "allowed",
    );
    // Idle, it stays fresh past its bound: the feed's heartbeat every second.
    const idleUntil = performance.now() + 3_000;
    while (performance.now() < idleUntil) {
      assert.equal(await check(asp, fam.householder), "allowed");
      await new Promise((r) => setTimeout(r, 250));
    }

    proxy.stall();
    // The registry moves the household while the link is stalled.
    await registryEvent(reg, CODE, {
      type: "tenkyo",
      date: "2026-11-26",
      householdId: fam.householdId,
      address: "福岡県北九州市門司区１番",
    });
    await eventually(
      "stale within the bound and a margin",
      2 + 3,
      async () =>
        await check(asp, fam.householder) === "REPLICA_STALE head_not_seen",
    );
    // Nothing is issued while the link is stalled: not the old address, nothing.
    for (let i = 0; i < 3; i++) {
      const stale = await build(asp, fam.householder);
      assert.equal(stale.status, 503);
      assert.equal(stale.body.code, "REPLICA_STALE");
      await new Promise((r) => setTimeout(r, 300));
    }

    proxy.resume();
    await eventually(
      "fresh again once the link resumes",
      10,
      async () => await check(asp, fam.householder) === "allowed",
    );
    const fresh = await build(asp, fam.householder);
    assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
    assert.equal(
      fresh.body.sheets[0].subject.address,
      "福岡県北九州市門司区１番",
    );
    // The idle polls (heartbeats) were logged at debug only.
    const rounds = asp.logs.map((l) => JSON.parse(l)).filter((l) =>
      l.msg === "sync round"
    );
    assert.ok(rounds.some((l) => l.applied === 0 && l.level === "debug"));
    assert.ok(
      rounds.every((l) => l.applied + l.skipped > 0 || l.level === "debug"),
    );
  } finally {
    await worker.stop();
    await proxy.close();
    feedFetch.close();
    await server.close();
    await asp.close();
    await reg.close();
  }
});

Deno.test("[freshness] an ASP behind the head it heard refuses until it has applied up to it", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    const fam = await registryFamily(reg, CODE);
    await testWorker(asp, reg).catchUp(CODE);
    assert.equal(await check(asp, fam.householder), "allowed");
    await registryEvent(reg, CODE, {
      type: "tenkyo",
      date: "2026-11-26",
      householdId: fam.householdId,
      address: "福岡県北九州市門司区１番",
    });
    // A heartbeat states the new head; the event itself has not arrived.
    const real = registryFetch(reg);
    const heartbeatOnly = createSyncWorker({
      tenancy: asp.tenancy,
      registryUrl: "http://registry.test",
      token: TOKENS.asp,
      fetch: async (input, init) => {
        const feed = parseFeedEnvelope(await (await real(input, init)).json());
        return Response.json({ ...feed, events: [] });
      },
      clock: asp.clock,
      logger: asp.logger,
      metrics: asp.metrics,
    });
    const round = await heartbeatOnly.syncOnce(CODE);
    assert.equal(round.head, round.appliedSeq + 1);
    const t = await asp.tenancy.get(CODE);
    assert.equal(Number(t.headSeq), round.head);
    assert.equal(
      t.headSeenAt && new Date(t.headSeenAt).getTime(),
      reg.clock.now().getTime(),
    );
    assert.equal(
      await check(asp, fam.householder),
      "REPLICA_STALE behind_head",
    );
    const stale = await build(asp, fam.householder);
    assert.equal(stale.status, 503);
    assert.equal(stale.body.code, "REPLICA_STALE");

    await testWorker(asp, reg).catchUp(CODE);
    assert.equal(await check(asp, fam.householder), "allowed");
    const fresh = await build(asp, fam.householder);
    assert.equal(fresh.status, 201);
    assert.equal(
      fresh.body.sheets[0].subject.address,
      "福岡県北九州市門司区１番",
    );

    // A heartbeat older than the bound by the ASP's clock is stale; so is one from its future.
    asp.clock.advance(5_001);
    assert.equal(
      await check(asp, fam.householder),
      "REPLICA_STALE head_not_seen",
    );
    await testWorker(asp, reg).syncOnce(CODE);
    assert.equal(await check(asp, fam.householder), "allowed");
    asp.clock.advance(-6_000);
    assert.equal(
      await check(asp, fam.householder),
      "REPLICA_STALE head_not_seen",
    );
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("[freshness] the registry's idle long poll answers a heartbeat within its interval: no events, the head, heartbeatAt", async () => {
  const reg = await openTestRegistry([CODE]);
  // A registry that would let a poll wait a minute; the heartbeat (1 s) ends it first.
  const app = createRegistryApp({
    db: reg.database.db,
    clock: reg.clock,
    clients: clientsFromTokens([
      {
        id: "asp",
        token: TOKENS.asp,
        scopes: ["feed"],
        municipalities: [CODE],
      },
    ]),
    notifier: createFeedNotifier(),
    logger: silentLogger(),
    metrics: createMetrics(),
    maxFeedWaitMs: 60_000,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await registryFamily(reg, CODE);
    const get = (after: number) =>
      app.request(`/municipalities/${CODE}/feed?after=${after}&wait=60`, {
        headers: { Authorization: `Bearer ${TOKENS.asp}` },
      });
    const feed = parseFeedEnvelope(await (await get(0)).json());
    assert.ok(feed.events.length > 0);
    const res = await Promise.race([
      get(feed.head),
      new Promise<null>((r) => timer = setTimeout(() => r(null), 10_000)),
    ]);
    assert.ok(res, "no heartbeat within 10 s");
    assert.equal(res.status, 200);
    const beat = parseFeedEnvelope(await res.json());
    assert.deepEqual(beat.events, []);
    assert.equal(beat.head, feed.head);
    assert.equal(beat.heartbeatAt, reg.clock.now().toISOString());
  } finally {
    clearTimeout(timer);
    await reg.close();
  }
});
