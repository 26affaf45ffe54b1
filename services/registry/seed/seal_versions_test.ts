import assert from "node:assert/strict";
import { generatePopulation } from "./population.ts";
import { prepareSeals } from "./seal_versions.ts";
import { prepareSealImage, SEAL_PRINT_SIDE_PX } from "../seal_image.ts";
import { readPngStructure } from "../../../lib/render/png_codec.ts";
import { MAX_SEAL_PNG_BYTES } from "../../../lib/backside/canonical.ts";

Deno.test("prepareSeals() gives generated seals the versions registration makes (print ≥ 300 dpi, compact within the back side's budget)", async () => {
  const [chunk] = generatePopulation({
    municipalityCode: "401005",
    residents: 200,
    seed: 3,
  });
  const seals = chunk.seals.slice(0, 6);
  assert.ok(seals.length > 0 && seals.every((s) => s.printPng === null));
  await prepareSeals(seals);
  for (const s of seals) {
    const want = await prepareSealImage(s.impressionPng);
    assert.deepEqual(s.printPng, want.printPng);
    assert.deepEqual(s.compactPng, want.compactPng);
    assert.equal(readPngStructure(s.printPng!).width, SEAL_PRINT_SIDE_PX);
    assert.ok(s.compactPng!.length <= MAX_SEAL_PNG_BYTES);
  }
});
