import assert from "node:assert/strict";
import { useFormProfile } from "../../../tests/support/asp_world.ts";
import { eq } from "drizzle-orm";
import { ledger } from "../../../db/jlis/schema.ts";
import { openCard } from "../../../lib/card/card.ts";
import { PageRenderError } from "../../../lib/render/mod.ts";
import {
  openIssuanceWorld,
  sharedRenderer,
} from "../../../tests/support/issuance_world.ts";
import { createKioskScreenApp, type KioskScreenDeps } from "./app.tsx";

type App = ReturnType<typeof createKioskScreenApp>;

/** Submits a form; returns the status, the redirect and the page. */
async function submit(
  app: App,
  path: string,
  fields: Record<string, string> | [string, string][] = {},
): Promise<{ status: number; location: string | null; html: string }> {
  const res = await app.request(path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  return {
    status: res.status,
    location: res.headers.get("Location"),
    html: await res.text(),
  };
}

async function get(app: App, path: string) {
  const res = await app.request(path);
  const type = res.headers.get("Content-Type") ?? "";
  const body = type.startsWith("application/pdf")
    ? new Uint8Array(await res.arrayBuffer())
    : await res.text();
  return { res, type, body };
}

/** Places the card and types the PIN; returns the session's base path (at the type step). */
async function start(app: App, card: string, pin = "1234"): Promise<string> {
  const placed = await submit(app, "/sessions", { card });
  assert.equal(placed.status, 303, placed.html);
  assert.match(placed.location!, /\/pin$/);
  const base = placed.location!.replace(/\/pin$/, "");
  const r = await submit(app, `${base}/pin`, { pin });
  assert.equal(r.status, 303, r.html);
  assert.equal(r.location, `${base}/type`);
  return base;
}

/**
 * Follows the screen from the card and the PIN to the confirmation; members
 * are 世帯全員 or the resident ids to tick. Returns the session's base path.
 */
async function choose(
  app: App,
  card: string,
  steps: { type: string; members?: "all" | string[]; options?: string[] },
): Promise<string> {
  const base = await start(app, card);
  let r = await submit(app, `${base}/type`, { type: steps.type });
  assert.equal(r.status, 303);
  if (steps.members) {
    assert.equal(r.location, `${base}/members`);
    r = await submit(
      app,
      `${base}/members`,
      steps.members === "all"
        ? { members: "all" }
        : steps.members.map((id): [string, string] => ["member", id]),
    );
    assert.equal(r.status, 303, r.html);
  }
  if (steps.options) {
    assert.equal(r.location, `${base}/options`);
    r = await submit(
      app,
      `${base}/options`,
      Object.fromEntries(steps.options.map((o) => [o, "on"])),
    );
  }
  assert.equal(r.location, `${base}/confirm`);
  return base;
}

/** The ledger's kinds of entries for an issue number. */
async function ledgerKinds(
  db: Awaited<ReturnType<typeof openIssuanceWorld>>["jlis"]["databases"][0][
    "db"
  ],
  issueNumber: string,
): Promise<string[]> {
  const rows = await db.select({ kind: ledger.kind }).from(ledger).where(
    eq(ledger.issueNumber, issueNumber),
  );
  return rows.map((r) => r.kind);
}

Deno.test("kiosk screen (app.request over the in-process center)", async (t) => {
  const w = await openIssuanceWorld({
    nodes: [{
      id: "node-a",
      tenants: [{ code: "401005", name: "北九州市", mayor: "北九州市長" }],
    }],
  });
  // 世帯連記式, one member a sheet: the household is one copy (通) of its
  // sheets, what the fee and copy steps below show.
  useFormProfile(w.nodes[0].asp.tenancy, "401005", {
    householdFormat: "renki",
    membersPerSheet: 1,
  });
  const cardsDir = await Deno.makeTempDir({ prefix: "kiosk-screen-cards-" });
  const outDir = await Deno.makeTempDir({ prefix: "kiosk-screen-out-" });
  let now = Date.parse("2026-11-26T01:00:00Z");
  const deps = (over: Partial<KioskScreenDeps> = {}): KioskScreenDeps => ({
    kiosk: w.kioskOptions(),
    cardsDir,
    outDir,
    alarmAfterMs: 1,
    now: () => now,
    ...over,
  });
  const app = createKioskScreenApp(deps());
  try {
    const head = await w.moveIn("401005", {
      name: "北九　一郎",
      nameKana: "キタキュウ　イチロウ",
      birthDate: "1975-05-05",
    });
    const householdId = await w.householdOf("401005", head);
    const spouse = await w.moveIn("401005", {
      name: "北九　花子",
      nameKana: "キタキュウ　ハナコ",
      birthDate: "1978-08-08",
      sex: "female",
    }, { householdId, relationship: "妻" });
    const loner = await w.moveIn("401005", {
      name: "門司　守",
      nameKana: "モジ　マモル",
      birthDate: "1980-03-03",
    });
    const lonerHousehold = await w.householdOf("401005", loner);
    const hidden = await w.moveIn("401005", {
      name: "門司　静",
      nameKana: "モジ　シズカ",
      birthDate: "1982-04-04",
      sex: "female",
    }, { householdId: lonerHousehold, relationship: "妻" });
    await w.block("401005", hidden, "support_measure");
    for (const [id, name] of [[head, "head"], [loner, "loner"]]) {
      const card = await w.issueCard("401005", id);
      await Deno.copyFile(card.path, `${cardsDir}/${name}.card.json`);
    }
    await Deno.writeTextFile(`${cardsDir}/broken.card.json`, "{}");
    await Deno.writeTextFile(`${cardsDir}/notes.txt`, "not a card");
    await w.sync();
    const db = w.jlis.databases[0].db;

    await t.step(
      "GET / lists the card files of the cards folder, an unreadable one disabled",
      async () => {
        const { res, type, body } = await get(app, "/");
        assert.equal(res.status, 200);
        assert.match(type, /^text\/html/);
        assert.match(String(body), /マイナンバーカードを置いてください/);
        assert.match(String(body), /value="head\.card\.json"/);
        assert.match(String(body), /value="loner\.card\.json"/);
        assert.match(String(body), /<button[^>]*disabled[^>]*>.*broken/s);
        assert.doesNotMatch(String(body), /notes\.txt/);
        assert.equal(res.headers.get("Cache-Control"), "no-store");
        assert.match(
          res.headers.get("Content-Security-Policy") ?? "",
          /default-src 'self'/,
        );
      },
    );

    await t.step(
      "POST /sessions refuses a card that is not in the folder",
      async () => {
        for (
          const card of [
            "../head.card.json",
            "nobody.card.json",
            "broken.card.json",
            "",
          ]
        ) {
          const r = await submit(app, "/sessions", { card });
          assert.equal(r.status, 400, card);
        }
      },
    );

    await t.step(
      "the PIN comes right after the card; a page past it without an authenticated card goes back to the PIN",
      async () => {
        const placed = await submit(app, "/sessions", {
          card: "head.card.json",
        });
        const base = placed.location!.replace(/\/pin$/, "");
        assert.equal(placed.location, `${base}/pin`);
        const pin = await get(app, `${base}/pin`);
        assert.match(String(pin.body), /type="password"/);
        assert.match(String(pin.body), /data-key="clear"/);
        for (
          const step of ["type", "members", "options", "confirm", "result"]
        ) {
          const r = await get(app, `${base}/${step}`);
          assert.equal(r.res.status, 303, step);
          assert.equal(r.res.headers.get("Location"), `${base}/pin`, step);
        }
        await submit(app, `${base}/end`);
      },
    );

    await t.step(
      "住民票 for the household: the names listed, 世帯全員, 部数 2 at the fee per copy, then the PDF and each copy's record in the ledger",
      async () => {
        const base = await start(app, "head.card.json");
        await submit(app, `${base}/type`, { type: "juminhyo" });
        const members = String((await get(app, `${base}/members`)).body);
        // The applicant first and ticked, then the others, with 続柄.
        assert.match(
          members,
          new RegExp(
            `value="${head}"[^>]*checked[^]*北九　一郎[^]*世帯主[^]*value="${spouse}"[^]*北九　花子[^]*妻`,
          ),
        );
        assert.doesNotMatch(
          members,
          new RegExp(`value="${spouse}"[^>]*checked`),
        );
        assert.doesNotMatch(
          members,
          /1975|1978|小倉北区/,
          "names and 続柄 only",
        );
        let r = await submit(app, `${base}/members`, { members: "all" });
        assert.equal(r.location, `${base}/options`);
        r = await submit(app, `${base}/options`, { zokugara: "on" });
        assert.equal(r.location, `${base}/confirm`);
        const confirm = await get(app, `${base}/confirm`);
        assert.equal(confirm.res.status, 200);
        assert.match(String(confirm.body), /住民票の写し/);
        assert.match(String(confirm.body), /北九　一郎、北九　花子/);
        assert.match(String(confirm.body), /世帯主・続柄/);
        // 世帯連記式: the two chosen are one certificate (通), one fee a copy.
        assert.match(
          String(confirm.body),
          /1通 200円 × 部数（1部）= 合計 200円/,
        );
        assert.match(
          String(confirm.body),
          /id="fee-per-person">[^]*?選んだ2人で1通/,
        );
        assert.match(String(confirm.body), /<select name="copies"/);

        const printed = await submit(app, `${base}/confirm`, { copies: "2" });
        assert.equal(printed.status, 303, printed.html);
        assert.equal(printed.location, `${base}/result`);
        const done = await get(app, `${base}/result`);
        assert.equal(done.res.status, 200);
        const html = String(done.body);
        assert.match(html, /証明書とカードをお取りください/);
        assert.match(html, /北九　一郎/);
        assert.match(html, /北九　花子/);
        assert.match(html, /id="fee">[^]*400円/);
        assert.match(html, /1通目[^]*2通目/);
        assert.doesNotMatch(html, /1234/, "the PIN is not on the page");
        const issueNumber = /id="issue-number">([^<]+)</.exec(html)![1];
        const numbers = [...html.matchAll(/class="issue-number">([^<]+)</g)]
          .map((m) => m[1]);
        assert.equal(numbers.length, 2);
        assert.equal(numbers[0], issueNumber);
        assert.notEqual(numbers[1], issueNumber);
        for (const n of numbers) {
          assert.deepEqual(await ledgerKinds(db, n), ["issued", "delivered"]);
        }

        const pdf = await get(app, `${base}/certificate.pdf`);
        assert.equal(pdf.res.status, 200);
        assert.equal(pdf.type, "application/pdf");
        const bytes = pdf.body as Uint8Array;
        assert.equal(new TextDecoder().decode(bytes.subarray(0, 5)), "%PDF-");

        // A printed session goes to its result, not back to printing.
        const again = await submit(app, `${base}/confirm`, {});
        assert.equal(again.location, `${base}/result`);
        const end = await submit(app, `${base}/end`);
        assert.equal(end.location, "/");
        const gone = await get(app, `${base}/certificate.pdf`);
        assert.equal(gone.res.status, 404);
      },
    );

    await t.step(
      "a member ticked by name: only that person is printed, one copy's fee; 部数 outside 1–10 is refused on the screen",
      async () => {
        const base = await choose(app, "head.card.json", {
          type: "juminhyo",
          members: [spouse],
          options: [],
        });
        const confirm = String((await get(app, `${base}/confirm`)).body);
        assert.match(confirm, /id="persons"><span lang="ja">北九　花子</);
        assert.match(confirm, /1通 200円 × 部数/);
        const tooMany = await submit(app, `${base}/confirm`, { copies: "11" });
        assert.equal(tooMany.status, 400);
        assert.match(tooMany.html, /部数は1〜10部で選んでください/);
        await submit(app, `${base}/confirm`, {});
        const html = String((await get(app, `${base}/result`)).body);
        assert.match(html, /北九　花子/);
        assert.doesNotMatch(html, /北九　一郎/);
        await submit(app, `${base}/end`);
      },
    );

    await t.step(
      "no one ticked, or someone not listed: the list again, with a notice",
      async () => {
        const base = await start(app, "head.card.json");
        await submit(app, `${base}/type`, { type: "juminhyo" });
        for (
          const fields of [[], [["member", loner]]] as [string, string][][]
        ) {
          const r = await submit(app, `${base}/members`, fields);
          assert.equal(r.status, 400);
          assert.match(r.html, /1人以上選んでください/);
        }
        await submit(app, `${base}/end`);
      },
    );

    await t.step(
      "印鑑登録証明書 skips the household and the items",
      async () => {
        const base = await start(app, "head.card.json");
        const r = await submit(app, `${base}/type`, { type: "inkan" });
        assert.equal(r.location, `${base}/confirm`);
        const members = await get(app, `${base}/members`);
        assert.equal(members.res.status, 303);
        assert.equal(members.res.headers.get("Location"), `${base}/confirm`);
        const options = await get(app, `${base}/options`);
        assert.equal(options.res.status, 303);
        await submit(app, `${base}/end`);
      },
    );

    await t.step(
      "住民票記載事項証明書: offered with its note, skips the household and the items, prints the applicant's own",
      async () => {
        const base = await start(app, "head.card.json");
        const types = String((await get(app, `${base}/type`)).body);
        assert.match(types, /value="kisai"[^>]*>.*住民票記載事項証明書/s);
        assert.match(types, /記載する事項は市区町村が定めています/);
        const r = await submit(app, `${base}/type`, { type: "kisai" });
        assert.equal(r.location, `${base}/confirm`);
        const members = await get(app, `${base}/members`);
        assert.equal(members.res.status, 303);
        assert.equal(members.res.headers.get("Location"), `${base}/confirm`);
        const confirm = String((await get(app, `${base}/confirm`)).body);
        assert.match(confirm, /住民票記載事項証明書/);
        assert.match(confirm, /ご本人の分のみ/);
        assert.match(confirm, /1通 200円 × 部数/);
        assert.doesNotMatch(confirm, /本籍・筆頭者/, "no items to choose");
        await submit(app, `${base}/confirm`, {});
        const html = String((await get(app, `${base}/result`)).body);
        assert.match(html, /北九　一郎/);
        assert.doesNotMatch(html, /北九　花子/);
        await submit(app, `${base}/end`);
      },
    );

    await t.step(
      "a wrong PIN shows the card's message and the tries left; a malformed one is not counted",
      async () => {
        const placed = await submit(app, "/sessions", {
          card: "loner.card.json",
        });
        const base = placed.location!.replace(/\/pin$/, "");
        const short = await submit(app, `${base}/pin`, { pin: "12a" });
        assert.equal(short.status, 422);
        assert.match(short.html, /暗証番号は数字4桁です/);
        assert.equal(
          await (await openCard(`${cardsDir}/loner.card.json`))
            .remainingTries(),
          3,
        );
        const wrong = await submit(app, `${base}/pin`, { pin: "0000" });
        assert.equal(wrong.location, `${base}/result`);
        const refusal = await get(app, `${base}/result`);
        const html = String(refusal.body);
        assert.match(
          html,
          /暗証番号が違います。あと2回間違えるとカードがロックされます。/,
        );
        assert.match(html, /残り2回/);
        assert.match(html, /PIN_WRONG/);
        assert.match(html, new RegExp(`href="${base}/pin"`));
        // The right PIN on the same session goes on, and prints.
        const ok = await submit(app, `${base}/pin`, { pin: "1234" });
        assert.equal(ok.location, `${base}/type`);
        await submit(app, `${base}/type`, { type: "juminhyo" });
        await submit(app, `${base}/members`, [["member", loner]]);
        await submit(app, `${base}/options`, {});
        await submit(app, `${base}/confirm`, {});
        assert.match(
          String((await get(app, `${base}/result`)).body),
          /門司　守/,
        );
        await submit(app, `${base}/end`);
      },
    );

    await t.step(
      "a protected member is listed like the others; choosing them gives the neutral refusal, no reason and no names",
      async () => {
        const base = await start(app, "loner.card.json");
        await submit(app, `${base}/type`, { type: "juminhyo" });
        const list = String((await get(app, `${base}/members`)).body);
        const label = (name: string) =>
          new RegExp(
            `<label><input type="checkbox" name="member" value="[^"]+"/><span lang="ja">${name}<span class="relationship">（[^）]+）</span></span></label>`,
          );
        assert.match(list, /門司　守/);
        assert.match(list, label("門司　静"), "listed like any other member");
        assert.doesNotMatch(list, /支援|support|protected|disabled/i);
        await submit(app, `${base}/members`, [["member", hidden]]);
        await submit(app, `${base}/options`, {});
        await submit(app, `${base}/confirm`, {});
        const html = String((await get(app, `${base}/result`)).body);
        assert.match(
          html,
          /この証明書はコンビニでは交付できません。市区町村の窓口にお問い合わせください。/,
        );
        assert.match(html, /NOT_ISSUABLE_AT_KIOSK/);
        assert.doesNotMatch(html, /門司　静|支援措置|support/);
        await submit(app, `${base}/end`);

        // 世帯全員 with the protected member: the same neutral refusal.
        const all = await choose(app, "loner.card.json", {
          type: "juminhyo",
          members: "all",
          options: [],
        });
        await submit(app, `${all}/confirm`, {});
        const again = String((await get(app, `${all}/result`)).body);
        assert.match(again, /NOT_ISSUABLE_AT_KIOSK/);
        assert.doesNotMatch(again, /門司　静|支援措置|support/);
        await submit(app, `${all}/end`);
      },
    );

    await t.step(
      "a left card and left paper each sound their alarm screen, then the receipt",
      async () => {
        const base = await choose(app, "head.card.json", {
          type: "juminhyo",
          members: [head],
          options: [],
        });
        await submit(app, `${base}/confirm`, {
          leaveCard: "on",
          leavePaper: "on",
          jam: "on",
        });
        // The only sheet jammed: nothing delivered, so no paper alarm.
        let html = String((await get(app, `${base}/result`)).body);
        assert.match(html, /カードのお取り忘れにご注意ください/);
        assert.match(html, /class="alarm"/);
        const taken = await submit(app, `${base}/alarms/card`);
        assert.equal(taken.location, `${base}/result`);
        html = String((await get(app, `${base}/result`)).body);
        assert.match(html, /用紙が詰まりました（1通目、1枚目）/);
        assert.match(html, /無効（用紙詰まり）/);
        assert.match(html, /0円（200円返金）/);
        assert.doesNotMatch(html, /id="pdf"/, "nothing printed");
        await submit(app, `${base}/end`);

        const both = await choose(app, "head.card.json", {
          type: "juminhyo",
          members: [head],
          options: [],
        });
        await submit(app, `${both}/confirm`, {
          leaveCard: "on",
          leavePaper: "on",
        });
        assert.match(
          String((await get(app, `${both}/result`)).body),
          /カードのお取り忘れ/,
        );
        await submit(app, `${both}/alarms/card`);
        assert.match(
          String((await get(app, `${both}/result`)).body),
          /証明書のお取り忘れ/,
        );
        await submit(app, `${both}/alarms/paper`);
        assert.match(
          String((await get(app, `${both}/result`)).body),
          /id="pdf"/,
        );
        await submit(app, `${both}/end`);
      },
    );

    await t.step(
      "a session ends after its idle lifetime; an unknown id is the ended screen",
      async () => {
        const base = await start(app, "head.card.json");
        now += 4 * 60_000;
        assert.equal((await get(app, `${base}/type`)).res.status, 200);
        now += 6 * 60_000;
        const ended = await get(app, `${base}/type`);
        assert.equal(ended.res.status, 404);
        assert.match(String(ended.body), /お手続きは終了しました/);
        const unknown = await get(app, "/s/not-a-session/type");
        assert.equal(unknown.res.status, 404);
      },
    );

    await t.step(
      "the center out of reach: a generic screen, nothing printed",
      async () => {
        const down = createKioskScreenApp(deps({
          kiosk: w.kioskOptions({
            fetch: () => Promise.reject(new TypeError("connection refused")),
          }),
        }));
        const placed = await submit(down, "/sessions", {
          card: "head.card.json",
        });
        const r = await submit(down, placed.location!, { pin: "1234" });
        assert.equal(r.status, 502);
        assert.match(r.html, /ただいまお取り扱いできません/);
      },
    );

    await t.step(
      "serves its style sheet and the PIN pad's script",
      async () => {
        const css = await get(app, "/screen.css");
        assert.equal(css.res.status, 200);
        assert.match(css.type, /^text\/css/);
        const js = await get(app, "/pin_pad.js");
        assert.equal(js.res.status, 200);
        assert.match(js.type, /^text\/javascript/);
        assert.match(String(js.body), /pin-pad/);
      },
    );

    await t.step(
      "a sheet the kiosk cannot render: the screen says so, the sheet is void (not printed) and refunded, no PDF",
      async () => {
        const real = await sharedRenderer();
        const failing = createKioskScreenApp(deps({
          kiosk: {
            ...w.kioskOptions(),
            renderer: () =>
              Promise.resolve({
                ...real,
                pdfOfDocuments: () => {
                  throw new PageRenderError(1, "front", new Error("injected"));
                },
              }),
          },
        }));
        const base = await choose(failing, "head.card.json", {
          type: "juminhyo",
          members: [head],
          options: [],
        });
        await submit(failing, `${base}/confirm`, {});
        const html = String((await get(failing, `${base}/result`)).body);
        assert.match(html, /証明書（1枚目）を印刷できませんでした/);
        assert.match(html, /無効（印刷できず）/);
        assert.match(html, /0円（200円返金）/);
        assert.doesNotMatch(html, /id="pdf"/, "nothing printed");
        await submit(failing, `${base}/end`);
      },
    );

    await t.step("refuses options without a cards folder or a renderer", () => {
      assert.throws(
        () => createKioskScreenApp(deps({ cardsDir: "" })),
        TypeError,
      );
      assert.throws(
        () =>
          createKioskScreenApp(
            deps({ kiosk: { ...w.kioskOptions(), renderer: undefined } }),
          ),
        TypeError,
      );
    });
  } finally {
    await w.close();
    await Deno.remove(cardsDir, { recursive: true });
    await Deno.remove(outDir, { recursive: true });
  }
});
