import assert from "node:assert/strict";
import { makeSampleSheet } from "../../tests/fixtures/sample_sheets.ts";
import {
  buildBackSide,
  createBackSideBuilder,
  slotCount,
} from "./build_back_side.ts";
import { DEFAULT_LAYOUT } from "./layout.ts";
import { MAX_SEAL_PNG_BYTES } from "./canonical.ts";
import { makeTestCenter } from "../../tests/fixtures/back_side.ts";

Deno.test("buildBackSide() fills every slot, with the key id and issue number in clear", async () => {
  const center = await makeTestCenter();
  const sheet = await makeSampleSheet({ type: "inkan", seed: 301 });
  const back = await buildBackSide(sheet, center);
  assert.equal(back.symbols.length, await slotCount(DEFAULT_LAYOUT));
  assert.equal(back.issueNumber, sheet.issueNumber);
  assert.equal(back.keyId, center.signer.activeKeyId());
  for (const s of back.symbols) {
    assert.equal(s.moduleSize, DEFAULT_LAYOUT.moduleSizeMm);
    assert.equal(s.width, 17 + 4 * DEFAULT_LAYOUT.version);
  }
});

Deno.test("createBackSideBuilder() builds the same layout as buildBackSide()", async () => {
  const center = await makeTestCenter();
  const builder = createBackSideBuilder(center);
  const sheets = await Promise.all(
    [1, 2].map((seed) => makeSampleSheet({ type: "juminhyo", seed })),
  );
  const backs = await Promise.all(sheets.map((s) => builder.build(s)));
  const reference = await buildBackSide(sheets[0], center);
  for (const back of backs) {
    assert.deepEqual(
      back.symbols.map(({ x, y, width }) => ({ x, y, width })),
      reference.symbols.map(({ x, y, width }) => ({ x, y, width })),
    );
  }
  assert.deepEqual(
    backs.map((b) => b.issueNumber),
    sheets.map((s) => s.issueNumber),
  );
  // Fresh IV and salt: the same sheet never gives the same symbols twice.
  const again = await builder.build(sheets[0]);
  assert.notDeepEqual(again.symbols[0].modules, backs[0].symbols[0].modules);
});

Deno.test("buildBackSide(): the largest compact seal and a print version's digest still fit the back side", async () => {
  const center = await makeTestCenter();
  const sheet = await makeSampleSheet({ type: "inkan", seed: 302 });
  assert.ok(sheet.type === "inkan");
  // Incompressible bytes, the back side's whole seal budget.
  const png = crypto.getRandomValues(new Uint8Array(MAX_SEAL_PNG_BYTES));
  const back = await buildBackSide({
    ...sheet,
    seal: { ...sheet.seal, png, printPng: new Uint8Array(60_000) },
  }, center);
  assert.equal(back.symbols.length, await slotCount(DEFAULT_LAYOUT));
});
