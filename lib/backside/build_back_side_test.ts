import assert from "node:assert/strict";
import { makeSampleSheet } from "../../tests/fixtures/sample_sheets.ts";
import {
  buildBackSide,
  createBackSideBuilder,
  slotCount,
} from "./build_back_side.ts";
import { DEFAULT_LAYOUT, symbolCapacity } from "./layout.ts";
import { encodeSheetContent, MAX_SEAL_PNG_BYTES } from "./canonical.ts";
import { sealEnvelope } from "./envelope.ts";
import { CHUNK_HEADER_BYTES } from "./chunks.ts";
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

Deno.test("buildBackSide(): a 世帯連記式 sheet of four people with every item and option fits, with most symbols spare", async () => {
  const center = await makeTestCenter();
  const first = await makeSampleSheet({ type: "juminhyo", seed: 303 });
  // Three more people, each with every item, their texts made distinct
  // (less compressible than copies of one another).
  const members = await Promise.all([304, 305, 306].map(async (seed) => {
    const { subject } = await makeSampleSheet({ type: "juminhyo", seed });
    return {
      ...subject,
      katagaki: `メゾン城内　${seed}号室`,
      previousAddress: `東京都千代田区千代田${seed}番${seed % 97}号`,
      honseki: `福岡県北九州市小倉北区城内${seed}番`,
      alias: `ジョン・${seed}`,
    };
  }));
  const sheet = {
    ...first,
    templateVersion: 3 as const,
    members,
    wholeHousehold: true as const,
  };
  const canonical = encodeSheetContent(sheet);
  const envelope = await sealEnvelope(sheet, center);
  const shard = (await symbolCapacity(DEFAULT_LAYOUT)) - CHUNK_HEADER_BYTES;
  const k = Math.ceil(envelope.length / shard);
  // Measured: 2,012 canonical bytes, a 979-byte envelope, k = 2 of 12
  // symbols (one person with every item: 598 and 710, k = 2).
  assert.ok(canonical.length > 2000, `${canonical.length} canonical bytes`);
  assert.ok(k <= 3, `${envelope.length} bytes need ${k} data symbols`);
  const back = await buildBackSide(sheet, center);
  assert.equal(back.symbols.length, await slotCount(DEFAULT_LAYOUT));
});
