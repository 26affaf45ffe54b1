/**
 * End to end through the center: kiosk → center → ASP node → center → kiosk
 * → ledger, with the registry as the source of the replicas.
 *
 * @module
 */
import assert from "node:assert/strict";
import { useFormProfile } from "./support/asp_world.ts";
import { eq, sql } from "drizzle-orm";
import { decodeScan } from "../lib/backside/mod.ts";
import { issuanceRequests, ledger, messageLog } from "../db/jlis/schema.ts";
import { auditLog } from "../db/asp/schema.ts";
import {
  ledgerStatusLookup,
  verifyLedger,
} from "../services/jlis/issuance/ledger.ts";
import {
  faultInjector,
  type IssuanceWorld,
  openIssuanceWorld,
} from "./support/issuance_world.ts";
import { TOKENS } from "./support/jlis_world.ts";
import type { KioskReceipt, KioskRefusal } from "../services/kiosk/kiosk.ts";

function ok(r: KioskReceipt | KioskRefusal): KioskReceipt {
  if (!r.ok) assert.fail(`refused: ${r.code} ${r.message_en}`);
  return r;
}

async function household(w: IssuanceWorld) {
  const head = await w.moveIn("401005", {
    name: "北九　一郎",
    nameKana: "キタキュウ　イチロウ",
    birthDate: "1975-05-05",
  });
  const householdId = await w.householdOf("401005", head);
  const spouse = await w.moveIn("401005", {
    name: "北九　花子",
    nameKana: "キタキュウ　ハナコ",
    birthDate: "1978-08-08",
    sex: "female",
  }, { householdId, relationship: "妻" });
  const child = await w.moveIn("401005", {
    name: "北九　太郎",
    nameKana: "キタキュウ　タロウ",
    birthDate: "2012-01-01",
  }, { householdId, relationship: "子" });
  return { head, spouse, child, householdId };
}

Deno.test("[e2e] kiosk issuance through the center", async (t) => {
  const w = await openIssuanceWorld();
  // 世帯連記式, one member a sheet: a household is one certificate of
  // several pages (what these steps exercise: a jam or a failure voids it whole).
  useFormProfile(w.nodes[0].asp.tenancy, "401005", {
    householdFormat: "renki",
    membersPerSheet: 1,
  });
  const dir = await Deno.makeTempDir({ prefix: "jlis-e2e-" });
  try {
    const fam = await household(w);
    const other = await w.moveIn("401307", { name: "福岡　次郎" });
    const headCard = await w.issueCard("401005", fam.head);
    const otherCard = await w.issueCard("401307", other);
    await w.sync();
    const keyList = await w.jlis.signer.keyList();
    const db = w.jlis.databases[0].db;

    await t.step(
      "prints the applicant's 住民票 (front and back); the back decodes to the same person",
      async () => {
        const pdfPath = `${dir}/self.pdf`;
        const r = ok(
          await w.kiosk().run({
            card: headCard,
            pin: "1234",
            type: "juminhyo",
            members: "self",
            options: { honseki: true, zokugara: true },
            pdfPath,
          }),
        );
        assert.deepEqual(r.subjects, [fam.head]);
        assert.equal(r.fee, 200);
        assert.deepEqual(r.delivered, [1]);
        assert.equal(r.sheets[0].subject.relationship, "世帯主");
        assert.ok(r.sheets[0].subject.honseki);
        const pdf = await Deno.readFile(pdfPath);
        assert.equal(new TextDecoder().decode(pdf.subarray(0, 5)), "%PDF-");
        // Scan the printed PDF like the verification site does.
        const scan = await decodeScan(pdf, {
          keyList,
          decryptionKeys: [w.contentKey],
        });
        assert.equal(scan.verdict, "genuine", scan.reason.en);
        assert.equal(scan.certificate?.subject.residentId, fam.head);
        assert.equal(scan.issueNumber, r.issueNumber);
        assert.equal(await ledgerStatusLookup(db)(r.issueNumber), "valid");
      },
    );

    await t.step(
      "routes each municipality to the ASP node hosting it, signed and logged both ways",
      async () => {
        const r = ok(
          await w.kiosk().run({
            card: otherCard,
            pin: "1234",
            type: "juminhyo",
          }),
        );
        assert.equal(r.municipalityCode, "401307");
        assert.deepEqual(r.subjects, [other]);
        const rows = await db.select().from(messageLog).where(
          eq(messageLog.requestId, r.requestId),
        );
        assert.deepEqual(
          [...new Set(rows.map((x) => x.peer))],
          ["node-b"],
          "only node-b was asked",
        );
        // build, delivered: each an out (signed) and an in row
        assert.equal(rows.filter((x) => x.direction === "out").length, 2);
        assert.equal(rows.filter((x) => x.direction === "in").length, 2);
        assert.ok(
          rows.filter((x) => x.direction === "out").every((x) => x.signature),
        );
        // The node's own audit has the build and the delivery under the same request id.
        const audit = await w.nodes[1].asp.database.db.select().from(auditLog)
          .where(eq(auditLog.requestId, r.requestId));
        assert.deepEqual(
          audit.map((a) => a.action).sort(),
          ["certificate.build", "certificate.delivered"],
        );
        const nodeA = await w.nodes[0].asp.database.db.select().from(auditLog)
          .where(eq(auditLog.requestId, r.requestId));
        assert.equal(nodeA.length, 0);
      },
    );

    await t.step(
      "the whole household, householder first; chosen members exactly",
      async () => {
        const all = ok(
          await w.kiosk().run({
            card: headCard,
            pin: "1234",
            type: "juminhyo",
            members: "all",
            options: { zokugara: true },
          }),
        );
        assert.deepEqual(all.subjects, [fam.head, fam.spouse, fam.child]);
        // One copy (通) of the whole household, one person per sheet.
        assert.equal(all.fee, 200);
        assert.equal(all.copies.length, 1);
        assert.deepEqual(all.sheets.map((s) => s.page), [1, 2, 3]);
        const chosen = ok(
          await w.kiosk().run({
            card: headCard,
            pin: "1234",
            type: "juminhyo",
            members: [fam.child, fam.head],
          }),
        );
        assert.deepEqual(chosen.subjects.sort(), [fam.child, fam.head].sort());
        const stranger = await w.kiosk().run({
          card: headCard,
          pin: "1234",
          type: "juminhyo",
          members: [fam.head, other],
        });
        assert.equal(stranger.ok, false);
        assert.equal(
          (stranger as KioskRefusal).code,
          "MEMBER_NOT_IN_HOUSEHOLD",
        );
      },
    );

    await t.step(
      "a paper jam voids the copy it hits — every sheet of it — and refunds its fee; the portal sees voided",
      async () => {
        const pdfPath = `${dir}/jam.pdf`;
        const r = ok(
          await w.kiosk().run({
            card: headCard,
            pin: "1234",
            type: "juminhyo",
            members: "all",
            jamPage: 2,
            pdfPath,
          }),
        );
        assert.deepEqual(r.delivered, []);
        assert.deepEqual(r.voided, [1, 2, 3]);
        assert.equal(r.refund, 200);
        assert.equal(r.fee, 0);
        assert.equal(
          r.pdfPath,
          undefined,
          "nothing delivered, nothing printed",
        );
        const lookup = ledgerStatusLookup(db);
        assert.equal(await lookup(r.issueNumber), "voided");
        assert.equal(await lookup(r.issueNumber, 1), "voided");
        assert.equal(await lookup(r.issueNumber, 3), "voided");
        const res = await w.jlis.call(
          "GET",
          `/ledger/${r.issueNumber}/status`,
          { token: TOKENS.portal },
        );
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/json");
        const body = await res.json();
        assert.equal(body.status, "voided");
        assert.equal(
          JSON.stringify(body).includes(fam.head),
          false,
          "no personal data",
        );
        const again = await w.jlis.call(
          "POST",
          `/kiosk/requests/${r.requestId}/outcome`,
          { body: { jammedPage: null } },
        );
        assert.equal(again.status, 409);
        assert.equal((await again.json()).code, "OUTCOME_ALREADY_REPORTED");
      },
    );

    await t.step(
      "the municipality revokes a certificate issued in error; only its own",
      async () => {
        const r = ok(
          await w.kiosk().run({
            card: headCard,
            pin: "1234",
            type: "juminhyo",
          }),
        );
        const foreign = await w.jlis.call(
          "POST",
          `/ledger/${r.issueNumber}/revoke`,
          { token: TOKENS.otherCity, body: { reason: "誤交付" } },
        );
        assert.equal(foreign.status, 403);
        assert.equal((await foreign.json()).code, "WRONG_MUNICIPALITY");
        const res = await w.jlis.call(
          "POST",
          `/ledger/${r.issueNumber}/revoke`,
          { token: TOKENS.city, body: { reason: "誤交付" } },
        );
        assert.equal(res.status, 200);
        assert.equal((await res.json()).status, "revoked");
        assert.equal(await ledgerStatusLookup(db)(r.issueNumber), "revoked");
        assert.equal(
          await ledgerStatusLookup(db)("401005-20261126-9999999"),
          "unknown",
        );
      },
    );

    await t.step("a session issues one certificate only", async () => {
      const open = await w.jlis.call("POST", "/kiosk/sessions", { body: {} });
      const s = await open.json();
      const signature = (await headCard.sign("1234", s.nonce)).toBase64();
      const auth = await w.jlis.call(
        "POST",
        `/kiosk/sessions/${s.sessionId}/authenticate`,
        { body: { certificatePem: headCard.certificatePem, signature } },
      );
      assert.equal(auth.status, 200);
      await auth.body?.cancel();
      const path = `/kiosk/sessions/${s.sessionId}/certificates`;
      const first = await w.jlis.call("POST", path, {
        body: { type: "juminhyo" },
      });
      assert.equal(first.status, 200);
      await first.body?.cancel();
      const second = await w.jlis.call("POST", path, {
        body: { type: "juminhyo" },
      });
      assert.equal(second.status, 409);
      assert.equal((await second.json()).code, "SESSION_ALREADY_USED");
      const elsewhere = await w.jlis.call("POST", path, {
        token: TOKENS.kiosk2,
        body: { type: "juminhyo" },
      });
      assert.equal(elsewhere.status, 404);
      assert.equal((await elsewhere.json()).code, "SESSION_NOT_FOUND");
    });

    await t.step(
      "card and paper left behind sound the alarm",
      async () => {
        const events: string[] = [];
        const r = ok(
          await w.kiosk({
            onEvent: (e) => e.kind === "alarm" && events.push(e.what),
          }).run({
            card: headCard,
            pin: "1234",
            type: "juminhyo",
            leaveCard: true,
            leavePaper: true,
            alarmAfterMs: 5,
          }),
        );
        assert.deepEqual(r.alarms, ["card", "paper"]);
        assert.deepEqual(events, ["card", "paper"]);
      },
    );

    await t.step(
      "the ledger chain verifies, and an edited entry is found",
      async () => {
        const v = await verifyLedger(db);
        assert.ok(v.ok);
        assert.ok(v.entries >= 10);
        const [victim] = await db.select().from(ledger).where(
          eq(ledger.kind, "issued"),
        ).limit(1);
        await db.execute(
          sql`update ledger set data = jsonb_set(data, '{fee}', '0') where seq = ${victim.seq}`,
        );
        const broken = await verifyLedger(db);
        assert.equal(broken.ok, false);
        if (!broken.ok) {
          assert.equal(broken.seq, victim.seq);
          assert.equal(broken.problem, "hash-mismatch");
        }
        await db.execute(
          sql`update ledger set data = jsonb_set(data, '{fee}', ${
            String(
              (victim.data as { fee: number }).fee,
            )
          }::jsonb) where seq = ${victim.seq}`,
        );
        assert.ok((await verifyLedger(db)).ok);
        await db.execute(
          sql`delete from ledger where seq = (select max(seq) from ledger)`,
        );
        const cut = await verifyLedger(db);
        assert.equal(cut.ok, false);
        if (!cut.ok) assert.equal(cut.problem, "head-mismatch");
      },
    );
  } finally {
    await w.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[e2e] a timeout aborts the whole request; nothing is released", async () => {
  const faults = faultInjector();
  const w = await openIssuanceWorld({ transport: faults.wrap, timeoutMs: 300 });
  try {
    const a = await w.moveIn("401005");
    const card = await w.issueCard("401005", a);
    await w.sync();
    faults.delay(() => 1000);
    const r = await w.kiosk().run({ card, pin: "1234", type: "juminhyo" });
    assert.equal(r.ok, false);
    assert.equal((r as KioskRefusal).code, "ISSUANCE_TIMEOUT");
    const db = w.jlis.databases[0].db;
    const rows = await db.select().from(issuanceRequests);
    assert.deepEqual(rows.map((x) => [x.state, x.outcome]), [[
      "failed",
      "ISSUANCE_TIMEOUT",
    ]]);
    assert.equal((await db.select().from(ledger)).length, 0);
    faults.delay(() => 0);
    ok(await w.kiosk().run({ card, pin: "1234", type: "juminhyo" }));
  } finally {
    await w.close();
  }
});

Deno.test("[e2e] center ↔ ASP over mutual TLS", async () => {
  const w = await openIssuanceWorld({ mtls: true });
  try {
    const a = await w.moveIn("401005");
    const card = await w.issueCard("401005", a);
    await w.sync();
    const r = ok(await w.kiosk().run({ card, pin: "1234", type: "juminhyo" }));
    assert.deepEqual(r.subjects, [a]);
    // Without a client certificate the node refuses the connection.
    const client = Deno.createHttpClient({});
    try {
      await assert.rejects(() =>
        fetch(`${w.nodes[0].url}/healthz`, { client })
      );
    } finally {
      client.close();
    }
  } finally {
    await w.close();
  }
});
