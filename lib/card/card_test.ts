import assert from "node:assert/strict";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import {
  type Card,
  CardError,
  createCardRequest,
  MAX_PIN_TRIES,
  openCard,
} from "./card.ts";
import {
  municipalityCodeExtension,
  readCardCertificate,
  verifyCardSignature,
} from "./certificate.ts";

const EC = { name: "ECDSA", namedCurve: "P-256" } as const;
const SHA = { name: "ECDSA", hash: "SHA-256" } as const;
const NONCE = "n0nce-for-the-card-tests_0123456789";

/** A tiny CA standing in for the center (the center's own is tested in services/jlis). */
async function testIssuer() {
  const keys = await crypto.subtle.generateKey(EC, false, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=Card test CA",
    notBefore: new Date("2025-01-01"),
    notAfter: new Date("2035-01-01"),
    keys,
    signingAlgorithm: SHA,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
  });
  let serial = 0x10;
  return async (csrPem: string) => {
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (serial++).toString(16).padStart(4, "0") + "ab",
      subject: "CN=card",
      issuer: ca.subject,
      notBefore: new Date("2025-01-01"),
      notAfter: new Date("2030-01-01"),
      publicKey: await csr.publicKey.export(EC, ["verify"]),
      signingKey: keys.privateKey,
      signingAlgorithm: SHA,
      extensions: [municipalityCodeExtension("401005")],
    });
    return cert.toString("pem");
  };
}

const issue = await testIssuer();

async function withCard(
  fn: (card: Card, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "card-test-" });
  try {
    const req = await createCardRequest();
    const card = await req.write(`${dir}/card.json`, {
      certificatePem: await issue(req.csrPem),
      pin: "1234",
      iterations: 1000,
    });
    await fn(card, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function refusal(p: Promise<unknown>): Promise<CardError> {
  const err = await p.then(() => null, (e) => e);
  assert.ok(err instanceof CardError, `expected a CardError, got ${err}`);
  return err;
}

Deno.test("card.sign() with the right PIN signs the nonce under the certificate's key", async () => {
  await withCard(async (card) => {
    assert.equal(card.municipalityCode, "401005");
    assert.match(card.serial, /^[0-9a-f]+$/);
    assert.equal(await card.remainingTries(), MAX_PIN_TRIES);
    const sig = await card.sign("1234", NONCE);
    assert.equal(sig.length, 64);
    const { certificate } = readCardCertificate(card.certificatePem);
    assert.equal(await verifyCardSignature(certificate, NONCE, sig), true);
    assert.equal(
      await verifyCardSignature(certificate, NONCE + "x", sig),
      false,
    );
  });
});

Deno.test("card.sign() counts wrong PINs and a success resets the counter", async () => {
  await withCard(async (card) => {
    assert.equal((await refusal(card.sign("0000", NONCE))).remainingTries, 2);
    const second = await refusal(card.sign("1111", NONCE));
    assert.equal(second.code, "PIN_WRONG");
    assert.equal(second.remainingTries, 1);
    assert.match(second.ja, /あと1回/);
    assert.equal(
      await (await openCard(card.path)).remainingTries(),
      1,
      "the counter is in the file",
    );
    await card.sign("1234", NONCE);
    assert.equal(await card.remainingTries(), 3);
    assert.equal(
      (await refusal(card.sign("0000", NONCE))).remainingTries,
      2,
      "counting starts over",
    );
  });
});

Deno.test("card.sign() locks after 3 wrong PINs in a row, across reopening (until a reset at the window)", async () => {
  await withCard(async (card, dir) => {
    await refusal(card.sign("0000", NONCE));
    await refusal(card.sign("0000", NONCE));
    const third = await refusal(card.sign("0000", NONCE));
    assert.equal(third.code, "PIN_LOCKED");
    assert.equal(third.remainingTries, 0);
    assert.equal(
      (await refusal(card.sign("1234", NONCE))).code,
      "PIN_LOCKED",
      "the right PIN no longer helps",
    );
    const reopened = await openCard(card.path);
    assert.equal(await reopened.remainingTries(), 0);
    assert.equal(
      (await refusal(reopened.sign("1234", NONCE))).code,
      "PIN_LOCKED",
    );
    const left = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(left, ["card.json"], "no temporary files left behind");
  });
});

Deno.test("card.sign() refuses a malformed PIN without counting it", async () => {
  await withCard(async (card) => {
    await assert.rejects(card.sign("12345", NONCE), RangeError);
    await assert.rejects(card.sign("abcd", NONCE), RangeError);
    assert.equal(await card.remainingTries(), 3);
  });
});

Deno.test("a tampered card file is refused: counter reset, certificate swapped, garbage", async () => {
  await withCard(async (card) => {
    await refusal(card.sign("0000", NONCE));
    await refusal(card.sign("0000", NONCE));
    const original = await Deno.readTextFile(card.path);
    const f = JSON.parse(original);

    await Deno.writeTextFile(card.path, JSON.stringify({ ...f, failures: 0 }));
    const reset = await refusal(card.sign("1234", NONCE));
    assert.equal(reset.code, "CARD_FILE_INVALID");
    await assert.rejects(openCard(card.path), CardError);

    const other = await createCardRequest();
    await Deno.writeTextFile(
      card.path,
      JSON.stringify({ ...f, certificatePem: await issue(other.csrPem) }),
    );
    assert.equal(
      (await refusal(card.sign("1234", NONCE))).code,
      "CARD_FILE_INVALID",
    );

    await Deno.writeTextFile(card.path, original.slice(0, 100));
    assert.equal(
      (await refusal(card.sign("1234", NONCE))).code,
      "CARD_FILE_INVALID",
    );

    await Deno.writeTextFile(card.path, original);
    assert.equal(
      await card.remainingTries(),
      1,
      "the untouched file still counts",
    );
  });
});

Deno.test("CardRequest.write() refuses a certificate for another key and an existing file", async () => {
  await withCard(async (card, dir) => {
    const req = await createCardRequest();
    const other = await createCardRequest();
    await assert.rejects(
      req.write(`${dir}/x.json`, {
        certificatePem: await issue(other.csrPem),
        pin: "1234",
        iterations: 1000,
      }),
      /not for this card's key/,
    );
    await assert.rejects(
      req.write(card.path, {
        certificatePem: await issue(req.csrPem),
        pin: "1234",
        iterations: 1000,
      }),
      Deno.errors.AlreadyExists,
    );
    await assert.rejects(
      req.write(`${dir}/y.json`, {
        certificatePem: await issue(req.csrPem),
        pin: "12",
        iterations: 1000,
      }),
      RangeError,
    );
  });
});

Deno.test("a try is on disk before the PIN is checked: killing the card mid-check still counts it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "card-test-" });
  try {
    const req = await createCardRequest();
    const path = `${dir}/card.json`;
    // Slow PBKDF2 so that the check is still running when the process is killed.
    await req.write(path, {
      certificatePem: await issue(req.csrPem),
      pin: "1234",
      iterations: 300_000,
    });
    const code = `const { openCard } = await import(${
      JSON.stringify(new URL("./card.ts", import.meta.url).href)
    });
      const card = await openCard(${JSON.stringify(path)});
      console.log("ready");
      await card.sign("0000", ${JSON.stringify(NONCE)}).catch(() => {});
      console.log("done");`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", code],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + 20_000;
    while (JSON.parse(await Deno.readTextFile(path)).failures === 0) {
      assert.ok(Date.now() < deadline, "the card never counted the try");
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill("SIGKILL");
    const out = new TextDecoder().decode((await child.output()).stdout);
    assert.ok(
      !out.includes("done"),
      "the process was killed before it knew the result",
    );
    assert.equal(await (await openCard(path)).remainingTries(), 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
