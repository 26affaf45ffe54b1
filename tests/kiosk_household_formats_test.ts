/**
 * The household formats end to end (standard j1000), a household of six at
 * the kiosk: 個票式 (the default profile) prints six certificates, each its
 * own 発行番号, 認証文 and fee; 世帯連記式 prints one certificate of two
 * sheets (four members, then two) under one 発行番号, the 認証文 once on the
 * last page in the whole-household wording, one fee. Both in the standard's
 * order (j1010), whatever the order the members moved in; the ledger and
 * the portal's per-page status follow the certificates.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { decodeScan } from "../lib/backside/mod.ts";
import { peopleOf } from "../lib/certificate/model.ts";
import { issuanceCopies } from "../db/jlis/schema.ts";
import {
  ledgerEntries,
  ledgerStatusLookup,
} from "../services/jlis/issuance/ledger.ts";
import type { KioskReceipt, KioskRefusal } from "../services/kiosk/kiosk.ts";
import { useFormProfile } from "./support/asp_world.ts";
import {
  type IssuanceWorld,
  openIssuanceWorld,
} from "./support/issuance_world.ts";

const CODE = "401005";

function ok(r: KioskReceipt | KioskRefusal): KioskReceipt {
  if (!r.ok) assert.fail(`refused: ${r.code} ${r.message_en}`);
  return r;
}

/**
 * A household of six moved in out of order; returns the ids in the
 * standard's order (世帯主, 妻, 子 by birth date, 母, 同居人) and the
 * householder's card.
 */
async function householdOfSix(w: IssuanceWorld) {
  const head = await w.moveIn(CODE, {
    name: "門司　一郎",
    birthDate: "1975-05-05",
  });
  const householdId = await w.householdOf(CODE, head);
  const add = (name: string, birthDate: string, relationship: string) =>
    w.moveIn(CODE, { name, birthDate, sex: "female" }, {
      householdId,
      relationship,
    });
  const lodger = await add("小倉　同居", "1990-01-01", "同居人");
  const younger = await add("門司　二子", "2012-02-02", "子");
  const mother = await add("門司　母子", "1950-03-03", "母");
  const elder = await add("門司　一子", "2008-08-08", "子");
  const wife = await add("門司　花子", "1978-08-08", "妻");
  const card = await w.issueCard(CODE, head);
  await w.sync();
  return { order: [head, wife, elder, younger, mother, lodger], card };
}

Deno.test("[e2e] 個票式, a household of six: six certificates in the standard's order, each its own 発行番号, 認証文 and fee", async () => {
  const w = await openIssuanceWorld();
  const dir = await Deno.makeTempDir({ prefix: "kohyo-" });
  try {
    const { order, card } = await householdOfSix(w);
    const r = ok(
      await w.kiosk().run({
        card,
        pin: "1234",
        type: "juminhyo",
        members: "all",
        options: { zokugara: true },
        pdfPath: `${dir}/kohyo.pdf`,
      }),
    );
    assert.deepEqual(r.subjects, order);
    const numbers = r.copies.map((c) => c.issueNumber);
    assert.equal(new Set(numbers).size, 6, "six issue numbers");
    assert.deepEqual(
      r.copies.map((c) => [c.copy, c.status, c.pages, c.fee]),
      order.map((_, i) => [i + 1, "delivered", [i + 1], 200]),
    );
    assert.equal(r.fee, 1200);
    assert.deepEqual(r.sheets.map((s) => s.issueNumber), numbers);
    assert.deepEqual(r.backs.map((b) => b.issueNumber), numbers);
    assert.ok(r.sheets.every((s) => s.page === 1 && s.pages === 1));
    assert.ok(
      r.sheets.every((s) =>
        s.type === "juminhyo" && !s.members && !s.wholeHousehold
      ),
    );
    // Every certificate in the ledger with its own fee and person.
    const db = w.jlis.databases[0].db;
    const lookup = ledgerStatusLookup(db);
    for (const [i, n] of numbers.entries()) {
      assert.equal(await lookup(n, 1), "valid");
      const [issued] = await ledgerEntries(db, n);
      const data = issued.data as Record<string, unknown>;
      assert.deepEqual(
        [data.copy, data.copies, data.pages, data.fee, data.subjects],
        [i + 1, 6, 1, 200, [order[i]]],
      );
    }
    const rows = await db.select().from(issuanceCopies).where(
      eq(issuanceCopies.requestId, r.requestId),
    );
    assert.deepEqual(rows.map((c) => c.fee), [200, 200, 200, 200, 200, 200]);
    // The printed PDF: six fronts and backs; a back scans genuine.
    const scan = await decodeScan(await Deno.readFile(r.pdfPath!), {
      keyList: w.centerKeyList,
      decryptionKeys: [w.contentKey],
    });
    assert.equal(scan.verdict, "genuine", scan.reason.en);
    assert.ok(numbers.includes(scan.issueNumber!));
  } finally {
    await w.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[e2e] 世帯連記式, a household of six: one certificate of two sheets (4 + 2), one 発行番号, the whole-household 認証文 on page 2, one fee", async () => {
  const w = await openIssuanceWorld();
  const dir = await Deno.makeTempDir({ prefix: "renki-" });
  try {
    useFormProfile(w.nodes[0].asp.tenancy, CODE, {
      householdFormat: "renki",
      membersPerSheet: 4,
    });
    const { order, card } = await householdOfSix(w);
    const r = ok(
      await w.kiosk().run({
        card,
        pin: "1234",
        type: "juminhyo",
        members: "all",
        options: { zokugara: true, honseki: true },
        pdfPath: `${dir}/renki.pdf`,
      }),
    );
    assert.deepEqual(r.subjects, order);
    assert.equal(r.pages, 2);
    assert.equal(r.copies.length, 1);
    assert.deepEqual(
      r.copies.map((c) => [c.status, c.pages, c.fee]),
      [["delivered", [1, 2], 200]],
    );
    assert.equal(r.fee, 200);
    assert.deepEqual(
      r.sheets.map((s) => [s.page, s.pages, peopleOf(s).length]),
      [[1, 2, 4], [2, 2, 2]],
    );
    assert.ok(r.sheets.every((s) => s.issueNumber === r.issueNumber));
    assert.deepEqual(
      r.sheets.map((s) => s.type === "juminhyo" && s.wholeHousehold === true),
      [false, true],
    );
    const db = w.jlis.databases[0].db;
    const lookup = ledgerStatusLookup(db);
    assert.equal(await lookup(r.issueNumber, 1), "valid");
    assert.equal(await lookup(r.issueNumber, 2), "valid");
    const [issued] = await ledgerEntries(db, r.issueNumber);
    const data = issued.data as Record<string, unknown>;
    assert.deepEqual([data.copies, data.pages, data.fee, data.subjects], [
      1,
      2,
      200,
      order,
    ]);
    // The kiosk's PDF: each sheet's back scans genuine with every member.
    const scan = await decodeScan(await Deno.readFile(r.pdfPath!), {
      keyList: w.centerKeyList,
      decryptionKeys: [w.contentKey],
    });
    assert.equal(scan.verdict, "genuine", scan.reason.en);
    assert.equal(scan.issueNumber, r.issueNumber);
  } finally {
    await w.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[e2e] copies: 世帯連記式 two copies are two certificates (two numbers, two fees); 個票式 two copies of three members are six", async () => {
  const w = await openIssuanceWorld();
  try {
    const head = await w.moveIn(CODE, { name: "部数　一郎" });
    const householdId = await w.householdOf(CODE, head);
    const into = (relationship: string) => ({ householdId, relationship });
    const wife = await w.moveIn(
      CODE,
      { name: "部数　花子", sex: "female" },
      into("妻"),
    );
    const child = await w.moveIn(CODE, {
      name: "部数　太郎",
      birthDate: "2010-01-01",
    }, into("子"));
    const card = await w.issueCard(CODE, head);
    await w.sync();
    const kohyo = ok(
      await w.kiosk().run({
        card,
        pin: "1234",
        type: "juminhyo",
        members: "all",
        copies: 2,
      }),
    );
    assert.equal(new Set(kohyo.copies.map((c) => c.issueNumber)).size, 6);
    assert.deepEqual(kohyo.subjects, [head, wife, child, head, wife, child]);
    assert.equal(kohyo.fee, 1200);

    useFormProfile(w.nodes[0].asp.tenancy, CODE, {
      householdFormat: "renki",
      membersPerSheet: 2,
    });
    const renki = ok(
      await w.kiosk().run({
        card,
        pin: "1234",
        type: "juminhyo",
        members: "all",
        copies: 2,
        jamPage: 2, // the second sheet of copy 1
      }),
    );
    assert.deepEqual(
      renki.copies.map((c) => [c.status, c.pages, c.fee, c.refund]),
      [["voided", [1, 2], 0, 200], ["delivered", [3, 4], 200, 0]],
    );
    assert.deepEqual(
      renki.sheets.map((s) => [s.page, s.pages, peopleOf(s).length]),
      [[1, 2, 2], [2, 2, 1], [1, 2, 2], [2, 2, 1]],
    );
    const lookup = ledgerStatusLookup(w.jlis.databases[0].db);
    assert.equal(await lookup(renki.copies[0].issueNumber, 1), "voided");
    assert.equal(await lookup(renki.copies[1].issueNumber, 2), "valid");
    // Members chosen, not the whole household: one certificate, the
    // single-person wording (no whole-household mark).
    const chosen = ok(
      await w.kiosk().run({
        card,
        pin: "1234",
        type: "juminhyo",
        members: [child, head],
      }),
    );
    assert.deepEqual(chosen.subjects, [head, child]);
    assert.equal(chosen.copies.length, 1);
    assert.ok(
      chosen.sheets.every((s) => s.type === "juminhyo" && !s.wholeHousehold),
    );
  } finally {
    await w.close();
  }
});
