/**
 * [browser] The kiosk screen as a resident uses it, in Debian's Chromium
 * (playwright-core) over the in-process center: place a card, choose 住民票の写し
 * for the household with 世帯主・続柄, see the fee, type the PIN on the pad
 * (a slip corrected with 訂正), print, and take the PDF — which the center's
 * ledger recorded; then a wrong PIN's refusal screen and a left card's alarm
 * screen. Each screen is saved to tests/artifacts/kiosk_screen_*.png.
 */
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
// The world (the center) before the kiosk: @hono/zod-openapi must extend zod
// before lib/contracts/kiosk_center.ts builds the schemas the center extends.
import { openIssuanceWorld } from "./support/issuance_world.ts";
import { ledgerStatusLookup } from "../services/jlis/issuance/ledger.ts";
import { createKioskScreenApp } from "../services/kiosk/screen/app.tsx";

const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

const shot = (page: Page, name: string) =>
  page.screenshot({
    path: `${ARTIFACTS}kiosk_screen_${name}.png`,
    fullPage: true,
  });

Deno.test({
  name:
    "[browser] kiosk screen: card, 住民票 for the household, PIN pad, print and the PDF; a wrong PIN; a left card",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const w = await openIssuanceWorld({
      nodes: [{
        id: "node-a",
        tenants: [{ code: "401005", name: "北九州市", mayor: "北九州市長" }],
      }],
    });
    const work = await Deno.makeTempDir({ prefix: "kiosk-screen-e2e-" });
    const cardsDir = `${work}/cards`;
    await Deno.mkdir(cardsDir);
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const head = await w.moveIn("401005", {
      name: "北九　一郎",
      nameKana: "キタキュウ　イチロウ",
      birthDate: "1975-05-05",
    });
    const householdId = await w.householdOf("401005", head);
    await w.moveIn("401005", {
      name: "北九　花子",
      nameKana: "キタキュウ　ハナコ",
      birthDate: "1978-08-08",
      sex: "female",
    }, { householdId, relationship: "妻" });
    const card = await w.issueCard("401005", head);
    await Deno.copyFile(card.path, `${cardsDir}/${head}.card.json`);
    await w.sync();

    const app = createKioskScreenApp({
      kiosk: w.kioskOptions(),
      cardsDir,
      outDir: work,
      alarmAfterMs: 1,
    });
    const ac = new AbortController();
    const server = Deno.serve({
      port: 0,
      hostname: "127.0.0.1",
      signal: ac.signal,
      onListen: () => {},
    }, app.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const context = await browser.newContext({
        viewport: { width: 1024, height: 768 },
        locale: "ja-JP",
        acceptDownloads: true,
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(String(e)));
      page.on("console", (m) => {
        if (m.type() === "error") {
          problems.push(`${m.text()} ${m.location().url}`);
        }
      });

      // 1. Place the card.
      await page.goto(base);
      await page.getByRole("heading", {
        name: /マイナンバーカードを置いてください/,
      })
        .waitFor();
      await shot(page, "1_card");
      await page.getByRole("button", { name: new RegExp(head) }).click();

      // 2. The certificate type, its fee per sheet on the button.
      await page.getByRole("heading", { name: /証明書の種類を選んでください/ })
        .waitFor();
      await shot(page, "2_type");
      await page.getByRole("button", { name: /住民票の写し/ }).click();

      // 3. Whose: the whole household.
      await page.getByRole("heading", { name: /どなたの証明書/ }).waitFor();
      await shot(page, "3_members");
      await page.getByRole("button", { name: /世帯全員/ }).click();

      // 4. Items: 世帯主・続柄.
      await page.getByRole("heading", { name: /記載する項目/ }).waitFor();
      await page.getByLabel(/世帯主・続柄/).check();
      await shot(page, "4_options");
      await page.getByRole("button", { name: /次へ/ }).click();

      // 5. The choices and the fee, before the PIN.
      await page.getByRole("heading", { name: /内容をご確認ください/ })
        .waitFor();
      assert.match(await page.locator("#fee").innerText(), /1人につき200円/);
      await shot(page, "5_confirm");
      await page.getByRole("button", { name: /暗証番号を入力して印刷/ })
        .click();

      // 6. The PIN on the pad: 1 2 3 5, 訂正, 4 — masked.
      await page.getByRole("heading", { name: /暗証番号/ }).waitFor();
      const pad = page.locator("#pin-pad");
      await pad.waitFor({ state: "visible" });
      for (const key of ["1", "2", "3", "5", "back", "4"]) {
        await pad.locator(`button[data-key="${key}"]`).click();
      }
      const pin = page.locator("#pin");
      assert.equal(await pin.getAttribute("type"), "password");
      assert.equal(await pin.inputValue(), "1234");
      await shot(page, "6_pin");
      await page.getByRole("button", { name: /確定して印刷/ }).click();

      // 7. Done: the sheets, the fee; the PDF downloads.
      await page.getByRole("heading", {
        name: /証明書とカードをお取りください/,
      })
        .waitFor({ timeout: 60_000 });
      const text = await page.locator("main").innerText();
      assert.match(text, /北九　一郎/);
      assert.match(text, /北九　花子/);
      assert.match(await page.locator("#fee").innerText(), /400円/);
      await shot(page, "7_done");
      const issueNumber = (await page.locator("#issue-number").innerText())
        .trim();
      const db = w.jlis.databases[0].db;
      assert.equal(await ledgerStatusLookup(db)(issueNumber), "valid");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.locator("#pdf").click(),
      ]);
      const pdf = await Deno.readFile((await download.path())!);
      assert.equal(new TextDecoder().decode(pdf.subarray(0, 5)), "%PDF-");
      assert.match(download.suggestedFilename(), /^certificate-.+\.pdf$/);
      await page.getByRole("button", { name: /終了/ }).click();
      await page.getByRole("heading", {
        name: /マイナンバーカードを置いてください/,
      })
        .waitFor();

      // A wrong PIN: the card's own message and the tries left.
      await page.getByRole("button", { name: new RegExp(head) }).click();
      await page.getByRole("button", { name: /住民票の写し/ }).click();
      await page.getByRole("button", { name: /本人のみ/ }).click();
      await page.getByRole("button", { name: /次へ/ }).click();
      await page.getByRole("button", { name: /暗証番号を入力して印刷/ })
        .click();
      for (const key of ["9", "9", "9", "9"]) {
        await pad.locator(`button[data-key="${key}"]`).click();
      }
      await page.getByRole("button", { name: /確定して印刷/ }).click();
      await page.getByRole("heading", { name: /お取り扱いできません/ })
        .waitFor();
      assert.equal(
        await page.locator("#refusal-message [lang=ja]").innerText(),
        "暗証番号が違います。あと2回間違えるとカードがロックされます。",
      );
      assert.match(
        await page.locator("#remaining-tries").innerText(),
        /残り2回/,
      );
      await shot(page, "8_refusal_pin_wrong");

      // Enter it again, leaving the card behind: the alarm screen.
      await page.getByRole("link", { name: /暗証番号を入力し直す/ }).click();
      await page.getByRole("link", { name: /戻る/ }).click();
      await page.getByText(/シミュレーション/).click();
      await page.getByLabel(/カードを取り忘れる/).check();
      await page.getByRole("button", { name: /暗証番号を入力して印刷/ })
        .click();
      await page.locator("#pin").fill("1234");
      await page.getByRole("button", { name: /確定して印刷/ }).click();
      await page.getByRole("heading", { name: /カードのお取り忘れ/ }).waitFor({
        timeout: 60_000,
      });
      await shot(page, "9_alarm_card");
      await page.getByRole("button", { name: /カードを取りました/ }).click();
      await page.getByRole("heading", {
        name: /証明書とカードをお取りください/,
      })
        .waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      ac.abort();
      await server.finished;
      await w.close();
      await Deno.remove(work, { recursive: true });
    }
  },
});
