/**
 * Card routing held by the center (issue 14, item 1), end to end on both
 * databases (TEST_DATABASE_URL) through the issuance world — registry with
 * both tenants, an ASP node per city over mutual TLS, the center, kiosks: a
 * resident moves from 北九州市 (401005) to 福岡市 (401307) — 転出確定 in one
 * registry tenant, 転入 in the other — and carries the card on (継続利用,
 * `card:continue`); the card is refused the same day and prints 福岡市's
 * certificate the next day (fake clock). A card not carried on after 転出確定
 * is refused with its own code; another municipality cannot claim a card
 * none of its residents holds.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { cardRouteChanges, cards } from "../db/jlis/schema.ts";
import { readCardCertificate } from "../lib/card/certificate.ts";
import { ISSUANCE_REFUSALS } from "../lib/refusals/issuance.ts";
import type { KioskReceipt, KioskRefusal } from "../services/kiosk/kiosk.ts";
import { continueCardAtWindow } from "../scripts/card_continue.ts";
import {
  openIssuanceWorld,
  openRegistryWindows,
} from "./support/issuance_world.ts";
import { makePerson } from "./support/registry_world.ts";
import { TOKENS } from "./support/jlis_world.ts";

const KITAKYUSHU = "401005";
const FUKUOKA = "401307";
const CENTER_TOKEN: Record<string, string> = {
  [KITAKYUSHU]: TOKENS.city,
  [FUKUOKA]: TOKENS.otherCity,
};

function refused(r: KioskReceipt | KioskRefusal, code: string): KioskRefusal {
  assert.equal(r.ok, false, `expected ${code}, the run was issued`);
  const refusal = r as KioskRefusal;
  assert.equal(refusal.code, code, refusal.message_en);
  return refusal;
}

Deno.test("[e2e] moving between cities: 転出確定 → refused; 継続利用 at the new city → refused the same day, the new city's certificate the next day; a card not carried on stays refused; no claim without a resident", async (t) => {
  const w = await openIssuanceWorld({ mtls: true });
  try {
    const jdb = w.jlis.databases[0].db;
    const center = (input: string, init?: RequestInit) =>
      w.jlis.apps[0].request(input.replace("http://center.test", ""), init);
    // Each city's registry as deployed: its events push to the center with
    // the city's own center credential.
    const { app: registry, pusher } = openRegistryWindows(w, CENTER_TOKEN);
    const event = async (code: string, body: Record<string, unknown>) => {
      const res = await registry.request(`/municipalities/${code}/events`, {
        method: "POST",
        headers: {
          Authorization: `Bearer window-${code}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ date: "2026-11-26", ...body }),
      });
      const json = await res.json();
      assert.equal(res.status, 201, JSON.stringify(json));
      return json.residentIds as string[];
    };
    const moveOut = async (residentId: string) => {
      await event(KITAKYUSHU, {
        type: "tenshutsu_yotei",
        residentId,
        plannedDate: "2026-11-26",
        destinationAddress: "福岡県福岡市中央区天神１丁目８番１号",
      });
      await event(KITAKYUSHU, { type: "tenshutsu_kakutei", residentId });
    };
    // The window's tool, routed to the in-process registry and center.
    const windowFetch: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      return url.host === "center.test"
        ? await center(url.pathname, init)
        : await registry.request(url.pathname, init);
    };
    const carryOn = (residentId: string, card: string) =>
      continueCardAtWindow({
        municipalityCode: FUKUOKA,
        residentId,
        card,
        method: "運転免許証",
        verifiedBy: "staff-0042",
        windowOfficer: "staff-0007",
        verifiedAt: w.clock.now(),
        centerUrl: "http://center.test",
        centerToken: TOKENS.otherCity,
        registryUrl: "http://registry.test",
        registryToken: `window-${FUKUOKA}`,
        fetch: windowFetch,
      });
    const cardRow = async (serial: string) =>
      (await jdb.select().from(cards).where(eq(cards.serial, serial)))[0];

    const mover = {
      name: "門司　一郎",
      nameKana: "モジ　イチロウ",
      birthDate: "1975-05-05",
      sex: "male",
    } as const;
    const moverId = await w.moveIn(KITAKYUSHU, mover);
    const card = await w.issueCard(KITAKYUSHU, moverId);
    const stayer = await w.moveIn(KITAKYUSHU, {
      name: "若松　花子",
      birthDate: "1982-08-08",
      sex: "female",
    });
    const stayerCard = await w.issueCard(KITAKYUSHU, stayer);
    const leaver = await w.moveIn(KITAKYUSHU, {
      name: "戸畑　三郎",
      birthDate: "1968-03-03",
      sex: "male",
    });
    const leaverCard = await w.issueCard(KITAKYUSHU, leaver);
    await w.sync();

    await t.step(
      "the certificate names no municipality; the center routes by its table",
      async () => {
        assert.equal(
          readCardCertificate(card.certificatePem).municipalityCode,
          null,
        );
        assert.equal(card.municipalityCode, null);
        const r = await w.kiosk().run({ card, pin: "1234", type: "juminhyo" });
        assert.ok(r.ok, JSON.stringify(r));
        assert.equal(r.municipalityCode, KITAKYUSHU);
        assert.equal(r.sheets[0].municipality.code, KITAKYUSHU);
      },
    );

    let newId = "";
    await t.step(
      "転出確定 in 北九州市: the card is reported moved out and refused",
      async () => {
        await moveOut(moverId);
        await moveOut(leaver);
        await pusher.idle();
        assert.ok((await cardRow(card.serial)).movedOutAt);
        assert.ok((await cardRow(leaverCard.serial)).movedOutAt);
        await w.sync();
        const r = refused(
          await w.kiosk().run({ card, pin: "1234", type: "juminhyo" }),
          "CARD_MOVED_OUT",
        );
        assert.equal(r.message_ja, ISSUANCE_REFUSALS.CARD_MOVED_OUT.ja);
        // The old registry's link ended with the move-out.
        const link = await w.reg.call(
          "GET",
          `/municipalities/${KITAKYUSHU}/card-links/${card.serial}`,
        );
        assert.equal(link.status, 404);
      },
    );

    await t.step(
      "another municipality cannot claim a card none of its residents holds",
      async () => {
        newId = (await event(FUKUOKA, {
          type: "tennyu",
          person: makePerson(mover),
          previousAddress: "福岡県北九州市小倉北区城内１番１号",
          address: "福岡県福岡市中央区天神１丁目８番１号",
        }))[0];
        // 福岡市's resident (the mover) is not the holder of the stayer's or
        // the leaver's card: refused, nothing changed.
        for (const other of [stayerCard, leaverCard]) {
          await assert.rejects(
            carryOn(newId, other.path),
            /CONTINUATION_HOLDER_MISMATCH/,
          );
        }
        assert.equal(
          (await cardRow(stayerCard.serial)).municipalityCode,
          KITAKYUSHU,
        );
        assert.ok((await cardRow(leaverCard.serial)).movedOutAt);
        // Nor may 北九州市 claim a card for 福岡市.
        const res = await center(`/cards/${card.serial}/continuation`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${TOKENS.city}`,
            "Content-Type": "application/json",
          },
          body: JSON.stringify({
            municipalityCode: FUKUOKA,
            holder: {
              name: mover.name,
              birthDate: mover.birthDate,
              sex: "male",
            },
            verification: {
              method: "旅券",
              verifiedBy: "s1",
              windowOfficer: "s2",
              verifiedAt: w.clock.now().toISOString(),
            },
          }),
        });
        assert.equal(res.status, 403);
        assert.equal((await res.json()).code, "WRONG_MUNICIPALITY");
        // Without the window's identity check, 福岡市 gets nothing either.
        const bare = await center(`/cards/${card.serial}/continuation`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${TOKENS.otherCity}`,
            "Content-Type": "application/json",
          },
          body: JSON.stringify({
            municipalityCode: FUKUOKA,
            holder: {
              name: mover.name,
              birthDate: mover.birthDate,
              sex: "male",
            },
          }),
        });
        assert.equal((await bare.json()).code, "IDENTITY_NOT_VERIFIED");
        assert.equal((await cardRow(card.serial)).municipalityCode, KITAKYUSHU);
      },
    );

    await t.step(
      "継続利用 at 福岡市 after its 転入: refused the same day",
      async () => {
        const done = await carryOn(newId, card.path);
        assert.equal(done.from, KITAKYUSHU);
        assert.equal(done.changed, true);
        assert.equal(done.effectiveFrom, "2026-11-26T15:00:00.000Z");
        const row = await cardRow(card.serial);
        assert.equal(row.municipalityCode, FUKUOKA);
        assert.equal(row.movedOutAt, null);
        await w.sync();
        const r = refused(
          await w.kiosk().run({ card, pin: "1234", type: "juminhyo" }),
          "CARD_CONTINUATION_PENDING",
        );
        assert.match(r.message_ja, /明日から利用できます/);
        // A second run of the window's tool changes nothing.
        assert.equal((await carryOn(newId, card.path)).changed, false);
        // 北九州市's late report of the move-out changes nothing either.
        const late = await center(`/cards/${card.serial}/moved-out`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${TOKENS.city}`,
            "Content-Type": "application/json",
          },
          body: JSON.stringify({ reason: "tenshutsu_kakutei (late)" }),
        });
        assert.equal(late.status, 200);
        assert.equal((await late.json()).changed, false);
        assert.equal((await cardRow(card.serial)).movedOutAt, null);
        // The card is 福岡市's to manage now.
        const own = await center(`/cards/${card.serial}`, {
          headers: { Authorization: `Bearer ${TOKENS.otherCity}` },
        });
        assert.equal((await own.json()).municipalityCode, FUKUOKA);
        const old = await center(`/cards/${card.serial}`, {
          headers: { Authorization: `Bearer ${TOKENS.city}` },
        });
        assert.equal((await old.json()).code, "WRONG_MUNICIPALITY");
      },
    );

    await t.step(
      "the next day the same card prints 福岡市's certificate",
      async () => {
        w.clock.advance(24 * 3600_000);
        await w.sync();
        const r = await w.kiosk().run({ card, pin: "1234", type: "juminhyo" });
        assert.ok(r.ok, JSON.stringify(r));
        assert.equal(r.municipalityCode, FUKUOKA);
        assert.equal(r.sheets[0].municipality.code, FUKUOKA);
        assert.equal(r.sheets[0].subject.name, mover.name);
        assert.deepEqual(r.subjects, [newId]);
        const changes = await jdb.select().from(cardRouteChanges).where(
          eq(cardRouteChanges.serial, card.serial),
        );
        assert.deepEqual(
          changes.map((c) => [c.kind, c.fromMunicipality, c.toMunicipality]),
          [["moved_out", KITAKYUSHU, null], ["continued", KITAKYUSHU, FUKUOKA]],
        );
        assert.ok(
          !JSON.stringify(changes).includes("門司"),
          "the center keeps no name",
        );
      },
    );

    await t.step(
      "a card not carried on stays refused with its own code; the stayer's card still works",
      async () => {
        refused(
          await w.kiosk().run({
            card: leaverCard,
            pin: "1234",
            type: "juminhyo",
          }),
          "CARD_MOVED_OUT",
        );
        const r = await w.kiosk().run({
          card: stayerCard,
          pin: "1234",
          type: "juminhyo",
        });
        assert.ok(r.ok, JSON.stringify(r));
        assert.equal(r.municipalityCode, KITAKYUSHU);
      },
    );
    await pusher.idle();
  } finally {
    await w.close();
  }
});
