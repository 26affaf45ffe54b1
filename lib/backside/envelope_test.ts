import assert from "node:assert/strict";
import { makeSampleSheet } from "../../tests/fixtures/sample_sheets.ts";
import { findVerificationKey } from "../crypto/key_list.ts";
import {
  contentHash,
  encodeHeader,
  EnvelopeFormatError,
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
  for (const type of ["juminhyo", "inkan", "kisai"] as const) {
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

/** The byte ranges of an envelope's signed fields, from its parsed header. */
function signedFields(
  bytes: Uint8Array,
): Array<{ field: string; start: number; end: number }> {
  const { header, ciphertext } = parseEnvelope(bytes);
  const fields: Array<[string, number]> = [
    ["magic", 2],
    ["version", 1],
    ["type", 1],
    ["templateVersion", 1],
    ["page", 1],
    ["pages", 1],
    ...(["signKeyId", "encKeyId", "issueNumber", "issuedAt", "municipalityCode"]
      .map((f): [string, number] => [
        f,
        1 + new TextEncoder().encode(header[f as "signKeyId"]).length,
      ])),
    ["contentHash", 32],
    ["iv", 12],
    ["ciphertextLength", 2],
    ["ciphertext", ciphertext.length],
  ];
  let at = 0;
  const out = fields.map(([field, n]) => ({ field, start: at, end: at += n }));
  assert.equal(at + 64, bytes.length, "fields then the 64-byte signature");
  return out;
}

/** Fields any change to which the parser itself refuses (structure, not content). */
const STRUCTURAL = new Set(["magic", "version", "ciphertextLength"]);

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
  assert.equal(
    await verifyEnvelopeSignature(parseEnvelope(bytes), key.key),
    true,
  );
  const fields = signedFields(bytes);
  for (const { field, start, end } of fields) {
    let tampered = 0, badSignature = 0, unparsable = 0;
    // Every byte of a header field, every 7th of the ciphertext (and its
    // last); one bit flipped, and two (a type code 1 → 2 is another type).
    const step = field === "ciphertext" ? 7 : 1;
    const positions = new Set<number>();
    for (let i = start; i < end; i += step) positions.add(i);
    positions.add(end - 1);
    for (const i of positions) {
      for (const mask of [0x01, 0x03]) {
        const altered = bytes.slice();
        altered[i] ^= mask;
        tampered++;
        let parsed;
        try {
          parsed = parseEnvelope(altered);
        } catch (e) {
          assert.ok(e instanceof EnvelopeFormatError, `${field} byte ${i}`);
          unparsable++;
          continue;
        }
        assert.equal(
          await verifyEnvelopeSignature(parsed, key.key),
          false,
          `${field}: byte ${i} ^ ${mask} still verifies`,
        );
        badSignature++;
      }
    }
    assert.equal(badSignature + unparsable, tampered, field);
    assert.ok(tampered >= 2, `${field} was not tampered with`);
    if (STRUCTURAL.has(field)) {
      assert.equal(unparsable, tampered, `${field} changes must not parse`);
    } else {
      assert.ok(
        badSignature > 0,
        `${field}: no change reached the signature check`,
      );
    }
  }
  assert.deepEqual(fields.map((f) => f.field), [
    "magic",
    "version",
    "type",
    "templateVersion",
    "page",
    "pages",
    "signKeyId",
    "encKeyId",
    "issueNumber",
    "issuedAt",
    "municipalityCode",
    "contentHash",
    "iv",
    "ciphertextLength",
    "ciphertext",
  ]);
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
