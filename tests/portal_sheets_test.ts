/**
 * The portal sheet by sheet: the kiosk's own PDF of a household (a front
 * and a back page per sheet) is verified whole — every back side with its
 * own verdict and front, the fronts skipped, the overall verdict the worst
 * sheet's, the ledger asked per sheet — through the API and the result
 * page; a front uploaded alone gets its own reason; an upload beyond the
 * configured number of sheets is refused.
 */
import assert from "node:assert/strict";
import { buildBackSide } from "../lib/backside/build_back_side.ts";
import type { BackSide } from "../lib/certificate/model.ts";
import { renderDocumentPdf } from "../lib/render/mod.ts";
import type { LedgerStatus } from "../services/portal/verdicts.ts";
import { makeTestCenter } from "./fixtures/back_side.ts";
import {
  makeHouseholdDocument,
  makeRenkiDocument,
} from "./fixtures/certificate.ts";
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

const doc = makeHouseholdDocument({ issueNumber: "401005-20261126-000555" });
const backs = await Promise.all(doc.sheets.map((sheet) =>
  buildBackSide(sheet, {
    signer: center.signer,
    encryptionKey: center.encryptionKey,
  })
));
/** The kiosk's PDF: front, back, front, back, front, back. */
const kioskPdf = renderDocumentPdf(doc, backs);

// Sheet 2's back mixes its symbols with another certificate's: tampered.
const other = makeHouseholdDocument({ issueNumber: "401005-20261126-000556" });
const otherBack = await buildBackSide(other.sheets[1], {
  signer: center.signer,
  encryptionKey: center.encryptionKey,
});
const half = backs[1].symbols.length / 2;
const mixed: BackSide = {
  ...backs[1],
  symbols: [
    ...backs[1].symbols.slice(0, half),
    ...otherBack.symbols.slice(half),
  ],
};
const tamperedPdf = renderDocumentPdf(doc, [backs[0], mixed, backs[2]], {
  sheets: 2,
});

const { app } = await portal();

interface SheetJson {
  file_page: number;
  verdict: string;
  reason_code: string;
  status: string;
  issue_number: string | null;
  certificate: { page: number } | null;
  front_image_png: string | null;
}

Deno.test("[api] the kiosk's PDF of a household of three: three sheets, each genuine with its front, fronts skipped", async () => {
  asked.length = 0;
  const res = await postApi(app, kioskPdf, { key: BANK_KEY });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.verdict, "genuine");
  assert.deepEqual(body.front_pages, [1, 3, 5]);
  const sheets = body.sheets as SheetJson[];
  assert.deepEqual(sheets.map((s) => s.file_page), [2, 4, 6]);
  assert.deepEqual(sheets.map((s) => s.verdict), [
    "genuine",
    "genuine",
    "genuine",
  ]);
  assert.deepEqual(sheets.map((s) => s.certificate?.page), [1, 2, 3]);
  assert.ok(sheets.every((s) => s.front_image_png === FRONT.toBase64()));
  assert.ok(sheets.every((s) => s.issue_number === "401005-20261126-000555"));
  assert.deepEqual(
    asked.map(([, page]) => page).sort(),
    [1, 2, 3],
    "the ledger asked once per sheet, for that sheet",
  );
});

Deno.test("[api] a genuine sheet followed by a tampered one: overall tampered, sheet 1 genuine, sheet 2 tampered", async () => {
  const res = await postApi(app, tamperedPdf, { key: BANK_KEY });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.verdict, "tampered");
  assert.equal(body.reason_code, "SYMBOLS_MIXED");
  const sheets = body.sheets as SheetJson[];
  assert.deepEqual(sheets.map((s) => [s.verdict, s.reason_code]), [
    ["genuine", "GENUINE"],
    ["tampered", "SYMBOLS_MIXED"],
  ]);
  assert.equal(sheets[1].certificate, null);
  assert.equal(sheets[1].front_image_png, null);
});

Deno.test("[api] a partly jammed issue: the delivered sheets genuine, the jammed one void; a revoked issue revokes every sheet", async () => {
  const n = "401005-20261126-000555";
  ledger.set(`${n}#2`, "voided");
  try {
    const body = await (await postApi(app, kioskPdf, { key: BANK_KEY }))
      .json();
    assert.equal(body.verdict, "voided");
    assert.deepEqual(
      (body.sheets as SheetJson[]).map((s) => [s.verdict, s.status]),
      [["genuine", "valid"], ["voided", "voided"], ["genuine", "valid"]],
    );
  } finally {
    ledger.delete(`${n}#2`);
  }
  ledger.set(n, "revoked");
  try {
    const body = await (await postApi(app, kioskPdf, { key: BANK_KEY }))
      .json();
    assert.equal(body.verdict, "revoked");
    assert.ok(
      (body.sheets as SheetJson[]).every((s) => s.verdict === "revoked"),
    );
  } finally {
    ledger.delete(n);
  }
});

Deno.test("[api] a front uploaded alone: FRONT_SIDE_ONLY, with advice to upload the back side", async () => {
  const front = renderDocumentPdf(doc, undefined, { sheets: 1 });
  const res = await postApi(app, front, { key: BANK_KEY });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.verdict, "not-a-certificate");
  assert.equal(body.reason_code, "FRONT_SIDE_ONLY");
  assert.match(body.reason_ja, /表面です.*裏面/);
  assert.match(body.reason_en, /front.*back side/);
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

Deno.test("[form] the result page lists each sheet with its own verdict and front", async () => {
  const { cookie, token } = await openStartPage(app);
  const res = await postForm(app, tamperedPdf, { cookie, token });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(
    html,
    /id="verdict-title"[^>]*>改ざんされている可能性があります/,
  );
  assert.match(html, /data-sheet="1" data-verdict="genuine"/);
  assert.match(html, /data-sheet="2" data-verdict="tampered"/);
  assert.match(html, /id="front-image-1"/);
  assert.doesNotMatch(html, /id="front-image-2"/);
  assert.match(html, /1枚目（ファイルの2ページ）/);
});

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
