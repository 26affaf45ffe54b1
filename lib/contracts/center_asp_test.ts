import assert from "node:assert/strict";
import { makeInkanSheet } from "../../tests/fixtures/certificate.ts";
import {
  aspCertificateRequestSchema,
  aspHouseholdSchema,
  builtCertificateSchema,
  deliveredManySchema,
  requestSigningInput,
} from "./center_asp.ts";
import { responseSigningInput } from "./kiosk_center.ts";
import { decodeSheet, sheetToJson } from "./sheet_wire.ts";
import { parseMessage } from "./wire.ts";

const overTheWire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function built() {
  return {
    requestId: "req-00000000-0000-4000-8000-000000000001",
    applicantResidentId: "401005-000001",
    replicaSeq: 42,
    sheets: [sheetToJson(makeInkanSheet())],
    household: {
      householdId: "401005-H0001",
      householderId: null,
      memberIds: ["401005-000001"],
    },
  };
}

Deno.test("builtCertificateSchema parses the ASP's answer, and its sheets decode back", () => {
  const answer = parseMessage(
    builtCertificateSchema,
    overTheWire(built()),
    "The ASP's build answer",
  );
  assert.deepEqual(answer, built());
  assert.deepEqual(answer.sheets.map(decodeSheet), [makeInkanSheet()]);
});

Deno.test("builtCertificateSchema refuses an answer without an applicant or with a broken sheet", () => {
  const { applicantResidentId: _, ...noApplicant } = built();
  assert.throws(
    () => parseMessage(builtCertificateSchema, noApplicant, "The answer"),
    /The answer is malformed: applicantResidentId: /,
  );
  const broken = { ...built(), sheets: [{ ...built().sheets[0], page: "1" }] };
  assert.throws(
    () => parseMessage(builtCertificateSchema, broken, "The answer"),
    /The answer is malformed: sheets\.0\.page: /,
  );
  assert.throws(
    () =>
      parseMessage(deliveredManySchema, { delivered: [] }, "The confirmation"),
    /notFound/,
  );
});

Deno.test("aspCertificateRequestSchema fills defaults and needs an applicant or a card serial", () => {
  const req = {
    requestId: "req-00000000-0000-4000-8000-000000000001",
    type: "juminhyo",
    issueNumber: "401005-20261126-000123",
    issuedAt: "2026-11-26T10:15:00+09:00",
  };
  assert.throws(
    () => parseMessage(aspCertificateRequestSchema, req, "The request"),
    /give applicantResidentId or cardSerial/,
  );
  const parsed = parseMessage(
    aspCertificateRequestSchema,
    { ...req, cardSerial: "ab01" },
    "The request",
  );
  assert.equal(parsed.members, "self");
  assert.equal(parsed.includePdf, true);
  assert.deepEqual(parsed.options, {
    honseki: false,
    zokugara: false,
    myNumber: false,
  });
});

Deno.test("requestSigningInput() is its own context: a request signature never verifies as a response's", () => {
  const f = {
    method: "POST",
    path: "/tenants/401005/certificates",
    requestId: "req-1",
    time: "2026-11-26T01:15:00.000Z",
    bodySha256: "abc",
  };
  const text = new TextDecoder().decode(requestSigningInput(f));
  assert.equal(
    text,
    "konbini-jlis-request/v1\nPOST /tenants/401005/certificates\nreq-1\n2026-11-26T01:15:00.000Z\nabc",
  );
  assert.notDeepEqual(
    requestSigningInput(f),
    responseSigningInput({ ...f, status: 200 }),
  );
  assert.throws(
    () => requestSigningInput({ ...f, requestId: "req-1\nPOST /x" }),
    TypeError,
  );
});

Deno.test("aspHouseholdSchema: carries the tenant's household format; an answer without it (an earlier node build) is accepted, another value refused", () => {
  const answer = {
    applicantResidentId: "r-1",
    replicaSeq: 7,
    members: [
      { residentId: "r-1", name: "北九　一郎", relationship: "世帯主" },
      { residentId: "r-2", name: "北九　花子", relationship: "妻" },
    ],
  };
  for (const householdFormat of ["kohyo", "renki"] as const) {
    assert.equal(
      aspHouseholdSchema.parse({ ...answer, householdFormat })
        .householdFormat,
      householdFormat,
    );
  }
  assert.equal(aspHouseholdSchema.parse(answer).householdFormat, undefined);
  for (const householdFormat of ["KOHYO", "both", null, 1]) {
    assert.equal(
      aspHouseholdSchema.safeParse({ ...answer, householdFormat }).success,
      false,
      String(householdFormat),
    );
  }
});
