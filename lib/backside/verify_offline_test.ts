import assert from "node:assert/strict";
import { makeSampleSheet } from "../../tests/fixtures/sample_sheets.ts";
import { buildBackSide } from "./build_back_side.ts";
import { sealEnvelope } from "./envelope.ts";
import { makeTestCenter, scanPng } from "../../tests/fixtures/back_side.ts";
import { loadScan } from "./load_scan.ts";
import { readSymbols } from "./zxing.ts";
import { verifyOffline } from "./verify_offline.ts";
import { splitIntoChunks } from "./chunks.ts";

const center = await makeTestCenter();

Deno.test("verifyOffline() checks signature and issue number without any decryption key", async () => {
  const sheet = await makeSampleSheet({ type: "juminhyo", seed: 201 });
  const envelope = await sealEnvelope(sheet, center);
  const r = await verifyOffline(envelope, center.keyList);
  assert.equal(r.valid, true);
  assert.equal(r.issueNumber, sheet.issueNumber);
  assert.equal(r.keyId, center.signer.activeKeyId());
  assert.equal(r.reason.code, "SIGNATURE_VALID");
  const wrong = await verifyOffline(envelope, center.keyList, {
    expectedIssueNumber: "401005-20261126-999999",
  });
  assert.equal(wrong.valid, false);
  assert.equal(wrong.reason.code, "ISSUE_NUMBER_MISMATCH");
});

Deno.test("verifyOffline() accepts the symbol payloads read off a scan", async () => {
  const sheet = await makeSampleSheet({ type: "inkan", seed: 202 });
  const back = await buildBackSide(sheet, center);
  const [page] = await loadScan(await scanPng(back, 200));
  const payloads = (await readSymbols(page.data, page.width, page.height)).map((
    s,
  ) => s.bytes);
  assert.ok(payloads.length >= 2);
  const r = await verifyOffline(payloads.slice(0, 2), center.keyList);
  assert.equal(r.valid, true, r.reason.en);
  assert.equal(r.issueNumber, sheet.issueNumber);
});

Deno.test("verifyOffline() rejects an altered envelope, an unknown key and foreign payloads", async () => {
  const sheet = await makeSampleSheet({ type: "juminhyo", seed: 203 });
  const envelope = await sealEnvelope(sheet, center);
  const altered = envelope.slice();
  altered[altered.length - 70] ^= 0x10; // ciphertext
  const r1 = await verifyOffline(altered, center.keyList);
  assert.equal(r1.valid, false);
  assert.equal(r1.reason.code, "SIGNATURE_INVALID");

  const other = await makeTestCenter();
  const r2 = await verifyOffline(envelope, other.keyList);
  assert.equal(r2.valid, false);
  assert.equal(r2.reason.code, "KEY_UNKNOWN");

  const r3 = await verifyOffline(
    [new TextEncoder().encode("hello")],
    center.keyList,
  );
  assert.equal(r3.reason.code, "FOREIGN_SYMBOLS");

  const chunks = await splitIntoChunks(envelope, { n: 4, maxPayload: 400 });
  const r4 = await verifyOffline(chunks.slice(0, 1), center.keyList);
  assert.equal(r4.reason.code, "TOO_FEW_SYMBOLS");
});
