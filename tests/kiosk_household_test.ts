/**
 * The household list a kiosk chooses members by name from: the ASP's
 * `GET /tenants/{code}/cards/{serial}/household` and the center's
 * `GET /kiosk/sessions/{id}/household`, through the kiosk client's steps.
 *
 * @module
 */
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { auditLog, tenants } from "../db/asp/schema.ts";
import { messageLog } from "../db/jlis/schema.ts";
import { verifyCenterResponse } from "../lib/contracts/kiosk_center.ts";
import type { KioskRefusal } from "../services/kiosk/kiosk.ts";
import {
  markFresh,
  ONE_NODE,
  openIssuanceWorld,
  served,
} from "./support/issuance_world.ts";
import { TOKENS } from "./support/jlis_world.ts";

const CODE = "401005";

Deno.test("[e2e] household list: ASP route, center route, kiosk steps", async (t) => {
  const w = await openIssuanceWorld({
    nodes: ONE_NODE,
  });
  try {
    const head = await w.moveIn(CODE, {
      name: "門司　一郎",
      birthDate: "1975-05-05",
    });
    const householdId = await w.householdOf(CODE, head);
    const into = (relationship: string) => ({ householdId, relationship });
    const child = await w.moveIn(CODE, {
      name: "門司　太郎",
      birthDate: "2012-01-01",
    }, into("子"));
    const spouse = await w.moveIn(CODE, {
      name: "門司　花子",
      birthDate: "1978-08-08",
      sex: "female",
    }, into("妻"));
    const sheltered = await w.moveIn(CODE, {
      name: "門司　次郎",
      birthDate: "2000-02-02",
    }, into("子"));
    await w.block(CODE, sheltered, "support_measure");
    const young = await w.moveIn(CODE, {
      name: "若松　幼子",
      birthDate: "2015-04-01",
    });
    const spouseCard = await w.issueCard(CODE, spouse);
    const shelteredCard = await w.issueCard(CODE, sheltered);
    const youngCard = await w.issueCard(CODE, young);
    await w.sync();
    const asp = w.nodes[0].asp;
    const kiosk = w.kiosk();
    const keyList = await w.jlis.signer.keyList();
    const audits = (subject: string | null, outcome = "ok") =>
      asp.database.db.select().from(auditLog).where(and(
        eq(auditLog.action, "household.read"),
        eq(auditLog.outcome, outcome),
        ...(subject ? [eq(auditLog.subject, subject)] : []),
      ));

    await t.step(
      "ASP: every current member with residentId, name and 続柄 only, the applicant first, a protected member listed alike; audited",
      async () => {
        const res = await asp.call(
          "GET",
          `/tenants/${CODE}/cards/${spouseCard.serial}/household`,
        );
        assert.equal(res.status, 200);
        assert.match(res.headers.get("Content-Type") ?? "", /json/);
        const body = await res.json();
        assert.deepEqual(Object.keys(body).sort(), [
          "applicantResidentId",
          "householdFormat",
          "members",
          "replicaSeq",
        ]);
        // The tenant's profile (the default: 個票式), for the kiosk's quote.
        assert.equal(body.householdFormat, "kohyo");
        assert.equal(body.applicantResidentId, spouse);
        for (const m of body.members) {
          assert.deepEqual(Object.keys(m).sort(), [
            "name",
            "relationship",
            "residentId",
          ]);
        }
        assert.deepEqual(
          body.members.map((m: { residentId: string }) => m.residentId),
          [spouse, head, sheltered, child],
        );
        assert.deepEqual(body.members[1], {
          residentId: head,
          name: "門司　一郎",
          relationship: "世帯主",
        });
        assert.equal(body.members[2].name, "門司　次郎");
        assert.equal(body.members[2].relationship, "子");
        const [audit] = await audits(spouse);
        assert.ok(audit, "a household.read audit record");
        assert.deepEqual(
          (audit.details as { members: string[] }).members,
          [spouse, head, sheltered, child],
        );
      },
    );

    await t.step(
      "ASP: an unknown card, an applicant under 15, a stale replica and no credential are refused (refusals audited)",
      async () => {
        let res = await asp.call(
          "GET",
          `/tenants/${CODE}/cards/abcdef/household`,
        );
        assert.equal(res.status, 404);
        assert.equal((await res.json()).code, "CARD_NOT_FOUND");
        assert.equal((await audits(null, "CARD_NOT_FOUND")).length, 1);

        res = await asp.call(
          "GET",
          `/tenants/${CODE}/cards/${youngCard.serial}/household`,
        );
        assert.equal(res.status, 409);
        assert.equal((await res.json()).code, "UNDER_15");
        assert.equal((await audits(young, "UNDER_15")).length, 1);

        await asp.tenancy.db.update(tenants).set({ syncState: "stopped" })
          .where(eq(tenants.code, CODE));
        res = await asp.call(
          "GET",
          `/tenants/${CODE}/cards/${spouseCard.serial}/household`,
        );
        assert.equal(res.status, 503);
        const stale = await res.json();
        assert.equal(stale.code, "REPLICA_STALE");
        assert.equal(JSON.stringify(stale).includes("門司"), false);
        assert.equal((await audits(spouse, "REPLICA_STALE")).length, 1);
        const [row] = await asp.tenancy.db.select().from(tenants).where(
          eq(tenants.code, CODE),
        );
        await markFresh(asp, CODE, Number(row.appliedSeq));

        res = await asp.call(
          "GET",
          `/tenants/${CODE}/cards/${spouseCard.serial}/household`,
          { token: "wrong" },
        );
        assert.equal(res.status, 401);
        await res.body?.cancel();
      },
    );

    await t.step(
      "center: the list for an authenticated session, signed, the three fields only and the household format; the session stays usable; then it is used up",
      async () => {
        const s = served(await kiosk.authenticate(spouseCard, "1234"));
        const path = `/kiosk/sessions/${s.sessionId}/household`;
        const res = await w.jlis.call("GET", path);
        assert.equal(res.status, 200);
        assert.match(res.headers.get("Content-Type") ?? "", /json/);
        const v = await verifyCenterResponse(res, {
          method: "GET",
          path,
          keyList,
        });
        assert.ok(v.ok, "signed by the center");
        const body = await res.json();
        assert.deepEqual(Object.keys(body), ["members", "householdFormat"]);
        assert.equal(body.householdFormat, "kohyo");
        assert.deepEqual(
          body.members.map((m: object) => Object.keys(m).sort()),
          [
            ["name", "relationship", "residentId"],
            ["name", "relationship", "residentId"],
            ["name", "relationship", "residentId"],
            ["name", "relationship", "residentId"],
          ],
        );
        // The call to the node is logged both ways.
        const calls = await w.jlis.databases[0].db.select().from(messageLog)
          .where(
            eq(
              messageLog.path,
              `/tenants/${CODE}/cards/${spouseCard.serial}/household`,
            ),
          );
        assert.ok(calls.some((m) => m.direction === "out" && m.signature));
        assert.ok(calls.some((m) => m.direction === "in" && m.status === 200));

        const h = served(await kiosk.household(s));
        assert.deepEqual(h.members.map((m) => m.name), [
          "門司　花子",
          "門司　一郎",
          "門司　次郎",
          "門司　太郎",
        ]);
        const r = await kiosk.issue(s, {
          type: "juminhyo",
          members: [h.members[0].residentId, h.members[3].residentId],
        });
        if (!r.ok) assert.fail(`refused: ${r.code}`);
        assert.deepEqual(r.subjects.sort(), [child, spouse].sort());
        assert.equal(r.correlationId, s.correlationId);

        const again = await kiosk.household(s);
        assert.equal(again.ok, false);
        assert.equal((again as KioskRefusal).code, "SESSION_ALREADY_USED");
        assert.equal((again as KioskRefusal).stage, "household");
      },
    );

    await t.step(
      "center: a protected member is listed like the others; asking for them gives only the neutral refusal",
      async () => {
        const s = served(await kiosk.authenticate(spouseCard, "1234"));
        const h = served(await kiosk.household(s));
        const m = h.members.find((x) => x.residentId === sheltered)!;
        assert.deepEqual(Object.keys(m).sort(), [
          "name",
          "relationship",
          "residentId",
        ]);
        const r = await kiosk.issue(s, {
          type: "juminhyo",
          members: [sheltered],
        });
        assert.equal(r.ok, false);
        const refusal = r as KioskRefusal;
        assert.equal(refusal.code, "NOT_ISSUABLE_AT_KIOSK");
        assert.doesNotMatch(
          refusal.message_ja + refusal.message_en,
          /支援|support|DV|block/i,
        );
      },
    );

    await t.step(
      "center: the applicant's own refusal is the certificate request's (protected: neutral; under 15)",
      async () => {
        const own = await kiosk.household(
          served(await kiosk.authenticate(shelteredCard, "1234")),
        );
        assert.equal(own.ok, false);
        assert.equal((own as KioskRefusal).code, "NOT_ISSUABLE_AT_KIOSK");
        const young15 = await kiosk.household(
          served(await kiosk.authenticate(youngCard, "1234")),
        );
        assert.equal((young15 as KioskRefusal).code, "UNDER_15");
      },
    );

    await t.step(
      "center: an unauthenticated session, another kiosk's session, and a stale replica are refused",
      async () => {
        const open = await w.jlis.call("POST", "/kiosk/sessions", { body: {} });
        const { sessionId } = await open.json();
        let res = await w.jlis.call(
          "GET",
          `/kiosk/sessions/${sessionId}/household`,
        );
        assert.equal(res.status, 409);
        assert.equal((await res.json()).code, "SESSION_NOT_AUTHENTICATED");

        const s = served(await kiosk.authenticate(spouseCard, "1234"));
        res = await w.jlis.call(
          "GET",
          `/kiosk/sessions/${s.sessionId}/household`,
          { token: TOKENS.kiosk2 },
        );
        assert.equal(res.status, 404);
        assert.equal((await res.json()).code, "SESSION_NOT_FOUND");

        res = await w.jlis.call(
          "GET",
          `/kiosk/sessions/${crypto.randomUUID()}/household`,
        );
        assert.equal(res.status, 404);
        assert.equal((await res.json()).code, "SESSION_NOT_FOUND");

        await asp.tenancy.db.update(tenants).set({ syncState: "stopped" })
          .where(eq(tenants.code, CODE));
        const stale = await kiosk.household(s);
        assert.equal((stale as KioskRefusal).code, "REPLICA_STALE");
        assert.equal((stale as KioskRefusal).status, 503);
        const [row] = await asp.tenancy.db.select().from(tenants).where(
          eq(tenants.code, CODE),
        );
        await markFresh(asp, CODE, Number(row.appliedSeq));
        // Refused lists did not use the session up.
        served(await kiosk.household(s));
      },
    );
  } finally {
    await w.close();
  }
});
