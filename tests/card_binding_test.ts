/**
 * The center's own binding of a card to its holder, end to end through the
 * issuance world (registry → replica → center ← kiosk): a legitimate name
 * change (婚姻による氏の変更, recorded as 職権修正) updates the binding in the
 * registry's flow and the next issuance succeeds; the same change without
 * the update, or a card re-linked by an authorised municipal window to
 * another resident, is withheld by the center's binding — incident
 * recorded, tenant halted, the kiosk told only the neutral refusal.
 *
 * @module
 */
import assert from "node:assert/strict";
import { desc, eq } from "drizzle-orm";
import {
  cardBindingChanges,
  cardBindings,
  incidents,
  issuanceRequests,
} from "../db/jlis/schema.ts";
import { isHalted, resumeTenant } from "../services/jlis/issuance/incidents.ts";
import type { KioskReceipt, KioskRefusal } from "../services/kiosk/kiosk.ts";
import {
  ONE_NODE,
  openIssuanceWorld,
  openRegistryWindows,
} from "./support/issuance_world.ts";
import { TOKENS } from "./support/jlis_world.ts";

const CODE = "401005";

function ok(r: KioskReceipt | KioskRefusal): KioskReceipt {
  if (!r.ok) assert.fail(`refused: ${r.code} ${r.message_en}`);
  return r;
}

Deno.test("[e2e] card ↔ holder binding: a marriage updates it; a stale binding or a re-linked card is withheld, incident, halt", async (t) => {
  const w = await openIssuanceWorld({ nodes: ONE_NODE });
  try {
    const jdb = w.jlis.databases[0].db;
    // The municipality's registry as deployed: its events push binding
    // updates to the center with the municipality's center credential.
    const { app: window, pusher } = openRegistryWindows(w, {
      [CODE]: TOKENS.city,
    });
    const windowCall = async (method: string, path: string, body?: unknown) => {
      const res = await window.request(path, {
        method,
        headers: {
          Authorization: "Bearer window-401005",
          ...(body ? { "Content-Type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = await res.json();
      assert.ok(res.status < 300, `${method} ${path}: ${JSON.stringify(json)}`);
      return json;
    };
    const rename = (residentId: string, name: string, reason: string) =>
      ({
        type: "shokken_shusei",
        date: "2026-11-25",
        residentId,
        changes: { name },
        reason,
      }) as const;
    const expectWithheld = async (
      r: KioskReceipt | KioskRefusal,
      incidentCount: number,
    ) => {
      assert.equal(r.ok, false, "the document is withheld");
      const refusal = r as KioskRefusal;
      assert.equal(refusal.code, "ISSUANCE_WITHHELD", refusal.message_en);
      assert.doesNotMatch(
        `${refusal.message_ja} ${refusal.message_en}`,
        /binding|holder|本人/i,
        "the kiosk is not told why",
      );
      const all = await jdb.select().from(incidents).orderBy(
        desc(incidents.id),
      );
      assert.equal(all.length, incidentCount);
      assert.equal(all[0].kind, "BINDING_MISMATCH");
      assert.ok(await isHalted(jdb, CODE), "the tenant is halted");
      const [req] = await jdb.select().from(issuanceRequests).where(
        eq(issuanceRequests.requestId, all[0].requestId),
      );
      assert.equal(req.state, "withheld");
      await resumeTenant(jdb, CODE, {
        by: "ops",
        reason: "test: incident dealt with",
        at: w.clock.now(),
      });
    };

    const bride = await w.moveIn(CODE, {
      name: "北九　花子",
      nameKana: "キタキュウ　ハナコ",
      birthDate: "1990-06-01",
      sex: "female",
    });
    const card = await w.issueCard(CODE, bride);
    await w.sync();

    await t.step("the bound holder is issued", async () => {
      const r = ok(
        await w.kiosk().run({ card, pin: "1234", type: "juminhyo" }),
      );
      assert.equal(r.sheets[0].subject.name, "北九　花子");
      const [b] = await jdb.select().from(cardBindings).where(
        eq(cardBindings.serial, card.serial),
      );
      assert.ok(b, "the center holds a binding of the card");
      assert.ok(!JSON.stringify(b).includes("北九"), "a digest, not a name");
    });

    await t.step(
      "a marriage (氏の変更) updates the binding in the same flow; the next issuance succeeds",
      async () => {
        await windowCall(
          "POST",
          `/municipalities/${CODE}/events`,
          rename(bride, "門司　花子", "婚姻による氏の変更"),
        );
        const changes = await jdb.select().from(cardBindingChanges).where(
          eq(cardBindingChanges.serial, card.serial),
        );
        assert.equal(changes.length, 2, "issued, then the marriage");
        assert.match(changes[1].reason, /^shokken_shusei seq \d+$/);
        await w.sync();
        const r = ok(
          await w.kiosk().run({ card, pin: "1234", type: "juminhyo" }),
        );
        assert.equal(r.sheets[0].subject.name, "門司　花子");
        assert.equal((await jdb.select().from(incidents)).length, 0);
      },
    );

    await t.step(
      "the same change without the update (no push) is withheld",
      async () => {
        const groom = await w.moveIn(CODE, {
          name: "若松　健",
          birthDate: "1988-02-02",
          sex: "male",
        });
        const groomCard = await w.issueCard(CODE, groom);
        // Through the registry without the center push: the binding is stale.
        const res = await w.reg.call("POST", `/municipalities/${CODE}/events`, {
          body: rename(groom, "八幡　健", "婚姻による氏の変更"),
        });
        assert.equal(res.status, 201, JSON.stringify(await res.json()));
        await w.sync();
        await expectWithheld(
          await w.kiosk().run({
            card: groomCard,
            pin: "1234",
            type: "juminhyo",
          }),
          1,
        );
      },
    );

    await t.step(
      "a card re-linked by an authorised window to another resident is withheld",
      async () => {
        const other = await w.moveIn(CODE, {
          name: "戸畑　次郎",
          birthDate: "1970-03-03",
          sex: "male",
        });
        await windowCall(
          "DELETE",
          `/municipalities/${CODE}/card-links/${card.serial}`,
        );
        await windowCall("POST", `/municipalities/${CODE}/card-links`, {
          serial: card.serial,
          residentId: other,
        });
        await w.sync();
        const r = await w.kiosk().run({ card, pin: "1234", type: "juminhyo" });
        await expectWithheld(r, 2);
        const [last] = await jdb.select().from(issuanceRequests).orderBy(
          desc(issuanceRequests.createdAt),
        ).limit(1);
        assert.equal(last.outcome, "BINDING_MISMATCH");
        // A window cannot rebind the card to the new resident without
        // the current digest: the center refuses a blind update.
        const forced = await w.jlis.call(
          "PUT",
          `/cards/${card.serial}/binding`,
          {
            token: TOKENS.city,
            body: {
              previousDigest: "A".repeat(43),
              digest: "B".repeat(43),
              reason: "forced",
            },
          },
        );
        assert.equal(forced.status, 409);
        assert.equal((await forced.json()).code, "BINDING_CONFLICT");
        const foreign = await w.jlis.call(
          "PUT",
          `/cards/${card.serial}/binding`,
          {
            token: TOKENS.otherCity,
            body: {
              previousDigest: "A".repeat(43),
              digest: "B".repeat(43),
              reason: "forced",
            },
          },
        );
        assert.equal(foreign.status, 403);
      },
    );
    await pusher.idle();
  } finally {
    await w.close();
  }
});
