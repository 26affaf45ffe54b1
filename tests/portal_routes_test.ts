import assert from "node:assert/strict";
import { ISLAND_PROPS_ID } from "../services/portal/fresh/islands.ts";
import {
  BANK_KEY,
  fakeDecode,
  makeTestPortal,
  openStartPage,
  pagePng,
  postApi,
  postForm,
} from "./support/portal_world.ts";

function islandProps(html: string): Record<string, unknown>[] {
  const m = new RegExp(
    `<script type="application/json" id="${ISLAND_PROPS_ID}">(.*?)</script>`,
  ).exec(html);
  assert.ok(m, "island props script present");
  return JSON.parse(m[1]);
}

Deno.test("GET / renders the upload page in Japanese with the form island, its props and a CSRF cookie", async () => {
  const { app } = await makeTestPortal();
  const { res, html, cookie, token } = await openStartPage(app);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/html/);
  assert.match(html, /^<!DOCTYPE html><html lang="ja">/);
  assert.match(html, /<title>証明書の裏面を照合する \| /);
  assert.match(
    html,
    /<form class="upload" method="post" action="\/verify" enctype="multipart\/form-data"/,
  );
  assert.match(
    html,
    /<input class="file-input" id="scan" type="file" name="scan"/,
  );
  assert.match(html, /data-island="UploadForm" data-island-key="0"/);
  const [props] = islandProps(html);
  assert.equal(props.csrfToken, token);
  assert.equal(props.lang, "ja");
  assert.equal(props.action, "/verify");
  assert.equal((props.text as Record<string, string>).submit, "照合する");
  assert.ok(cookie.startsWith("portal_csrf="));
  assert.equal(cookie.slice("portal_csrf=".length), token);
  assert.match(res.headers.getSetCookie()[0], /HttpOnly; .*SameSite=Strict/);
  // Nothing on the page can look a certificate up by person.
  assert.doesNotMatch(html, /type="search"|name="(q|name|issueNumber)"/);
});

Deno.test("GET /?lang=en switches to English and remembers it in a cookie", async () => {
  const { app } = await makeTestPortal();
  const { res, html } = await openStartPage(app, "?lang=en");
  assert.match(html, /<html lang="en">/);
  assert.match(html, /Verify the back of a certificate/);
  assert.ok(
    res.headers.getSetCookie().some((c) => c.startsWith("portal_lang=en")),
  );
  const again = await app.request("/", {
    headers: { cookie: "portal_lang=en" },
  });
  assert.match(await again.text(), /<html lang="en">/);
});

Deno.test("pages carry a CSP allowing only this origin's scripts, and no-store", async () => {
  const { app } = await makeTestPortal();
  const res = await app.request("/");
  await res.body?.cancel();
  const csp = res.headers.get("content-security-policy")!;
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
});

for (
  const verdict of [
    "genuine",
    "tampered",
    "unknown-key",
    "not-a-certificate",
    "unreadable",
  ] as const
) {
  Deno.test(`POST /verify (no JavaScript) renders the ${verdict} result page`, async () => {
    const { app, audit } = await makeTestPortal({
      decode: fakeDecode(verdict),
    });
    const { cookie, token } = await openStartPage(app);
    const res = await postForm(app, await pagePng(), { cookie, token });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, new RegExp(`data-verdict="${verdict}"`));
    assert.match(html, /<h2>次に行うこと<\/h2><ol class="next-steps">/);
    if (verdict === "genuine") {
      assert.match(
        html,
        /<img id="front-image" src="data:image\/png;base64,iVBORwECAw=="/,
      );
      assert.match(html, /401005-20261126-000777/);
      assert.match(html, /北九州市（401005）/);
      assert.match(html, /令和8年11月26日/);
      assert.match(html, /取消・無効の記録なし/);
    } else {
      assert.doesNotMatch(html, /front-image/);
    }
    assert.equal(audit.records.length, 1);
    assert.equal(audit.records[0].channel, "form");
    assert.equal(audit.records[0].verdict, verdict);
  });
}

Deno.test("POST /verify renders voided and revoked with a stamp over the front, from the ledger", async () => {
  for (const status of ["voided", "revoked"] as const) {
    const portal = await makeTestPortal({ decode: fakeDecode("genuine") });
    portal.ledger.set("401005-20261126-000777", status);
    const { cookie, token } = await openStartPage(portal.app);
    const res = await postForm(portal.app, await pagePng(), { cookie, token });
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.match(html, new RegExp(`data-verdict="${status}"`));
    assert.match(html, new RegExp(`data-reason="${status.toUpperCase()}"`));
    assert.match(
      html,
      new RegExp(`data-stamp="${status === "voided" ? "無効" : "取消"}"`),
    );
    assert.match(html, /front-image/);
    assert.equal(portal.audit.records[0].verdict, status);
    assert.equal(portal.audit.records[0].status, status);
  }
});

Deno.test("POST /verify still answers when the ledger is down or hangs: signature verdict plus a note", async () => {
  for (const trouble of ["down", "hang"] as const) {
    const portal = await makeTestPortal({ decode: fakeDecode("genuine") });
    portal.ledger.set("401005-20261126-000777", trouble);
    const { cookie, token } = await openStartPage(portal.app);
    const res = await postForm(portal.app, await pagePng(), { cookie, token });
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.match(html, /data-verdict="genuine"/);
    assert.match(
      html,
      /交付記録（取消・無効の有無）を現在確認できませんでした/,
    );
    assert.match(html, /確認できませんでした/);
    assert.equal(portal.audit.records[0].status, "unavailable");
  }
});

Deno.test("POST /verify refuses a post without the CSRF token, with a wrong one, and from another site", async () => {
  const { app, audit } = await makeTestPortal({
    decode: fakeDecode("genuine"),
  });
  const { cookie, token } = await openStartPage(app);
  const png = await pagePng();
  const noToken = await postForm(app, png, { cookie });
  assert.equal(noToken.status, 403);
  assert.match(await noToken.text(), /data-refusal="CSRF_FAILED"/);
  const other = await openStartPage(app);
  const mismatched = await postForm(app, png, { cookie, token: other.token });
  assert.equal(mismatched.status, 403);
  await mismatched.body?.cancel();
  const noCookie = await postForm(app, png, { token });
  assert.equal(noCookie.status, 403);
  await noCookie.body?.cancel();
  const crossSite = await postForm(app, png, {
    cookie,
    token,
    headers: { "sec-fetch-site": "cross-site" },
  });
  assert.equal(crossSite.status, 403);
  await crossSite.body?.cancel();
  assert.ok(audit.records.every((r) => r.code === "CSRF_FAILED"));
  assert.ok(audit.records.every((r) => r.verdict === undefined));
});

Deno.test("POST /verify answers refusals in the form's language, as a page", async () => {
  const { app } = await makeTestPortal();
  const { cookie, token } = await openStartPage(app);
  const res = await postForm(app, new TextEncoder().encode("GIF89a...."), {
    cookie,
    token,
    lang: "en",
  });
  assert.equal(res.status, 415);
  const html = await res.text();
  assert.match(html, /<html lang="en">/);
  assert.match(html, /data-refusal="UNSUPPORTED_TYPE"/);
  assert.match(html, /Unsupported file type/);
});

Deno.test("anonymous form posts are rate limited per address (token bucket on the injected clock)", async () => {
  const { app, clock } = await makeTestPortal({
    decode: fakeDecode("unreadable"),
    anonymousRate: { capacity: 2, perMinute: 2 },
  });
  const { cookie, token } = await openStartPage(app);
  const png = await pagePng();
  for (let i = 0; i < 2; i++) {
    const ok = await postForm(app, png, { cookie, token });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  }
  const limited = await postForm(app, png, { cookie, token });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "30");
  assert.match(await limited.text(), /data-refusal="RATE_LIMITED"/);
  clock.advance(30_000);
  const again = await postForm(app, png, { cookie, token });
  assert.equal(again.status, 200);
  await again.body?.cancel();
});

Deno.test("GET /verify leads back to the start page: results have no URL", async () => {
  const { app } = await makeTestPortal();
  const res = await app.request("/verify");
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/");
});

Deno.test("unknown pages get the HTML error page, unknown API paths JSON", async () => {
  const { app } = await makeTestPortal();
  const page = await app.request("/results/401005-20261126-000777");
  assert.equal(page.status, 404);
  assert.match(page.headers.get("content-type")!, /text\/html/);
  const html = await page.text();
  assert.match(html, /data-status="404"/);
  assert.match(html, /<title>ページが見つかりません \| /);
  const api = await app.request("/api/nothing");
  assert.equal(api.status, 404);
  assert.equal((await api.json()).code, "NOT_FOUND");
});

Deno.test("POST /api/verify answers JSON with certificate and base64 front image for a genuine scan", async () => {
  const { app, audit } = await makeTestPortal({
    decode: fakeDecode("genuine"),
  });
  const res = await postApi(app, await pagePng(), { key: BANK_KEY });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /application\/json/);
  const body = await res.json();
  assert.equal(body.verdict, "genuine");
  assert.equal(body.reason_code, "GENUINE");
  assert.match(body.reason_ja, /署名を確認しました/);
  assert.match(body.reason_en, /Signature verified/);
  assert.equal(body.status, "valid");
  assert.equal(body.issue_number, "401005-20261126-000777");
  assert.equal(body.certificate.municipality.code, "401005");
  assert.equal(body.front_image_png, "iVBORwECAw==");
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.deepEqual(
    audit.records.map((r) => [r.client, r.channel, r.verdict, r.issueNumber]),
    [
      ["key:bank-a", "api", "genuine", "401005-20261126-000777"],
    ],
  );
});

Deno.test("POST /api/verify gives null certificate and image when the content could not be read", async () => {
  const { app } = await makeTestPortal({ decode: fakeDecode("unknown-key") });
  const body = await (await postApi(app, await pagePng(), { key: BANK_KEY }))
    .json();
  assert.equal(body.verdict, "unknown-key");
  assert.equal(body.certificate, null);
  assert.equal(body.front_image_png, null);
  assert.equal(body.issue_number, "401005-20261126-000777");
});

Deno.test("POST /api/verify: a wrong API key is refused (never downgraded to anonymous), anonymous use is rate limited", async () => {
  const { app } = await makeTestPortal({
    decode: fakeDecode("unreadable"),
    anonymousRate: { capacity: 1, perMinute: 1 },
  });
  const wrong = await postApi(app, await pagePng(), {
    key: "not-a-valid-key-000000",
  });
  assert.equal(wrong.status, 401);
  assert.equal((await wrong.json()).code, "API_KEY_INVALID");
  const first = await postApi(app, await pagePng());
  assert.equal(first.status, 200);
  await first.body?.cancel();
  const second = await postApi(app, await pagePng());
  assert.equal(second.status, 429);
  assert.equal((await second.json()).code, "RATE_LIMITED");
  const keyed = await postApi(app, await pagePng(), { key: BANK_KEY });
  assert.equal(keyed.status, 200);
  await keyed.body?.cancel();
});

Deno.test("POST /api/verify refuses a missing field and a non-multipart body with a reason", async () => {
  const { app } = await makeTestPortal();
  const missing = await postApi(app, await pagePng(), {
    key: BANK_KEY,
    field: "file",
  });
  assert.equal(missing.status, 400);
  assert.equal((await missing.json()).code, "SCAN_MISSING");
  const json = await app.request("/api/verify", {
    method: "POST",
    body: JSON.stringify({ scan: "x" }),
    headers: { "content-type": "application/json", "X-API-Key": BANK_KEY },
  });
  assert.equal(json.status, 415);
  assert.equal((await json.json()).code, "NOT_MULTIPART");
});

Deno.test("GET /.well-known/konbini-keys.json publishes the key list for offline checks", async () => {
  const keyList = {
    keys: [{
      keyId: "k1",
      spki: "AAAA",
      notBefore: "2026-01-01T00:00:00+09:00",
      notAfter: "2027-12-31T23:59:59+09:00",
      use: "sign" as const,
    }],
  };
  const { app } = await makeTestPortal({ keyList });
  const res = await app.request("/.well-known/konbini-keys.json");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /application\/json/);
  assert.match(res.headers.get("cache-control")!, /public/);
  assert.deepEqual(await res.json(), keyList);
});

Deno.test("a verification keeps nothing of the scan: the audit has no content and the bytes are wiped", async () => {
  let seen: Uint8Array | undefined;
  const genuine = fakeDecode("genuine");
  const { app, audit } = await makeTestPortal({
    decode: (bytes, o) => {
      seen = bytes;
      return genuine(bytes, o);
    },
  });
  const res = await postApi(app, await pagePng(), { key: BANK_KEY });
  await res.body?.cancel();
  assert.ok(seen && seen.length > 0);
  assert.ok(
    seen.every((b) => b === 0),
    "scan bytes overwritten after the answer",
  );
  const record = JSON.stringify(audit.records);
  assert.doesNotMatch(record, /試験|花子|小倉北区|iVBOR/);
  assert.deepEqual(Object.keys(audit.records[0]).sort(), [
    "bytes",
    "channel",
    "client",
    "code",
    "fileType",
    "issueNumber",
    "ms",
    "outcome",
    "requestId",
    "sheets",
    "status",
    "time",
    "verdict",
  ]);
});
