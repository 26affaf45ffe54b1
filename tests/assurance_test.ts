/**
 * The causes no single request can see (issue 15, items 2 and 5), each
 * shown stopped:
 *
 * - a node that runs an old build: its signed answer states another build
 *   digest than the one the operator set for the municipality → refused
 *   (`ASP_NOT_CONFORMING`), a `BUILD_DIGEST_MISMATCH` incident, the tenant
 *   halted; nothing released;
 * - a tenant whose configuration drifted on the node (a policy changed) →
 *   refused, `CONFIG_DIGEST_MISMATCH`;
 * - with the `refuse` policy for unset expectations, nothing is issued for a
 *   municipality whose digests were never set (one open incident);
 * - repeated timeouts of a real node that stalls → one `REPEATED_ASP_TIMEOUT`
 *   incident, still open after a later success, closed only by an
 *   operator's acknowledgement with a reason;
 * - a municipality lists its own incidents and halts over its own client
 *   identity, and cannot see another's;
 * - a declared layout the database cannot carry refuses to start.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { incidents, issuanceRequests, ledger } from "../db/jlis/schema.ts";
import { recordIncidentAndHalt } from "../services/jlis/issuance/incidents.ts";
import type { KioskRefusal } from "../services/kiosk/kiosk.ts";
import { startAsp } from "../services/asp/main.ts";
import { startJlis } from "../services/jlis/main.ts";
import { TEST_BUILD_DIGEST } from "./support/asp_world.ts";
import {
  faultInjector,
  KITAKYUSHU,
  ONE_NODE,
  openIssuanceWorld,
} from "./support/issuance_world.ts";
import { TOKENS } from "./support/jlis_world.ts";

const CODE = "401005";
const OTHER = "401307";

Deno.test("[assurance] an old build is refused with an incident and the tenant halted; a drifted tenant configuration is refused", async () => {
  const w = await openIssuanceWorld({ nodes: ONE_NODE });
  try {
    const id = await w.moveIn(CODE);
    const card = await w.issueCard(CODE, id);
    await w.sync();
    const db = w.jlis.databases[0].db;
    const ops = (method: string, path: string, body?: unknown) =>
      w.jlis.call(method, path, { token: TOKENS.operator, body });
    const run = () => w.kiosk().run({ card, pin: "1234", type: "juminhyo" });

    // Nothing expected yet (development policy: accept): released, and the
    // pair the node stated is recorded for the operator to check.
    assert.equal((await run()).ok, true);
    const seen = await (await ops("GET", `/operations/digests/${CODE}`))
      .json();
    assert.equal(seen.expected, null);
    assert.equal(seen.seen.length, 1);
    assert.equal(seen.seen[0].buildDigest, TEST_BUILD_DIGEST);
    const config = seen.seen[0].configDigest as string;
    assert.match(config, /^[A-Za-z0-9_-]{43}$/);

    // The operator expects the fixed release; the node still runs the old one.
    const set = await ops("PUT", `/operations/digests/${CODE}`, {
      buildDigest: "release-2026.12-with-the-fix",
      configDigest: config,
      reason: "release 2026.12 deployed",
    });
    assert.equal(set.status, 200, await set.clone().text());
    const released = (await db.select().from(ledger)).length;
    const old = await run();
    assert.equal(old.ok, false);
    assert.equal((old as KioskRefusal).code, "ASP_NOT_CONFORMING");
    const [incident] = await db.select().from(incidents);
    assert.equal(incident.kind, "BUILD_DIGEST_MISMATCH");
    assert.deepEqual(incident.details, {
      expected: { build: "release-2026.12-with-the-fix", config },
      stated: { build: TEST_BUILD_DIGEST, config },
    });
    const [req] = await db.select().from(issuanceRequests).where(
      eq(issuanceRequests.requestId, incident.requestId),
    );
    assert.deepEqual([req.state, req.outcome], [
      "refused",
      "ASP_NOT_CONFORMING",
    ]);
    assert.equal((await db.select().from(ledger)).length, released);
    // Halted: the next request is refused before the node is asked.
    assert.equal((await run() as KioskRefusal).code, "TENANT_HALTED");

    // The node gets the release (here: the expectation names its build),
    // the incident is acknowledged, the tenant resumed: released again.
    await ops("PUT", `/operations/digests/${CODE}`, {
      buildDigest: TEST_BUILD_DIGEST,
      configDigest: config,
      reason: "node upgraded",
    });
    assert.equal(
      (await ops("POST", `/operations/incidents/${incident.id}/acknowledge`, {
        reason: "node asp-1 upgraded to the release",
      })).status,
      200,
    );
    await ops("POST", `/operations/halts/${CODE}/resume`, {
      reason: "node upgraded",
    });
    assert.equal((await run()).ok, true);

    // Drift: the tenant's policy on the node changes.
    await w.nodes[0].asp.tenancy.provision({
      ...KITAKYUSHU,
      retentionYears: 7,
    });
    const drifted = await run();
    assert.equal((drifted as KioskRefusal).code, "ASP_NOT_CONFORMING");
    const open = await db.select().from(incidents).where(
      eq(incidents.kind, "CONFIG_DIGEST_MISMATCH"),
    );
    assert.equal(open.length, 1);
    const stated = (open[0].details as { stated: { config: string } }).stated;
    assert.notEqual(stated.config, config);
  } finally {
    await w.close();
  }
});

Deno.test("[assurance] with the refuse policy, nothing is issued for a municipality whose digests were never set", async () => {
  const w = await openIssuanceWorld({
    nodes: ONE_NODE,
    issuance: { unsetDigests: "refuse" },
  });
  try {
    const id = await w.moveIn(CODE);
    const card = await w.issueCard(CODE, id);
    await w.sync();
    const db = w.jlis.databases[0].db;
    for (let i = 0; i < 2; i++) {
      const r = await w.kiosk().run({ card, pin: "1234", type: "juminhyo" });
      assert.equal((r as KioskRefusal).code, "ASP_NOT_CONFORMING");
    }
    // One open incident, no halt (nothing is known to be wrong with the node).
    const rows = await db.select().from(incidents);
    assert.deepEqual(rows.map((r) => r.kind), ["DIGESTS_NOT_SET"]);
    const halts = await (await w.jlis.call("GET", "/operations/halts", {
      token: TOKENS.operator,
    })).json();
    assert.deepEqual(halts.halts, []);
    assert.equal((await db.select().from(ledger)).length, 0);
  } finally {
    await w.close();
  }
});

Deno.test("[assurance] repeated timeouts of a stalling node open one incident that a later success does not close; an operator acknowledges it with a reason; each municipality lists only its own incidents and halts", async () => {
  const faults = faultInjector();
  let stall = false;
  faults.plan(({ method, url }) =>
    stall && method === "POST" && url.includes("node-a") &&
      url.endsWith("/certificates")
      ? { delayMs: 60_000 }
      : {}
  );
  const w = await openIssuanceWorld({
    transport: faults.wrap,
    timeoutMs: 500,
    issuance: { failurePolicy: { threshold: 3, windowMs: 600_000 } },
  });
  try {
    const id = await w.moveIn(CODE);
    const card = await w.issueCard(CODE, id);
    await w.sync();
    const db = w.jlis.databases[0].db;
    const run = () => w.kiosk().run({ card, pin: "1234", type: "juminhyo" });

    stall = true;
    for (let i = 1; i <= 4; i++) {
      const r = await run();
      assert.equal((r as KioskRefusal).code, "ISSUANCE_TIMEOUT", `run ${i}`);
      const open = await db.select().from(incidents);
      // Below the threshold: metrics only; at it: one incident; after: joined.
      assert.equal(open.length, i < 3 ? 0 : 1, `run ${i}`);
    }
    stall = false;
    assert.equal((await run()).ok, true);
    const [incident] = await db.select().from(incidents);
    assert.equal(incident.kind, "REPEATED_ASP_TIMEOUT");
    assert.equal(incident.municipalityCode, CODE);
    assert.equal(incident.aspNode, "node-a");
    assert.deepEqual(incident.details, {
      failure: "ASP_TIMEOUT",
      failures: 3,
      threshold: 3,
      windowSeconds: 600,
    });
    // Not closed by the success.
    assert.equal(incident.acknowledgedAt, null);

    // Only an operator, only with a reason, only once.
    const ack = (token: string, body: unknown) =>
      w.jlis.call("POST", `/operations/incidents/${incident.id}/acknowledge`, {
        token,
        body,
      });
    assert.equal((await ack(TOKENS.city, { reason: "retried" })).status, 403);
    const noReason = await ack(TOKENS.operator, {});
    assert.equal(noReason.status, 400);
    const done = await ack(TOKENS.operator, {
      reason: "node-a disk stalled; replaced, 4 requests refused, none issued",
    });
    assert.equal(done.status, 200);
    const closed = await done.json();
    assert.equal(closed.acknowledgedBy, "ops");
    assert.match(closed.acknowledgeReason, /replaced/);
    const again = await ack(TOKENS.operator, { reason: "again" });
    assert.equal(again.status, 409);
    assert.equal((await again.json()).code, "INCIDENT_ALREADY_ACKNOWLEDGED");
    assert.equal(
      (await w.jlis.call("POST", "/operations/incidents/999999/acknowledge", {
        token: TOKENS.operator,
        body: { reason: "x" },
      })).status,
      404,
    );

    // Another municipality's incident and halt (a withheld document).
    await recordIncidentAndHalt(db, {
      at: w.clock.now(),
      kind: "SUBJECT_MISMATCH",
      municipalityCode: OTHER,
      requestId: "req-other-0001",
      kioskId: "kiosk-0002",
      aspNode: "node-b",
      details: {},
    });
    const list = async (token: string, code: string, what: string) =>
      await w.jlis.call("GET", `/municipalities/${code}/${what}`, { token });
    const mine = await (await list(TOKENS.city, CODE, "incidents")).json();
    assert.deepEqual(
      mine.incidents.map((i: { kind: string; municipalityCode: string }) => [
        i.kind,
        i.municipalityCode,
      ]),
      [["REPEATED_ASP_TIMEOUT", CODE]],
    );
    assert.ok(mine.incidents[0].acknowledgedAt);
    assert.deepEqual(
      (await (await list(TOKENS.city, CODE, "halts")).json()).halts,
      [],
    );
    for (const what of ["incidents", "halts"]) {
      const foreign = await list(TOKENS.city, OTHER, what);
      assert.equal(foreign.status, 403, what);
      assert.equal((await foreign.json()).code, "WRONG_MUNICIPALITY");
      // Neither a kiosk nor an operator reads them as a municipality.
      assert.equal((await list(TOKENS.kiosk, CODE, what)).status, 403);
    }
    const theirs = await (await list(TOKENS.otherCity, OTHER, "halts")).json();
    assert.deepEqual(
      theirs.halts.map((
        h: { municipalityCode: string; resumedAt: unknown },
      ) => [
        h.municipalityCode,
        h.resumedAt,
      ]),
      [[OTHER, null]],
    );
    const theirIncidents =
      await (await list(TOKENS.otherCity, OTHER, "incidents"))
        .json();
    assert.deepEqual(
      theirIncidents.incidents.map((i: { kind: string }) => i.kind),
      ["SUBJECT_MISMATCH"],
    );
  } finally {
    await w.close();
  }
});

Deno.test("[assurance] a service whose declared layout does not fit its database refuses to start, saying why", async () => {
  const dir = await Deno.makeTempDir({ prefix: "assurance-layout-" });
  try {
    const env = (vars: Record<string, string>) =>
      new Map(Object.entries({
        DATA_DIR: dir,
        DATABASE_URL: "",
        ASP_DATABASE_URL: "",
        JLIS_DATABASE_URL: "",
        KONBINI_TRANSPORT: "plaintext",
        ...vars,
      }));
    await assert.rejects(
      () => startAsp(env({ ASP_INSTANCES: "2", ASP_MODE: "api" })),
      /asp refuses to start: ASP_INSTANCES=2 declares 2 processes on one database, but its database is the embedded PGlite/,
    );
    await assert.rejects(
      () => startJlis(env({ JLIS_INSTANCES: "3" })),
      /jlis refuses to start: JLIS_INSTANCES=3 declares 3 processes .*Set DATABASE_URL/,
    );
    // Nothing was opened: no database directory was made.
    const made = [];
    for await (const e of Deno.readDir(dir)) made.push(e.name);
    assert.ok(!made.includes("asp") && !made.includes("jlis"), made.join());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
