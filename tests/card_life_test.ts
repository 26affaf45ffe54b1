/**
 * The card's life at the window (issue 14, item 5), on both databases
 * (TEST_DATABASE_URL): a PIN locked after three wrong tries is reset at the
 * window with the identity check recorded at the center; a re-issue revokes
 * and unlinks the previous card; a face-authentication-only card is refused
 * at the kiosk with its own code.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { issueCardFile } from "../scripts/card_issue.ts";
import { resetCardPinAtWindow } from "../scripts/card_pin_reset.ts";
import { CardError, openCard } from "../lib/card/card.ts";
import { cardAuthMessage } from "../lib/card/certificate.ts";
import { cardPinResets, cards, kioskSessions } from "../db/jlis/schema.ts";
import { cardLinks } from "../db/registry/schema.ts";
import {
  makePerson,
  openTestRegistry,
  TOKENS as REGISTRY_TOKENS,
} from "./support/registry_world.ts";
import {
  kioskAuthenticate,
  NOBODY,
  openTestJlis,
  TEST_PIN_ITERATIONS,
  testBinding,
  testBindingKeys,
  TOKENS,
} from "./support/jlis_world.ts";

async function openWorld() {
  const [jlis, reg] = await Promise.all([
    openTestJlis(),
    openTestRegistry(["401005"]),
  ]);
  const dir = await Deno.makeTempDir({ prefix: "card-life-" });
  const moved = await reg.call("POST", "/municipalities/401005/events", {
    body: {
      type: "tennyu",
      date: "2026-11-20",
      person: makePerson(),
      previousAddress: "東京都千代田区千代田１番１号",
      address: "福岡県北九州市小倉北区城内１番１号",
    },
  });
  assert.equal(moved.status, 201);
  const residentId: string = (await moved.json()).residentIds[0];
  const route: typeof fetch = (input, init) => {
    const url = new URL(String(input));
    const app = url.host === "center.test" ? jlis.apps[0] : reg.app;
    return Promise.resolve(app.request(url.pathname, init));
  };
  const base = {
    municipalityCode: "401005",
    residentId,
    pin: "4321",
    centerUrl: "http://center.test",
    centerToken: TOKENS.city,
    registryUrl: "http://registry.test",
    registryToken: REGISTRY_TOKENS.city,
    bindingKey: testBindingKeys("401005")!,
    iterations: TEST_PIN_ITERATIONS,
    fetch: route,
  };
  const window = {
    municipalityCode: "401005",
    method: "運転免許証",
    verifiedBy: "staff-0042",
    windowOfficer: "staff-0007",
    centerUrl: "http://center.test",
    centerToken: TOKENS.city,
    fetch: route,
  };
  return {
    jlis,
    reg,
    dir,
    base,
    window,
    residentId,
    async close() {
      await Promise.all([jlis.close(), reg.close()]);
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("a PIN locked after three wrong tries is reset at the window: identity check recorded at the center, new PIN works, old does not", async () => {
  const w = await openWorld();
  try {
    const { jlis } = w;
    const issued = await issueCardFile({ ...w.base, out: `${w.dir}/a.json` });
    const card = await openCard(issued.out);
    assert.equal(await card.resetGeneration(), 0);
    for (const left of [2, 1]) {
      await assert.rejects(
        kioskAuthenticate(jlis, card, "0000"),
        (e) =>
          e instanceof CardError && e.code === "PIN_WRONG" &&
          e.remainingTries === left,
      );
    }
    await assert.rejects(
      kioskAuthenticate(jlis, card, "0000"),
      (e) => e instanceof CardError && e.code === "PIN_LOCKED",
    );
    await assert.rejects(
      kioskAuthenticate(jlis, card, "4321"),
      (e) => e instanceof CardError && e.code === "PIN_LOCKED",
      "the right PIN does not open a locked card",
    );

    // No identity check recorded: the center authorises nothing.
    const bare = await jlis.call("POST", `/cards/${card.serial}/pin-reset`, {
      token: TOKENS.city,
      body: { cardGeneration: 0 },
    });
    assert.equal(bare.status, 403);
    assert.equal((await bare.json()).code, "PIN_RESET_NOT_VERIFIED");
    const other = await jlis.call("POST", `/cards/${card.serial}/pin-reset`, {
      token: TOKENS.otherCity,
      body: {
        cardGeneration: 0,
        verification: {
          method: "旅券",
          verifiedBy: "s1",
          windowOfficer: "s2",
          verifiedAt: jlis.clock.now().toISOString(),
        },
      },
    });
    assert.equal((await other.json()).code, "WRONG_MUNICIPALITY");
    const skewed = await jlis.call("POST", `/cards/${card.serial}/pin-reset`, {
      token: TOKENS.city,
      body: {
        cardGeneration: 5,
        verification: {
          method: "旅券",
          verifiedBy: "s1",
          windowOfficer: "s2",
          verifiedAt: jlis.clock.now().toISOString(),
        },
      },
    });
    assert.equal((await skewed.json()).code, "PIN_RESET_OUT_OF_STEP");
    assert.equal(await card.remainingTries(), 0, "still locked");

    const done = await resetCardPinAtWindow({
      ...w.window,
      card: issued.out,
      newPin: "8765",
      verifiedAt: jlis.clock.now(),
    });
    assert.equal(done.generation, 1);
    assert.equal(await card.remainingTries(), 3);
    const auth = await kioskAuthenticate(jlis, card, "8765");
    assert.equal(auth.status, 200);
    await assert.rejects(
      kioskAuthenticate(jlis, card, "4321"),
      (e) => e instanceof CardError && e.code === "PIN_WRONG",
      "the old PIN no longer opens the card",
    );

    // The center's record: the check (ids, method, time), no personal data.
    const db = jlis.databases[0].db;
    const rows = await db.select().from(cardPinResets).where(
      eq(cardPinResets.serial, card.serial),
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0].id, done.resetId);
    assert.equal(rows[0].actor, "city-401005");
    assert.equal(rows[0].generation, 0);
    assert.equal(rows[0].retry, false);
    assert.deepEqual(Object.keys(rows[0].verification as object).sort(), [
      "method",
      "verifiedAt",
      "verifiedBy",
      "windowOfficer",
    ]);
    assert.equal(
      (rows[0].verification as { method: string }).method,
      "運転免許証",
    );
    const [row] = await db.select().from(cards).where(
      eq(cards.serial, card.serial),
    );
    assert.equal(row.pinResetGeneration, 1);

    // An authorisation is good for one reset: replaying it is refused.
    const again = await jlis.call("POST", `/cards/${card.serial}/pin-reset`, {
      token: TOKENS.city,
      body: {
        cardGeneration: 0,
        verification: {
          method: "旅券",
          verifiedBy: "s1",
          windowOfficer: "s2",
          verifiedAt: jlis.clock.now().toISOString(),
        },
      },
    });
    const replay = await again.json();
    assert.equal(again.status, 200, "a retry of generation 0 is answered");
    assert.equal(replay.retry, true);
    await assert.rejects(
      card.resetPin("1111", replay),
      (e) => e instanceof CardError && e.code === "PIN_RESET_REFUSED",
      "the card has moved on to generation 1",
    );
    const forged = { ...replay, generation: 1 };
    await assert.rejects(
      card.resetPin("1111", forged),
      (e) => e instanceof CardError && e.code === "PIN_RESET_REFUSED",
      "generation 0's key does not open generation 1's slot",
    );
    assert.equal((await kioskAuthenticate(jlis, card, "8765")).status, 200);
  } finally {
    await w.close();
  }
});

Deno.test("a re-issued card revokes and unlinks the previous one: the old card is refused, the new one authenticates", async () => {
  const w = await openWorld();
  try {
    const { jlis, reg } = w;
    const first = await issueCardFile({ ...w.base, out: `${w.dir}/1.json` });
    assert.deepEqual(first.revoked, []);
    const second = await issueCardFile({ ...w.base, out: `${w.dir}/2.json` });
    assert.deepEqual(second.revoked, [first.serial]);

    const old = await openCard(first.out);
    const auth = await kioskAuthenticate(jlis, old, "4321");
    assert.equal(auth.status, 403);
    assert.equal((await auth.json()).code, "CARD_REVOKED");
    const now = await openCard(second.out);
    const ok = await kioskAuthenticate(jlis, now, "4321");
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).cardSerial, second.serial);

    const status = await jlis.call("GET", `/cards/${first.serial}`, {
      token: TOKENS.city,
    });
    assert.equal((await status.json()).status, "revoked");
    // The registry: one active link, the new card's.
    const oldLink = await reg.call(
      "GET",
      `/municipalities/401005/card-links/${first.serial}`,
    );
    assert.equal(oldLink.status, 404);
    const newLink = await reg.call(
      "GET",
      `/municipalities/401005/card-links/${second.serial}`,
    );
    assert.equal((await newLink.json()).residentId, w.residentId);

    // The center replaces only a card bound to the same holder.
    const stranger = await jlis.issueCard({ holder: NOBODY });
    const { csrPem } = await testRequest();
    const res = await jlis.call("POST", "/cards", {
      token: TOKENS.city,
      body: {
        municipalityCode: "401005",
        csrPem,
        holderBinding: testBinding("401005", {
          ...NOBODY,
          name: "別人　花子",
        }),
        replaces: [stranger.serial],
      },
    });
    assert.equal(res.status, 409);
    assert.equal((await res.json()).code, "REISSUE_HOLDER_MISMATCH");
    assert.equal((await kioskAuthenticate(jlis, stranger, "1234")).status, 200);
  } finally {
    await w.close();
  }
});

Deno.test("a re-issue over a link the center never issued (a seeded, upper-case serial) issues and replaces the link", async () => {
  const w = await openWorld();
  try {
    // A link recorded before the center's records, as the demo seed writes.
    await w.reg.database.db.insert(cardLinks).values({
      serial: "ABCDEF0123",
      municipalityCode: "401005",
      residentId: w.residentId,
    });
    const card = await issueCardFile({ ...w.base, out: `${w.dir}/1.json` });
    assert.deepEqual(card.revoked, [], "nothing of it at the center");
    const [old] = await w.reg.database.db.select().from(cardLinks).where(
      eq(cardLinks.serial, "ABCDEF0123"),
    );
    assert.ok(old.unlinkedAt, "the old link is replaced");
    const now = await w.reg.call(
      "GET",
      `/municipalities/401005/card-links/${card.serial}`,
    );
    assert.equal((await now.json()).residentId, w.residentId);
  } finally {
    await w.close();
  }
});

async function testRequest() {
  const keys = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  );
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: "CN=My Number card",
    keys,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
  });
  return { keys, csrPem: csr.toString("pem") };
}

Deno.test("a face-authentication-only card is refused at the kiosk with its own code; its PIN cannot be reset", async () => {
  const w = await openWorld();
  try {
    const { jlis } = w;
    const issued = await issueCardFile({
      ...w.base,
      out: `${w.dir}/face.json`,
      pinless: true,
    });
    const card = await openCard(issued.out);
    assert.equal(card.pinless, true);
    assert.equal(await card.resetGeneration(), null);
    await assert.rejects(
      kioskAuthenticate(jlis, card, "1234"),
      (e) =>
        e instanceof CardError && e.code === "FACE_AUTH_CARD_NOT_USABLE" &&
        e.ja.startsWith(
          "顔認証マイナンバーカードはコンビニ交付に利用できません。",
        ),
    );

    // A signature made some other way (a reader that did the face match) is
    // refused by the center all the same, and nothing is authenticated.
    const { keys, csrPem } = await testRequest();
    const res = await jlis.call("POST", "/cards", {
      token: TOKENS.city,
      body: {
        municipalityCode: "401005",
        csrPem,
        holderBinding: testBinding("401005", NOBODY),
        pinless: true,
      },
    });
    const face = await res.json();
    assert.equal(res.status, 201);
    assert.equal(face.pinless, true);
    assert.equal(face.unblockKey, null);
    const open = await jlis.call("POST", "/kiosk/sessions", { body: {} });
    const session = await open.json();
    const signature = new Uint8Array(
      await crypto.subtle.sign(
        { name: "ECDSA", hash: "SHA-256" },
        keys.privateKey,
        cardAuthMessage(session.nonce),
      ),
    );
    const auth = await jlis.call(
      "POST",
      `/kiosk/sessions/${session.sessionId}/authenticate`,
      {
        body: {
          certificatePem: face.certificatePem,
          signature: signature.toBase64(),
        },
      },
    );
    const refusal = await auth.json();
    assert.equal(auth.status, 403);
    assert.equal(refusal.code, "FACE_AUTH_CARD_NOT_USABLE");
    assert.match(refusal.message_ja, /^顔認証マイナンバーカードは/);
    const [row] = await jlis.databases[0].db.select().from(kioskSessions)
      .where(eq(kioskSessions.id, session.sessionId));
    assert.equal(row.outcome, "FACE_AUTH_CARD_NOT_USABLE");
    assert.equal(row.cardSerial, null, "no card authenticated on the session");

    const reset = await jlis.call("POST", `/cards/${face.serial}/pin-reset`, {
      token: TOKENS.city,
      body: {
        cardGeneration: 0,
        verification: {
          method: "旅券",
          verifiedBy: "s1",
          windowOfficer: "s2",
          verifiedAt: jlis.clock.now().toISOString(),
        },
      },
    });
    assert.equal(reset.status, 409);
    assert.equal((await reset.json()).code, "PIN_RESET_UNAVAILABLE");
  } finally {
    await w.close();
  }
});
