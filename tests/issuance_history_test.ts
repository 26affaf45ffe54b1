/**
 * The city's own 交付履歴 (issue 15, Build 1): certificates issued at a
 * kiosk through the center reach the municipality's registry over its own
 * link to the center (real sockets), exactly once and in order — an entry
 * lost on the way is seen as a gap and fetched again, and a stored entry
 * deleted later is found and fetched again; the city reads and searches its
 * history (a voided copy and a revoked one included), each read audited
 * with its purpose, and revokes from there; another municipality can
 * neither read nor revoke.
 *
 * @module
 */
import assert from "node:assert/strict";
import { useFormProfile } from "./support/asp_world.ts";
import { and, eq } from "drizzle-orm";
import { auditLog, issuanceEntries } from "../db/registry/schema.ts";
import { serveHttp } from "../lib/service/serve.ts";
import { createMetrics } from "../lib/service/metrics.ts";
import { silentLogger } from "../lib/service/logger.ts";
import { parseIssueNumber } from "../lib/contracts/issue_number.ts";
import { createRegistryApp } from "../services/registry/app.ts";
import { clientsFromTokens } from "../services/registry/auth.ts";
import { createFeedNotifier } from "../services/registry/feed_notifier.ts";
import {
  type CenterLink,
  startIssuancePull,
  storedEntries,
} from "../services/registry/issuances.ts";
import type { KioskReceipt, KioskRefusal } from "../services/kiosk/kiosk.ts";
import { openIssuanceWorld } from "./support/issuance_world.ts";
import { TOKENS as CENTER } from "./support/jlis_world.ts";

function ok(r: KioskReceipt | KioskRefusal): KioskReceipt {
  if (!r.ok) throw new Error(`refused: ${r.code} ${r.message_en}`);
  return r;
}

const HISTORY = {
  kitakyushu: "history-401005-token",
  fukuoka: "history-401307-token",
  reader: "reader-401005-token",
} as const;

Deno.test("[e2e] the city's 交付履歴: delivered once and in order over its link, a lost entry refetched, searched and revoked by the city alone", async () => {
  const w = await openIssuanceWorld();
  // 世帯連記式, one member a sheet: a household is one certificate of
  // several pages (what these steps exercise: a jam or a failure voids it whole).
  useFormProfile(w.nodes[0].asp.tenancy, "401005", {
    householdFormat: "renki",
    membersPerSheet: 1,
  });
  const center = await serveHttp(w.jlis.apps[0].fetch, {
    port: 0,
    hostname: "127.0.0.1",
  });
  // The link loses one entry once: the registry must see the gap.
  let lose: { code: string; seq: number } | null = null;
  const lossy: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const url = String(input);
    if (!lose || !url.includes(`/municipalities/${lose.code}/entries`)) {
      return res;
    }
    const body = await res.json();
    const n = body.entries.length;
    body.entries = body.entries.filter((e: { seq: number }) =>
      e.seq !== lose!.seq
    );
    if (body.entries.length < n) lose = null;
    return Response.json(body, { status: res.status });
  };
  const link: CenterLink = {
    centerUrl: center.url,
    fetchFor: () => lossy,
    tokenFor: (code) =>
      code === "401005"
        ? CENTER.city
        : code === "401307"
        ? CENTER.otherCity
        : null,
  };
  const metrics = createMetrics();
  const db = w.reg.database.db;
  const pull = startIssuancePull({
    db,
    link,
    logger: silentLogger(),
    metrics,
    intervalMs: 0,
    holeCheckMs: 0,
    pageSize: 3,
  });
  const app = createRegistryApp({
    db,
    clock: w.clock,
    clients: clientsFromTokens([
      {
        id: "city-401005",
        token: HISTORY.kitakyushu,
        scopes: ["issuances", "revoke"],
        municipalities: ["401005"],
      },
      {
        id: "city-401307",
        token: HISTORY.fukuoka,
        scopes: ["issuances", "revoke"],
        municipalities: ["401307"],
      },
      {
        id: "reader-401005",
        token: HISTORY.reader,
        scopes: ["read"],
        municipalities: ["401005"],
      },
    ]),
    notifier: createFeedNotifier(),
    center: link,
    issuancePull: pull,
    logger: silentLogger(),
    metrics,
  });
  const registry = await serveHttp(app.fetch, {
    port: 0,
    hostname: "127.0.0.1",
  });
  const call = async (
    method: string,
    path: string,
    o: { token?: string; body?: unknown; purpose?: string | null } = {},
  ) => {
    const res = await fetch(`${registry.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${o.token ?? HISTORY.kitakyushu}`,
        ...(o.purpose === null
          ? {}
          : { "x-purpose": encodeURIComponent(o.purpose ?? "交付履歴の確認") }),
        ...(o.body ? { "content-type": "application/json" } : {}),
      },
      body: o.body ? JSON.stringify(o.body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  };
  const history = async (query = "", token?: string) =>
    await call("GET", `/municipalities/401005/issuances${query}`, { token });
  try {
    const head = await w.moveIn("401005", { name: "北九　一郎" });
    const householdId = await w.householdOf("401005", head);
    const spouse = await w.moveIn("401005", {
      name: "北九　花子",
      sex: "female",
    }, { householdId, relationship: "妻" });
    const other = await w.moveIn("401307", { name: "福岡　次郎" });
    const headCard = await w.issueCard("401005", head);
    const spouseCard = await w.issueCard("401005", spouse);
    const otherCard = await w.issueCard("401307", other);
    await w.sync();
    const kiosk = w.kiosk();
    const plain = ok(
      await kiosk.run({ card: headCard, pin: "1234", type: "juminhyo" }),
    );
    const jammed = ok(
      await kiosk.run({
        card: headCard,
        pin: "1234",
        type: "juminhyo",
        members: "all",
        jamPage: -1,
      }),
    );
    assert.ok(jammed.voided.length > 0);
    const toRevoke = ok(
      await kiosk.run({ card: spouseCard, pin: "1234", type: "juminhyo" }),
    );
    const fukuoka = ok(
      await kiosk.run({ card: otherCard, pin: "1234", type: "juminhyo" }),
    );

    // 401005's entries: issued 1, delivered 2, issued 3, voided 4, issued
    // 5, delivered 6. Entry 3 is lost on the way once.
    lose = { code: "401005", seq: 3 };
    const first = await pull.tick();
    assert.equal(lose, null, "the link lost entry 3 once");
    assert.ok(first["401005"].gaps >= 1, "the gap was seen");
    assert.equal(first["401005"].contiguous, 6);
    assert.deepEqual(
      (await storedEntries(db, "401005")).map((e) => [Number(e.seq), e.kind]),
      [
        [1, "issued"],
        [2, "delivered"],
        [3, "issued"],
        [4, "voided"],
        [5, "issued"],
        [6, "delivered"],
      ],
    );
    assert.equal(first["401307"].contiguous, 2);
    // Exactly once: pulling again stores nothing.
    assert.equal((await pull.tick())["401005"].stored, 0);

    // The city reads its history: newest first, the standard's items.
    const all = await history();
    assert.equal(all.status, 200, JSON.stringify(all.body));
    assert.deepEqual(
      all.body.items.map((i: { issueNumber: string }) => i.issueNumber),
      [toRevoke.issueNumber, jammed.issueNumber, plain.issueNumber],
    );
    const v = all.body.items[1];
    assert.equal(v.status, "voided");
    assert.deepEqual(v.voidedPages, jammed.voided);
    assert.deepEqual(v.deliveredPages, jammed.delivered);
    assert.equal(v.fee, jammed.fee);
    assert.equal(v.disposal.length, 1);
    assert.equal(v.disposal[0].reason, "paper_jam");
    assert.deepEqual(v.disposal[0].pages, jammed.voided);
    assert.equal(v.disposal[0].refund, jammed.refund);
    const p = all.body.items[2];
    assert.equal(p.status, "delivered");
    assert.equal(p.applicantId, head);
    assert.deepEqual(p.subjects, [head]);
    assert.equal(p.kioskId, "kiosk-0001");
    assert.equal(p.type, "juminhyo");
    assert.equal(p.pages, plain.pages);
    assert.equal(typeof p.storeId, "string");
    assert.ok(!JSON.stringify(all.body).includes("北九"), "ids, not names");

    // The city revokes the spouse's copy; the history shows it revoked.
    const revoked = await call(
      "POST",
      `/municipalities/401005/issuances/${toRevoke.issueNumber}/revoke`,
      { body: { reason: "誤交付" } },
    );
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.equal(revoked.body.status.status, "revoked");
    const again = await call(
      "POST",
      `/municipalities/401005/issuances/${toRevoke.issueNumber}/revoke`,
      { body: { reason: "誤交付" } },
    );
    assert.equal(again.status, 409);
    assert.equal(again.body.code, "ISSUE_ALREADY_REVOKED");
    const byStatus = await history("?status=revoked");
    assert.deepEqual(
      byStatus.body.items.map((i: { issueNumber: string }) => i.issueNumber),
      [toRevoke.issueNumber],
    );
    assert.equal(byStatus.body.items[0].revokedBy, "city-401005");
    assert.equal(byStatus.body.items[0].revokeReason, "誤交付");
    assert.equal(
      (await history("?status=voided")).body.items[0].issueNumber,
      jammed.issueNumber,
    );

    // Search: by person, issue number, date range; pages with a cursor.
    const bySpouse = await history(`?person=${spouse}`);
    const spouseNumbers = bySpouse.body.items.map((
      i: { issueNumber: string },
    ) => i.issueNumber);
    assert.ok(spouseNumbers.includes(toRevoke.issueNumber));
    assert.ok(!spouseNumbers.includes(plain.issueNumber));
    assert.deepEqual(
      (await history(`?issueNumber=${plain.issueNumber}`)).body.items.map((
        i: { issueNumber: string },
      ) => i.issueNumber),
      [plain.issueNumber],
    );
    const day = parseIssueNumber(plain.issueNumber)!.date;
    const date = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`;
    assert.equal(
      (await history(`?from=${date}&to=${date}`)).body.items.length,
      3,
    );
    assert.equal(
      (await history(`?to=2020-01-01`)).body.items.length,
      0,
    );
    const page1 = await history("?limit=2");
    assert.equal(page1.body.items.length, 2);
    assert.ok(page1.body.nextCursor);
    const page2 = await history(`?limit=2&cursor=${page1.body.nextCursor}`);
    assert.deepEqual(
      page2.body.items.map((i: { issueNumber: string }) => i.issueNumber),
      [plain.issueNumber],
    );
    assert.equal(page2.body.nextCursor, null);

    // Every read is audited with its purpose; no purpose, no read.
    const audits = await db.select().from(auditLog).where(
      eq(auditLog.action, "issuance.search"),
    );
    assert.ok(audits.length >= 8);
    assert.ok(audits.every((a) => a.purpose === "交付履歴の確認"));
    const spouseAudit = audits.find((a) => a.subject === spouse);
    assert.ok(spouseAudit, "a search by person names the person searched");
    const noPurpose = await call("GET", "/municipalities/401005/issuances", {
      purpose: null,
    });
    assert.equal(noPurpose.status, 400);
    assert.equal(noPurpose.body.code, "PURPOSE_REQUIRED");
    const [revokeAudit] = await db.select().from(auditLog).where(and(
      eq(auditLog.action, "issuance.revoke"),
      eq(auditLog.outcome, "ok"),
    ));
    assert.equal(revokeAudit.purpose, "誤交付");

    // Another municipality can neither read nor revoke 401005's issues —
    // not at the registry, not at the center; a reader without the scope
    // cannot read the history.
    assert.equal((await history("", HISTORY.fukuoka)).status, 403);
    assert.equal((await history("", HISTORY.reader)).status, 403);
    const foreignRevoke = await call(
      "POST",
      `/municipalities/401005/issuances/${plain.issueNumber}/revoke`,
      { token: HISTORY.fukuoka, body: { reason: "誤交付" } },
    );
    assert.equal(foreignRevoke.status, 403);
    const ownPathOtherIssue = await call(
      "POST",
      `/municipalities/401307/issuances/${plain.issueNumber}/revoke`,
      { token: HISTORY.fukuoka, body: { reason: "誤交付" } },
    );
    assert.equal(ownPathOtherIssue.status, 404);
    const centerFeed = await fetch(
      `${center.url}/ledger/municipalities/401005/entries`,
      { headers: { authorization: `Bearer ${CENTER.otherCity}` } },
    );
    assert.equal(centerFeed.status, 403);
    assert.equal((await centerFeed.json()).code, "WRONG_MUNICIPALITY");
    const centerRevoke = await fetch(
      `${center.url}/ledger/${plain.issueNumber}/revoke`,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${CENTER.otherCity}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ reason: "誤交付" }),
      },
    );
    assert.equal(centerRevoke.status, 403);
    await centerRevoke.body?.cancel();
    assert.equal((await history()).body.items[2].status, "delivered");
    const theirs = await call("GET", "/municipalities/401307/issuances", {
      token: HISTORY.fukuoka,
    });
    assert.deepEqual(
      theirs.body.items.map((i: { issueNumber: string }) => i.issueNumber),
      [fukuoka.issueNumber],
    );

    // A stored entry deleted later: the next pull finds the hole and
    // fetches it again.
    await db.delete(issuanceEntries).where(and(
      eq(issuanceEntries.municipalityCode, "401005"),
      eq(issuanceEntries.seq, 2),
    ));
    const repaired = await pull.tick("401005");
    assert.equal(repaired["401005"].hole, 2);
    assert.equal(repaired["401005"].contiguous, 7);
    const seqs = (await storedEntries(db, "401005")).map((e) => Number(e.seq));
    assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6, 7]);
    const text = metrics.render();
    assert.match(
      text,
      /registry_issuance_gaps_total\{municipality="401005"\} 2/,
    );
    assert.match(
      text,
      /registry_issuance_lag_entries\{municipality="401005"\} 0/,
    );
  } finally {
    await pull.stop();
    await registry.stop();
    await center.stop();
    await w.close();
  }
});
