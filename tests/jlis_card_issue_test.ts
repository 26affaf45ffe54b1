import assert from "node:assert/strict";
import { issueCardFile } from "../scripts/card_issue.ts";
import { openCard } from "../lib/card/card.ts";
import { cards } from "../db/jlis/schema.ts";
import {
  makePerson,
  openTestRegistry,
  TOKENS as REGISTRY_TOKENS,
} from "./support/registry_world.ts";
import {
  kioskAuthenticate,
  openTestJlis,
  TEST_PIN_ITERATIONS,
  testBindingKeys,
  TOKENS,
} from "./support/jlis_world.ts";

Deno.test("card:issue writes a working card and links its serial in the registry; a failed link revokes it", async () => {
  const [jlis, reg] = await Promise.all([
    openTestJlis(),
    openTestRegistry(["401005"]),
  ]);
  const dir = await Deno.makeTempDir({ prefix: "card-issue-" });
  try {
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
    const residentId = (await moved.json()).residentIds[0];
    // Route by host to the in-process apps.
    const route: typeof fetch = (input, init) => {
      const url = new URL(String(input));
      const app = url.host === "center.test" ? jlis.apps[0] : reg.app;
      return Promise.resolve(app.request(url.pathname, init));
    };
    const base = {
      municipalityCode: "401005",
      pin: "4321",
      centerUrl: "http://center.test",
      centerToken: TOKENS.city,
      registryUrl: "http://registry.test",
      registryToken: REGISTRY_TOKENS.city,
      bindingKey: testBindingKeys("401005")!,
      iterations: TEST_PIN_ITERATIONS,
      fetch: route,
    };

    const issued = await issueCardFile({
      ...base,
      residentId,
      out: `${dir}/card.json`,
    });
    const link = await reg.call(
      "GET",
      `/municipalities/401005/card-links/${issued.serial}`,
    );
    assert.equal(link.status, 200);
    assert.equal((await link.json()).residentId, residentId);
    const card = await openCard(issued.out);
    assert.equal(card.serial, issued.serial);
    const auth = await kioskAuthenticate(jlis, card, "4321");
    assert.equal(auth.status, 200);
    assert.equal((await auth.json()).cardSerial, issued.serial);

    await assert.rejects(
      issueCardFile({ ...base, residentId, out: issued.out }),
      /already exists/,
    );
    // No holder record: nothing is issued at all.
    const ghost = await issueCardFile({
      ...base,
      residentId: "401005-99999999",
      out: `${dir}/ghost.json`,
    })
      .then(() => null, (e: Error) => e);
    assert.match(String(ghost?.message), /refused the holder's record: 404/);
    // A window credential that may read but not link: the link fails after
    // the center issued, and the certificate is revoked.
    const err = await issueCardFile({
      ...base,
      registryToken: REGISTRY_TOKENS.reader,
      residentId,
      out: `${dir}/unlinked.json`,
    })
      .then(() => null, (e: Error) => e);
    assert.match(
      String(err?.message),
      /registry refused the card link: 403.*the certificate was revoked/,
    );
    const statuses = (await jlis.databases[0].db.select().from(cards)).map((
      c,
    ) => c.status).sort();
    // The resident had a card, so this was a re-issue: the center revoked
    // the old card with the new one's issue, and the failed link revoked the
    // new one; the holder must come back to the window.
    assert.deepEqual(statuses, ["revoked", "revoked"]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [
      "card.json",
    ], "no file left for the failed card");
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Promise.all([jlis.close(), reg.close()]);
  }
});
