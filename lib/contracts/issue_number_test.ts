import assert from "node:assert/strict";
import {
  formatIssueNumber,
  ISSUE_NUMBER_PATTERN,
  issueNumberSchema,
  municipalityOfIssueNumber,
  parseIssueNumber,
  printedIssueNumber,
} from "./issue_number.ts";

const PARTS = {
  date: "2026-11-26",
  municipalityCode: "401005",
  terminal: "kiosk-0001",
  serial: 123,
};
const NUMBER = "20261126-401005-kiosk-0001-01-0000123";

Deno.test("formatIssueNumber() writes date, municipality, terminal, printer and serial (j1040)", () => {
  assert.equal(formatIssueNumber(PARTS), NUMBER);
  assert.equal(
    formatIssueNumber({ ...PARTS, date: "20261126", printer: "02" }),
    "20261126-401005-kiosk-0001-02-0000123",
  );
  // a long serial keeps its digits; a kiosk id's odd characters become _
  assert.equal(
    formatIssueNumber({ ...PARTS, terminal: "店 1", serial: 123456789012n }),
    "20261126-401005-__1-01-123456789012",
  );
  // a long kiosk id: its first 16 characters
  assert.equal(
    formatIssueNumber({ ...PARTS, terminal: "kiosk-with-a-very-long-id" }),
    "20261126-401005-kiosk-with-a-ver-01-0000123",
  );
  for (
    const bad of [
      { ...PARTS, date: "2026-11" },
      { ...PARTS, municipalityCode: "40100" },
      { ...PARTS, printer: "1" },
      { ...PARTS, terminal: "" },
    ]
  ) assert.throws(() => formatIssueNumber(bad), RangeError);
});

Deno.test("parseIssueNumber() reads j1040's form and the old one back; anything else is null", () => {
  assert.deepEqual(parseIssueNumber(NUMBER), {
    form: "standard",
    date: "20261126",
    municipalityCode: "401005",
    terminal: "kiosk-0001",
    printer: "01",
    serial: "0000123",
  });
  // a terminal with dashes and digits: the printer and serial are the last two parts
  assert.equal(
    parseIssueNumber("20261126-401005-k-01-1234567-01-0000009")?.terminal,
    "k-01-1234567",
  );
  assert.deepEqual(parseIssueNumber("401005-20261126-0000123"), {
    form: "legacy",
    date: "20261126",
    municipalityCode: "401005",
    serial: "0000123",
  });
  for (
    const bad of [
      "",
      "401005",
      "401005-1",
      "20261126-401005-kiosk-0001-01-12",
      "20261126-401005--01-0000123",
      "20261126-401005-kiosk/1-01-0000123",
      "x401005-20261126-0000123",
    ]
  ) {
    assert.equal(parseIssueNumber(bad), null, bad);
    assert.equal(ISSUE_NUMBER_PATTERN.test(bad), false, bad);
    assert.equal(issueNumberSchema.safeParse(bad).success, false, bad);
  }
  assert.ok(issueNumberSchema.safeParse(NUMBER).success);
  assert.ok(issueNumberSchema.safeParse("401005-20261126-0000123").success);
});

Deno.test("municipalityOfIssueNumber() derives the municipality of a new and an old number", () => {
  assert.equal(municipalityOfIssueNumber(NUMBER), "401005");
  assert.equal(
    municipalityOfIssueNumber(
      formatIssueNumber({ ...PARTS, municipalityCode: "401307" }),
    ),
    "401307",
  );
  assert.equal(municipalityOfIssueNumber("401307-20261126-0000123"), "401307");
  // the date of a new number is never taken for a municipality
  assert.equal(
    municipalityOfIssueNumber("20261126-401307-kiosk-0001-01-0000123"),
    "401307",
  );
  assert.equal(municipalityOfIssueNumber("not-a-number"), undefined);
});

Deno.test("printedIssueNumber() prints j1040's items with the sheet's page / total; an old number as it is", () => {
  assert.equal(
    printedIssueNumber(NUMBER, {
      municipalityName: "北九州市",
      page: 1,
      pages: 2,
    }),
    "20261126 北九州市 kiosk-0001 プリンタ01 0000123 1/2",
  );
  assert.equal(
    printedIssueNumber("401005-20261126-0000123", {
      municipalityName: "北九州市",
      page: 2,
      pages: 2,
    }),
    "401005-20261126-0000123 2/2",
  );
});
