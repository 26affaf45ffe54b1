import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { outbox, sealRegistrations } from "../../db/registry/schema.ts";
import { MAX_SEAL_PNG_BYTES } from "../../lib/backside/canonical.ts";
import { readPngStructure } from "../../lib/render/png_codec.ts";
import { REGISTRY_REFUSALS } from "../../lib/refusals/registry.ts";
import {
  hostileSealImages,
  makeScannedSealPng,
} from "../../tests/fixtures/seal_images.ts";
import { openTestRegistry } from "../../tests/support/registry_world.ts";
import { registryFamily } from "../../tests/support/asp_world.ts";
import { RegistryError } from "./errors.ts";
import {
  prepareSealImage,
  SEAL_BOX_MM,
  SEAL_IMAGE_LIMITS,
  SEAL_PRINT_SIDE_PX,
} from "./seal_image.ts";

/** What each hostile image is refused with. */
const EXPECTED = {
  notAnImage: "SEAL_IMAGE_INVALID",
  signatureThenGarbage: "SEAL_IMAGE_INVALID",
  headerThenGarbage: "SEAL_IMAGE_INVALID",
  truncated: "SEAL_IMAGE_INVALID",
  jpegNotPng: "SEAL_IMAGE_INVALID",
  hugeDimensions: "SEAL_IMAGE_DIMENSIONS",
  zeroSize: "SEAL_IMAGE_DIMENSIONS",
  tiny: "SEAL_IMAGE_DIMENSIONS",
  decompressionBomb: "SEAL_IMAGE_DIMENSIONS",
} as const;

Deno.test("prepareSealImage(): an ordinary 30 KB scanned seal gives a print version ≥ 300 dpi at the 印影 box and a compact one within the back side's budget", async () => {
  const scan = makeScannedSealPng();
  assert.ok(
    scan.length >= 27_000 && scan.length <= 31_000,
    `the scan is ${scan.length} bytes`,
  );
  const { printPng, compactPng, width, height } = await prepareSealImage(scan);
  assert.deepEqual([width, height], [400, 400]);
  const print = readPngStructure(printPng);
  assert.equal(Math.max(print.width, print.height), SEAL_PRINT_SIDE_PX);
  assert.ok(SEAL_PRINT_SIDE_PX / (SEAL_BOX_MM / 25.4) >= 300, "≥ 300 dpi");
  // What the PDF embeds as it is: 8-bit, not interlaced.
  assert.equal(print.bitDepth, 8);
  assert.equal(print.interlace, 0);
  assert.ok(compactPng.length <= MAX_SEAL_PNG_BYTES, `${compactPng.length}`);
  assert.equal(readPngStructure(compactPng).bitDepth, 8);
  // A small seal is enlarged to the print size too (smoothly resampled).
  const small = await prepareSealImage(makeScannedSealPng({ side: 96 }));
  assert.equal(readPngStructure(small.printPng).width, SEAL_PRINT_SIDE_PX);
});

Deno.test("prepareSealImage(): hostile images are refused with their own code", async () => {
  const hostile = await hostileSealImages();
  assert.deepEqual(Object.keys(hostile).sort(), Object.keys(EXPECTED).sort());
  for (const [name, bytes] of Object.entries(hostile)) {
    const code = EXPECTED[name as keyof typeof EXPECTED];
    await assert.rejects(
      prepareSealImage(bytes),
      (e: unknown) => e instanceof RegistryError && e.code === code,
      `${name}: ${code}`,
    );
  }
  // A file over the size limit, whatever it holds.
  await assert.rejects(
    prepareSealImage(new Uint8Array(SEAL_IMAGE_LIMITS.maxBytes + 1)),
    (e: unknown) =>
      e instanceof RegistryError && e.code === "SEAL_IMAGE_TOO_LARGE",
  );
});

Deno.test("POST …/residents/{id}/seals: a hostile image is refused with its code and both messages, nothing recorded; a 30 KB seal is registered with its print and compact versions", async () => {
  const reg = await openTestRegistry(["401005"]);
  try {
    const fam = await registryFamily(reg, "401005");
    const path = `/municipalities/401005/residents/${fam.householder}/seals`;
    const hostile = await hostileSealImages();
    const outboxBefore = (await reg.database.db.select().from(outbox)).length;
    for (const [name, bytes] of Object.entries(hostile)) {
      const res = await reg.call("POST", path, {
        body: { impressionPng: bytes.toBase64(), date: "2026-11-21" },
      });
      const body = await res.json();
      const code = EXPECTED[name as keyof typeof EXPECTED];
      assert.equal(res.status, REGISTRY_REFUSALS[code].status, name);
      assert.equal(body.code, code, name);
      assert.equal(body.message_ja, REGISTRY_REFUSALS[code].ja);
      assert.equal(body.message_en, REGISTRY_REFUSALS[code].en);
    }
    assert.equal(
      (await reg.database.db.select().from(sealRegistrations)).length,
      0,
      "no seal registered",
    );
    assert.equal(
      (await reg.database.db.select().from(outbox)).length,
      outboxBefore,
      "no event on the feed",
    );

    const scan = makeScannedSealPng();
    const res = await reg.call("POST", path, {
      body: { impressionPng: scan.toBase64(), date: "2026-11-21" },
    });
    assert.equal(res.status, 201, await res.clone().text());
    const { sealId } = await res.json();
    const [row] = await reg.database.db.select().from(sealRegistrations)
      .where(eq(sealRegistrations.id, sealId));
    assert.deepEqual(new Uint8Array(row.impressionPng), scan);
    assert.ok(row.printPng && row.compactPng);
    assert.equal(readPngStructure(row.printPng).width, SEAL_PRINT_SIDE_PX);
    assert.ok(row.compactPng.length <= MAX_SEAL_PNG_BYTES);
  } finally {
    await reg.close();
  }
});
