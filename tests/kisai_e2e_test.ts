/**
 * A 住民票記載事項証明書 end to end (issue 13, item 5): printed at the kiosk
 * with the municipality's items, released by the center (its own back-side
 * type code 3, the items as the bits of canonical key 6, the fee of its type,
 * the items in the ledger), and verified at the portal from the kiosk's own
 * PDF — genuine, rendered as printed, labelled as what it is. Asked for the
 * whole household it is refused (KISAI_SELF_ONLY), nothing issued.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { ledger } from "../db/jlis/schema.ts";
import { decodeCbor } from "../lib/backside/cbor.ts";
import { encodeSheetContent } from "../lib/backside/canonical.ts";
import { printedKisaiItems } from "../lib/certificate/model.ts";
import { DEFAULT_FORM_PROFILE } from "../lib/contracts/form_profile.ts";
import { ledgerStatusLookup } from "../services/jlis/issuance/ledger.ts";
import type { KioskReceipt, KioskRefusal } from "../services/kiosk/kiosk.ts";
import { KISAI_ATTESTATION } from "../lib/render/forms/kisai.ts";
import { layoutSheet } from "../lib/render/layout.ts";
import {
  ONE_NODE,
  openIssuanceWorld,
  sharedRenderer,
} from "./support/issuance_world.ts";
import {
  BANK_KEY,
  makeTestPortal,
  openStartPage,
  postApi,
  postForm,
} from "./support/portal_world.ts";

const CODE = "401005";

function receipt(r: KioskReceipt | KioskRefusal): KioskReceipt {
  if (!r.ok) assert.fail(`refused: ${r.stage} ${r.code} ${r.message_en}`);
  return r;
}

Deno.test("[e2e] a 記載事項証明書 printed at the kiosk with the municipality's items is verified at the portal from the kiosk's PDF", async (t) => {
  const w = await openIssuanceWorld({ nodes: ONE_NODE });
  const dir = await Deno.makeTempDir({ prefix: "kisai-e2e-" });
  try {
    const resident = await w.moveIn(CODE, {
      name: "記載　事子",
      birthDate: "1988-08-08",
      sex: "female",
    });
    const card = await w.issueCard(CODE, resident);
    await w.sync();
    const db = w.jlis.databases[0].db;
    const pdfPath = `${dir}/kisai.pdf`;
    const r = receipt(
      await w.kiosk().run({ card, pin: "1234", type: "kisai", pdfPath }),
    );

    await t.step(
      "printed: one sheet of the applicant, the profile's items, 200 yen",
      async () => {
        assert.deepEqual(r.delivered, [1]);
        assert.equal(r.fee, 200);
        assert.deepEqual(r.subjects, [resident]);
        const [sheet] = r.sheets;
        assert.ok(sheet.type === "kisai");
        assert.deepEqual(
          printedKisaiItems(sheet.options),
          DEFAULT_FORM_PROFILE.kisaiItems,
        );
        assert.equal(sheet.subject.honseki, undefined);
        assert.equal(sheet.subject.myNumber, undefined);
        const front = layoutSheet(sheet).ops.filter((op) => op.kind === "text")
          .map((op) => op.kind === "text" ? op.text : "").join("\n");
        assert.match(front, /住民票記載事項証明書/);
        assert.ok(front.includes(KISAI_ATTESTATION));
        // The back side's type code and item bits.
        const map = decodeCbor(encodeSheetContent(sheet)) as Map<
          number,
          unknown
        >;
        assert.equal(map.get(2), 3);
        assert.equal(map.get(6), 1 | 2 | 4 | 8 | 64);
        assert.ok((await Deno.stat(pdfPath)).size > 0);
      },
    );

    await t.step(
      "the ledger records the type and the items printed (j300)",
      async () => {
        const [issued] = await db.select().from(ledger).where(
          eq(ledger.issueNumber, r.issueNumber),
        ).orderBy(ledger.seq).limit(1);
        const data = issued.data as Record<string, unknown>;
        assert.equal(data.type, "kisai");
        assert.deepEqual(
          data.options,
          (r.sheets[0] as { options: unknown }).options,
        );
        assert.equal(data.fee, 200);
      },
    );

    const renderer = await sharedRenderer();
    const portal = await makeTestPortal({
      keyList: w.centerKeyList,
      decryptionKeys: [w.contentKey],
      statusLookup: ledgerStatusLookup(db),
      renderFront: (s) => Promise.resolve(renderer.png(s, { widthPx: 400 })),
    });
    const pdf = await Deno.readFile(pdfPath);

    await t.step(
      "[api] the kiosk's PDF: genuine, its sheet a 記載事項証明書 with its items",
      async () => {
        const res = await postApi(portal.app, pdf, { key: BANK_KEY });
        assert.equal(res.status, 200);
        const body = await res.json();
        assert.equal(
          body.verdict,
          "genuine",
          JSON.stringify(body).slice(0, 400),
        );
        assert.equal(body.sheets.length, 1);
        const cert = body.sheets[0].certificate;
        assert.equal(cert.type, "kisai");
        assert.equal(cert.issueNumber, r.issueNumber);
        assert.deepEqual(
          cert.options,
          (r.sheets[0] as { options: unknown }).options,
        );
        assert.equal(cert.subject.residentId, resident);
        // The portal draws the decoded sheet exactly as the kiosk printed it.
        assert.equal(
          body.sheets[0].front_image_png,
          renderer.png(r.sheets[0], { widthPx: 400 }).toBase64(),
        );
      },
    );

    await t.step(
      "[form] the result page names the certificate 住民票記載事項証明書",
      async () => {
        const { cookie, token } = await openStartPage(portal.app);
        const res = await postForm(portal.app, pdf, { cookie, token });
        assert.equal(res.status, 200);
        const html = await res.text();
        assert.match(html, /data-verdict="genuine"/);
        assert.match(html, /住民票記載事項証明書/);
      },
    );
  } finally {
    await w.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("[e2e] a 記載事項証明書 for the whole household is refused (KISAI_SELF_ONLY), nothing issued", async () => {
  const w = await openIssuanceWorld({ nodes: ONE_NODE });
  try {
    const head = await w.moveIn(CODE, { name: "世帯　主男" });
    const household = await w.householdOf(CODE, head);
    await w.moveIn(CODE, { name: "世帯　妻子", sex: "female" }, {
      householdId: household,
      relationship: "妻",
    });
    const card = await w.issueCard(CODE, head);
    await w.sync();
    const r = await w.kiosk().run({
      card,
      pin: "1234",
      type: "kisai",
      members: "all",
    });
    assert.equal(r.ok, false);
    assert.equal((r as KioskRefusal).code, "KISAI_SELF_ONLY");
    assert.match((r as KioskRefusal).message_ja, /ご本人の分のみ/);
    const issued = await w.jlis.databases[0].db.select().from(ledger);
    assert.equal(issued.length, 0);
  } finally {
    await w.close();
  }
});
