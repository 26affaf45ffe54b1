/**
 * The portal sheet by sheet: the kiosk's own PDF of a household of six (a
 * front and a back page per sheet, twelve pages) is verified whole — every
 * back side with its own verdict and front, the fronts skipped, the overall
 * verdict the worst sheet's, the ledger asked per sheet — through the API
 * and the result page; one tampered sheet or one jammed page among six
 * leaves the other five genuine; a front uploaded alone gets its own reason
 * and advice, in Japanese and English; an upload beyond the configured
 * number of sheets is refused.
 */
import assert from "node:assert/strict";
import { buildBackSide } from "../lib/backside/build_back_side.ts";
import { renderDocumentPdf } from "../lib/render/mod.ts";
import type { LedgerStatus } from "../services/portal/verdicts.ts";
import { makeTestCenter } from "./fixtures/back_side.ts";
import { householdKioskPdf } from "./fixtures/kiosk_pdf.ts";
import { makeRenkiDocument } from "./fixtures/certificate.ts";
import { type JuminhyoSheet, peopleOf } from "../lib/certificate/model.ts";
import { sheetFromJson } from "../lib/contracts/sheet_wire.ts";
import { createRenderContext } from "../lib/render/context.ts";
import { renderSheetPng } from "../lib/render/png.ts";
import {
  BANK_KEY,
  makeTestPortal,
  openStartPage,
  postApi,
  postForm,
} from "./support/portal_world.ts";

const center = await makeTestCenter();
const FRONT = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 9, 9, 9]);

/** Ledger answers by `issueNumber#page`, else by issue number, else valid. */
const ledger = new Map<string, LedgerStatus>();
const asked: Array<[string, number | undefined]> = [];

async function portal(maxSheets?: number) {
  return await makeTestPortal({
    keyList: center.keyList,
    decryptionKeys: [center.encryptionKey],
    renderFront: () => Promise.resolve(FRONT.slice()),
    statusLookup: (n, page) => {
      asked.push([n, page]);
      return Promise.resolve(
        ledger.get(`${n}#${page}`) ?? ledger.get(n) ?? "valid",
      );
    },
    ...(maxSheets ? { limits: { maxSheets } } : {}),
  });
}

const ISSUE = "401005-20261126-000555";
/** The kiosk's PDF for a household of six: front, back, … (12 pages). */
const household = await householdKioskPdf(center, { issueNumber: ISSUE });
const kioskPdf = household.pdf;
/** The same household with sheet 4's back mixing in another certificate's symbols. */
const tamperedPdf = (await householdKioskPdf(center, {
  issueNumber: ISSUE,
  tamperedSheet: 4,
})).pdf;

const FRONT_PAGES = [1, 3, 5, 7, 9, 11];
const BACK_PAGES = [2, 4, 6, 8, 10, 12];
/** Six verdicts: genuine but sheet `n`'s. */
const genuineBut = (n: number, verdict: string) =>
  BACK_PAGES.map((_, j) => j === n - 1 ? verdict : "genuine");

const { app } = await portal();

interface SheetJson {
  file_page: number;
  verdict: string;
  reason_code: string;
  status: string;
  issue_number: string | null;
  certificate: { page: number; subject: { name: string } } | null;
  front_image_png: string | null;
}

Deno.test("[api] the kiosk's PDF of a household of six: six sheets, each genuine with its own front, fronts skipped", async () => {
  asked.length = 0;
  const res = await postApi(app, kioskPdf, { key: BANK_KEY });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.verdict, "genuine");
  assert.deepEqual(body.front_pages, FRONT_PAGES);
  const sheets = body.sheets as SheetJson[];
  assert.deepEqual(sheets.map((s) => s.file_page), BACK_PAGES);
  assert.deepEqual(
    sheets.map((s) => s.verdict),
    BACK_PAGES.map(() => "genuine"),
  );
  assert.deepEqual(sheets.map((s) => s.certificate?.page), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(
    sheets.map((s) => s.certificate?.subject.name),
    household.doc.sheets.map((s) => s.subject.name),
    "each sheet's own member",
  );
  assert.ok(sheets.every((s) => s.front_image_png === FRONT.toBase64()));
  assert.ok(sheets.every((s) => s.issue_number === ISSUE));
  assert.deepEqual(
    asked.map(([, page]) => page).sort(),
    [1, 2, 3, 4, 5, 6],
    "the ledger asked once per sheet, for that sheet",
  );
});

Deno.test("[api] one tampered sheet among six: overall tampered, the other five genuine with their fronts", async () => {
  const res = await postApi(app, tamperedPdf, { key: BANK_KEY });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.verdict, "tampered");
  assert.equal(body.reason_code, "SYMBOLS_MIXED");
  const sheets = body.sheets as SheetJson[];
  assert.deepEqual(sheets.map((s) => s.verdict), genuineBut(4, "tampered"));
  assert.equal(sheets[3].reason_code, "SYMBOLS_MIXED");
  assert.equal(sheets[3].certificate, null);
  assert.equal(sheets[3].front_image_png, null);
  assert.deepEqual(
    sheets.filter((s) => s.verdict === "genuine").map((s) =>
      s.certificate?.page
    ),
    [1, 2, 3, 5, 6],
  );
});

Deno.test("[api] a partly jammed issue of six: the five delivered sheets genuine, the jammed one void; a revoked issue revokes every sheet", async () => {
  ledger.set(`${ISSUE}#5`, "voided");
  try {
    const body = await (await postApi(app, kioskPdf, { key: BANK_KEY }))
      .json();
    assert.equal(body.verdict, "voided");
    const sheets = body.sheets as SheetJson[];
    assert.deepEqual(sheets.map((s) => s.verdict), genuineBut(5, "voided"));
    assert.deepEqual(
      sheets.map((s) => s.status),
      genuineBut(5, "voided").map((v) => v === "genuine" ? "valid" : v),
    );
  } finally {
    ledger.delete(`${ISSUE}#5`);
  }
  ledger.set(ISSUE, "revoked");
  try {
    const body = await (await postApi(app, kioskPdf, { key: BANK_KEY }))
      .json();
    assert.equal(body.verdict, "revoked");
    const sheets = body.sheets as SheetJson[];
    assert.equal(sheets.length, 6);
    assert.ok(sheets.every((s) => s.verdict === "revoked"));
  } finally {
    ledger.delete(ISSUE);
  }
});

/** The kiosk's front of sheet 1 alone, uploaded by mistake. */
const frontAlone = renderDocumentPdf(household.doc, undefined, { sheets: 1 });

Deno.test("[api] a front uploaded alone: FRONT_SIDE_ONLY, with advice to upload the back side, in Japanese and English", async () => {
  const res = await postApi(app, frontAlone, { key: BANK_KEY });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.verdict, "not-a-certificate");
  assert.equal(body.reason_code, "FRONT_SIDE_ONLY");
  assert.match(body.reason_ja, /表面です.*裏面.*アップロードしてください/);
  assert.match(body.reason_en, /front.*turn the sheet over.*back/);
  assert.deepEqual(
    (body.sheets as SheetJson[]).map((s) => s.reason_code),
    ["FRONT_SIDE_ONLY"],
  );
});

Deno.test("[api] more sheets than the portal's maximum: refused with 413 TOO_MANY_SHEETS", async () => {
  const small = await portal(2);
  const res = await postApi(small.app, kioskPdf, { key: BANK_KEY });
  assert.equal(res.status, 413);
  const body = await res.json();
  assert.equal(body.code, "TOO_MANY_SHEETS");
  assert.match(body.message_en, /up to 2 sheets \(4 pages/);
  assert.equal(small.audit.records.at(-1)?.code, "TOO_MANY_SHEETS");
});

Deno.test("[form] the result page lists all six sheets, each with its own verdict and front", async () => {
  const { cookie, token } = await openStartPage(app);
  const res = await postForm(app, tamperedPdf, { cookie, token });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(
    html,
    /id="verdict-title"[^>]*>改ざんされている可能性があります/,
  );
  genuineBut(4, "tampered").forEach((verdict, i) => {
    assert.match(
      html,
      new RegExp(`data-sheet="${i + 1}" data-verdict="${verdict}"`),
    );
    const front = new RegExp(`id="front-image-${i + 1}"`);
    if (verdict === "genuine") assert.match(html, front);
    else assert.doesNotMatch(html, front);
  });
  assert.doesNotMatch(html, /data-sheet="7"/);
  assert.match(html, /1枚目（ファイルの2ページ）/);
  assert.match(html, /6枚目（ファイルの12ページ）/);
  assert.match(html, /1, 3, 5, 7, 9, 11/, "the fronts skipped are named");
});

Deno.test("[form] a partly jammed issue of six on the result page: the jammed sheet stamped void, the others genuine", async () => {
  ledger.set(`${ISSUE}#5`, "voided");
  try {
    const { cookie, token } = await openStartPage(app);
    const res = await postForm(app, kioskPdf, { cookie, token });
    assert.equal(res.status, 200);
    const html = await res.text();
    genuineBut(5, "voided").forEach((verdict, i) =>
      assert.match(
        html,
        new RegExp(`data-sheet="${i + 1}" data-verdict="${verdict}"`),
      )
    );
    assert.equal(html.match(/data-stamp="無効"/g)?.length, 1);
    assert.match(html, /id="front-image-5"/);
  } finally {
    ledger.delete(`${ISSUE}#5`);
  }
});

for (
  const [lang, title, advice] of [
    ["ja", /証明書の裏面ではありません/, /これは証明書の表面です。.*裏返して/],
    [
      "en",
      /Not the back of a certificate/,
      /This is the front of a certificate\..*turn the sheet over/,
    ],
  ] as const
) {
  Deno.test(`[form] a front uploaded alone: the result page gives its own reason and advice (${lang})`, async () => {
    const { cookie, token } = await openStartPage(app);
    const res = await postForm(app, frontAlone, {
      cookie,
      token,
      lang,
    });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, new RegExp(`id="verdict-title"[^>]*>${title.source}`));
    assert.match(html, /data-reason="FRONT_SIDE_ONLY"/);
    assert.match(html, advice);
  });
}

Deno.test("[api] a 世帯連記式 household of six: two sheets, every member of each decoded and genuine, the ledger asked per page; the front renders as printed", async () => {
  const renki = makeRenkiDocument({ issueNumber: "401005-20261126-000777" });
  const renkiBacks = await Promise.all(
    renki.sheets.map((sheet) =>
      buildBackSide(sheet, {
        signer: center.signer,
        encryptionKey: center.encryptionKey,
      })
    ),
  );
  asked.length = 0;
  const res = await postApi(app, renderDocumentPdf(renki, renkiBacks), {
    key: BANK_KEY,
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.verdict, "genuine");
  const sheets = body.sheets as (SheetJson & {
    certificate: JuminhyoSheet | null;
  })[];
  assert.deepEqual(sheets.map((s) => s.verdict), ["genuine", "genuine"]);
  const decoded = sheets.map((s) => sheetFromJson(s.certificate!));
  assert.deepEqual(
    decoded.map((c) => peopleOf(c).map((p) => p.name)),
    [
      ["山田　太郎", "山田　花子", "山田　一郎", "山田　桜"],
      ["山田　ハナ", "鈴木　健"],
    ],
  );
  assert.deepEqual(decoded, renki.sheets);
  assert.deepEqual(asked.map(([n, page]) => [n, page]).sort(), [
    ["401005-20261126-000777", 1],
    ["401005-20261126-000777", 2],
  ]);
  // The portal draws the decoded sheet as it was printed (the golden image
  // of page 2: its members and the whole-household 認証文).
  const context = createRenderContext();
  assert.deepEqual(
    renderSheetPng(decoded[1], { widthPx: 827, context }),
    renderSheetPng(renki.sheets[1], { widthPx: 827, context }),
  );
});
