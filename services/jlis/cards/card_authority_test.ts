import assert from "node:assert/strict";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { createCardRequest } from "../../../lib/card/card.ts";
import { MUNICIPALITY_CODE_OID } from "../../../lib/card/certificate.ts";
import { fakeClock } from "../../../lib/time/clock.ts";
import {
  CARD_SUBJECT,
  type CardAuthority,
  CertificateRejected,
  createEphemeralCardAuthority,
  generateCardAuthorityPem,
  loadCardAuthority,
} from "./card_authority.ts";

const clock = fakeClock("2026-11-26T10:00:00+09:00");
const ca = await createEphemeralCardAuthority({
  clock,
  notBefore: new Date("2025-01-01T00:00:00Z"),
});

async function problemOf(
  authority: CardAuthority,
  pem: string,
  at: Date,
): Promise<string> {
  const err = await authority.check(pem, at).then(() => null, (e) => e);
  assert.ok(
    err instanceof CertificateRejected,
    `expected a rejection, got ${err}`,
  );
  return err.problem;
}

Deno.test("CardAuthority.issue() makes an X.509 v3 P-256 certificate with no personal data and no municipality", async () => {
  const req = await createCardRequest();
  const issued = await ca.issue(req.csrPem);
  const cert = new x509.X509Certificate(issued.certificatePem);
  assert.equal(cert.subject, CARD_SUBJECT);
  assert.equal(issued.serial, cert.serialNumber.toLowerCase());
  assert.equal(
    (cert.publicKey.algorithm as EcKeyAlgorithm).namedCurve,
    "P-256",
  );
  assert.equal(
    cert.getExtension(MUNICIPALITY_CODE_OID),
    null,
    "the center routes the card by its own table",
  );
  assert.equal(cert.getExtension(x509.BasicConstraintsExtension)?.ca, false);
  assert.equal(issued.notBefore.getTime(), clock.now().getTime());
  const years = (issued.notAfter.getTime() - issued.notBefore.getTime()) /
    (365.25 * 86_400_000);
  assert.ok(Math.abs(years - 5) < 0.01);
  const info = await ca.check(issued.certificatePem, clock.now());
  assert.equal(info.municipalityCode, null);
  assert.equal(info.sha256, issued.sha256);
});

Deno.test("CardAuthority.check() refuses a certificate from another CA, even one with the same name", async () => {
  const other = await createEphemeralCardAuthority({
    clock,
    notBefore: new Date("2025-01-01T00:00:00Z"),
  });
  const req = await createCardRequest();
  const foreign = await other.issue(req.csrPem);
  assert.equal(
    await problemOf(ca, foreign.certificatePem, clock.now()),
    "bad-signature",
  );
  const stranger = await createEphemeralCardAuthority({
    clock,
    commonName: "Someone Else CA",
  });
  const alien = await stranger.issue(req.csrPem);
  assert.equal(
    await problemOf(ca, alien.certificatePem, clock.now()),
    "untrusted-issuer",
  );
});

Deno.test("CardAuthority.check() refuses expired, not-yet-valid and malformed certificates", async () => {
  const req = await createCardRequest();
  const issued = await ca.issue(req.csrPem);
  assert.equal(
    await problemOf(
      ca,
      issued.certificatePem,
      new Date(issued.notAfter.getTime() + 1000),
    ),
    "expired",
  );
  assert.equal(
    await problemOf(
      ca,
      issued.certificatePem,
      new Date(issued.notBefore.getTime() - 1000),
    ),
    "not-yet-valid",
  );
  assert.equal(
    await problemOf(
      ca,
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
      clock.now(),
    ),
    "malformed",
  );
  assert.equal(
    await problemOf(ca, ca.certificatePem, clock.now()),
    "wrong-usage",
    "the CA itself is no card",
  );
});

Deno.test("CardAuthority.issue() refuses a request whose signature does not verify (no proof of possession)", async () => {
  const req = await createCardRequest();
  const der = new Uint8Array(
    new x509.Pkcs10CertificateRequest(req.csrPem).rawData,
  );
  der[der.length - 1] ^= 0x01; // last byte of the signature's s
  await assert.rejects(
    ca.issue(x509.PemConverter.encode(der.buffer, "CERTIFICATE REQUEST")),
    TypeError,
  );
  await assert.rejects(
    ca.issue("not a request"),
    TypeError,
  );
});

Deno.test("loadCardAuthority() imports the key non-extractable and checks what it issued", async () => {
  const pem = await generateCardAuthorityPem({
    notBefore: new Date("2025-01-01T00:00:00Z"),
  });
  const loaded = await loadCardAuthority(
    pem.certificatePem,
    pem.privateKeyPem,
    { clock },
  );
  const req = await createCardRequest();
  const issued = await loaded.issue(req.csrPem);
  assert.equal(
    (await loaded.check(issued.certificatePem, clock.now())).serial,
    issued.serial,
  );
  assert.equal(
    Object.values(loaded).some((v) => v instanceof CryptoKey),
    false,
    "no key on the object",
  );
});
