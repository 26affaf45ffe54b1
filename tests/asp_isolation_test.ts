/**
 * Two municipalities (401005 北九州市, 401307 福岡市) in one ASP: across
 * every API and job, one tenant can never read or write the other's rows.
 * (The database-level refusals — role, schema, row-level security — are in
 * services/asp/tenancy_test.ts.)
 */
import assert from "node:assert/strict";
import { issuanceWork } from "../db/asp/tenant_schema.ts";
import { recordsChecksum, replicaChecksum } from "../services/asp/checksum.ts";
import { AspError } from "../services/asp/errors.ts";
import { issuanceCheck } from "../services/asp/issuance.ts";
import { purgeExpired } from "../services/asp/retention.ts";
import { applySnapshot } from "../services/asp/snapshot.ts";
import { stopSync } from "../services/asp/sync_worker.ts";
import {
  ASP_TOKENS,
  openTestAsp,
  registryCall,
  registryEvent,
  registryFamily,
  registryRecords,
  type TestAsp,
  testWorker,
} from "./support/asp_world.ts";
import { openTestRegistry } from "./support/registry_world.ts";

const A = "401005";
const B = "401307";

function body(applicant: string, over: Record<string, unknown> = {}) {
  return {
    requestId: `req-${crypto.randomUUID()}`,
    applicantResidentId: applicant,
    type: "juminhyo",
    members: "self",
    issueNumber: "X-20261126-000001",
    issuedAt: "2026-11-26T10:00:00+09:00",
    includePdf: false,
    ...over,
  };
}

async function post(asp: TestAsp, code: string, b: unknown) {
  const res = await asp.call("POST", `/tenants/${code}/certificates`, {
    body: b,
  });
  return { status: res.status, body: await res.json() };
}

async function until(cond: () => Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("[asp] isolation: two municipalities across the worker, every API, snapshots and retention", async () => {
  const reg = await openTestRegistry([A, B]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    const fa = await registryFamily(reg, A);
    const fb = await registryFamily(reg, B, {
      address: "福岡県福岡市中央区天神１番",
    });
    await registryCall(reg, "POST", `/municipalities/${B}/card-links`, {
      serial: "BB01",
      residentId: fb.householder,
    });

    // The worker loop follows both feeds at once (long polling); each replica equals its own registry.
    const worker = testWorker(asp, reg);
    await worker.start();
    await until(async () =>
      Number((await asp.tenancy.get(A)).appliedSeq) === 3 &&
      Number((await asp.tenancy.get(B)).appliedSeq) === 4
    );
    await registryEvent(reg, B, {
      type: "kyuuji_kisai",
      date: "2026-11-25",
      residentId: fb.spouse,
      formerSurname: "佐藤",
      formerSurnameKana: "サトウ",
    });
    await until(async () =>
      Number((await asp.tenancy.get(B)).appliedSeq) === 5
    );
    await worker.stop();
    for (const code of [A, B]) {
      const expected = await recordsChecksum(
        await registryRecords(reg.database.db, code),
        { code, printMyNumber: false },
      );
      assert.deepEqual(
        await replicaChecksum(asp.tenancy, code),
        expected,
        code,
      );
    }

    // Certificates: the other tenant's residents do not exist here, as applicant or as member.
    assert.equal(
      (await post(asp, A, body(fb.householder))).body.code,
      "RESIDENT_NOT_FOUND",
    );
    assert.equal(
      (await post(asp, A, body(fa.householder, { members: [fb.spouse] }))).body
        .code,
      "MEMBER_NOT_IN_HOUSEHOLD",
    );
    assert.equal((await post(asp, B, body(fb.householder))).status, 201);

    // Work data: delivered under the wrong tenant is not found, and stays where it belongs.
    const req = body(fa.householder);
    assert.equal((await post(asp, A, req)).status, 201);
    const wrong = await asp.call(
      "POST",
      `/tenants/${B}/certificates/${req.requestId}/delivered`,
    );
    assert.equal(wrong.status, 404);
    await wrong.body?.cancel();
    assert.equal(
      (await asp.tenancy.withTenant(A, (tx) => tx.select().from(issuanceWork)))
        .length,
      1,
    );
    assert.equal(
      (await asp.tenancy.withTenant(B, (tx) => tx.select().from(issuanceWork)))
        .length,
      1,
    );

    // Rules data and cards.
    const check = await asp.call(
      "GET",
      `/tenants/${A}/residents/${fb.householder}/issuance-check`,
    );
    assert.equal((await check.json()).refusal.code, "RESIDENT_NOT_FOUND");
    assert.equal(
      (await issuanceCheck(asp.tenancy, B, fb.householder, asp.clock.now()))
        .allowed,
      true,
    );
    const card = await asp.call("GET", `/tenants/${A}/cards/bb01`);
    assert.equal(card.status, 404);
    await card.body?.cancel();
    const cardB = await asp.call("GET", `/tenants/${B}/cards/bb01`);
    assert.equal((await cardB.json()).residentId, fb.householder);

    // Operators see one tenant at a time; an unknown tenant is not found.
    const status = await (await asp.call("GET", `/tenants/${A}`, {
      token: ASP_TOKENS.admin,
    })).json();
    assert.equal(status.appliedSeq, 3);
    const unknown = await asp.call("POST", `/tenants/999999/certificates`, {
      body: body(fa.householder),
    });
    assert.equal(unknown.status, 404);
    assert.equal((await unknown.json()).code, "TENANT_NOT_FOUND");

    // Snapshots: the other municipality's records are refused; a reload of one leaves the other untouched.
    const beforeB = await replicaChecksum(asp.tenancy, B);
    await assert.rejects(
      applySnapshot(
        asp.tenancy,
        A,
        await registryRecords(reg.database.db, B),
        10,
        { actor: "t" },
      ),
      (e) => e instanceof AspError && e.code === "SNAPSHOT_INVALID",
    );
    await applySnapshot(
      asp.tenancy,
      A,
      await registryRecords(reg.database.db, A),
      3,
      { actor: "t" },
    );
    assert.deepEqual(await replicaChecksum(asp.tenancy, B), beforeB);

    // Retention of one tenant never purges the other's removed residents.
    for (const f of [fa, fb]) {
      const code = f.householder.slice(0, 6);
      await registryEvent(reg, code, {
        type: "shibou",
        date: "2026-11-20",
        residentId: f.householder,
        newHouseholderId: f.spouse,
      });
    }
    for (const code of [A, B]) await testWorker(asp, reg).catchUp(code);
    const later = new Date("2040-01-01T12:00:00+09:00");
    const countA = () =>
      replicaChecksum(asp.tenancy, A).then((c) => c.kinds.resident.count);
    const before = await countA();
    assert.equal(
      (await purgeExpired(asp.tenancy, B, { now: later })).purgedResidents,
      1,
    );
    assert.equal(await countA(), before);
    assert.equal(
      (await purgeExpired(asp.tenancy, A, { now: later })).purgedResidents,
      1,
    );

    // A stopped tenant does not stop the other.
    await stopSync(asp.tenancy, asp, A, "SYNC_GAP", "test");
    assert.equal(
      (await post(asp, A, body(fa.spouse))).body.code,
      "REPLICA_STALE",
    );
    assert.equal((await post(asp, B, body(fb.spouse))).status, 201);
    assert.equal((await testWorker(asp, reg).syncOnce(B)).state, "running");
  } finally {
    await asp.close();
    await reg.close();
  }
});
