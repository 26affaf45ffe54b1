/**
 * Signatures both ways on the center ↔ ASP link, over real sockets.
 *
 * The ASP node, listening on a socket, verifies the center's
 * `X-Center-Signature` with the center's key list from its configuration:
 * an unsigned request, one signed by a foreign key, one whose body was
 * altered after signing, one signed too long ago, and a replay are refused
 * with their codes, logged and counted — and every answer, a refusal
 * included, carries the node's `X-Asp-Signature`.
 *
 * The center, calling the node over mutual TLS, verifies each answer with
 * the node's provisioned key list: an answer without a signature, with a
 * foreign one, or altered on the way is withheld — nothing released, an
 * ANSWER_SIGNATURE_INVALID incident, the tenant halted, counted.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { incidents, issuanceRequests } from "../db/jlis/schema.ts";
import {
  ASP_BUILD_HEADER,
  ASP_SIGNATURE_HEADER,
  ASP_TENANT_CONFIG_HEADER,
  verifyAspAnswer,
} from "../lib/contracts/center_asp.ts";
import { sha256B64 } from "../lib/contracts/signed_message.ts";
import { resumeTenant } from "../services/jlis/issuance/incidents.ts";
import type { KioskRefusal } from "../services/kiosk/kiosk.ts";
import {
  ASP_TOKENS,
  centerRequestHeaders,
  openTestAsp,
  TEST_BUILD_DIGEST,
  testSigner,
} from "./support/asp_world.ts";
import {
  ONE_NODE,
  openIssuanceWorld,
  resignWith,
} from "./support/issuance_world.ts";

const CODE = "401005";

Deno.test("[attack] the ASP refuses a request without the center's valid signature (missing, foreign key, altered body, stale, replayed), logs and counts it, and signs every answer", async () => {
  const asp = await openTestAsp();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    asp.app.fetch,
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const aspKeys = await asp.signer.keyList();
  try {
    const path = `/tenants/${CODE}/certificates`;
    const body = JSON.stringify({
      requestId: `req-${crypto.randomUUID()}`,
      cardSerial: "abcdef01",
      type: "juminhyo",
      members: "self",
      issueNumber: `${CODE}-20261126-0000001`,
      issuedAt: "2026-11-26T10:00:00+09:00",
      includePdf: false,
    });
    const send = async (headers: Record<string, string>, text = body) => {
      const res = await fetch(`${base}${path}`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${ASP_TOKENS.center}`,
          "Content-Type": "application/json",
          ...headers,
        },
        body: text,
      });
      const answer = await res.text();
      // Every answer is the node's, signed over this request.
      const v = await verifyAspAnswer(res.headers.get(ASP_SIGNATURE_HEADER), {
        method: "POST",
        path,
        requestId: headers["X-Request-Id"] ?? res.headers.get("X-Request-Id")!,
        status: res.status,
        bodySha256: await sha256B64(new TextEncoder().encode(answer)),
        buildDigest: res.headers.get(ASP_BUILD_HEADER) ?? "",
        tenantConfigDigest: res.headers.get(ASP_TENANT_CONFIG_HEADER) ?? "",
      }, aspKeys);
      assert.equal(v.ok, true, `answer signed: ${JSON.stringify(v)}`);
      // …stating the node's build and the tenant's configuration.
      assert.equal(res.headers.get(ASP_BUILD_HEADER), TEST_BUILD_DIGEST);
      assert.match(
        res.headers.get(ASP_TENANT_CONFIG_HEADER) ?? "",
        /^[A-Za-z0-9_-]{43}$/,
      );
      return { status: res.status, body: JSON.parse(answer) };
    };

    const unsigned = await send({
      "X-Request-Id": `req-${crypto.randomUUID()}`,
    });
    assert.deepEqual(
      [unsigned.status, unsigned.body.code],
      [401, "CENTER_SIGNATURE_MISSING"],
    );

    const foreign = await send(
      await centerRequestHeaders(await testSigner(), "POST", path, body),
    );
    assert.deepEqual(
      [foreign.status, foreign.body.code],
      [401, "CENTER_SIGNATURE_INVALID"],
    );

    const altered = await send(
      await centerRequestHeaders(asp.centerSigner, "POST", path, body),
      body.replace('"members":"self"', '"members":"all"'),
    );
    assert.deepEqual(
      [altered.status, altered.body.code],
      [401, "CENTER_SIGNATURE_INVALID"],
    );

    const stale = await send(
      await centerRequestHeaders(asp.centerSigner, "POST", path, body, {
        time: new Date(Date.now() - 10 * 60_000).toISOString(),
      }),
    );
    assert.deepEqual(
      [stale.status, stale.body.code],
      [401, "CENTER_SIGNATURE_EXPIRED"],
    );

    // The genuine request passes the signature check (the card is unknown
    // to the replica: the node's own refusal), and its replay is refused.
    const genuine = await centerRequestHeaders(
      asp.centerSigner,
      "POST",
      path,
      body,
    );
    const first = await send(genuine);
    assert.equal(first.body.code, "CARD_NOT_FOUND");
    const replay = await send(genuine);
    assert.deepEqual(
      [replay.status, replay.body.code],
      [403, "CENTER_SIGNATURE_REPLAYED"],
    );

    // Counted by reason, logged (no body content), and the household and
    // delivery routes are guarded alike.
    const metrics = asp.metrics.render();
    for (
      const reason of [
        "missing",
        "unknown-key",
        "bad-signature",
        "stale",
        "replayed",
      ]
    ) {
      assert.match(
        metrics,
        new RegExp(
          `asp_center_signature_refusals_total\\{reason="${reason}"\\} 1`,
        ),
      );
    }
    assert.equal(
      asp.logs.filter((l) => l.includes("center signature refused")).length,
      5,
    );
    for (
      const [method, p] of [
        ["GET", `/tenants/${CODE}/cards/abcdef01/household`],
        ["POST", `/tenants/${CODE}/certificates/delivered`],
        ["GET", `/tenants/${CODE}/residents/${CODE}-000001/issuance-check`],
      ]
    ) {
      const res = await asp.call(method, p, {
        signer: null,
        ...(method === "POST"
          ? { body: { requestIds: ["req-00000001"] } }
          : {}),
      });
      assert.equal(res.status, 401, p);
      assert.equal((await res.json()).code, "CENTER_SIGNATURE_MISSING", p);
    }
  } finally {
    await server.shutdown();
    await asp.close();
  }
});

Deno.test("[attack] the center withholds an ASP answer whose signature is missing, foreign or broken by an altered body: incident, tenant halted, counted", async () => {
  type Fault = "strip" | "foreign" | "alter" | null;
  let fault: Fault = null;
  const foreign = resignWith(await testSigner());
  const w = await openIssuanceWorld({
    nodes: ONE_NODE,
    mtls: true,
    transport: (_id, t) => async (input, init) => {
      const res = await t(input, init);
      const f = fault;
      if (!f || !/\/certificates$/.test(input) || res.status !== 201) {
        return res;
      }
      fault = null;
      const text = await res.text();
      if (f === "foreign") return await foreign(input, init, 201, text);
      const headers = new Headers(res.headers);
      headers.delete("content-length");
      if (f === "strip") headers.delete(ASP_SIGNATURE_HEADER);
      // "alter": another applicant id, the node's signature kept.
      const body = f === "alter"
        ? text.replace(
          /"applicantResidentId":"[^"]+"/,
          '"applicantResidentId":"x"',
        )
        : text;
      return new Response(body, { status: 201, headers });
    },
  });
  try {
    const id = await w.moveIn(CODE);
    const card = await w.issueCard(CODE, id);
    await w.sync();
    const db = w.jlis.databases[0].db;
    // A genuine answer first: released.
    const ok = await w.kiosk().run({ card, pin: "1234", type: "juminhyo" });
    assert.equal(ok.ok, true, JSON.stringify(ok));
    for (const f of ["strip", "foreign", "alter"] as const) {
      fault = f;
      const r = await w.kiosk().run({ card, pin: "1234", type: "juminhyo" });
      assert.equal(r.ok, false, f);
      assert.equal((r as KioskRefusal).code, "ISSUANCE_WITHHELD", f);
      const [incident] = await db.select().from(incidents).where(
        eq(incidents.requestId, (await latestRequest(db)).requestId),
      );
      assert.equal(incident.kind, "ANSWER_SIGNATURE_INVALID", f);
      assert.equal((await latestRequest(db)).state, "withheld", f);
      // The tenant is halted until an operator resumes it.
      const halted = await w.kiosk().run({
        card,
        pin: "1234",
        type: "juminhyo",
      });
      assert.equal((halted as KioskRefusal).code, "TENANT_HALTED", f);
      await resumeTenant(db, CODE, {
        by: "ops",
        reason: "test",
        at: w.clock.now(),
      });
    }
    const metrics = await (await w.jlis.apps[0].request("/metrics")).text();
    assert.match(
      metrics,
      /jlis_incidents_total\{kind="ANSWER_SIGNATURE_INVALID"\} 3/,
    );
  } finally {
    await w.close();
  }
});

async function latestRequest(db: Parameters<typeof resumeTenant>[0]) {
  const all = await db.select().from(issuanceRequests);
  return all.toSorted((a, b) =>
    a.createdAt.getTime() - b.createdAt.getTime() ||
    a.issueNumber.localeCompare(b.issueNumber)
  ).at(-1)!;
}
