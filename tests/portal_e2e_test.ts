/**
 * [e2e] A bank's flow in Debian's Chromium (playwright-core): the upload
 * page hydrates its island, a scan dropped on it uploads with progress, and
 * the result shows the verdict beside the reduced front image; the same
 * flow works with JavaScript switched off; the kiosk's PDF for a household
 * of six shows its six sheets, each with its own verdict and front.
 * Screenshots go to tests/artifacts/.
 */
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./support/chromium.ts";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { chromium } from "playwright-core";
import { createRenderer } from "../lib/render/mod.ts";
import { createPortalApp } from "../services/portal/app.ts";
import { memoryAuditSink } from "../services/portal/audit.ts";
import { makeDemoCenter, verdictScans } from "./fixtures/verdict_scans.ts";
import { householdKioskPdf } from "./fixtures/kiosk_pdf.ts";
import { bundleIslands } from "../services/portal/fresh/bundle.ts";
import { discoverFiles } from "../services/portal/fresh/manifest.ts";
import { PORTAL_ROOT, STATIC_DIR } from "../services/portal/paths.ts";
import { silentLogger } from "../lib/service/logger.ts";

const ARTIFACTS = `${PORTAL_ROOT}/tests/artifacts`;

Deno.test({
  name:
    "[e2e] upload a generated scan in Chromium, with and without JavaScript, and see the verdict and the front",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "portal-e2e-" });
    const staticDir = `${work}/static`;
    await Deno.mkdir(staticDir);
    for (const f of ["portal.css", "favicon.svg"]) {
      await Deno.copyFile(`${STATIC_DIR}/${f}`, `${staticDir}/${f}`);
    }
    const { islands } = await discoverFiles(PORTAL_ROOT);
    await bundleIslands({ root: PORTAL_ROOT, islands, outDir: staticDir });
    await Deno.mkdir(ARTIFACTS, { recursive: true });

    const center = await makeDemoCenter();
    const scans = await verdictScans(center, { only: ["genuine", "voided"] });
    const { pdf: household } = await householdKioskPdf(
      { signer: center.signer, encryptionKey: center.contentKey },
      { tamperedSheet: 4 },
    );
    const renderer = await createRenderer();
    const audit = memoryAuditSink();
    const app = await createPortalApp({
      keyList: center.keyList,
      decryptionKeys: [center.contentKey],
      statusLookup: center.statusLookup,
      renderFront: (s) => Promise.resolve(renderer.png(s, { widthPx: 760 })),
      audit,
      staticDir,
      logger: silentLogger(),
    });
    const ac = new AbortController();
    const server = Deno.serve({
      port: 0,
      hostname: "127.0.0.1",
      signal: ac.signal,
      onListen: () => {},
    }, app.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const context = await chromium.launchPersistentContext(`${work}/profile`, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      locale: "ja-JP",
    });
    try {
      const page = context.pages()[0] ?? await context.newPage();
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(String(e)));

      // With JavaScript: the island hydrates, a dropped file is picked up.
      await page.goto(`${base}/`);
      await page.waitForSelector("form.upload--enhanced");
      assert.equal(
        await page.title(),
        "証明書の裏面を照合する | コンビニ交付証明書 照合サービス",
      );
      await page.screenshot({
        path: `${ARTIFACTS}/portal_upload.png`,
        fullPage: true,
      });
      const genuine = scans.find((s) => s.verdict === "genuine")!;
      const dataTransfer = await page.evaluateHandle((b64: string) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(
          new File([bytes], "genuine-back.png", { type: "image/png" }),
        );
        return dt;
      }, genuine.png.toBase64());
      await page.dispatchEvent(".dropzone", "drop", { dataTransfer });
      await page.waitForSelector("text=genuine-back.png");
      await page.click("button[type=submit]");
      await page.waitForSelector('[data-verdict="genuine"]', {
        timeout: 60_000,
      });
      assert.equal(new URL(page.url()).pathname, "/", "result shown in place");
      const image = await page.$eval("#front-image", (img) => {
        const i = img as HTMLImageElement;
        return {
          complete: i.complete,
          width: i.naturalWidth,
          height: i.naturalHeight,
        };
      });
      assert.ok(
        image.complete && image.width === 760 && image.height > 1000,
        JSON.stringify(image),
      );
      assert.match(
        await page.textContent("#verdict-title") ?? "",
        /発行時の内容と一致しました/,
      );
      assert.match(
        await page.textContent(".facts") ?? "",
        new RegExp(genuine.issueNumber!),
      );
      await page.screenshot({
        path: `${ARTIFACTS}/portal_result.png`,
        fullPage: true,
      });
      assert.deepEqual(problems, [], "no console errors or CSP violations");

      // The kiosk's PDF for a household of six, sheet 4 tampered: six
      // sheets listed, each with its own verdict, five fronts shown.
      await page.goto(`${base}/`);
      await page.waitForSelector("form.upload--enhanced");
      const householdDrop = await page.evaluateHandle((b64: string) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(
          new File([bytes], "household.pdf", { type: "application/pdf" }),
        );
        return dt;
      }, household.toBase64());
      await page.dispatchEvent(".dropzone", "drop", {
        dataTransfer: householdDrop,
      });
      await page.waitForSelector("text=household.pdf");
      await page.click("button[type=submit]");
      await page.waitForSelector(".sheet-list", { timeout: 120_000 });
      assert.deepEqual(
        await page.$$eval(
          "li.sheet",
          (els) => els.map((e) => e.getAttribute("data-verdict")),
        ),
        ["genuine", "genuine", "genuine", "tampered", "genuine", "genuine"],
      );
      const fronts = await page.$$eval(
        ".sheet-list img",
        (imgs) =>
          imgs.map((img) => {
            const i = img as HTMLImageElement;
            return { id: i.id, ok: i.complete && i.naturalWidth === 760 };
          }),
      );
      assert.deepEqual(
        fronts,
        [1, 2, 3, 5, 6].map((n) => ({
          id: `front-image-${n}`,
          ok: true,
        })),
      );
      assert.match(
        await page.textContent("#verdict-title") ?? "",
        /改ざんされている可能性があります/,
      );
      await page.screenshot({
        path: `${ARTIFACTS}/portal_result_household_of_six.png`,
        fullPage: true,
      });
      assert.deepEqual(problems, [], "no console errors or CSP violations");

      // Without JavaScript: the plain form post, in English, a voided sheet.
      const cdp = await context.newCDPSession(page);
      await cdp.send("Emulation.setScriptExecutionDisabled", { value: true });
      await page.goto(`${base}/?lang=en`);
      assert.equal(await page.$("form.upload--enhanced"), null);
      const voided = scans.find((s) => s.verdict === "voided")!;
      await page.setInputFiles("#scan", {
        name: "voided.png",
        mimeType: "image/png",
        buffer: Buffer.from(voided.png),
      });
      await Promise.all([
        page.waitForURL(`${base}/verify`),
        page.click("button[type=submit]"),
      ]);
      await page.waitForSelector('[data-verdict="voided"]');
      assert.match(await page.textContent("#verdict-title") ?? "", /Void/);
      assert.equal(
        await page.getAttribute(".front-frame", "data-stamp"),
        "VOID",
      );
      await page.screenshot({
        path: `${ARTIFACTS}/portal_result_voided_en.png`,
        fullPage: true,
      });

      assert.deepEqual(audit.records.map((r) => [r.channel, r.verdict]), [
        ["form", "genuine"],
        ["form", "tampered"],
        ["form", "voided"],
      ]);
    } finally {
      await context.close();
      ac.abort();
      await server.finished;
      await Deno.remove(work, { recursive: true });
    }
  },
});
