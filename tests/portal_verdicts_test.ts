/**
 * Every verdict, reached with real scans through the real decoder and
 * renderer: genuine, voided, revoked, tampered, unknown-key,
 * not-a-certificate, unreadable — through the API and the web form.
 */
import assert from "node:assert/strict";
import { createRenderer } from "../lib/render/mod.ts";
import { makeDemoCenter, verdictScans } from "./fixtures/verdict_scans.ts";
import { PORTAL_VERDICTS, VERDICT_COPY } from "../services/portal/verdicts.ts";
import {
  BANK_KEY,
  makeTestPortal,
  openStartPage,
  postApi,
  postForm,
} from "./support/portal_world.ts";

const center = await makeDemoCenter();
const scans = await verdictScans(center);
const renderer = await createRenderer();
const { app, audit } = await makeTestPortal({
  keyList: center.keyList,
  decryptionKeys: [center.contentKey],
  statusLookup: center.statusLookup,
  renderFront: (sheet) =>
    Promise.resolve(renderer.png(sheet, { widthPx: 400 })),
});

Deno.test("the sample scans cover every verdict", () => {
  assert.deepEqual(scans.map((s) => s.verdict), [...PORTAL_VERDICTS]);
  for (const v of PORTAL_VERDICTS) {
    const copy = VERDICT_COPY[v];
    assert.ok(
      copy.title.ja && copy.title.en && copy.next.ja.length &&
        copy.next.en.length,
      v,
    );
    assert.equal(copy.next.ja.length, copy.next.en.length, v);
  }
});

for (const scan of scans) {
  Deno.test(`[api] a real scan gives ${scan.verdict} (${scan.reason})`, async () => {
    const before = audit.records.length;
    const res = await postApi(app, scan.png, {
      key: BANK_KEY,
      name: "back.png",
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.verdict, scan.verdict);
    assert.equal(body.reason_code, scan.reason);
    assert.ok(body.reason_ja && body.reason_en);
    const readable = ["genuine", "voided", "revoked"].includes(scan.verdict);
    if (readable) {
      assert.equal(body.certificate.issueNumber, scan.issueNumber);
      assert.equal(body.issue_number, scan.issueNumber);
      const png = Uint8Array.fromBase64(body.front_image_png);
      assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      assert.equal(
        body.status,
        scan.verdict === "genuine" ? "valid" : scan.verdict,
      );
    } else {
      assert.equal(body.certificate, null);
      assert.equal(body.front_image_png, null);
    }
    const rec = audit.records[before];
    assert.equal(rec.verdict, scan.verdict);
    assert.equal(
      rec.issueNumber,
      readable || scan.verdict === "unknown-key" ? scan.issueNumber : undefined,
    );
  });
}

Deno.test("[form] a real genuine scan renders the front image beside the verdict, with the issue facts", async () => {
  const { cookie, token } = await openStartPage(app);
  const genuine = scans.find((s) => s.verdict === "genuine")!;
  const res = await postForm(app, genuine.png, {
    cookie,
    token,
    name: "back.pdf",
  });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<div class="result"><figure class="front">/);
  assert.match(html, /data-verdict="genuine"/);
  assert.ok(html.includes(genuine.issueNumber!));
  assert.match(html, /北九州市（401005）/);
  assert.match(html, /令和8年11月26日（2026-11-26）/);
});

Deno.test("[form] a real scan sent under a misleading name is judged by its bytes", async () => {
  const { cookie, token } = await openStartPage(app);
  const revoked = scans.find((s) => s.verdict === "revoked")!;
  const res = await postForm(app, revoked.png, {
    cookie,
    token,
    name: "letter.docx",
  });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /data-verdict="revoked"/);
});
