/**
 * Every refusal a kiosk can meet, each with its code and the Japanese
 * message the kiosk shows, and the card's lifecycle through the kiosk flow.
 * Protected reasons (支援措置, opt-out, a municipal block) reach the kiosk
 * only as the neutral code; the center keeps the specific one.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { issuanceRequests } from "../db/jlis/schema.ts";
import {
  isIssuanceCode,
  ISSUANCE_REFUSALS,
  NEUTRAL_CODE,
} from "../lib/refusals/issuance.ts";
import type { Card } from "../lib/card/card.ts";
import {
  type IssuanceWorld,
  markFresh,
  ONE_NODE,
  openIssuanceWorld,
} from "./support/issuance_world.ts";
import { TOKENS } from "./support/jlis_world.ts";
import { TOKENS as REGISTRY_TOKENS } from "./support/registry_world.ts";
import type {
  KioskChoice,
  KioskEvent,
  KioskReceipt,
  KioskRefusal,
} from "../services/kiosk/kiosk.ts";

const CODE = "401005";

async function refused(
  w: IssuanceWorld,
  choice: KioskChoice,
  code: string,
  stage?: KioskRefusal["stage"],
): Promise<KioskRefusal> {
  const r = await w.kiosk().run(choice);
  assert.equal(r.ok, false, `expected ${code}, got a certificate`);
  const f = r as KioskRefusal;
  assert.equal(f.code, code, `${f.code}: ${f.message_en}`);
  if (stage) assert.equal(f.stage, stage);
  assert.ok(f.message_ja.length > 5, "a Japanese message for the kiosk");
  if (isIssuanceCode(code)) {
    assert.equal(f.message_ja, ISSUANCE_REFUSALS[code].ja);
  }
  return f;
}

/**
 * A protected reason: the kiosk sees only the neutral code and text (in the
 * answer and on its screen, nothing naming the reason); the center's request
 * record and metrics keep the specific code.
 */
async function protectedAtKiosk(
  w: IssuanceWorld,
  choice: KioskChoice & { card: Card },
  reason: "SUPPORT_MEASURE" | "OPT_OUT" | "BLOCKED",
): Promise<void> {
  const db = w.jlis.databases[0].db;
  const recorded = async () =>
    (await db.select({ outcome: issuanceRequests.outcome }).from(
      issuanceRequests,
    ).where(eq(issuanceRequests.cardSerial, choice.card.serial)))
      .map((row) => row.outcome);
  const before = await recorded();
  const screens: KioskEvent[] = [];
  const r = await w.kiosk({ onEvent: (e) => screens.push(e) }).run(choice);
  assert.equal(r.ok, false, `expected ${NEUTRAL_CODE}, got a certificate`);
  const f = r as KioskRefusal;
  assert.equal(f.code, NEUTRAL_CODE, `${f.code}: ${f.message_en}`);
  assert.equal(f.status, 409);
  assert.equal(
    f.message_ja,
    "この証明書はコンビニでは交付できません。市区町村の窓口にお問い合わせください。",
  );
  assert.equal(
    f.message_en,
    "This certificate cannot be issued at a convenience store. Please ask at your municipal office.",
  );
  const seen = JSON.stringify({ f, screens });
  for (
    const word of [
      reason,
      "支援措置",
      "抑止",
      "利用停止",
      /support measure/i,
      /opt.?out/i,
    ]
  ) {
    assert.doesNotMatch(
      seen,
      typeof word === "string" ? new RegExp(word) : word,
    );
  }
  // The center's request record keeps the reason for the municipality.
  const after = await recorded();
  assert.equal(after.length, before.length + 1, "the request is recorded");
  assert.equal(
    after.filter((o) => o === reason).length,
    before.filter((o) => o === reason).length + 1,
  );
  assert.ok(
    !after.includes(NEUTRAL_CODE),
    "the record holds the specific code",
  );
  const metrics = await (await w.jlis.apps[0].request("/metrics")).text();
  assert.match(
    metrics,
    new RegExp(`jlis_issuance_total\\{outcome="${reason}"\\} [1-9]`),
  );
  assert.doesNotMatch(metrics, new RegExp(`outcome="${NEUTRAL_CODE}"`));
}

async function issued(
  w: IssuanceWorld,
  choice: KioskChoice,
): Promise<KioskReceipt> {
  const r = await w.kiosk().run(choice);
  if (!r.ok) assert.fail(`refused: ${r.code} ${r.message_en}`);
  return r;
}

Deno.test("[e2e] refusal codes at the kiosk", async (t) => {
  const w = await openIssuanceWorld({
    nodes: ONE_NODE,
  });
  try {
    const person = async (over: Record<string, unknown> = {}) => {
      const id = await w.moveIn(CODE, over);
      return { id, card: await w.issueCard(CODE, id) };
    };
    const adult = await person();
    const child = await person({ birthDate: "2015-04-01" });
    const optOut = await person();
    const support = await person();
    const blocked = await person();
    const movedOut = await person();
    const movingOut = await person();
    const deceased = await person();
    const tooLong = await person({
      name:
        "寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末食う寝る処に住む処やぶら小路の藪柑子パイポパイポパイポのシューリンガン",
    });
    // A household whose householder filed a move-out: its member is refused too.
    const hh = await person();
    const hhId = await w.householdOf(CODE, hh.id);
    const memberId = await w.moveIn(CODE, { name: "転出　同居人" }, {
      householdId: hhId,
      relationship: "妻",
    });
    const member = { id: memberId, card: await w.issueCard(CODE, memberId) };
    const [newcomer] = await w.event(CODE, {
      type: "tennyu",
      date: "2026-11-26",
      person: {
        name: "本日　転入",
        nameKana: "ホンジツ　テンニュウ",
        birthDate: "1990-01-01",
        sex: "female",
        residentCode: "98765432101",
      },
      previousAddress: "東京都千代田区千代田１番",
      address: "福岡県北九州市小倉北区城内２番１号",
    });
    await w.block(CODE, optOut.id, "opt_out");
    await w.block(CODE, support.id, "support_measure");
    await w.block(CODE, blocked.id, "municipal");
    await w.event(CODE, {
      type: "tenshutsu_yotei",
      residentId: movedOut.id,
      plannedDate: "2026-11-25",
      destinationAddress: "東京都港区芝公園１番",
    });
    await w.event(CODE, { type: "tenshutsu_kakutei", residentId: movedOut.id });
    await w.event(CODE, {
      type: "tenshutsu_yotei",
      residentId: movingOut.id,
      plannedDate: "2026-12-10",
      destinationAddress: "東京都港区芝公園１番",
    });
    await w.event(CODE, {
      type: "tenshutsu_yotei",
      residentId: hh.id,
      plannedDate: "2026-12-10",
      destinationAddress: "東京都港区芝公園１番",
    });
    await w.event(CODE, { type: "shibou", residentId: deceased.id });
    await w.sync();
    const base = { pin: "1234", type: "juminhyo" as const };

    await t.step(
      "the registry's rules, applied by the ASP, reach the kiosk with their code (a protected reason only as the neutral one)",
      async () => {
        await issued(w, { ...base, card: adult.card });
        await refused(
          w,
          { ...base, card: child.card },
          "UNDER_15",
          "certificate",
        );
        await protectedAtKiosk(w, { ...base, card: optOut.card }, "OPT_OUT");
        await protectedAtKiosk(
          w,
          { ...base, card: support.card },
          "SUPPORT_MEASURE",
        );
        await protectedAtKiosk(w, { ...base, card: blocked.card }, "BLOCKED");
        // 転出確定 ends the card's link: the ASP finds none until the center
        // is told; once the municipality reports the move-out (its registry's
        // pusher, not wired here: tests/card_routing_test.ts), the center
        // refuses the card itself.
        await refused(w, { ...base, card: movedOut.card }, "CARD_NOT_LINKED");
        const told = await w.jlis.call(
          "POST",
          `/cards/${movedOut.card.serial}/moved-out`,
          { token: TOKENS.city, body: { reason: "tenshutsu_kakutei" } },
        );
        assert.equal(told.status, 200);
        await refused(w, { ...base, card: movedOut.card }, "CARD_MOVED_OUT");
        await refused(w, { ...base, card: movingOut.card }, "MOVE_OUT_FILED");
        await refused(w, { ...base, card: member.card }, "MOVE_OUT_FILED");
        await refused(w, { ...base, card: deceased.card }, "DECEASED");
        await refused(w, { ...base, card: tooLong.card }, "FIELD_TOO_LONG");
        await refused(w, {
          ...base,
          card: adult.card,
          options: { myNumber: true },
        }, "MY_NUMBER_NOT_ALLOWED");
        await refused(
          w,
          { ...base, card: adult.card, type: "inkan" },
          "SEAL_NOT_REGISTERED",
        );
        await refused(w, {
          ...base,
          card: adult.card,
          type: "inkan",
          members: "all",
        }, "INKAN_SELF_ONLY");
        await refused(w, {
          ...base,
          card: adult.card,
          members: [adult.id, child.id],
        }, "MEMBER_NOT_IN_HOUSEHOLD");
      },
    );

    await t.step(
      "a householder asking for the whole household does not learn that a member is protected",
      async () => {
        const head = await person();
        const householdId = await w.householdOf(CODE, head.id);
        const spouse = await w.moveIn(CODE, { name: "保護　配偶者" }, {
          householdId,
          relationship: "妻",
        });
        await w.block(CODE, spouse, "support_measure");
        await w.sync();
        await issued(w, { ...base, card: head.card });
        await protectedAtKiosk(
          w,
          { ...base, card: head.card, members: "all" },
          "SUPPORT_MEASURE",
        );
        await protectedAtKiosk(
          w,
          { ...base, card: head.card, members: [head.id, spouse] },
          "SUPPORT_MEASURE",
        );
      },
    );

    await t.step(
      "a change processed today: refused until tomorrow",
      async () => {
        const card = await w.issueCard(CODE, newcomer);
        // The municipality's same-day rule (the world holds no type by
        // default): through its registry record and the feed.
        const policy = async (sameDayEventTypes: string[] | null) => {
          const res = await w.reg.call("PUT", `/municipalities/${CODE}`, {
            token: REGISTRY_TOKENS.admin,
            body: {
              name: "北九州市",
              mayor: "北九州市長　武内　和久",
              sameDayEventTypes,
            },
          });
          assert.equal(res.status, 200);
          await res.body?.cancel();
          await w.sync();
        };
        await policy(null);
        await refused(w, { ...base, card }, "CHANGED_TODAY");
        await policy([]);
        await issued(w, { ...base, card });
      },
    );

    await t.step(
      "a replica that has not seen the registry's head lately is stale",
      async () => {
        w.clock.advance(10 * 60_000);
        await refused(w, { ...base, card: adult.card }, "REPLICA_STALE");
        await markFresh(
          w.nodes[0].asp,
          CODE,
          Number((await w.nodes[0].asp.tenancy.get(CODE)).appliedSeq),
        );
        await issued(w, { ...base, card: adult.card });
      },
    );

    await t.step(
      "a card not linked to a resident; a municipality no node hosts",
      async () => {
        const unlinked = await w.jlis.issueCard({ municipalityCode: CODE });
        await refused(w, { ...base, card: unlinked }, "CARD_NOT_LINKED");
        const elsewhere = await w.jlis.issueCard({
          municipalityCode: "401307",
          token: TOKENS.otherCity,
        });
        await refused(
          w,
          { ...base, card: elsewhere },
          "MUNICIPALITY_NOT_SERVED",
        );
      },
    );

    await t.step(
      "hours: 06:30–23:00 Japan time, closed 29 Dec – 3 Jan",
      async () => {
        const now = w.clock.now();
        try {
          for (
            const [at, code] of [
              ["2026-11-26T06:29:00+09:00", "OUTSIDE_HOURS"],
              ["2026-11-26T23:00:00+09:00", "OUTSIDE_HOURS"],
              ["2026-12-29T10:00:00+09:00", "YEAR_END_CLOSED"],
              ["2027-01-03T22:00:00+09:00", "YEAR_END_CLOSED"],
            ] as const
          ) {
            w.clock.set(at);
            await refused(w, { ...base, card: adult.card }, code, "session");
          }
          // Opened at 22:59, asked at 23:00: refused at the request too.
          w.clock.set("2026-11-26T22:59:00+09:00");
          await markFresh(
            w.nodes[0].asp,
            CODE,
            Number((await w.nodes[0].asp.tenancy.get(CODE)).appliedSeq),
          );
          const open = await w.jlis.call("POST", "/kiosk/sessions", {
            body: {},
          });
          const s = await open.json();
          const signature = (await adult.card.sign("1234", s.nonce)).toBase64();
          const auth = await w.jlis.call(
            "POST",
            `/kiosk/sessions/${s.sessionId}/authenticate`,
            {
              body: { certificatePem: adult.card.certificatePem, signature },
            },
          );
          assert.equal(auth.status, 200);
          await auth.body?.cancel();
          w.clock.set("2026-11-26T23:00:01+09:00");
          const late = await w.jlis.call(
            "POST",
            `/kiosk/sessions/${s.sessionId}/certificates`,
            {
              body: { type: "juminhyo" },
            },
          );
          assert.equal(late.status, 409);
          assert.equal((await late.json()).code, "OUTSIDE_HOURS");
          w.clock.set("2027-01-04T06:30:00+09:00");
          await markFresh(
            w.nodes[0].asp,
            CODE,
            Number((await w.nodes[0].asp.tenancy.get(CODE)).appliedSeq),
          );
          await issued(w, { ...base, card: adult.card });
        } finally {
          w.clock.set(now);
          await markFresh(
            w.nodes[0].asp,
            CODE,
            Number((await w.nodes[0].asp.tenancy.get(CODE)).appliedSeq),
          );
        }
      },
    );

    await t.step("the card's lifecycle through the kiosk", async () => {
      const { card } = await person();
      await w.sync();
      await issued(w, { ...base, card });
      // Wrong PINs are counted on the card; a right one resets the count.
      const wrong = await refused(
        w,
        { ...base, card, pin: "0000" },
        "PIN_WRONG",
        "card",
      );
      assert.equal(wrong.remainingTries, 2);
      assert.equal(
        (await refused(w, { ...base, card, pin: "0000" }, "PIN_WRONG"))
          .remainingTries,
        1,
      );
      await issued(w, { ...base, card });
      assert.equal(await card.remainingTries(), 3);
      // 24-hour line: stop. Refused at authentication.
      const stop = await w.jlis.call("POST", `/cards/${card.serial}/suspend`, {
        token: TOKENS.stop,
        body: { reason: "紛失の届出" },
      });
      assert.equal(stop.status, 200);
      await stop.body?.cancel();
      await refused(w, { ...base, card }, "CARD_SUSPENDED", "authenticate");
      // Resuming needs the municipality and an identity verification.
      const resume = await w.jlis.call("POST", `/cards/${card.serial}/resume`, {
        token: TOKENS.city,
        body: {
          verification: {
            verifiedBy: "clerk-7",
            method: "運転免許証",
            verifiedAt: w.clock.now().toISOString(),
            windowOfficer: "officer-2",
          },
        },
      });
      assert.equal(resume.status, 200);
      await resume.body?.cancel();
      await issued(w, { ...base, card });
      // Stopped between authentication and the request: refused at the request.
      const open = await w.jlis.call("POST", "/kiosk/sessions", { body: {} });
      const s = await open.json();
      const signature = (await card.sign("1234", s.nonce)).toBase64();
      const auth = await w.jlis.call(
        "POST",
        `/kiosk/sessions/${s.sessionId}/authenticate`,
        {
          body: { certificatePem: card.certificatePem, signature },
        },
      );
      assert.equal(auth.status, 200);
      await auth.body?.cancel();
      const stop2 = await w.jlis.call("POST", `/cards/${card.serial}/suspend`, {
        token: TOKENS.stop,
        body: { reason: "紛失" },
      });
      await stop2.body?.cancel();
      const late = await w.jlis.call(
        "POST",
        `/kiosk/sessions/${s.sessionId}/certificates`,
        {
          body: { type: "juminhyo" },
        },
      );
      assert.equal(late.status, 403);
      assert.equal((await late.json()).code, "CARD_SUSPENDED");
      // Revoked: final.
      const revoke = await w.jlis.call("POST", `/cards/${card.serial}/revoke`, {
        token: TOKENS.city,
        body: { reason: "再交付" },
      });
      assert.equal(revoke.status, 200);
      await revoke.body?.cancel();
      await refused(w, { ...base, card }, "CARD_REVOKED", "authenticate");
      // Three wrong PINs in a row lock the card for good.
      const { card: other } = await person();
      for (let i = 0; i < 2; i++) {
        await refused(w, { ...base, card: other, pin: "9999" }, "PIN_WRONG");
      }
      await refused(
        w,
        { ...base, card: other, pin: "9999" },
        "PIN_LOCKED",
        "card",
      );
      await refused(w, { ...base, card: other }, "PIN_LOCKED", "card");
    });
  } finally {
    await w.close();
  }
});
