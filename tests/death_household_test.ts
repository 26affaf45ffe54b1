/**
 * A householder's death, end to end (registry → center, registry → replica
 * → kiosk): the window records the 死亡 naming nobody (one member remains),
 * the widow becomes 世帯主 in the same event, the registry revokes the
 * deceased's card at the center through the municipality's API the same
 * day, and the widow's 住民票 prints herself as 世帯主 — not a blank
 * householder with 続柄 妻.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { cards, cardStatusChanges } from "../db/jlis/schema.ts";
import type { KioskRefusal } from "../services/kiosk/kiosk.ts";
import {
  ONE_NODE,
  openIssuanceWorld,
  openRegistryWindows,
  served,
} from "./support/issuance_world.ts";
import { TOKENS } from "./support/jlis_world.ts";

const CODE = "401005";

Deno.test("[e2e] a householder's death: the widow becomes 世帯主 in the same event, the deceased's card is revoked at the center the same day", async () => {
  const w = await openIssuanceWorld({ nodes: ONE_NODE });
  try {
    const jdb = w.jlis.databases[0].db;
    const { app: window, pusher } = openRegistryWindows(w, {
      [CODE]: TOKENS.city,
    });

    const husband = await w.moveIn(CODE, {
      name: "小倉　一郎",
      nameKana: "コクラ　イチロウ",
      birthDate: "1950-03-03",
      sex: "male",
    });
    const household = await w.householdOf(CODE, husband);
    const wife = await w.moveIn(CODE, {
      name: "小倉　花子",
      nameKana: "コクラ　ハナコ",
      birthDate: "1952-04-04",
      sex: "female",
    }, { householdId: household, relationship: "妻" });
    const husbandCard = await w.issueCard(CODE, husband);
    const wifeCard = await w.issueCard(CODE, wife);
    await w.sync();
    served(
      await w.kiosk().run({ card: husbandCard, pin: "1234", type: "juminhyo" }),
    );

    const res = await window.request(`/municipalities/${CODE}/events`, {
      method: "POST",
      headers: {
        Authorization: "Bearer window-401005",
        "Content-Type": "application/json",
      },
      body: JSON.stringify({
        type: "shibou",
        date: "2026-11-25",
        notifiedDate: "2026-11-26",
        residentId: husband,
      }),
    });
    const committed = await res.json();
    assert.equal(res.status, 201, JSON.stringify(committed));
    await pusher.idle();

    // The center revoked the deceased's card, and only his, the same day.
    const [card] = await jdb.select().from(cards).where(
      eq(cards.serial, husbandCard.serial),
    );
    assert.equal(card.status, "revoked");
    const changes = await jdb.select().from(cardStatusChanges).where(
      eq(cardStatusChanges.serial, husbandCard.serial),
    );
    const revoked = changes.find((c) => c.toStatus === "revoked");
    assert.equal(revoked?.reason, `shibou seq ${committed.seq}`);
    const [hers] = await jdb.select().from(cards).where(
      eq(cards.serial, wifeCard.serial),
    );
    assert.equal(hers.status, "valid");

    await w.sync();
    const refused = await w.kiosk().run({
      card: husbandCard,
      pin: "1234",
      type: "juminhyo",
    });
    assert.equal(refused.ok, false);
    assert.equal((refused as KioskRefusal).code, "CARD_REVOKED");

    // The widow's 住民票 names her as 世帯主.
    const r = served(
      await w.kiosk().run({
        card: wifeCard,
        pin: "1234",
        type: "juminhyo",
        options: { zokugara: true },
      }),
    );
    assert.equal(r.sheets[0].subject.relationship, "世帯主");
    assert.equal(r.sheets[0].subject.householderName, "小倉　花子");
  } finally {
    await w.close();
  }
});
