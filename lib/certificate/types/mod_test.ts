import assert from "node:assert/strict";
import { z } from "zod";
import {
  makeForeignSubject,
  makeInkanSheet,
  makeSheet,
} from "../../../tests/fixtures/certificate.ts";
import type { SheetContent } from "../model.ts";
import {
  assertNever,
  CERTIFICATE_TYPES,
  certificateTypeOfCode,
  entryOf,
  isCertificateType,
  sheetContentSchema,
} from "./mod.ts";

/** What JSON.stringify/parse does to a value (drops undefined). */
const overJson = (v: unknown) => JSON.parse(JSON.stringify(v));

Deno.test("sheetContentSchema parses a 住民票 sheet's wire JSON and encodes it back", () => {
  const sheet = makeSheet({
    subject: makeForeignSubject(),
    options: { zokugara: true },
  });
  const wire = overJson(sheet);
  const parsed = sheetContentSchema.parse(wire);
  assert.deepEqual(parsed, overJson(sheet));
  assert.deepEqual(overJson(z.encode(sheetContentSchema, sheet)), wire);
});

Deno.test("sheetContentSchema decodes a 印鑑's base64 seal and legacy options, and encodes them back", () => {
  const sheet = makeInkanSheet();
  // What senders have always put on the wire: PNG as base64, options all false.
  const wire = {
    ...overJson({ ...sheet, seal: { ...sheet.seal, png: "" } }),
    options: { honseki: false, zokugara: false, myNumber: false },
    seal: {
      registrationNumber: "12345",
      registeredDate: "2016-01-20",
      png: sheet.seal.png.toBase64(),
    },
  };
  const parsed = sheetContentSchema.parse(wire);
  assert.equal(parsed.type, "inkan");
  assert.ok(!("options" in parsed), "no meaningless options in memory");
  assert.ok(parsed.type === "inkan");
  assert.deepEqual(parsed.seal.png, sheet.seal.png);
  assert.deepEqual(overJson(z.encode(sheetContentSchema, sheet)), wire);
  // Without the legacy options it parses the same.
  const { options: _o, ...lean } = wire;
  assert.deepEqual(sheetContentSchema.parse(lean), parsed);
});

Deno.test("sheetContentSchema refuses what is not a sheet of its type", () => {
  const jumin = overJson(makeSheet());
  const inkan = overJson(z.encode(sheetContentSchema, makeInkanSheet()));
  const bad: [string, unknown][] = [
    ["unknown type", { ...jumin, type: "koseki" }],
    ["no type", { ...jumin, type: undefined }],
    ["seal on a 住民票", { ...jumin, seal: inkan.seal }],
    ["住民票 without options", { ...jumin, options: undefined }],
    ["印鑑 without a seal", { ...inkan, seal: undefined }],
    ["印鑑 with an option on", {
      ...inkan,
      options: { ...inkan.options, myNumber: true },
    }],
    ["seal PNG not base64", {
      ...inkan,
      seal: { ...inkan.seal, png: "%%%" },
    }],
    ["unknown field", { ...jumin, juminhyoCode: "98765432109" }],
    ["unknown subject field", {
      ...jumin,
      subject: { ...jumin.subject, extra: 1 },
    }],
    ["page 0", { ...jumin, page: 0 }],
    ["template version 9", { ...jumin, templateVersion: 9 }],
    ["five people on a sheet", {
      ...jumin,
      members: [1, 2, 3, 4].map(() => jumin.subject),
    }],
    ["an empty list of members", { ...jumin, members: [] }],
    ["wholeHousehold false", { ...jumin, wholeHousehold: false }],
    ["a title no profile holds", {
      ...jumin,
      form: { juminhyoTitle: "住民票謄本" },
    }],
    ["unknown form field", { ...jumin, form: { color: "red" } }],
    ["not an object", "sheet"],
  ];
  for (const [what, value] of bad) {
    assert.equal(sheetContentSchema.safeParse(value).success, false, what);
  }
});

Deno.test("the catalogue helpers name types, find them by back-side code and refuse unknown ones", () => {
  assert.deepEqual([...CERTIFICATE_TYPES], ["juminhyo", "inkan", "kisai"]);
  assert.ok(isCertificateType("inkan"));
  assert.ok(!isCertificateType("koseki"));
  assert.ok(!isCertificateType(undefined));
  assert.equal(certificateTypeOfCode(1), "juminhyo");
  assert.equal(certificateTypeOfCode(2), "inkan");
  assert.equal(certificateTypeOfCode(3), "kisai");
  assert.equal(certificateTypeOfCode(4), undefined);
  assert.equal(entryOf(makeInkanSheet()).nameJa, "印鑑登録証明書");
  assert.throws(
    () =>
      entryOf({ ...makeSheet(), type: "koseki" } as unknown as SheetContent),
    RangeError,
  );
  assert.throws(
    () => assertNever({ type: "koseki" } as never, "certificate type"),
    /Unknown certificate type koseki/,
  );
});
