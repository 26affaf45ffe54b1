import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { createCardRequest } from "../../../lib/card/card.ts";
import { kioskSessions, messageLog } from "../../../db/jlis/schema.ts";
import { createEphemeralCardAuthority } from "./card_authority.ts";
import { verifyCenterResponse } from "../../../lib/contracts/kiosk_center.ts";
import {
  kioskAuthenticate,
  openTestJlis,
  TEST_PIN_ITERATIONS,
  TOKENS,
} from "../../../tests/support/jlis_world.ts";

async function refusal(
  res: Response,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  assert.equal(res.headers.get("content-type"), "application/json");
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.code, code);
  assert.ok(body.message_ja, "a Japanese message for the kiosk");
  return body;
}

async function openSession(
  jlis: Awaited<ReturnType<typeof openTestJlis>>,
  token: string = TOKENS.kiosk,
) {
  const res = await jlis.call("POST", "/kiosk/sessions", { token, body: {} });
  assert.equal(res.status, 201);
  return await res.json() as {
    sessionId: string;
    nonce: string;
    expiresAt: string;
  };
}

Deno.test("[jlis] kiosk card authentication", async (t) => {
  const jlis = await openTestJlis();
  try {
    const card = await jlis.issueCard();

    await t.step(
      "POST /kiosk/sessions/{id}/authenticate accepts a valid card and names its municipality",
      async () => {
        const res = await kioskAuthenticate(jlis, card, "1234");
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/json");
        const body = await res.json();
        assert.equal(body.municipalityCode, "401005");
        assert.equal(body.cardSerial, card.serial);
        const [row] = await jlis.databases[0].db.select().from(kioskSessions)
          .where(eq(kioskSessions.id, body.sessionId));
        assert.equal(row.outcome, "AUTHENTICATED");
        assert.equal(row.kioskId, "kiosk-0001");
      },
    );

    await t.step("a nonce is single-use", async () => {
      const s = await openSession(jlis);
      const body = {
        certificatePem: card.certificatePem,
        signature: (await card.sign("1234", s.nonce)).toBase64(),
      };
      const first = await jlis.call(
        "POST",
        `/kiosk/sessions/${s.sessionId}/authenticate`,
        { body },
      );
      assert.equal(first.status, 200);
      await first.body?.cancel();
      const again = await jlis.call(
        "POST",
        `/kiosk/sessions/${s.sessionId}/authenticate`,
        { body },
      );
      await refusal(again, 409, "NONCE_REUSED");
    });

    await t.step("a nonce expires", async () => {
      const s = await openSession(jlis);
      const signature = (await card.sign("1234", s.nonce)).toBase64();
      jlis.clock.advance(60_001);
      const res = await jlis.call(
        "POST",
        `/kiosk/sessions/${s.sessionId}/authenticate`,
        {
          body: { certificatePem: card.certificatePem, signature },
        },
      );
      await refusal(res, 409, "NONCE_EXPIRED");
    });

    await t.step("a session belongs to the kiosk that opened it", async () => {
      const s = await openSession(jlis, TOKENS.kiosk2);
      const signature = (await card.sign("1234", s.nonce)).toBase64();
      const body = { certificatePem: card.certificatePem, signature };
      await refusal(
        await jlis.call("POST", `/kiosk/sessions/${s.sessionId}/authenticate`, {
          body,
        }),
        404,
        "SESSION_NOT_FOUND",
      );
      const own = await jlis.call(
        "POST",
        `/kiosk/sessions/${s.sessionId}/authenticate`,
        { body, token: TOKENS.kiosk2 },
      );
      assert.equal(
        own.status,
        200,
        "the other kiosk's try did not burn the session",
      );
      await own.body?.cancel();
    });

    await t.step(
      "a signature over another nonce is SIGNATURE_INVALID and still uses up the session",
      async () => {
        const s = await openSession(jlis);
        const other = await openSession(jlis);
        const body = {
          certificatePem: card.certificatePem,
          signature: (await card.sign("1234", other.nonce)).toBase64(),
        };
        await refusal(
          await jlis.call(
            "POST",
            `/kiosk/sessions/${s.sessionId}/authenticate`,
            { body },
          ),
          401,
          "SIGNATURE_INVALID",
        );
        await refusal(
          await jlis.call(
            "POST",
            `/kiosk/sessions/${s.sessionId}/authenticate`,
            { body },
          ),
          409,
          "NONCE_REUSED",
        );
        const garbage = await openSession(jlis);
        await refusal(
          await jlis.call(
            "POST",
            `/kiosk/sessions/${garbage.sessionId}/authenticate`,
            {
              body: {
                certificatePem: card.certificatePem,
                signature: "!!not base64!!",
              },
            },
          ),
          401,
          "SIGNATURE_INVALID",
        );
      },
    );

    await t.step("a card from another CA is CERT_INVALID", async () => {
      const other = await createEphemeralCardAuthority({
        clock: jlis.clock,
        notBefore: new Date("2025-01-01"),
      });
      const req = await createCardRequest();
      const issued = await other.issue(req.csrPem);
      const dir = await Deno.makeTempDir();
      try {
        const forged = await req.write(`${dir}/forged.json`, {
          certificatePem: issued.certificatePem,
          pin: "1234",
          iterations: TEST_PIN_ITERATIONS,
        });
        const body = await refusal(
          await kioskAuthenticate(jlis, forged, "1234"),
          401,
          "CERT_INVALID",
        );
        assert.equal(
          (body.details as { problem: string }).problem,
          "bad-signature",
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });

    await t.step(
      "a certificate the center never registered is CARD_UNKNOWN",
      async () => {
        const req = await createCardRequest();
        const issued = await jlis.authority.issue(req.csrPem);
        const dir = await Deno.makeTempDir();
        try {
          const ghost = await req.write(`${dir}/ghost.json`, {
            certificatePem: issued.certificatePem,
            pin: "1234",
            iterations: TEST_PIN_ITERATIONS,
          });
          await refusal(
            await kioskAuthenticate(jlis, ghost, "1234"),
            403,
            "CARD_UNKNOWN",
          );
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      },
    );

    await t.step(
      "every message is logged and every response carries the center's signature",
      async () => {
        const res = await jlis.call("POST", "/kiosk/sessions", { body: {} });
        const keyList = await jlis.signer.keyList();
        const v = await verifyCenterResponse(res, {
          method: "POST",
          path: "/kiosk/sessions",
          keyList,
        });
        assert.ok(v.ok, JSON.stringify(v));
        assert.equal(
          (await verifyCenterResponse(res, {
            method: "POST",
            path: "/kiosk/sessions/x",
            keyList,
          })).ok,
          false,
          "bound to the request",
        );
        await res.body?.cancel();
        const rows = await jlis.databases[0].db.select().from(messageLog).where(
          eq(messageLog.requestId, v.ok ? v.requestId : ""),
        );
        assert.deepEqual(rows.map((r) => r.direction).sort(), ["in", "out"]);
        const out = rows.find((r) => r.direction === "out")!;
        assert.equal(out.peer, "kiosk-0001");
        assert.equal(out.status, 201);
        assert.equal(out.keyId, v.ok ? v.keyId : "");
        const refused = await jlis.call("POST", "/kiosk/sessions", {
          token: "wrong",
          body: {},
        });
        assert.equal(refused.status, 401);
        assert.ok(
          refused.headers.get("X-Center-Signature"),
          "refusals are signed too",
        );
        await refused.body?.cancel();
      },
    );

    await t.step(
      "an expired certificate is CERT_INVALID (fake clock)",
      async () => {
        jlis.clock.advance(5 * 366 * 86_400_000);
        const body = await refusal(
          await kioskAuthenticate(jlis, card, "1234"),
          401,
          "CERT_INVALID",
        );
        assert.equal((body.details as { problem: string }).problem, "expired");
      },
    );
  } finally {
    await jlis.close();
  }
});
