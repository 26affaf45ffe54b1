/**
 * Copies (部数) and fees end to end: a kiosk asks for several copies, each
 * its own document with its own 発行番号, back sides, ledger entries and
 * fee; a jam voids the copy it hits and refunds it; the fee per copy comes
 * from the municipality's fee schedule (effective-dated entries, set by the
 * municipality through the center's API), or the default.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { decodeScan } from "../lib/backside/mod.ts";
import { issuanceCopies, issuanceRequests } from "../db/jlis/schema.ts";
import {
  ledgerEntries,
  ledgerStatusLookup,
} from "../services/jlis/issuance/ledger.ts";
import { openIssuanceWorld, served } from "./support/issuance_world.ts";
import {
  municipalityOfIssueNumber,
  parseIssueNumber,
} from "../lib/contracts/issue_number.ts";
import { useFormProfile } from "./support/asp_world.ts";
import { kioskAuthenticate, TOKENS } from "./support/jlis_world.ts";
import type { KioskRefusal } from "../services/kiosk/kiosk.ts";

const DAY = 24 * 3600_000;

Deno.test("[e2e] 部数 3 with a jam on copy 2: copies 1 and 3 delivered, copy 2 voided and refunded, per copy in the ledger", async () => {
  const w = await openIssuanceWorld();
  const dir = await Deno.makeTempDir({ prefix: "kiosk-copies-" });
  try {
    const person = await w.moveIn("401005", { name: "部数　三郎" });
    const card = await w.issueCard("401005", person);
    await w.sync();
    const db = w.jlis.databases[0].db;
    const screens: string[] = [];
    const r = served(
      await w.kiosk({
        onEvent: (e) => e.kind === "screen" && screens.push(e.message_ja),
      }).run({
        card,
        pin: "1234",
        type: "juminhyo",
        copies: 3,
        jamCopy: 2,
        pdfPath: `${dir}/three.pdf`,
      }),
    );
    // The receipt: three copies, each its own number; copy 2 voided.
    const numbers = r.copies.map((c) => c.issueNumber);
    assert.equal(new Set(numbers).size, 3, "three issue numbers");
    // j1040: date, municipality, the kiosk as terminal, its printer, a serial
    const parts = numbers.map((n) => {
      const { serial: _, ...p } = parseIssueNumber(n)!;
      return p;
    });
    assert.equal(parts[0].form, "standard");
    assert.equal(municipalityOfIssueNumber(numbers[2]), "401005");
    assert.deepEqual(parts, [parts[0], parts[0], parts[0]]);
    assert.equal(r.issueNumber, numbers[0]);
    assert.deepEqual(
      r.copies.map((c) => [c.copy, c.status, c.pages, c.fee, c.refund]),
      [
        [1, "delivered", [1], 200, 0],
        [2, "voided", [2], 0, 200],
        [3, "delivered", [3], 200, 0],
      ],
    );
    assert.equal(r.pages, 3);
    assert.deepEqual(r.delivered, [1, 3]);
    assert.deepEqual(r.voided, [2]);
    assert.equal(r.fee, 400);
    assert.equal(r.refund, 200);
    assert.ok(screens.some((m) => m.includes("2通目")), screens.join("\n"));
    // Each copy is its own document: its number on its sheet and its back.
    assert.deepEqual(r.sheets.map((s) => s.issueNumber), numbers);
    assert.deepEqual(r.backs.map((b) => b.issueNumber), numbers);
    assert.deepEqual(r.sheets.map((s) => [s.page, s.pages]), [
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    assert.deepEqual(r.subjects, [person, person, person]);
    assert.ok(r.pdfPath, "copies 1 and 3 printed");
    // The printed PDF: copies 1 and 3 (front and back each); its back scans
    // genuine as a delivered copy, never the voided one.
    const pdf = await Deno.readFile(r.pdfPath);
    const scan = await decodeScan(pdf, {
      keyList: w.centerKeyList,
      decryptionKeys: [w.contentKey],
    });
    assert.equal(scan.verdict, "genuine", scan.reason.en);
    assert.ok([numbers[0], numbers[2]].includes(scan.issueNumber!));

    // The ledger: per copy an `issued` entry with its fee, then its outcome.
    const lookup = ledgerStatusLookup(db);
    assert.deepEqual(
      await Promise.all(numbers.map((n) => lookup(n))),
      ["valid", "voided", "valid"],
    );
    for (const [i, n] of numbers.entries()) {
      const entries = await ledgerEntries(db, n);
      assert.deepEqual(
        entries.map((e) => e.kind),
        ["issued", i === 1 ? "voided" : "delivered"],
      );
      const issued = entries[0].data as Record<string, unknown>;
      assert.equal(issued.copy, i + 1);
      assert.equal(issued.copies, 3);
      assert.equal(issued.fee, 200);
      assert.equal(issued.pages, 1);
      if (i === 1) {
        const voided = entries[1].data as Record<string, unknown>;
        assert.equal(voided.refund, 200);
        assert.equal(voided.reason, "paper_jam");
      }
    }
    const copies = await db.select().from(issuanceCopies).where(
      eq(issuanceCopies.requestId, r.requestId),
    );
    assert.deepEqual(
      copies.sort((a, b) => a.copy - b.copy).map((c) => [c.copy, c.state]),
      [[1, "delivered"], [2, "voided"], [3, "delivered"]],
    );
    const [req] = await db.select().from(issuanceRequests).where(
      eq(issuanceRequests.requestId, r.requestId),
    );
    assert.equal(req.copies, 3);

    // The municipality revokes one copy: the others keep their status.
    const revoked = await w.jlis.call(
      "POST",
      `/ledger/${numbers[2]}/revoke`,
      { token: TOKENS.city, body: { reason: "誤交付" } },
    );
    assert.equal(revoked.status, 200, await revoked.clone().text());
    assert.equal((await revoked.json()).status, "revoked");
    assert.deepEqual(
      await Promise.all(numbers.map((n) => lookup(n))),
      ["valid", "voided", "revoked"],
    );
  } finally {
    await w.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[e2e] copies of a whole-household 住民票 (世帯連記式): each copy is the whole set under its own number, one fee per copy", async () => {
  const w = await openIssuanceWorld();
  try {
    // One member a sheet: the household of two is a certificate of two pages.
    useFormProfile(w.nodes[0].asp.tenancy, "401005", {
      householdFormat: "renki",
      membersPerSheet: 1,
    });
    const head = await w.moveIn("401005", { name: "世帯　一郎" });
    const householdId = await w.householdOf("401005", head);
    const spouse = await w.moveIn("401005", {
      name: "世帯　花子",
      sex: "female",
    }, { householdId, relationship: "妻" });
    const card = await w.issueCard("401005", head);
    await w.sync();
    const r = served(
      await w.kiosk().run({
        card,
        pin: "1234",
        type: "juminhyo",
        members: "all",
        copies: 2,
        jamPage: 2, // the second sheet of copy 1
      }),
    );
    assert.equal(r.pages, 4);
    assert.deepEqual(r.subjects, [head, spouse, head, spouse]);
    assert.deepEqual(r.sheets.map((s) => [s.page, s.pages]), [
      [1, 2],
      [2, 2],
      [1, 2],
      [2, 2],
    ]);
    assert.deepEqual(
      r.copies.map((c) => [c.status, c.pages, c.fee, c.refund]),
      [["voided", [1, 2], 0, 200], ["delivered", [3, 4], 200, 0]],
    );
    assert.equal(r.fee, 200);
    const lookup = ledgerStatusLookup(w.jlis.databases[0].db);
    assert.equal(await lookup(r.copies[0].issueNumber, 1), "voided");
    assert.equal(await lookup(r.copies[1].issueNumber, 2), "valid");
  } finally {
    await w.close();
  }
});

Deno.test("[e2e] 部数 outside 1–10 is refused with COPIES_OUT_OF_RANGE, nothing recorded, the session still usable", async () => {
  const w = await openIssuanceWorld();
  try {
    const person = await w.moveIn("401005", { name: "範囲　外子" });
    const card = await w.issueCard("401005", person);
    await w.sync();
    const db = w.jlis.databases[0].db;
    const auth = await kioskAuthenticate(w.jlis, card, "1234");
    assert.equal(auth.status, 200);
    const { sessionId } = await auth.json();
    const path = `/kiosk/sessions/${sessionId}/certificates`;
    for (const copies of [0, 11, -1]) {
      const res = await w.jlis.call("POST", path, {
        body: { type: "juminhyo", copies },
      });
      assert.equal(res.status, 400);
      const body = await res.json();
      assert.equal(body.code, "COPIES_OUT_OF_RANGE");
      assert.match(body.message_ja, /1部から10部/);
      assert.match(body.message_en, /from 1 to 10/);
    }
    const half = await w.jlis.call("POST", path, {
      body: { type: "juminhyo", copies: 1.5 },
    });
    assert.equal(half.status, 400);
    assert.equal((await half.json()).code, "VALIDATION_FAILED");
    assert.equal((await db.select().from(issuanceRequests)).length, 0);
    const fine = await w.jlis.call("POST", path, {
      body: { type: "juminhyo", copies: 10 },
    });
    assert.equal(fine.status, 200, await fine.clone().text());
    const doc = await fine.json();
    assert.equal(doc.copies.length, 10);
    assert.equal(doc.fee, 2000);
    // The kiosk itself refuses nothing locally: the center's answer is shown.
    const r = await w.kiosk().run({
      card,
      pin: "1234",
      type: "juminhyo",
      copies: 11,
    });
    assert.equal(r.ok, false);
    assert.equal((r as KioskRefusal).code, "COPIES_OUT_OF_RANGE");
  } finally {
    await w.close();
  }
});

Deno.test("[e2e] a fee discount that starts and ends: the municipality's schedule, day by day (fake clock)", async () => {
  const w = await openIssuanceWorld();
  try {
    const person = await w.moveIn("401005", { name: "割引　期間" });
    const card = await w.issueCard("401005", person);
    const other = await w.moveIn("401307", { name: "福岡　定額" });
    const otherCard = await w.issueCard("401307", other);
    await w.sync();
    // Today is 2026-11-26 (JST). A standing 300 yen, 100 yen on 27–28 Nov.
    const set = await w.jlis.call(
      "PUT",
      "/municipalities/401005/fee-schedule",
      {
        token: TOKENS.city,
        body: {
          entries: [
            { type: "juminhyo", fee: 300, from: "2026-04-01" },
            {
              type: "juminhyo",
              fee: 100,
              from: "2026-11-27",
              until: "2026-11-28",
            },
          ],
        },
      },
    );
    assert.equal(set.status, 200, await set.clone().text());
    const stored = await set.json();
    assert.equal(stored.setBy, "city-401005");
    assert.equal(stored.entries.length, 2);
    assert.deepEqual(stored.defaults, {
      juminhyo: 200,
      inkan: 200,
      kisai: 200,
    });

    const feeOn = async () => {
      await w.sync(); // the replica fresh at the new day
      const r = served(
        await w.kiosk().run({ card, pin: "1234", type: "juminhyo", copies: 2 }),
      );
      assert.equal(r.fee, 2 * r.copies[0].fee);
      return r.copies[0].fee;
    };
    assert.equal(await feeOn(), 300, "26 Nov: the standing fee");
    // The kiosk is told the fee before printing, at authentication.
    const auth = await kioskAuthenticate(w.jlis, card, "1234");
    assert.deepEqual((await auth.json()).fees, {
      juminhyo: 300,
      inkan: 200,
      kisai: 200,
    });
    w.clock.advance(DAY);
    assert.equal(await feeOn(), 100, "27 Nov: the discount starts");
    w.clock.advance(DAY);
    assert.equal(await feeOn(), 100, "28 Nov: its last day");
    w.clock.advance(DAY);
    assert.equal(await feeOn(), 300, "29 Nov: the discount has ended");
    // Another municipality without a schedule: the default.
    const fk = served(
      await w.kiosk().run({ card: otherCard, pin: "1234", type: "juminhyo" }),
    );
    assert.equal(fk.fee, 200);
    // A fee is fixed at release: the earlier ledger entries keep theirs.
    const db = w.jlis.databases[0].db;
    const fees = (await db.select().from(issuanceCopies)).map((c) => c.fee);
    assert.deepEqual(
      fees.filter((f) => f === 100).length,
      4,
      "two runs of two copies at 100 yen",
    );
  } finally {
    await w.close();
  }
});

Deno.test("[e2e] fee schedule management: bad input and another municipality's schedule are refused, nothing changed; operators read", async () => {
  const w = await openIssuanceWorld();
  try {
    const path = "/municipalities/401005/fee-schedule";
    const good = {
      entries: [{ type: "juminhyo", fee: 250, from: "2026-01-01" }],
    };
    const put = (token: string, body: unknown, p = path) =>
      w.jlis.call("PUT", p, { token, body });
    const first = await put(TOKENS.city, good);
    assert.equal(first.status, 200, await first.clone().text());
    const before = await (await w.jlis.call("GET", path, {
      token: TOKENS.city,
    })).json();
    assert.deepEqual(before.entries, [
      { type: "juminhyo", fee: 250, from: "2026-01-01", until: null },
    ]);

    const refusals: [string, unknown, number, string][] = [
      [
        TOKENS.city,
        { entries: [{ type: "juminhyo", fee: -1, from: "2026-01-01" }] },
        400,
        "VALIDATION_FAILED",
      ],
      [
        TOKENS.city,
        { entries: [{ type: "juminhyo", fee: 100, from: "2026-02-30" }] },
        400,
        "VALIDATION_FAILED",
      ],
      [
        TOKENS.city,
        { entries: [{ type: "tohon", fee: 100, from: "2026-01-01" }] },
        400,
        "VALIDATION_FAILED",
      ],
      [
        TOKENS.city,
        {
          entries: [{
            type: "juminhyo",
            fee: 100,
            from: "2026-12-10",
            until: "2026-12-01",
          }],
        },
        400,
        "FEE_SCHEDULE_INVALID",
      ],
      [
        TOKENS.city,
        {
          entries: [
            { type: "inkan", fee: 100, from: "2026-12-01" },
            { type: "inkan", fee: 150, from: "2026-12-01" },
          ],
        },
        400,
        "FEE_SCHEDULE_INVALID",
      ],
      [TOKENS.otherCity, good, 403, "FEE_SCHEDULE_NOT_YOURS"],
      [TOKENS.operator, good, 403, "FORBIDDEN"],
      [TOKENS.kiosk, good, 403, "FORBIDDEN"],
    ];
    for (const [token, body, status, code] of refusals) {
      const res = await put(token, body);
      const answer = await res.json();
      assert.equal(res.status, status, JSON.stringify(answer));
      assert.equal(answer.code, code);
      assert.ok(answer.message_ja && answer.message_en);
    }
    const foreignRead = await w.jlis.call("GET", path, {
      token: TOKENS.otherCity,
    });
    assert.equal(foreignRead.status, 403);
    assert.equal((await foreignRead.json()).code, "FEE_SCHEDULE_NOT_YOURS");
    // Nothing changed; operators may read any municipality's schedule.
    const after = await w.jlis.call("GET", path, { token: TOKENS.operator });
    assert.equal(after.status, 200);
    assert.deepEqual((await after.json()).entries, before.entries);
    // The other municipality sets its own.
    const own = await put(
      TOKENS.otherCity,
      { entries: [{ type: "inkan", fee: 300, from: "2026-01-01" }] },
      "/municipalities/401307/fee-schedule",
    );
    assert.equal(own.status, 200);
    // An empty schedule returns to the defaults.
    const cleared = await put(TOKENS.city, { entries: [] });
    assert.equal(cleared.status, 200);
    assert.deepEqual((await cleared.json()).entries, []);
  } finally {
    await w.close();
  }
});
