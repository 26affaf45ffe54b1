/**
 * [browser] The kiosk screen as a resident uses it, in Debian's Chromium
 * (playwright-core) over the in-process center: place a card, type the PIN
 * on the pad (a slip corrected with 訂正), choose 住民票の写し, tick a member
 * of the household by name, add 世帯主・続柄, see the fee, print, and take
 * the PDF — which the center's ledger recorded; then a protected member,
 * listed like the others, refused with the neutral message; a wrong PIN's
 * refusal screen and a left card's alarm screen. Each screen is saved to
 * tests/artifacts/kiosk_screen_*.png.
 */
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./support/chromium.ts";
import { useFormProfile } from "./support/asp_world.ts";
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
// The world (the center) before the kiosk: @hono/zod-openapi must extend zod
// before lib/contracts/kiosk_center.ts builds the schemas the center extends.
import { openIssuanceWorld } from "./support/issuance_world.ts";
import { ledgerStatusLookup } from "../services/jlis/issuance/ledger.ts";
import { createKioskScreenApp } from "../services/kiosk/screen/app.tsx";

const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;

const shot = (page: Page, name: string) =>
  page.screenshot({
    path: `${ARTIFACTS}kiosk_screen_${name}.png`,
    fullPage: true,
  });

Deno.test({
  name:
    "[browser] kiosk screen: card, PIN pad, 住民票 for members ticked by name, print and the PDF; a protected member refused neutrally; a wrong PIN; a left card",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const w = await openIssuanceWorld({
      nodes: [{
        id: "node-a",
        tenants: [{ code: "401005", name: "北九州市", mayor: "北九州市長" }],
      }],
    });
    // 世帯連記式: the members chosen are one copy (通), the fee shown.
    useFormProfile(w.nodes[0].asp.tenancy, "401005", {
      householdFormat: "renki",
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
    const sheltered = await w.moveIn("401005", {
      name: "北九　次郎",
      nameKana: "キタキュウ　ジロウ",
      birthDate: "2000-02-02",
    }, { householdId, relationship: "子" });
    await w.block("401005", sheltered, "support_measure");
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
      executablePath: CHROMIUM_PATH,
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

      // 2. The PIN on the pad: 1 2 3 5, 訂正, 4 — masked; it authenticates the card.
      await page.getByRole("heading", { name: /暗証番号/ }).waitFor();
      const pad = page.locator("#pin-pad");
      await pad.waitFor({ state: "visible" });
      for (const key of ["1", "2", "3", "5", "back", "4"]) {
        await pad.locator(`button[data-key="${key}"]`).click();
      }
      const pin = page.locator("#pin");
      assert.equal(await pin.getAttribute("type"), "password");
      assert.equal(await pin.inputValue(), "1234");
      await shot(page, "2_pin");
      await page.getByRole("button", { name: /確定/ }).click();

      // 3. The certificate type, its fee per copy on the button.
      await page.getByRole("heading", { name: /証明書の種類を選んでください/ })
        .waitFor();
      await shot(page, "3_type");
      await page.getByRole("button", { name: /住民票の写し/ }).click();

      // 4. Whose: the household by name, the applicant ticked; tick the spouse too.
      await page.getByRole("heading", { name: /どなたの証明書/ }).waitFor();
      const list = await page.locator("fieldset.members").innerText();
      assert.match(list, /北九　一郎（世帯主）/);
      assert.match(list, /北九　花子（妻）/);
      assert.match(
        list,
        /北九　次郎（子）/,
        "a protected member is listed too",
      );
      assert.ok(await page.getByLabel(/北九　一郎/).isChecked());
      assert.ok(!(await page.getByLabel(/北九　花子/).isChecked()));
      await page.getByLabel(/北九　花子/).check();
      await shot(page, "4_members");
      await page.getByRole("button", { name: /選んだ方で次へ/ }).click();

      // 5. Items: 世帯主・続柄.
      await page.getByRole("heading", { name: /記載する項目/ }).waitFor();
      await page.getByLabel(/世帯主・続柄/).check();
      await shot(page, "5_options");
      await page.getByRole("button", { name: /次へ/ }).click();

      // 6. The choices and the fee; confirming prints.
      await page.getByRole("heading", { name: /内容をご確認ください/ })
        .waitFor();
      assert.match(
        await page.locator("#persons").innerText(),
        /北九　一郎、北九　花子/,
      );
      assert.match(
        await page.locator("#fee").innerText(),
        /1通 200円 × 部数/,
      );
      await page.locator("#copies").selectOption("2");
      await shot(page, "6_confirm");
      await page.getByRole("button", { name: /印刷する/ }).click();

      // 7. Done: the two copies, their sheets, the fee; the PDF downloads.
      await page.getByRole("heading", {
        name: /証明書とカードをお取りください/,
      })
        .waitFor({ timeout: 60_000 });
      const text = await page.locator("main").innerText();
      assert.match(text, /北九　一郎/);
      assert.match(text, /北九　花子/);
      assert.doesNotMatch(text, /北九　次郎/);
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

      // The protected member, ticked by name: the neutral refusal, no reason.
      await page.getByRole("button", { name: new RegExp(head) }).click();
      await page.locator("#pin").fill("1234");
      await page.getByRole("button", { name: /確定/ }).click();
      await page.getByRole("button", { name: /住民票の写し/ }).click();
      await page.getByLabel(/北九　一郎/).uncheck();
      await page.getByLabel(/北九　次郎/).check();
      await page.getByRole("button", { name: /選んだ方で次へ/ }).click();
      await page.getByRole("button", { name: /次へ/ }).click();
      await page.getByRole("button", { name: /印刷する/ }).click();
      await page.getByRole("heading", { name: /お取り扱いできません/ })
        .waitFor({ timeout: 60_000 });
      const refusedText = await page.locator("main").innerText();
      assert.match(refusedText, /NOT_ISSUABLE_AT_KIOSK/);
      assert.doesNotMatch(refusedText, /北九　次郎|支援措置|support/i);
      await shot(page, "8_refusal_protected");
      await page.getByRole("button", { name: /カードを取って終了/ }).click();
      await page.getByRole("heading", {
        name: /マイナンバーカードを置いてください/,
      })
        .waitFor();

      // A wrong PIN: the card's own message and the tries left.
      await page.getByRole("button", { name: new RegExp(head) }).click();
      for (const key of ["9", "9", "9", "9"]) {
        await pad.locator(`button[data-key="${key}"]`).click();
      }
      await page.getByRole("button", { name: /確定/ }).click();
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
      await shot(page, "9_refusal_pin_wrong");

      // Enter it again, then only oneself, leaving the card behind: the alarm.
      await page.getByRole("link", { name: /暗証番号を入力し直す/ }).click();
      await page.locator("#pin").fill("1234");
      await page.getByRole("button", { name: /確定/ }).click();
      await page.getByRole("button", { name: /住民票の写し/ }).click();
      await page.getByRole("button", { name: /選んだ方で次へ/ }).click();
      await page.getByRole("button", { name: /次へ/ }).click();
      await page.getByText(/シミュレーション/).click();
      await page.getByLabel(/カードを取り忘れる/).check();
      await page.getByRole("button", { name: /印刷する/ }).click();
      await page.getByRole("heading", { name: /カードのお取り忘れ/ }).waitFor({
        timeout: 60_000,
      });
      await shot(page, "10_alarm_card");
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
