import assert from "node:assert/strict";
import { asc, eq } from "drizzle-orm";
import { cardStatusChanges } from "../../../db/jlis/schema.ts";
import {
  kioskAuthenticate,
  NOBODY,
  openTestJlis,
  testBinding,
  TOKENS,
} from "../../../tests/support/jlis_world.ts";

async function expectStatus(
  res: Response,
  status: number,
  code?: string,
): Promise<Record<string, unknown>> {
  assert.equal(res.headers.get("content-type"), "application/json");
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  if (code) assert.equal(body.code, code);
  return body;
}

function verification(at: Date, over: Record<string, unknown> = {}) {
  return {
    verifiedBy: "staff-0042",
    method: "運転免許証",
    verifiedAt: new Date(at.getTime() - 10 * 60_000).toISOString(),
    windowOfficer: "staff-0007",
    ...over,
  };
}

Deno.test("[jlis] card status: emergency stop, resume with identity verification, revoke", async (t) => {
  const jlis = await openTestJlis({ instances: 2 });
  try {
    const card = await jlis.issueCard();
    const path = `/cards/${card.serial}`;
    const authOn = async (instance: number) =>
      await kioskAuthenticate(jlis, card, "1234", { instance });

    await t.step("a new card is valid on both instances", async () => {
      const body = await expectStatus(
        await jlis.call("GET", path, { token: TOKENS.city }),
        200,
      );
      assert.equal(body.status, "valid");
      for (const i of [0, 1]) await expectStatus(await authOn(i), 200);
    });

    await t.step(
      "the emergency stop on one instance is refused by both within 1 s",
      async () => {
        const stop = await jlis.call("POST", `${path}/suspend`, {
          token: TOKENS.stop,
          body: { reason: "紛失の届出（24時間コールセンター）" },
          instance: 0,
        });
        const stopped = performance.now();
        const body = await expectStatus(stop, 200);
        assert.equal(body.status, "suspended");
        assert.equal(body.changed, true);
        await expectStatus(await authOn(1), 403, "CARD_SUSPENDED");
        await expectStatus(await authOn(0), 403, "CARD_SUSPENDED");
        assert.ok(
          performance.now() - stopped < 1000,
          "both refused within 1 s of the stop",
        );
        const again = await jlis.call("POST", `${path}/suspend`, {
          token: TOKENS.stop,
          body: { reason: "再度の届出" },
        });
        assert.equal(
          (await expectStatus(again, 200)).changed,
          false,
          "a repeated stop is harmless",
        );
      },
    );

    await t.step("the emergency line cannot resume", async () => {
      const res = await jlis.call("POST", `${path}/resume`, {
        token: TOKENS.stop,
        body: { verification: verification(jlis.clock.now()) },
      });
      await expectStatus(res, 403, "FORBIDDEN");
    });

    await t.step(
      "resume without a complete, recent identity verification is refused",
      async () => {
        const now = jlis.clock.now();
        const cases: [unknown, string][] = [
          [{}, "verification missing"],
          [
            { verification: verification(now, { verifiedBy: "" }) },
            "verifiedBy missing",
          ],
          [
            { verification: verification(now, { windowOfficer: undefined }) },
            "windowOfficer missing",
          ],
          [{
            verification: verification(now, {
              verifiedAt: new Date(now.getTime() - 25 * 3600_000).toISOString(),
            }),
          }, "older than 24 hours"],
          [{
            verification: verification(now, {
              verifiedAt: new Date(now.getTime() + 3600_000).toISOString(),
            }),
          }, "in the future"],
        ];
        for (const [body, problem] of cases) {
          const res = await jlis.call("POST", `${path}/resume`, {
            token: TOKENS.city,
            body,
          });
          const err = await expectStatus(res, 403, "IDENTITY_NOT_VERIFIED");
          assert.match(JSON.stringify(err.details), new RegExp(problem));
        }
        const badMethod = await jlis.call("POST", `${path}/resume`, {
          token: TOKENS.city,
          body: { verification: verification(now, { method: "口頭" }) },
        });
        await expectStatus(badMethod, 400, "VALIDATION_FAILED");
        const otherCity = await jlis.call("POST", `${path}/resume`, {
          token: TOKENS.otherCity,
          body: { verification: verification(now) },
        });
        await expectStatus(otherCity, 403, "WRONG_MUNICIPALITY");
        await expectStatus(await authOn(1), 403, "CARD_SUSPENDED");
      },
    );

    await t.step(
      "resume with the verification is accepted and both instances accept the card again",
      async () => {
        const res = await jlis.call("POST", `${path}/resume`, {
          token: TOKENS.city,
          body: {
            reason: "カード発見",
            verification: verification(jlis.clock.now(), {
              method: "在留カード",
            }),
          },
          instance: 1,
        });
        assert.equal((await expectStatus(res, 200)).status, "valid");
        for (const i of [0, 1]) await expectStatus(await authOn(i), 200);
        const twice = await jlis.call("POST", `${path}/resume`, {
          token: TOKENS.city,
          body: { verification: verification(jlis.clock.now()) },
        });
        await expectStatus(twice, 409, "STATUS_UNCHANGED");
      },
    );

    await t.step("revoke is final", async () => {
      const res = await jlis.call("POST", `${path}/revoke`, {
        token: TOKENS.city,
        body: { reason: "再交付" },
      });
      assert.equal((await expectStatus(res, 200)).status, "revoked");
      for (const i of [0, 1]) {
        await expectStatus(await authOn(i), 403, "CARD_REVOKED");
      }
      const resume = await jlis.call("POST", `${path}/resume`, {
        token: TOKENS.city,
        body: { verification: verification(jlis.clock.now()) },
      });
      await expectStatus(resume, 403, "CARD_REVOKED");
      const stop = await jlis.call("POST", `${path}/suspend`, {
        token: TOKENS.stop,
        body: { reason: "紛失" },
      });
      await expectStatus(stop, 403, "CARD_REVOKED");
      const revoke = await jlis.call("POST", `${path}/revoke`, {
        token: TOKENS.city,
        body: { reason: "再度" },
      });
      await expectStatus(revoke, 403, "CARD_REVOKED");
    });

    await t.step(
      "every change is in the card's history, with the verification of the resume",
      async () => {
        const rows = await jlis.databases[0].db.select().from(cardStatusChanges)
          .where(eq(cardStatusChanges.serial, card.serial)).orderBy(
            asc(cardStatusChanges.id),
          );
        assert.deepEqual(rows.map((r) => [r.fromStatus, r.toStatus, r.actor]), [
          [null, "valid", "city-401005"],
          ["valid", "suspended", "emergency-line"],
          ["suspended", "valid", "city-401005"],
          ["valid", "revoked", "city-401005"],
        ]);
        assert.equal(
          (rows[2].verification as { method: string }).method,
          "在留カード",
        );
      },
    );

    await t.step(
      "a municipality issues and reads only its own cards",
      async () => {
        const other = await jlis.call("POST", "/cards", {
          token: TOKENS.otherCity,
          body: {
            municipalityCode: "401005",
            csrPem: "x",
            holderBinding: testBinding("401005", NOBODY),
          },
        });
        await expectStatus(other, 403, "WRONG_MUNICIPALITY");
        await expectStatus(
          await jlis.call("GET", path, { token: TOKENS.otherCity }),
          403,
          "WRONG_MUNICIPALITY",
        );
        await expectStatus(
          await jlis.call("GET", path, { token: TOKENS.kiosk }),
          403,
          "FORBIDDEN",
        );
        const bad = await jlis.call("POST", "/cards", {
          token: TOKENS.city,
          body: {
            municipalityCode: "401005",
            csrPem: "not a CSR",
            holderBinding: testBinding("401005", NOBODY),
          },
        });
        await expectStatus(bad, 400, "CSR_INVALID");
        await expectStatus(
          await jlis.call("GET", "/cards/abcdef", { token: TOKENS.stop }),
          404,
          "CARD_NOT_FOUND",
        );
      },
    );
  } finally {
    await jlis.close();
  }
});
