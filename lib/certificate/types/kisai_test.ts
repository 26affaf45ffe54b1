import assert from "node:assert/strict";
import { makeKisaiSheet } from "../../../tests/fixtures/certificate.ts";
import {
  decodeSheetContent,
  encodeSheetContent,
} from "../../backside/canonical.ts";
import {
  CborError,
  type CborMap,
  decodeCbor,
  encodeCbor,
} from "../../backside/cbor.ts";
import { KISAI_ITEMS } from "../../contracts/form_profile.ts";
import { kisaiItemsOf, printedKisaiItems } from "../model.ts";
import { KISAI, KISAI_ITEM_BITS, kisaiSheetSchema } from "./kisai.ts";
import { optionalSubjectItemsOf, sheetContentSchema } from "./mod.ts";

/** What JSON.stringify/parse does to a value (drops undefined). */
const overJson = (v: unknown) => JSON.parse(JSON.stringify(v));

Deno.test("KISAI: back-side code 3, one bit per item in KISAI_ITEMS order, self only, 200 yen", () => {
  assert.equal(KISAI.backSide.code, 3);
  assert.equal(KISAI.household, false);
  assert.equal(KISAI.defaultFeePerCopy, 200);
  assert.equal(KISAI.nameJa, "住民票記載事項証明書");
  // Part of the format: bit i is KISAI_ITEMS[i], never renumbered.
  assert.deepEqual(
    Object.entries(KISAI_ITEM_BITS),
    KISAI_ITEMS.map((item, i) => [item, 1 << i]),
  );
  assert.equal(KISAI.backSide.optionBits, KISAI_ITEM_BITS);
});

Deno.test("kisaiItemsOf() and printedKisaiItems() keep KISAI_ITEMS order whatever the profile's", () => {
  const items = kisaiItemsOf(["honseki", "address", "name"]);
  assert.equal(Object.keys(items).length, KISAI_ITEMS.length);
  assert.deepEqual(printedKisaiItems(items), ["name", "address", "honseki"]);
  assert.deepEqual(printedKisaiItems(kisaiItemsOf([])), []);
});

Deno.test("kisaiSheetSchema parses a sheet's wire JSON, also through the union", () => {
  const sheet = makeKisaiSheet({ items: ["name", "relationship", "honseki"] });
  const wire = overJson(sheet);
  assert.deepEqual(kisaiSheetSchema.parse(wire), wire);
  assert.deepEqual(sheetContentSchema.parse(wire), wire);
});

Deno.test("kisaiSheetSchema refuses no item, a missing or unknown item, version 1 and a seal", () => {
  const wire = overJson(makeKisaiSheet());
  const none = Object.fromEntries(KISAI_ITEMS.map((i) => [i, false]));
  const { sex: _sex, ...missing } = wire.options;
  const bad: [string, unknown][] = [
    ["no item", { ...wire, options: none }],
    ["an item missing", { ...wire, options: missing }],
    ["an unknown item", {
      ...wire,
      options: { ...wire.options, myNumber: true },
    }],
    ["template version 1", { ...wire, templateVersion: 1 }],
    ["a seal", { ...wire, seal: {} }],
    ["no options", { ...wire, options: undefined }],
  ];
  for (const [what, value] of bad) {
    assert.equal(sheetContentSchema.safeParse(value).success, false, what);
  }
});

Deno.test("encodeSheetContent() round-trips a 記載事項証明書 with its items as the bits of key 6", () => {
  for (
    const items of [
      ["name"],
      ["name", "birthDate", "sex", "address", "becameResidentDate"],
      [...KISAI_ITEMS],
      ["householderName", "honseki"],
    ] as const
  ) {
    const sheet = makeKisaiSheet({ items });
    const bytes = encodeSheetContent(sheet);
    const map = decodeCbor(bytes) as Map<number, unknown>;
    assert.equal(map.get(2), 3, "type code");
    assert.equal(
      map.get(6),
      items.reduce((bits, i) => bits | KISAI_ITEM_BITS[i], 0),
      items.join(","),
    );
    assert.deepEqual(decodeSheetContent(bytes), sheet);
  }
});

Deno.test("decodeSheetContent() refuses a 記載事項証明書 with an unknown item bit", () => {
  const map = decodeCbor(encodeSheetContent(makeKisaiSheet())) as CborMap;
  map.set(6, 512);
  assert.throws(() => decodeSheetContent(encodeCbor(map)), CborError);
});

Deno.test("optionalSubjectItemsOf() lets a 記載事項証明書 carry what it prints, never 個人番号", () => {
  const all = optionalSubjectItemsOf(
    makeKisaiSheet({ items: [...KISAI_ITEMS] }),
  );
  assert.deepEqual(all, {
    householderName: true,
    relationship: true,
    honseki: true,
    myNumber: false,
  });
  const few = optionalSubjectItemsOf(
    makeKisaiSheet({ items: ["relationship"] }),
  );
  assert.deepEqual(few, {
    householderName: false,
    relationship: true,
    honseki: false,
    myNumber: false,
  });
});
