/**
 * Seals end to end (issue 13, item 4): an ordinary scanned seal of about
 * 30 KB registered at the registry is issued as a 印鑑登録証明書 at the kiosk
 * — no size limit met on the way: the registry keeps its print version
 * (≥ 300 dpi in the 印影 box) and its compact one (≤ 2 KB, the back side's),
 * the feed carries both to the ASP, the front draws the print version, the
 * back side carries the compact one and the print version's SHA-256, so the
 * signed back side names the very image the front shows.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { sealRegistrations } from "../db/registry/schema.ts";
import { MAX_SEAL_PNG_BYTES } from "../lib/backside/canonical.ts";
import { readPngStructure } from "../lib/render/png_codec.ts";
import type { KioskReceipt, KioskRefusal } from "../services/kiosk/kiosk.ts";
import { SEAL_PRINT_SIDE_PX } from "../services/registry/seal_image.ts";
import { makeScannedSealPng } from "./fixtures/seal_images.ts";
import { ONE_NODE, openIssuanceWorld } from "./support/issuance_world.ts";
import { checkBackSide } from "../services/jlis/issuance/back_side_check.ts";

const CODE = "401005";

function receipt(r: KioskReceipt | KioskRefusal): KioskReceipt {
  if (!r.ok) assert.fail(`refused: ${r.stage} ${r.code} ${r.message_en}`);
  return r;
}

Deno.test("[e2e] a 30 KB seal: registered, carried to the ASP, issued as a 印鑑登録証明書 with its print version on the front and its compact one on the back, named there by its digest", async (t) => {
  const w = await openIssuanceWorld({ nodes: ONE_NODE });
  const dir = await Deno.makeTempDir({ prefix: "seal-e2e-" });
  try {
    const resident = await w.moveIn(CODE, {
      name: "印影　確子",
      birthDate: "1985-05-05",
      sex: "female",
    });
    const card = await w.issueCard(CODE, resident);
    const scan = makeScannedSealPng();
    assert.ok(scan.length >= 27_000 && scan.length <= 31_000, `${scan.length}`);
    const res = await w.reg.call(
      "POST",
      `/municipalities/${CODE}/residents/${resident}/seals`,
      { body: { impressionPng: scan.toBase64(), date: "2026-11-21" } },
    );
    assert.equal(res.status, 201, await res.clone().text());
    await res.body?.cancel();
    const [row] = await w.reg.database.db.select().from(sealRegistrations)
      .where(eq(sealRegistrations.residentId, resident));
    await w.sync();

    await t.step(
      "issued and printed: the front draws the print version, the back side carries the compact one",
      async () => {
        const pdfPath = `${dir}/inkan.pdf`;
        const r = receipt(
          await w.kiosk().run({
            card,
            pin: "1234",
            type: "inkan",
            pdfPath,
          }),
        );
        assert.deepEqual(r.delivered, [1]);
        assert.deepEqual(r.voided, []);
        assert.equal(r.printFailure, undefined);
        const [sheet] = r.sheets;
        assert.ok(sheet.type === "inkan");
        assert.deepEqual(sheet.seal.png, new Uint8Array(row.compactPng!));
        assert.deepEqual(sheet.seal.printPng, new Uint8Array(row.printPng!));
        assert.ok(sheet.seal.png.length <= MAX_SEAL_PNG_BYTES);
        assert.equal(
          readPngStructure(sheet.seal.printPng!).width,
          SEAL_PRINT_SIDE_PX,
        );
        // The PDF holds the print version (600 px wide), not the compact one.
        const pdf = new TextDecoder("latin1").decode(
          await Deno.readFile(pdfPath),
        );
        assert.match(
          pdf,
          new RegExp(`/Subtype /Image /Width ${SEAL_PRINT_SIDE_PX} `),
        );
      },
    );

    await t.step(
      "the signed back side names the print version by its SHA-256: a front with another print image does not match it",
      async () => {
        const r = receipt(
          await w.kiosk().run({ card, pin: "1234", type: "inkan" }),
        );
        const [front] = r.sheets;
        assert.ok(front.type === "inkan");
        const opts = { keyList: w.centerKeyList, contentKey: w.contentKey };
        const checked = await checkBackSide(r.backs[0], front, opts);
        assert.ok(checked.ok, checked.ok ? "" : checked.problem);
        assert.ok(checked.sheet.type === "inkan");
        const { seal } = checked.sheet;
        assert.deepEqual(seal.png, front.seal.png, "the compact version");
        assert.equal(seal.printPng, undefined, "not on the back side");
        assert.deepEqual(
          seal.printSha256,
          new Uint8Array(
            await crypto.subtle.digest(
              "SHA-256",
              new Uint8Array(front.seal.printPng!),
            ),
          ),
        );
        const swapped = {
          ...front,
          seal: {
            ...front.seal,
            printPng: makeScannedSealPng({ side: 96, seed: 99 }),
          },
        };
        const mismatch = await checkBackSide(r.backs[0], swapped, opts);
        assert.equal(mismatch.ok, false);
      },
    );
  } finally {
    await w.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
