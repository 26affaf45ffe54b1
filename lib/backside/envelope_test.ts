import assert from "node:assert/strict";
import { makeSampleSheet } from "../../tests/fixtures/sample_sheets.ts";
import { findVerificationKey } from "../crypto/key_list.ts";
import {
  contentHash,
  encodeHeader,
  openEnvelope,
  parseEnvelope,
  sealEnvelope,
  signEnvelope,
  verifyEnvelopeSignature,
} from "./envelope.ts";
import { encodeSheetContent } from "./canonical.ts";
import { ISSUED_AT, makeTestCenter } from "../../tests/fixtures/back_side.ts";
import { deflateSync } from "fflate";

Deno.test("sealEnvelope() → openEnvelope() returns the same sheet", async () => {
  const center = await makeTestCenter();
  for (const type of ["juminhyo", "inkan"] as const) {
    const sheet = await makeSampleSheet({ type, seed: 10 });
    const parsed = parseEnvelope(await sealEnvelope(sheet, center));
    assert.equal(parsed.header.issueNumber, sheet.issueNumber);
    assert.equal(parsed.header.encKeyId, "enc-test-1");
    assert.equal(parsed.iv.length, 12);
    assert.equal(parsed.signature.length, 64);
    const key = await findVerificationKey(
      center.keyList,
      parsed.header.signKeyId,
      ISSUED_AT,
    );
    assert.equal(key.status, "ok");
    if (key.status === "ok") {
      assert.equal(await verifyEnvelopeSignature(parsed, key.key), true);
    }
    const opened = await openEnvelope(parsed, center.encryptionKey);
    assert.deepEqual(opened, { ok: true, sheet });
  }
});

Deno.test("sealEnvelope() uses a fresh IV and salt every time", async () => {
  const center = await makeTestCenter();
  const sheet = await makeSampleSheet({ type: "juminhyo", seed: 11 });
  const a = parseEnvelope(await sealEnvelope(sheet, center));
  const b = parseEnvelope(await sealEnvelope(sheet, center));
  assert.notDeepEqual(a.iv, b.iv);
  assert.notDeepEqual(a.header.contentHash, b.header.contentHash);
});

Deno.test("the signature covers every header field and the ciphertext", async () => {
  const center = await makeTestCenter();
  const sheet = await makeSampleSheet({ type: "juminhyo", seed: 12 });
  const bytes = await sealEnvelope(sheet, center);
  const key = await findVerificationKey(
    center.keyList,
    parseEnvelope(bytes).header.signKeyId,
    ISSUED_AT,
  );
  assert.equal(key.status, "ok");
  if (key.status !== "ok") return;
  // Flip one bit at every position before the signature.
  for (let i = 3; i < bytes.length - 64; i += 7) {
    const altered = bytes.slice();
    altered[i] ^= 0x01;
    let parsed;
    try {
      parsed = parseEnvelope(altered);
    } catch {
      continue; // no longer parses: also rejected
    }
    assert.equal(
      await verifyEnvelopeSignature(parsed, key.key),
      false,
      `byte ${i}`,
    );
  }
});

Deno.test("openEnvelope() rejects a re-signed envelope with another sheet's content", async () => {
  const center = await makeTestCenter();
  const a = await makeSampleSheet({ type: "juminhyo", seed: 13 });
  const b = await makeSampleSheet({ type: "juminhyo", seed: 14 });
  const ea = parseEnvelope(await sealEnvelope(a, center));
  const eb = parseEnvelope(await sealEnvelope(b, center));

  // 1. Ciphertext of B under header of A: AES-GCM's AAD no longer matches.
  const swapped = parseEnvelope(
    await signEnvelope(ea.header, eb.iv, eb.ciphertext, center.signer),
  );
  const r1 = await openEnvelope(swapped, center.encryptionKey);
  assert.equal(r1.ok, false);
  if (!r1.ok) assert.equal(r1.failure, "decrypt-failed");

  // 2. B's content encrypted under A's header (content hash of A): hash differs.
  const salt = new Uint8Array(16);
  const iv = new Uint8Array(12);
  const plaintext = new Uint8Array([
    ...salt,
    ...deflateSync(encodeSheetContent(b)),
  ]);
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encodeHeader(ea.header) },
      center.encryptionKey.key,
      plaintext,
    ),
  );
  const r2 = await openEnvelope(
    parseEnvelope(await signEnvelope(ea.header, iv, ct, center.signer)),
    center.encryptionKey,
  );
  assert.equal(r2.ok, false);
  if (!r2.ok) assert.equal(r2.failure, "hash-mismatch");

  // 3. Hash made to match B, header still naming A's issue number.
  const header = {
    ...ea.header,
    contentHash: await contentHash(salt, encodeSheetContent(b)),
  };
  const ct3 = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encodeHeader(header) },
      center.encryptionKey.key,
      plaintext,
    ),
  );
  const r3 = await openEnvelope(
    parseEnvelope(await signEnvelope(header, iv, ct3, center.signer)),
    center.encryptionKey,
  );
  assert.equal(r3.ok, false);
  if (!r3.ok) {
    assert.equal(r3.failure, "header-mismatch");
    assert.match(r3.detail, /issueNumber/);
  }
});

Deno.test("parseEnvelope() rejects bytes that are not an envelope", () => {
  assert.throws(() => parseEnvelope(new Uint8Array(10)), /magic/);
  assert.throws(
    () => parseEnvelope(Uint8Array.of(0x4b, 0x42, 9, 1, 1, 1, 1)),
    /version/,
  );
  assert.throws(
    () => parseEnvelope(Uint8Array.of(0x4b, 0x42, 1, 1, 1, 1, 1, 200)),
    /truncated/,
  );
});
