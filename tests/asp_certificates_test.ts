import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { issuanceWork } from "../db/asp/tenant_schema.ts";
import { auditLog } from "../db/asp/schema.ts";
import { sealRegistrations } from "../db/registry/schema.ts";
import { sealImpressionPng } from "../services/registry/seed/mod.ts";
import {
  makePerson,
  openTestRegistry,
  type TestRegistry,
  TOKENS,
} from "./support/registry_world.ts";
import { sheetFromJson } from "../lib/contracts/sheet_wire.ts";
import { createSyncWorker } from "../services/asp/sync_worker.ts";
import { readResident } from "../services/asp/replica.ts";
import {
  ASP_TOKENS,
  openTestAsp,
  registryCall,
  registryEvent,
  registryFamily,
  registryFetch,
  type TestAsp,
  testWorker,
  useFormProfile,
} from "./support/asp_world.ts";
import { type JuminhyoSheet, peopleOf } from "../lib/certificate/model.ts";

const CODE = "401005";
let n = 0;

function request(applicant: string, over: Record<string, unknown> = {}) {
  n++;
  return {
    requestId: `req-${crypto.randomUUID()}`,
    applicantResidentId: applicant,
    type: "juminhyo",
    members: "self",
    options: { honseki: false, zokugara: false, myNumber: false },
    issueNumber: `${CODE}-20261126-${String(n).padStart(6, "0")}`,
    issuedAt: "2026-11-26T10:00:00+09:00",
    includePdf: false,
    ...over,
  };
}

async function post(asp: TestAsp, body: unknown, token?: string) {
  const res = await asp.call("POST", `/tenants/${CODE}/certificates`, {
    body,
    token,
  });
  assert.match(res.headers.get("Content-Type") ?? "", /application\/json/);
  return { status: res.status, body: await res.json() };
}

async function refused(
  asp: TestAsp,
  body: unknown,
  code: string,
  status = 409,
) {
  const r = await post(asp, body);
  assert.equal(r.body.code, code, JSON.stringify(r.body));
  assert.equal(r.status, status);
  return r.body;
}

async function setup() {
  const reg = await openTestRegistry([CODE, "401307"]);
  const asp = await openTestAsp({ clock: reg.clock });
  const fam = await registryFamily(reg, CODE);
  return { reg, asp, fam, sync: () => testWorker(asp, reg).catchUp(CODE) };
}

/** Sets the municipality's kiosk policy in its registry record (PUT). */
async function setPolicy(
  reg: TestRegistry,
  policy: {
    printMyNumberAtKiosk?: boolean;
    sameDayEventTypes?: string[] | null;
    householdMoveOutPolicy?: "strict" | "lenient";
  },
  code = CODE,
) {
  const res = await reg.call("PUT", `/municipalities/${code}`, {
    token: TOKENS.admin,
    body: {
      name: "北九州市",
      mayor: "北九州市長　武内　和久",
      sameDayEventTypes: [],
      ...policy,
    },
  });
  assert.equal(res.status, 200, await res.text());
}

async function teardown(x: { reg: TestRegistry; asp: TestAsp }) {
  await x.asp.close();
  await x.reg.close();
}

Deno.test("POST /certificates: a household 住民票 with options, bound to the request and the replica sequence; work data deleted on delivery", async () => {
  const x = await setup();
  const { asp, fam } = x;
  try {
    const round = await x.sync();
    const body = request(fam.spouse, {
      members: "all",
      options: { honseki: true, zokugara: true, myNumber: false },
      includePdf: true,
    });
    const r = await post(asp, body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.requestId, body.requestId);
    assert.equal(r.body.replicaSeq, round.appliedSeq);
    const sheets = r.body.sheets.map(sheetFromJson);
    assert.deepEqual(
      sheets.map((s: { subject: { residentId: string } }) =>
        s.subject.residentId
      ),
      [fam.householder, fam.spouse, fam.child],
    );
    // 個票式 (the default profile): each person a certificate of one sheet.
    assert.deepEqual(
      sheets.map((s: { page: number; pages: number }) => [s.page, s.pages]),
      [[1, 1], [1, 1], [1, 1]],
    );
    const [first] = sheets;
    assert.equal(first.issueNumber, body.issueNumber);
    assert.deepEqual(first.municipality, {
      code: CODE,
      name: "北九州市",
      mayor: "北九州市長　武内　和久",
    });
    assert.equal(first.subject.name, "山田　太郎");
    assert.equal(first.subject.relationship, "世帯主");
    assert.equal(sheets[1].subject.householderName, "山田　太郎");
    assert.equal(sheets[1].subject.relationship, "妻");
    assert.equal(first.subject.honseki, "福岡県北九州市小倉北区城内１番");
    assert.equal(first.subject.katagaki, "城内ハイツ１０１号");
    assert.equal(first.subject.myNumber, undefined);
    assert.ok(atob(r.body.frontPdfBase64).startsWith("%PDF-"));

    // Without options, no 本籍 and no 続柄 on the sheet.
    const plain = await post(asp, request(fam.householder));
    assert.equal(plain.body.sheets[0].subject.honseki, undefined);
    assert.equal(plain.body.sheets[0].subject.relationship, undefined);

    // The same request id is never used twice (no shared work area).
    await refused(asp, {
      ...request(fam.householder),
      requestId: body.requestId,
    }, "REQUEST_ID_REUSED");

    const work = () =>
      asp.tenancy.withTenant(
        CODE,
        (tx) =>
          tx.select().from(issuanceWork).where(
            eq(issuanceWork.requestId, body.requestId),
          ),
      );
    assert.equal((await work()).length, 1);
    const d = await asp.call(
      "POST",
      `/tenants/${CODE}/certificates/${body.requestId}/delivered`,
    );
    assert.equal(d.status, 200);
    assert.deepEqual(await d.json(), {
      requestId: body.requestId,
      replicaSeq: round.appliedSeq,
    });
    assert.equal((await work()).length, 0);
    const again = await asp.call(
      "POST",
      `/tenants/${CODE}/certificates/${body.requestId}/delivered`,
    );
    assert.equal(again.status, 404);
    assert.equal((await again.json()).code, "WORK_NOT_FOUND");
    // Several at once (the center confirms in batches): what had work data
    // is deleted and audited, the rest is listed, nothing fails.
    const many = await asp.call(
      "POST",
      `/tenants/${CODE}/certificates/delivered`,
      {
        body: {
          requestIds: [
            plain.body.requestId,
            body.requestId,
            "req-never-built-here",
          ],
        },
      },
    );
    assert.equal(many.status, 200);
    assert.deepEqual(await many.json(), {
      delivered: [{
        requestId: plain.body.requestId,
        replicaSeq: round.appliedSeq,
      }],
      notFound: [body.requestId, "req-never-built-here"],
    });
    assert.deepEqual(
      (await asp.tenancy.db.select().from(auditLog).where(
        eq(auditLog.requestId, plain.body.requestId),
      )).map((a) => a.action).sort(),
      ["certificate.build", "certificate.delivered"],
    );
    const empty = await asp.call(
      "POST",
      `/tenants/${CODE}/certificates/delivered`,
      { body: { requestIds: [] } },
    );
    assert.equal(empty.status, 400);
    const audits = await asp.tenancy.db.select().from(auditLog).where(
      eq(auditLog.requestId, body.requestId),
    );
    assert.deepEqual(audits.map((a) => [a.action, a.outcome]).sort(), [
      ["certificate.build", "REQUEST_ID_REUSED"],
      ["certificate.build", "ok"],
      ["certificate.delivered", "ok"],
    ]);
  } finally {
    await teardown(x);
  }
});

Deno.test("POST /certificates: a household of six in the standard's order (j1010), not by age; chosen members too", async () => {
  const x = await setup();
  const { reg, asp, fam } = x;
  try {
    const joins = async (
      relationship: string,
      person: Record<string, unknown>,
      type = "tennyu",
    ) =>
      (await registryEvent(reg, CODE, {
        type,
        date: type === "shussei" ? person.birthDate : "2026-11-20",
        person: makePerson(person),
        ...(type === "tennyu"
          ? { previousAddress: "東京都千代田区千代田１番１号" }
          : {}),
        householdId: fam.householdId,
        relationship,
      })).residentIds[0];
    // older than the householder (born 1980), yet printed after the family
    const mother = await joins("母", {
      name: "山田　トメ",
      sex: "female",
      birthDate: "1950-02-02",
    });
    const lodger = await joins("同居人", {
      name: "佐藤　次郎",
      birthDate: "1978-03-03",
    });
    // a child older than fam.child (2015)
    const elder = await joins("子", {
      name: "山田　春子",
      sex: "female",
      birthDate: "2012-04-04",
    }, "shussei");
    await x.sync();
    const r = await post(
      asp,
      request(fam.spouse, {
        members: "all",
        options: { honseki: false, zokugara: true, myNumber: false },
      }),
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const sheets = r.body.sheets.map(sheetFromJson);
    assert.deepEqual(
      sheets.map((s: { subject: { residentId: string } }) =>
        s.subject.residentId
      ),
      [fam.householder, fam.spouse, elder, fam.child, mother, lodger],
    );
    assert.deepEqual(
      sheets.map((s: { subject: { relationship?: string } }) =>
        s.subject.relationship
      ),
      ["世帯主", "妻", "子", "子", "母", "同居人"],
    );
    assert.deepEqual(
      sheets.map((s: { page: number; pages: number }) => [s.page, s.pages]),
      [[1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1]],
    );
    // 世帯連記式: one certificate, four members then two, the same order;
    // the last sheet carries the whole-household 認証文.
    useFormProfile(asp.tenancy, CODE, {
      householdFormat: "renki",
      membersPerSheet: 4,
    });
    const renki = await post(
      asp,
      request(fam.spouse, {
        members: "all",
        options: { honseki: false, zokugara: true, myNumber: false },
      }),
    );
    assert.equal(renki.status, 201, JSON.stringify(renki.body));
    const joint = renki.body.sheets.map(sheetFromJson) as JuminhyoSheet[];
    assert.deepEqual(
      joint.map((s) => [s.page, s.pages, s.wholeHousehold ?? false]),
      [[1, 2, false], [2, 2, true]],
    );
    assert.deepEqual(
      joint.flatMap((s) => peopleOf(s).map((p) => p.residentId)),
      [fam.householder, fam.spouse, elder, fam.child, mother, lodger],
    );
    assert.equal(joint[0].members?.length, 3);
    assert.ok(joint.every((s) => s.issueNumber === joint[0].issueNumber));
    // chosen members are printed in the same order, whatever order they were asked in
    const chosen = await post(
      asp,
      request(fam.spouse, { members: [lodger, fam.child, mother, fam.spouse] }),
    );
    assert.equal(chosen.status, 201, JSON.stringify(chosen.body));
    const some = chosen.body.sheets.map(sheetFromJson) as JuminhyoSheet[];
    assert.deepEqual(
      some.flatMap((s) => peopleOf(s).map((p) => p.residentId)),
      [fam.spouse, fam.child, mother, lodger],
    );
    // Not the whole household: no whole-household 認証文.
    assert.ok(some.every((s) => !s.wholeHousehold));
  } finally {
    await teardown(x);
  }
});

Deno.test("POST /certificates: chosen members must be in the applicant's household; under-15 applicants, 印鑑 rules, My Number policy", async () => {
  const x = await setup();
  const { asp, reg, fam } = x;
  try {
    const other = await registryFamily(reg, CODE, {
      address: "福岡県北九州市戸畑区１番",
    });
    await x.sync();
    const ok = await post(
      asp,
      request(fam.householder, { members: [fam.child] }),
    );
    assert.equal(ok.status, 201);
    assert.deepEqual(
      ok.body.sheets.map((s: { subject: { residentId: string } }) =>
        s.subject.residentId
      ),
      [fam.child],
    );
    await refused(
      asp,
      request(fam.householder, { members: [fam.child, other.child] }),
      "MEMBER_NOT_IN_HOUSEHOLD",
    );
    await refused(asp, request("401005-Rnobody"), "RESIDENT_NOT_FOUND", 404);
    await refused(asp, request(fam.child), "UNDER_15");
    await refused(
      asp,
      request(fam.householder, {
        options: { honseki: false, zokugara: false, myNumber: true },
      }),
      "MY_NUMBER_NOT_ALLOWED",
    );
    await refused(
      asp,
      request(fam.householder, { type: "inkan" }),
      "SEAL_NOT_REGISTERED",
    );

    const png = sealImpressionPng("山田");
    await registryCall(
      reg,
      "POST",
      `/municipalities/${CODE}/residents/${fam.householder}/seals`,
      {
        impressionPng: png.toBase64(),
        date: "2026-11-21",
      },
    );
    await x.sync();
    await refused(
      asp,
      request(fam.householder, { type: "inkan", members: "all" }),
      "INKAN_SELF_ONLY",
      400,
    );
    const inkan = await post(
      asp,
      request(fam.householder, {
        type: "inkan",
        options: { honseki: true, zokugara: true, myNumber: false },
      }),
    );
    assert.equal(inkan.status, 201, JSON.stringify(inkan.body));
    // The wire keeps all-false options on a 印鑑; in memory it has none.
    assert.deepEqual(inkan.body.sheets[0].options, {
      honseki: false,
      zokugara: false,
      myNumber: false,
    });
    const sheet = sheetFromJson(inkan.body.sheets[0]);
    assert.ok(sheet.type === "inkan" && !("options" in sheet));
    // The registry's compact version on the back side, its print one on the front.
    const [seal] = await reg.database.db.select().from(sealRegistrations)
      .where(eq(sealRegistrations.residentId, fam.householder));
    assert.deepEqual(sheet.seal.png, new Uint8Array(seal.compactPng!));
    assert.deepEqual(sheet.seal.printPng, new Uint8Array(seal.printPng!));
    assert.equal(sheet.seal.registeredDate, "2026-11-21");

    // Authentication: no token, a wrong one, or the operators' token.
    assert.equal(
      (await post(asp, request(fam.householder), "nope")).status,
      401,
    );
    assert.equal(
      (await post(asp, request(fam.householder), ASP_TOKENS.admin)).status,
      403,
    );
    const bad = await post(asp, {
      ...request(fam.householder),
      type: "koseki",
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, "VALIDATION_FAILED");
  } finally {
    await teardown(x);
  }
});

Deno.test("POST /certificates: REPLICA_STALE when sync stopped, behind the head, or the head not seen lately; CHANGED_TODAY", async () => {
  const x = await setup();
  const { asp, reg, fam } = x;
  try {
    await x.sync();
    assert.equal((await post(asp, request(fam.householder))).status, 201);
    // Head not seen for longer than the bound (worker down, registry unreachable).
    asp.clock.advance(5_001);
    assert.equal(
      (await refused(asp, request(fam.householder), "REPLICA_STALE", 503))
        .details.reason,
      "head_not_seen",
    );
    await x.sync();
    // Behind the head: the worker saw events it has not applied yet.
    await registryEvent(reg, CODE, {
      type: "tenkyo",
      date: "2026-11-25",
      householdId: fam.householdId,
      address: "福岡県北九州市門司区１番",
    });
    await registryEvent(reg, CODE, {
      type: "kyuuji_kisai",
      date: "2026-11-25",
      residentId: fam.spouse,
      formerSurname: "佐藤",
      formerSurnameKana: "サトウ",
    });
    const slow = createSyncWorker({
      tenancy: asp.tenancy,
      registryUrl: "http://registry.test",
      token: "asp-token",
      fetch: registryFetch(reg),
      clock: asp.clock,
      logger: asp.logger,
      metrics: asp.metrics,
      limit: 1,
    });
    await slow.syncOnce(CODE);
    assert.equal(
      (await refused(asp, request(fam.householder), "REPLICA_STALE", 503))
        .details.reason,
      "behind_head",
    );
    await x.sync();
    const fresh = await post(asp, request(fam.householder));
    assert.equal(
      fresh.body.sheets[0].subject.address,
      "福岡県北九州市門司区１番",
    );
    // Sync stopped: nothing is issued until an operator resumes it.
    await asp.tenancy.db.execute(
      `update control.tenants set sync_state = 'stopped', stop_reason = 'test' where code = '${CODE}'`,
    );
    assert.equal(
      (await refused(asp, request(fam.householder), "REPLICA_STALE", 503))
        .details.reason,
      "sync_stopped",
    );
    await asp.call("POST", `/tenants/${CODE}/sync/resume`, {
      token: ASP_TOKENS.admin,
    }).then((r) => r.body?.cancel());

    // The same-day rule, by 処理日: a move-in dated yesterday but processed
    // today is held until tomorrow, for the person and for a household
    // certificate that would show them (policy: 転入 only).
    asp.clock.advance(24 * 3600_000);
    await setPolicy(reg, { sameDayEventTypes: ["tennyu"] });
    const today = await registryEvent(reg, CODE, {
      type: "tennyu",
      date: "2026-11-26",
      person: makePerson({ name: "山田　次郎", birthDate: "1990-01-01" }),
      previousAddress: "東京都",
      householdId: fam.householdId,
      relationship: "弟",
    });
    await x.sync();
    await refused(asp, request(today.residentIds[0]), "CHANGED_TODAY");
    await refused(
      asp,
      request(fam.householder, { members: "all" }),
      "CHANGED_TODAY",
    );
    assert.equal((await post(asp, request(fam.householder))).status, 201);
    asp.clock.advance(24 * 3600_000);
    await x.sync();
    assert.equal((await post(asp, request(today.residentIds[0]))).status, 201);
  } finally {
    await teardown(x);
  }
});

Deno.test("POST /certificates: a field too long for the form is refused (FIELD_TOO_LONG), never truncated", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    const fam = await registryFamily(reg, CODE, {
      address: "福岡県北九州市小倉北区" + "城内一丁目".repeat(50),
    });
    await testWorker(asp, reg).catchUp(CODE);
    const body = await refused(asp, request(fam.householder), "FIELD_TOO_LONG");
    assert.equal(body.details.residentId, fam.householder);
    assert.ok(body.details.fields.includes("address"));
    assert.ok(
      !JSON.stringify(body).includes("城内一丁目城内"),
      "no personal data in the refusal",
    );
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("GET /residents/{id}/issuance-check and /cards/{serial}: the rules data the center needs", async () => {
  const x = await setup();
  const { asp, reg, fam } = x;
  try {
    await registryCall(reg, "POST", `/municipalities/${CODE}/card-links`, {
      serial: "0A1B2C3D",
      residentId: fam.householder,
    });
    await x.sync();
    const res = await asp.call(
      "GET",
      `/tenants/${CODE}/residents/${fam.child}/issuance-check`,
    );
    assert.equal(res.status, 200);
    const check = await res.json();
    assert.equal(check.allowed, false);
    assert.equal(check.refusal.code, "UNDER_15");
    assert.equal(check.applicant.age, 11);
    assert.equal(check.household.householderId, fam.householder);
    assert.deepEqual(
      check.household.members.map((m: { residentId: string }) => m.residentId)
        .sort(),
      [fam.householder, fam.spouse, fam.child].sort(),
    );
    const card = await asp.call("GET", `/tenants/${CODE}/cards/0a1b2c3d`);
    assert.deepEqual(await card.json(), {
      serial: "0a1b2c3d",
      residentId: fam.householder,
    });
    assert.equal(
      (await post(asp, request(fam.householder, { cardSerial: "0A1B2C3D" })))
        .status,
      201,
    );
    await refused(
      asp,
      request(fam.spouse, { cardSerial: "0A1B2C3D" }),
      "CARD_MISMATCH",
    );
    const none = await asp.call("GET", `/tenants/${CODE}/cards/ffff`);
    assert.equal(none.status, 404);
    await none.body?.cancel();
  } finally {
    await teardown(x);
  }
});

Deno.test("POST /certificates: the same-day rule by 処理日, for the event types the municipality's policy names (default: all)", async () => {
  const x = await setup();
  const { asp, reg, fam } = x;
  const DAY = 24 * 3600_000;
  try {
    // The family moved in yesterday: nothing of it is held today.
    asp.clock.advance(DAY);
    await x.sync();
    assert.equal((await post(asp, request(fam.householder))).status, 201);
    // A 転居 processed today.
    await registryEvent(reg, CODE, {
      type: "tenkyo",
      date: "2026-11-27",
      householdId: fam.householdId,
      address: "福岡県北九州市門司区１番",
    });
    // Policy naming 転入 only: a 転居 today is issued.
    await setPolicy(reg, { sameDayEventTypes: ["tennyu"] });
    await x.sync();
    const moved = await post(asp, request(fam.householder));
    assert.equal(moved.status, 201, JSON.stringify(moved.body));
    assert.equal(
      sheetFromJson(moved.body.sheets[0]).subject.address,
      "福岡県北九州市門司区１番",
    );
    // Policy naming 転居: held until tomorrow, with the rule's message.
    await setPolicy(reg, { sameDayEventTypes: ["tenkyo", "shibou"] });
    await x.sync();
    const held = await refused(asp, request(fam.householder), "CHANGED_TODAY");
    assert.match(held.message_ja, /本日処理された/);
    // The default (every type): held as well.
    await setPolicy(reg, { sameDayEventTypes: null });
    await x.sync();
    await refused(asp, request(fam.householder), "CHANGED_TODAY");
    const check = await asp.call(
      "GET",
      `/tenants/${CODE}/residents/${fam.householder}/issuance-check`,
    );
    assert.equal((await check.json()).applicant.changedToday, true);
    // Tomorrow it is issued.
    asp.clock.advance(DAY);
    await x.sync();
    assert.equal((await post(asp, request(fam.householder))).status, 201);
  } finally {
    await teardown(x);
  }
});

Deno.test("POST /certificates: household move-out policy — strict refuses a household certificate while any member filed a move-out, the applicant's own still issues; lenient as before", async () => {
  const x = await setup();
  const { asp, reg, fam } = x;
  try {
    // The spouse (not the householder) files a move-out.
    await registryEvent(reg, CODE, {
      type: "tenshutsu_yotei",
      date: "2026-11-25",
      residentId: fam.spouse,
      plannedDate: "2026-12-10",
      destinationAddress: "東京都千代田区千代田２番",
    });
    const withChild = { members: [fam.householder, fam.child] };
    // Strict: the default of the record.
    await setPolicy(reg, {});
    await x.sync();
    const strict = await refused(
      asp,
      request(fam.householder, withChild),
      "MOVE_OUT_FILED",
    );
    assert.equal(
      strict.details?.scope ?? "household_member",
      "household_member",
    );
    await refused(
      asp,
      request(fam.householder, { members: "all" }),
      "MOVE_OUT_FILED",
    );
    assert.equal((await post(asp, request(fam.householder))).status, 201);
    // Lenient (today's behaviour): only a printed member's own move-out.
    await setPolicy(reg, { householdMoveOutPolicy: "lenient" });
    await x.sync();
    assert.equal(
      (await post(asp, request(fam.householder, withChild))).status,
      201,
    );
    await refused(
      asp,
      request(fam.householder, { members: "all" }),
      "MOVE_OUT_FILED",
    );
    assert.equal((await post(asp, request(fam.householder))).status, 201);
  } finally {
    await teardown(x);
  }
});

Deno.test("POST /certificates: 個人番号 follows the registry's record through the feed (one source): printed once it allows it, scrubbed when it stops", async () => {
  const x = await setup();
  const { asp, reg, fam } = x;
  const DAY = 24 * 3600_000;
  const withNumber = (id: string) =>
    request(id, {
      options: { honseki: false, zokugara: false, myNumber: true },
    });
  try {
    asp.clock.advance(DAY);
    await setPolicy(reg, { printMyNumberAtKiosk: true });
    await x.sync();
    assert.equal((await asp.tenancy.get(CODE)).printMyNumber, true);
    // The number reaches the replica with the next change of the record.
    await registryEvent(reg, CODE, {
      type: "shokken_shusei",
      date: "2026-11-27",
      residentId: fam.householder,
      changes: { myNumber: "123456789018" },
      reason: "個人番号の記載",
    });
    await x.sync();
    const printed = await post(asp, withNumber(fam.householder));
    assert.equal(printed.status, 201, JSON.stringify(printed.body));
    assert.equal(
      sheetFromJson(printed.body.sheets[0]).subject.myNumber,
      "123456789018",
    );
    // The record stops printing it: refused, and no number is kept.
    await setPolicy(reg, { printMyNumberAtKiosk: false });
    await x.sync();
    assert.equal((await asp.tenancy.get(CODE)).printMyNumber, false);
    await refused(asp, withNumber(fam.householder), "MY_NUMBER_NOT_ALLOWED");
    const kept = await asp.tenancy.withTenant(
      CODE,
      (tx, t) => readResident(tx, t.cipher, fam.householder),
    );
    assert.equal(kept?.myNumber, null);
  } finally {
    await teardown(x);
  }
});
