/**
 * A man in the middle of the kiosk ↔ center link, over real sockets: the
 * center serves on one port, an HTTP proxy the attacker controls sits on
 * another, and the kiosk (provisioned with the center's key list, as
 * `deno task start` provisions it from `jlis-keys.json`) talks to the proxy.
 * The link itself is assumed broken (plain HTTP here); what must hold is the
 * kiosk's pinned trust and its own check of the document against its
 * session:
 *
 * (a) the proxy answers `/keys` with its own key and re-signs every answer
 *     (from the first one, or only the released document, which it swaps);
 * (b) the proxy swaps the released document for another resident's genuine,
 *     center-signed document captured from an earlier legitimate run;
 * (c) the proxy holds the center's own signing key (a leak) and re-signs
 *     the swapped document over the kiosk's own request.
 *
 * Every time: the kiosk prints nothing (no PDF), shows a refusal, reports
 * the failure to the center (counted there), and nothing is recorded as
 * delivered — what the center released on that session is voided.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { issuanceRequests, ledger } from "../db/jlis/schema.ts";
import { responseSigningInput } from "../lib/contracts/kiosk_center.ts";
import {
  sha256B64,
  SIGNATURE_HEADER,
  signHeader,
} from "../lib/contracts/signed_message.ts";
import type { Signer } from "../lib/crypto/signer.ts";
import { createLogger } from "../lib/service/logger.ts";
import { createMetrics } from "../lib/service/metrics.ts";
import { createKiosk, type KioskRefusal } from "../services/kiosk/kiosk.ts";
import { testSigner } from "./support/asp_world.ts";
import {
  type IssuanceWorld,
  ONE_NODE,
  openIssuanceWorld,
} from "./support/issuance_world.ts";
import { TOKENS } from "./support/jlis_world.ts";

const CODE = "401005";

/** A captured answer of the center. */
interface Captured {
  status: number;
  headers: Headers;
  text: string;
}

/** What the proxy does to the traffic. */
interface Plan {
  /** Answer `/keys` with this signer's list. */
  keysOf?: Signer;
  /** Re-sign every answer with this signer (from the start). */
  resignAll?: Signer;
  /** Replace the released document's body with this one. */
  swapDocument?: Captured;
  /** After the swap: sign with this key, or keep the captured signature. */
  swapSignedBy?: Signer | "captured";
  /** Keep the next released document here (a legitimate run). */
  capture?: (c: Captured) => void;
}

const CERTIFICATES = /^\/kiosk\/sessions\/[^/]+\/certificates$/;

/** Signs an answer as the center's message log does, over the kiosk's request. */
async function resign(
  signer: Signer,
  method: string,
  path: string,
  status: number,
  requestId: string,
  text: string,
): Promise<string> {
  const time = new Date().toISOString();
  const { header } = await signHeader(
    signer,
    time,
    responseSigningInput({
      method,
      path,
      requestId,
      status,
      time,
      bodySha256: await sha256B64(new TextEncoder().encode(text)),
    }),
  );
  return header;
}

/** The attacker's proxy in front of the center: real sockets both sides. */
function mitmProxy(centerUrl: string, plan: { current: Plan }) {
  return Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (req) => {
      const p = plan.current;
      const url = new URL(req.url);
      if (url.pathname === "/keys" && p.keysOf) {
        return Response.json(await p.keysOf.keyList());
      }
      const headers = new Headers(req.headers);
      headers.delete("host");
      headers.delete("content-length");
      const res = await fetch(`${centerUrl}${url.pathname}${url.search}`, {
        method: req.method,
        headers,
        body: req.method === "GET" ? undefined : await req.arrayBuffer(),
      });
      let text = await res.text();
      const out = new Headers(res.headers);
      out.delete("content-length");
      out.delete("content-encoding");
      const isDocument = req.method === "POST" &&
        CERTIFICATES.test(url.pathname) && res.status === 200;
      if (isDocument && p.capture) {
        p.capture({ status: res.status, headers: new Headers(out), text });
      }
      let signer = p.resignAll;
      if (isDocument && p.swapDocument) {
        text = p.swapDocument.text;
        if (p.swapSignedBy === "captured") {
          out.set(
            SIGNATURE_HEADER,
            p.swapDocument.headers.get(SIGNATURE_HEADER)!,
          );
        } else signer = p.swapSignedBy ?? signer;
      }
      if (signer) {
        out.set(
          SIGNATURE_HEADER,
          await resign(
            signer,
            req.method,
            url.pathname,
            res.status,
            out.get("X-Request-Id") ?? "",
            text,
          ),
        );
      }
      return new Response(text, { status: res.status, headers: out });
    },
  );
}

/** The center's failure-report counter, read from its /metrics over the socket. */
async function failureReports(centerUrl: string): Promise<string[]> {
  const text = await (await fetch(`${centerUrl}/metrics`)).text();
  return text.split("\n").filter((l) =>
    l.startsWith("jlis_kiosk_failure_reports_total{")
  );
}

Deno.test("[attack] a man in the middle of the kiosk link: substituted keys, a swapped document, even a leaked center key — the kiosk prints nothing, reports it, nothing is delivered", async () => {
  const w: IssuanceWorld = await openIssuanceWorld({ nodes: ONE_NODE });
  const center = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    w.jlis.apps[0].fetch,
  );
  const centerUrl = `http://127.0.0.1:${center.addr.port}`;
  const plan = { current: {} as Plan };
  const proxy = mitmProxy(centerUrl, plan);
  const proxyUrl = `http://127.0.0.1:${proxy.addr.port}`;
  const outDir = await Deno.makeTempDir({ prefix: "kiosk-mitm-" });
  const db = w.jlis.databases[0].db;
  try {
    const victimId = await w.moveIn(CODE, { name: "被害　花子" });
    const otherId = await w.moveIn(CODE, { name: "他人　太郎" });
    const victimCard = await w.issueCard(CODE, victimId);
    const otherCard = await w.issueCard(CODE, otherId);
    await w.sync();
    const attacker = await testSigner();
    const logs: string[] = [];
    const metrics = createMetrics();
    // The kiosk: the center's keys from its provisioning; everything else
    // over the proxy, on real sockets.
    const kiosk = createKiosk({
      centerUrl: proxyUrl,
      token: TOKENS.kiosk,
      keyList: w.centerKeyList,
      metrics,
      logger: createLogger({
        service: "kiosk",
        level: "debug",
        write: (l) => logs.push(l),
      }),
    });

    // An earlier legitimate run of the other resident's card, through the
    // proxy, which keeps the genuine, center-signed released document.
    let captured: Captured | undefined;
    plan.current = { capture: (c) => captured = c };
    const legit = await kiosk.run({
      card: otherCard,
      pin: "1234",
      type: "juminhyo",
    });
    assert.equal(legit.ok, true, JSON.stringify(legit));
    assert.ok(captured, "the proxy captured the other resident's document");
    assert.equal(JSON.parse(captured.text).applicantResidentId, otherId);

    const attacks: { name: string; plan: Plan; stage: string }[] = [
      {
        name: "(a) own /keys, every answer re-signed",
        plan: { keysOf: attacker, resignAll: attacker },
        stage: "session",
      },
      {
        name: "(a) own /keys, the document swapped and re-signed",
        plan: {
          keysOf: attacker,
          swapDocument: captured,
          swapSignedBy: attacker,
        },
        stage: "certificate",
      },
      {
        name: "(b) another resident's genuine signed document",
        plan: { swapDocument: captured, swapSignedBy: "captured" },
        stage: "certificate",
      },
      {
        name: "(c) the swapped document signed with the center's own key",
        plan: { swapDocument: captured, swapSignedBy: w.jlis.signer },
        stage: "certificate",
      },
    ];
    for (const attack of attacks) {
      plan.current = attack.plan;
      const pdfPath = `${outDir}/${attack.stage}-${crypto.randomUUID()}.pdf`;
      const before = await db.select().from(issuanceRequests);
      const r = await kiosk.run({
        card: victimCard,
        pin: "1234",
        type: "juminhyo",
        pdfPath,
      });
      assert.equal(r.ok, false, `${attack.name}: refused`);
      const refusal = r as KioskRefusal;
      assert.equal(refusal.stage, attack.stage, attack.name);
      assert.equal(
        refusal.code,
        attack.name.startsWith("(c)")
          ? "DOCUMENT_MISMATCH"
          : "ANSWER_NOT_SIGNED",
        attack.name,
      );
      assert.match(refusal.message_ja, /中止しました/);
      await assert.rejects(Deno.stat(pdfPath), Deno.errors.NotFound);

      // Nothing of this run counts as delivered: what the center released
      // on the session is voided (the kiosk's report), nothing delivered.
      const after = await db.select().from(issuanceRequests);
      const fresh = after.filter((q) =>
        !before.some((b) => b.requestId === q.requestId)
      );
      if (attack.stage === "session") {
        assert.deepEqual(fresh, [], `${attack.name}: nothing requested`);
      } else {
        assert.deepEqual(
          fresh.map((q) => q.state),
          ["voided"],
          `${attack.name}: released, then voided on the kiosk's report`,
        );
        const entries = await db.select().from(ledger).where(
          eq(ledger.requestId, fresh[0].requestId),
        );
        assert.deepEqual(entries.map((e) => e.kind), ["issued", "voided"]);
        assert.equal(
          (entries[1].data as { reason: string }).reason,
          "kiosk_refused",
        );
      }
    }

    // The other resident's document was delivered once (its own run) and
    // never again; the victim's requests were never delivered.
    const delivered = await db.select().from(ledger).where(
      eq(ledger.kind, "delivered"),
    );
    assert.deepEqual(
      delivered.map((e) => e.requestId),
      [JSON.parse(captured.text).requestId],
    );

    // Reported to the center and counted there, and counted at the kiosk.
    const reports = await failureReports(centerUrl);
    const count = (stage: string, reason: string) =>
      reports.filter((l) =>
        l.includes(`stage="${stage}"`) && l.includes(`reason="${reason}"`)
      ).map((l) => Number(l.split(" ").at(-1))).reduce((a, b) => a + b, 0);
    assert.equal(count("session", "ANSWER_NOT_SIGNED"), 1);
    assert.equal(count("certificate", "ANSWER_NOT_SIGNED"), 2);
    assert.equal(count("certificate", "DOCUMENT_MISMATCH"), 1);
    assert.match(
      metrics.render(),
      /kiosk_refused_answers_total\{[^}]*reason="DOCUMENT_MISMATCH"[^}]*\} 1/,
    );

    // Logged without personal data: no name of either resident.
    const text = logs.join("\n");
    assert.match(text, /answer refused: nothing printed/);
    for (const name of ["被害", "他人", "花子", "太郎"]) {
      assert.ok(!text.includes(name), `the kiosk log names ${name}`);
    }
  } finally {
    await proxy.shutdown();
    await center.shutdown();
    await Deno.remove(outDir, { recursive: true });
    await w.close();
  }
});

Deno.test("a kiosk without the center's provisioned key list refuses to run (it never fetches /keys)", () => {
  assert.throws(
    () =>
      createKiosk({
        centerUrl: "http://127.0.0.1:1",
        token: TOKENS.kiosk,
        keyList: undefined as never,
      }),
    /key list from its provisioning/,
  );
  assert.throws(
    () =>
      createKiosk({
        centerUrl: "http://127.0.0.1:1",
        token: TOKENS.kiosk,
        keyList: { keys: [] },
      }),
    TypeError,
  );
});
