import assert from "node:assert/strict";
import { makeSheet } from "../../tests/fixtures/certificate.ts";
import { createSigner, generateSigningKey } from "../crypto/signer.ts";
import {
  kioskHouseholdSchema,
  printOutcomeSchema,
  releasedDocumentSchema,
  responseSigningInput,
  verifyCenterResponse,
} from "./kiosk_center.ts";
import { backSideToJson, decodeSheet, sheetToJson } from "./sheet_wire.ts";
import {
  formatSignatureHeader,
  sha256B64,
  SIGNATURE_HEADER,
} from "./signed_message.ts";
import { ContractError, parseMessage } from "./wire.ts";

const overTheWire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function releasedDocument() {
  const sheet = makeSheet();
  return {
    requestId: "req-00000000-0000-4000-8000-000000000001",
    issueNumber: sheet.issueNumber,
    municipalityCode: "401005",
    sessionId: "8d0f7c1e-5b1a-4c39-9a57-3f1a2b3c4d5e",
    cardSerial: "5bdddda40c86e83c5b7e3a6ad1ff3063",
    applicantResidentId: "R0000001",
    pages: 1,
    fee: 200,
    copies: [{ copy: 1, issueNumber: sheet.issueNumber, pages: 1, fee: 200 }],
    sheets: [sheetToJson(sheet)],
    backs: [backSideToJson({
      keyId: "k1",
      issueNumber: sheet.issueNumber,
      symbols: [{
        x: 0,
        y: 0,
        moduleSize: 0.5,
        width: 2,
        height: 2,
        modules: new Uint8Array([1, 0, 0, 1]),
      }],
    })],
  };
}

Deno.test("releasedDocumentSchema parses what the center sends, and the sheets decode back", () => {
  const doc = parseMessage(
    releasedDocumentSchema,
    overTheWire(releasedDocument()),
    "The released document",
  );
  assert.deepEqual(doc, releasedDocument());
  assert.deepEqual(doc.sheets.map(decodeSheet), [makeSheet()]);
});

Deno.test("releasedDocumentSchema refuses a document whose pages and sheets disagree, or a field missing", () => {
  const doc = releasedDocument();
  assert.throws(
    () =>
      parseMessage(
        releasedDocumentSchema,
        { ...doc, pages: 2 },
        "The released document",
      ),
    /The released document is malformed: \(root\): one sheet and one back side per page/,
  );
  assert.throws(
    () =>
      parseMessage(
        releasedDocumentSchema,
        { ...doc, fee: 400 },
        "The released document",
      ),
    /copies numbered from 1, their pages and fees adding up/,
  );
  assert.throws(
    () =>
      parseMessage(
        printOutcomeSchema,
        { delivered: [1], voided: [], refund: 0 },
        "The center's print outcome",
      ),
    (e: unknown) =>
      e instanceof ContractError &&
      e.issues.some((i) => i.startsWith("issueNumber:")) &&
      e.issues.some((i) => i.startsWith("fee:")),
  );
});

Deno.test("verifyCenterResponse() accepts the center's signature over responseSigningInput(), and refuses a changed body", async () => {
  const key = await generateSigningKey({
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2028-01-01T00:00:00Z"),
  });
  const signer = await createSigner([key]);
  const keyList = await signer.keyList();
  const time = "2026-11-26T01:15:00.000Z";
  const body = JSON.stringify({ sessionId: "s", nonce: "n", expiresAt: time });
  const input = responseSigningInput({
    method: "POST",
    path: "/kiosk/sessions",
    requestId: "req-1",
    status: 201,
    time,
    bodySha256: await sha256B64(new TextEncoder().encode(body)),
  });
  const keyId = signer.activeKeyId();
  const sig = (await signer.sign(keyId, input)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
  const respond = (
    text: string,
    header = formatSignatureHeader({ keyId, time, sig }),
  ) =>
    new Response(text, {
      status: 201,
      headers: { [SIGNATURE_HEADER]: header, "X-Request-Id": "req-1" },
    });
  const opts = { method: "POST", path: "/kiosk/sessions", keyList };

  const ok = await verifyCenterResponse(respond(body), opts);
  assert.deepEqual(ok, { ok: true, keyId, requestId: "req-1", time });
  assert.deepEqual(
    await verifyCenterResponse(respond(body.replace('"n"', '"m"')), opts),
    { ok: false, reason: "bad-signature" },
  );
  assert.deepEqual(
    await verifyCenterResponse(respond(body), {
      ...opts,
      path: "/kiosk/requests",
    }),
    { ok: false, reason: "bad-signature" },
  );
  assert.deepEqual(
    await verifyCenterResponse(respond(body, "sig=nothing"), opts),
    { ok: false, reason: "malformed" },
  );
  assert.deepEqual(
    await verifyCenterResponse(new Response(body), opts),
    { ok: false, reason: "missing" },
  );
});

Deno.test("kioskHouseholdSchema: the household format is kohyo, renki or absent (unknown); nothing else", () => {
  const members = [
    { residentId: "r-1", name: "北九　一郎", relationship: "世帯主" },
  ];
  for (const householdFormat of ["kohyo", "renki"] as const) {
    assert.deepEqual(
      kioskHouseholdSchema.parse({ members, householdFormat }),
      { members, householdFormat },
    );
  }
  assert.deepEqual(kioskHouseholdSchema.parse({ members }), { members });
  for (const householdFormat of ["renki ", "個票式", null]) {
    assert.equal(
      kioskHouseholdSchema.safeParse({ members, householdFormat }).success,
      false,
      String(householdFormat),
    );
  }
  assert.equal(
    kioskHouseholdSchema.safeParse({ members, membersPerSheet: 4 }).success,
    false,
    "no other field of the profile",
  );
});
