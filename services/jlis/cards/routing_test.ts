import assert from "node:assert/strict";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { createCardRequest } from "../../../lib/card/card.ts";
import {
  municipalityCodeExtension,
  readCardCertificate,
} from "../../../lib/card/certificate.ts";
import {
  generateCardAuthorityPem,
  loadCardAuthority,
} from "./card_authority.ts";
import { registerCard } from "./cards.ts";
import { continueCard, nextJstDay, reportMovedOut } from "./routing.ts";
import {
  kioskAuthenticate,
  NOBODY,
  openTestJlis,
  TEST_PIN_ITERATIONS,
  testBinding,
  testBindingKeys,
} from "../../../tests/support/jlis_world.ts";
import { JlisError } from "../errors.ts";

const EC = { name: "ECDSA", namedCurve: "P-256" } as const;
const SHA = { name: "ECDSA", hash: "SHA-256" } as const;

Deno.test("nextJstDay() is the start of the next day in Japan", () => {
  assert.equal(
    nextJstDay(new Date("2026-11-26T10:00:00+09:00")).toISOString(),
    "2026-11-26T15:00:00.000Z",
  );
  assert.equal(
    nextJstDay(new Date("2026-11-26T23:59:59+09:00")).toISOString(),
    "2026-11-26T15:00:00.000Z",
  );
  assert.equal(
    nextJstDay(new Date("2026-11-26T00:00:00+09:00")).toISOString(),
    "2026-11-26T15:00:00.000Z",
  );
});

Deno.test("a card issued with the old municipality-code extension routes by the center's table: carried on, it routes to the new city although its certificate names the old one", async () => {
  const pem = await generateCardAuthorityPem({
    notBefore: new Date("2025-01-01T00:00:00Z"),
  });
  const jlis = await openTestJlis({
    authority: await loadCardAuthority(pem.certificatePem, pem.privateKeyPem),
  });
  const dir = await Deno.makeTempDir({ prefix: "old-card-" });
  try {
    // An old card: the center's CA, the extension naming 北九州市.
    const caKey = await crypto.subtle.importKey(
      "pkcs8",
      x509.PemConverter.decodeFirst(pem.privateKeyPem),
      EC,
      false,
      ["sign"],
    );
    const ca = new x509.X509Certificate(pem.certificatePem);
    const req = await createCardRequest();
    const publicKey = await new x509.Pkcs10CertificateRequest(req.csrPem)
      .publicKey.export(EC, ["verify"]);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: "0a0b0c0d0e0f1011",
      subject: "C=JP, O=Konbini Issuance Project, CN=JPKI User Authentication",
      issuer: ca.subject,
      notBefore: new Date("2025-06-01T00:00:00Z"),
      notAfter: new Date("2030-06-01T00:00:00Z"),
      publicKey,
      signingKey: caKey,
      signingAlgorithm: SHA,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        municipalityCodeExtension("401005"),
      ],
    });
    const db = jlis.databases[0].db;
    await registerCard(
      db,
      {
        serial: cert.serialNumber.toLowerCase(),
        certificatePem: cert.toString("pem"),
        sha256: new Uint8Array(
          await crypto.subtle.digest("SHA-256", cert.rawData),
        ).toBase64({ alphabet: "base64url", omitPadding: true }),
        notBefore: cert.notBefore,
        notAfter: cert.notAfter,
      },
      {
        municipalityCode: "401005",
        holderBinding: testBinding("401005", NOBODY),
      },
      { client: "city-401005", requestId: "r1" },
      jlis.clock.now(),
    );
    const card = await req.write(`${dir}/old.json`, {
      certificatePem: cert.toString("pem"),
      pin: "1234",
      iterations: TEST_PIN_ITERATIONS,
    });
    assert.equal(card.municipalityCode, "401005", "the old card's file");
    assert.equal(
      readCardCertificate(card.certificatePem).municipalityCode,
      "401005",
    );
    const before = await kioskAuthenticate(jlis, card, "1234");
    assert.equal(before.status, 200);
    assert.equal((await before.json()).municipalityCode, "401005");

    // Only the card's municipality may report its move-out.
    const city = (code: string) => ({
      client: `city-${code}`,
      requestId: crypto.randomUUID(),
      municipalities: [code],
    });
    await assert.rejects(
      reportMovedOut(
        db,
        card.serial,
        { reason: "x" },
        city("401307"),
        jlis.clock.now(),
      ),
      (e) => e instanceof JlisError && e.code === "WRONG_MUNICIPALITY",
    );
    const out = await reportMovedOut(
      db,
      card.serial,
      { reason: "tenshutsu_kakutei seq 1" },
      city("401005"),
      jlis.clock.now(),
    );
    assert.equal(out.changed, true);
    const refused = await kioskAuthenticate(jlis, card, "1234");
    assert.equal((await refused.json()).code, "CARD_MOVED_OUT");

    const moved = await continueCard(
      db,
      testBindingKeys,
      card.serial,
      {
        municipalityCode: "401307",
        holder: NOBODY,
        verification: {
          method: "旅券",
          verifiedBy: "s1",
          windowOfficer: "s2",
          verifiedAt: jlis.clock.now().toISOString(),
        },
      },
      city("401307"),
      jlis.clock.now(),
    );
    assert.equal(moved.changed, true);
    assert.equal(moved.from, "401005");
    const pending = await kioskAuthenticate(jlis, card, "1234");
    assert.equal((await pending.json()).code, "CARD_CONTINUATION_PENDING");
    jlis.clock.advance(24 * 3600_000);
    const after = await kioskAuthenticate(jlis, card, "1234");
    assert.equal(after.status, 200);
    assert.equal(
      (await after.json()).municipalityCode,
      "401307",
      "the table, not the extension",
    );
  } finally {
    await jlis.close();
    await Deno.remove(dir, { recursive: true });
  }
});
