import assert from "node:assert/strict";
import type { BackSide } from "../certificate/model.ts";
import { makeInkanSheet, makeSheet } from "../../tests/fixtures/certificate.ts";
import {
  backSideFromJson,
  backSideToJson,
  sheetFromJson,
  sheetToJson,
} from "./sheet_wire.ts";
import { ContractError } from "./wire.ts";

/** Through JSON text, as the wire carries it. */
const overTheWire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function makeBackSide(): BackSide {
  // 5×3 = 15 modules: one whole byte and a partial one.
  const modules = Uint8Array.from(
    { length: 15 },
    (_, i) => (i * 7 + 3) % 5 < 2 ? 1 : 0,
  );
  return {
    keyId: "jlis-sign-2026",
    issueNumber: "401005-20261126-000123",
    symbols: [{ x: 10, y: 20, moduleSize: 0.4, width: 5, height: 3, modules }],
  };
}

Deno.test("sheetToJson() and sheetFromJson() round-trip a 住民票 and an 印鑑 sheet through JSON", () => {
  for (const sheet of [makeSheet(), makeInkanSheet()]) {
    const json = overTheWire(sheetToJson(sheet));
    assert.deepEqual(sheetFromJson(json), sheet);
  }
  const inkan = sheetToJson(makeInkanSheet());
  assert.equal(inkan.type === "inkan" && typeof inkan.seal.png, "string");
});

Deno.test("sheetFromJson() refuses a malformed sheet with the field named", () => {
  const json = overTheWire(sheetToJson(makeSheet())) as Record<
    string,
    unknown
  >;
  const noSubjectId = {
    ...json,
    subject: { ...(json.subject as object), residentId: undefined },
  };
  assert.throws(
    () => sheetFromJson(noSubjectId),
    (e: unknown) =>
      e instanceof ContractError &&
      /^A sheet is malformed: subject\.residentId: /.test(e.message),
  );
  assert.throws(
    () => sheetFromJson({ ...json, type: "koseki" }),
    /A sheet is malformed: type: /,
  );
  assert.throws(() => sheetFromJson("not a sheet"), ContractError);
  const inkan = overTheWire(sheetToJson(makeInkanSheet())) as {
    seal: { png: string };
  };
  assert.throws(
    () => sheetFromJson({ ...inkan, seal: { ...inkan.seal, png: "%%%" } }),
    /A sheet is malformed: seal\.png: .*base64/i,
  );
});

Deno.test("backSideToJson() and backSideFromJson() round-trip a back side, modules packed 8 per byte", () => {
  const back = makeBackSide();
  const json = backSideToJson(back);
  assert.equal(Uint8Array.fromBase64(json.symbols[0].bits).length, 2);
  assert.deepEqual(backSideFromJson(overTheWire(json)), back);
});

Deno.test("backSideFromJson() refuses bits that do not match the symbol's size, and a missing key id", () => {
  const json = backSideToJson(makeBackSide());
  const wrongSize = {
    ...json,
    symbols: [{ ...json.symbols[0], width: 9 }],
  };
  assert.throws(
    () => backSideFromJson(wrongSize),
    /A back side is malformed: symbols\.0\.bits: do not match 9×3/,
  );
  assert.throws(
    () => backSideFromJson({ ...json, keyId: undefined }),
    /A back side is malformed: keyId: /,
  );
});
