import assert from "node:assert/strict";
import { makeSampleSheet } from "../../tests/fixtures/sample_sheets.ts";
import {
  decodeSheetContent,
  encodeSheetContent,
  MAX_SEAL_PNG_BYTES,
} from "./canonical.ts";
import { type CborMap, decodeCbor, encodeCbor } from "./cbor.ts";
import { type SheetContent, TEMPLATE_VERSIONS } from "../certificate/model.ts";

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
  for (const templateVersion of TEMPLATE_VERSIONS) {
    const versioned = { ...sheet, templateVersion };
    assert.deepEqual(
      decodeSheetContent(encodeSheetContent(versioned)),
      versioned,
    );
  }
  const map = decodeCbor(encodeSheetContent(sheet)) as CborMap;
  assert.throws(
    () => decodeSheetContent(encodeCbor(map.set(1, 99))),
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
  // Key 10 is each type's own: a seal where a 住民票 has its members.
  const juminWithSeal = mapOf(jumin).set(10, mapOf(inkan).get(10)!);
  assert.throws(
    () => decodeSheetContent(encodeCbor(juminWithSeal)),
    /sheet\.members has the wrong type/,
  );
  assert.throws(
    () => decodeSheetContent(encodeCbor(mapOf(jumin).set(12, 1))),
    /unknown key 12/,
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

Deno.test("encodeSheetContent() round-trips what the form profile made a sheet print (key 101), a boolean as the uint 0 or 1", async () => {
  const jumin = await makeSampleSheet({ type: "juminhyo", seed: 9 });
  const inkan = await makeSampleSheet({ type: "inkan", seed: 10 });
  for (
    const sheet of [
      { ...jumin, templateVersion: 3, form: { juminhyoTitle: "住民票" } },
      { ...inkan, templateVersion: 3, form: { inkanPrintsSex: false } },
      { ...inkan, templateVersion: 3, form: { inkanPrintsSex: true } },
      { ...jumin, templateVersion: 3, form: {} },
    ] as SheetContent[]
  ) {
    assert.deepEqual(decodeSheetContent(encodeSheetContent(sheet)), sheet);
  }
  const map = decodeCbor(
    encodeSheetContent({
      ...inkan,
      templateVersion: 3,
      form: { inkanPrintsSex: false },
    }),
  ) as CborMap;
  assert.deepEqual(map.get(101), new Map([[2, 0]]));
  // Not 0 or 1, an unknown inner key, a wrong type: refused.
  for (
    const form of [
      new Map([[2, 2]]),
      new Map([[3, "x"]]),
      new Map([[1, 1]]),
    ]
  ) {
    assert.throws(
      () => decodeSheetContent(encodeCbor(new Map(map).set(101, form))),
      /form/,
    );
  }
  assert.throws(
    () =>
      encodeSheetContent(
        { ...inkan, form: { inkanPrintsSex: 1 } } as unknown as SheetContent,
      ),
    /not a boolean/,
  );
});

/** A 世帯連記式 sheet of four people, every item on each (template version 3). */
async function fourPeopleSheet(): Promise<SheetContent> {
  const s = await makeSampleSheet({ type: "juminhyo", seed: 11 });
  const members = await Promise.all(
    [12, 13, 14].map(async (seed) =>
      (await makeSampleSheet({ type: "juminhyo", seed })).subject
    ),
  );
  return { ...s, templateVersion: 3, members, wholeHousehold: true };
}

Deno.test("encodeSheetContent() round-trips a 住民票 sheet of four people (key 10 members, key 11 whole household)", async () => {
  const sheet = await fourPeopleSheet();
  const bytes = encodeSheetContent(sheet);
  assert.deepEqual(decodeSheetContent(bytes), sheet);
  const map = decodeCbor(bytes) as CborMap;
  assert.equal((map.get(10) as unknown[]).length, 3);
  assert.equal(map.get(11), 1);
  // Absent when false or not given: a one-person sheet has neither key.
  const single = { ...sheet, members: undefined, wholeHousehold: undefined };
  const plain = decodeCbor(encodeSheetContent(single)) as CborMap;
  assert.ok(!plain.has(10) && !plain.has(11));
});

Deno.test("encodeSheetContent() refuses a list of members out of range or of the wrong shape, and members on a 印鑑", async () => {
  const sheet = await fourPeopleSheet();
  assert.ok(sheet.type === "juminhyo");
  const people = sheet.members!;
  assert.throws(
    () => encodeSheetContent({ ...sheet, members: [...people, people[0]] }),
    /members: not a list of 1 to 3/,
  );
  assert.throws(
    () => encodeSheetContent({ ...sheet, members: [] }),
    /not a list of 1 to 3/,
  );
  assert.throws(
    () =>
      encodeSheetContent({
        ...sheet,
        members: [{ ...people[0], sex: "x" as "male" }],
      }),
    /members\.0\.sex: unknown code x/,
  );
  assert.throws(
    () =>
      encodeSheetContent({
        ...sheet,
        members: [{ ...people[0], extra: 1 } as typeof people[0]],
      }),
    /members\.0\.extra: unknown field/,
  );
  const inkan = await makeSampleSheet({ type: "inkan", seed: 15 });
  assert.throws(
    () => encodeSheetContent({ ...inkan, members: people } as SheetContent),
    /unknown field/,
  );
});

Deno.test("decodeSheetContent() refuses members that are not a list of 1–3 people and a whole-household flag other than 1", async () => {
  const sheet = await fourPeopleSheet();
  const map = decodeCbor(encodeSheetContent(sheet)) as CborMap;
  const people = map.get(10) as CborMap[];
  const variant = (key: number, value: unknown) =>
    encodeCbor(new Map([...map, [key, value as CborMap]]));
  for (
    const [value, message] of [
      [[], /1 to 3/],
      [[...people, people[0]], /1 to 3/],
      [people[0], /wrong type/],
      [["a"], /sheet\.members\.0 is not a map/],
      [
        [new Map([...people[0], [8, 3]])],
        /members\.0\.sex has an out-of-range/,
      ],
    ] as const
  ) {
    assert.throws(() => decodeSheetContent(variant(10, value)), message);
  }
  assert.throws(() => decodeSheetContent(variant(11, 2)), /out-of-range/);
  assert.throws(() => decodeSheetContent(variant(11, "yes")), /wrong type/);
});
