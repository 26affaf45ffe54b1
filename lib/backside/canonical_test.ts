import assert from "node:assert/strict";
import { makeSampleSheet } from "../../tests/fixtures/sample_sheets.ts";
import {
  decodeSheetContent,
  encodeSheetContent,
  MAX_SEAL_PNG_BYTES,
} from "./canonical.ts";
import { type CborMap, decodeCbor, encodeCbor } from "./cbor.ts";
import type { SheetContent } from "../certificate/model.ts";

Deno.test("encodeSheetContent() round-trips a 住民票 with every option", async () => {
  const sheet = await makeSampleSheet({ type: "juminhyo", seed: 1 });
  assert.equal(sheet.options.myNumber, true);
  assert.ok(sheet.subject.foreign && sheet.subject.formerSurname);
  assert.deepEqual(decodeSheetContent(encodeSheetContent(sheet)), sheet);
});

Deno.test("encodeSheetContent() round-trips a 印鑑登録証明書 with its seal PNG", async () => {
  const sheet = await makeSampleSheet({ type: "inkan", seed: 2 });
  const decoded = decodeSheetContent(encodeSheetContent(sheet));
  assert.deepEqual(decoded, sheet);
  assert.deepEqual(decoded.seal!.png, sheet.seal!.png);
});

Deno.test("encodeSheetContent() is deterministic whatever the key order", async () => {
  const sheet = await makeSampleSheet({ type: "juminhyo", seed: 3 });
  const reordered = Object.fromEntries(Object.entries(sheet).reverse());
  assert.deepEqual(
    encodeSheetContent(reordered as typeof sheet),
    encodeSheetContent(sheet),
  );
});

Deno.test("encodeSheetContent() keeps 外字 and variation sequences byte for byte", async () => {
  const sheet = await makeSampleSheet({ type: "juminhyo", seed: 4 });
  sheet.subject.name = "葛󠄀城　\u{F0001}太郎";
  assert.equal(
    decodeSheetContent(encodeSheetContent(sheet)).subject.name,
    sheet.subject.name,
  );
});

Deno.test("encodeSheetContent() refuses unknown fields and oversized seals", async () => {
  const sheet = await makeSampleSheet({ type: "inkan", seed: 5 });
  assert.throws(
    () =>
      encodeSheetContent({ ...sheet, extra: "x" } as unknown as typeof sheet),
    /unknown field/,
  );
  assert.throws(
    () =>
      encodeSheetContent({
        ...sheet,
        seal: { ...sheet.seal!, png: new Uint8Array(MAX_SEAL_PNG_BYTES + 1) },
      }),
    RangeError,
  );
});

Deno.test("decodeSheetContent() carries each known template version and refuses an unknown one", async () => {
  const sheet = await makeSampleSheet({ type: "juminhyo", seed: 8 });
  for (const templateVersion of [1, 2, 3] as const) {
    const versioned = { ...sheet, templateVersion };
    assert.deepEqual(
      decodeSheetContent(encodeSheetContent(versioned)),
      versioned,
    );
  }
  const map = decodeCbor(encodeSheetContent(sheet)) as CborMap;
  assert.throws(
    () => decodeSheetContent(encodeCbor(map.set(1, 4))),
    /out-of-range/,
  );
});

Deno.test("decodeSheetContent() rejects unknown keys and wrong types", () => {
  assert.throws(() => decodeSheetContent(encodeCbor(new Map([[99, 1]]))));
  assert.throws(() => decodeSheetContent(encodeCbor(new Map([[1, "one"]]))));
});

Deno.test("decodeSheetContent() holds each type to its own fields: no options on a 印鑑, no seal on a 住民票", async () => {
  const jumin = await makeSampleSheet({ type: "juminhyo", seed: 6 });
  const inkan = await makeSampleSheet({ type: "inkan", seed: 7 });
  const mapOf = (s: SheetContent) =>
    decodeCbor(encodeSheetContent(s)) as CborMap;
  assert.equal(mapOf(inkan).get(6), 0, "a 印鑑 keeps key 6 at 0");
  assert.equal(mapOf(jumin).get(6), 7, "本籍 1 | 続柄 2 | 個人番号 4");
  const inkanWithOption = mapOf(inkan).set(6, 4);
  assert.throws(
    () => decodeSheetContent(encodeCbor(inkanWithOption)),
    /out-of-range/,
  );
  const juminWithSeal = mapOf(jumin).set(10, mapOf(inkan).get(10)!);
  assert.throws(
    () => decodeSheetContent(encodeCbor(juminWithSeal)),
    /unknown key 10/,
  );
  const unknownType = mapOf(jumin).set(2, 9);
  assert.throws(
    () => decodeSheetContent(encodeCbor(unknownType)),
    /out-of-range/,
  );
  assert.throws(
    () =>
      encodeSheetContent(
        { ...inkan, options: { honseki: true } } as unknown as SheetContent,
      ),
    /unknown option/,
  );
});

Deno.test("encodeSheetContent(): a seal's print version is carried as its SHA-256 (key 10.4), never itself; another image encodes differently", async () => {
  const sheet = await makeSampleSheet({ type: "inkan", seed: 8 });
  assert.ok(sheet.type === "inkan");
  const printPng = new Uint8Array(50_000).fill(7);
  const withPrint = { ...sheet, seal: { ...sheet.seal, printPng } };
  const bytes = encodeSheetContent(withPrint);
  assert.ok(bytes.length < encodeSheetContent(sheet).length + 64);
  const decoded = decodeSheetContent(bytes);
  assert.ok(decoded.type === "inkan");
  assert.equal(decoded.seal.printPng, undefined);
  assert.deepEqual(
    decoded.seal.printSha256,
    new Uint8Array(await crypto.subtle.digest("SHA-256", printPng)),
  );
  // The decoded sheet (digest only) encodes to the same bytes.
  assert.deepEqual(encodeSheetContent(decoded), bytes);
  const other = {
    ...sheet,
    seal: { ...sheet.seal, printPng: printPng.map(() => 8) },
  };
  assert.notDeepEqual(encodeSheetContent(other), bytes);
  // Without a print version, nothing is added.
  assert.equal(
    (decodeSheetContent(encodeSheetContent(sheet)) as typeof sheet).seal
      .printSha256,
    undefined,
  );
});
