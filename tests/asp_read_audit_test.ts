/**
 * The ASP audits every read of personal data (issue 12, Build 9): the
 * issuance check, a card resolved to its resident, the household list and
 * a certificate build each leave one audit record naming the caller, the
 * purpose, the ids of the persons read (ids only, never a name) and the
 * time — refusals included.
 *
 * @module
 */
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { auditLog } from "../db/asp/schema.ts";
import { READ_PURPOSES } from "../services/asp/read_audit.ts";
import {
  openTestAsp,
  registryCall,
  registryFamily,
  testWorker,
} from "./support/asp_world.ts";
import { openTestRegistry } from "./support/registry_world.ts";

const A = "401005";

async function until(cond: () => Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface ReadDetails {
  purpose: string;
  peer: string | null;
  persons: string[];
}

Deno.test("[asp] every personal-data read is audited: caller, purpose, person ids, time", async () => {
  const reg = await openTestRegistry([A]);
  const asp = await openTestAsp({
    clock: reg.clock,
    tenants: [{ code: A, name: "北九州市", mayor: "北九州市長　武内　和久" }],
  });
  try {
    const fam = await registryFamily(reg, A);
    await registryCall(reg, "POST", `/municipalities/${A}/card-links`, {
      serial: "AA01",
      residentId: fam.householder,
    });
    const worker = testWorker(asp, reg);
    await worker.start();
    await until(async () =>
      Number((await asp.tenancy.get(A)).appliedSeq) === 4
    );
    await worker.stop();
    const everyone = [fam.householder, fam.spouse, fam.child].sort();

    const reads = async (action: string, outcome = "ok") =>
      await asp.database.db.select().from(auditLog).where(and(
        eq(auditLog.action, action),
        eq(auditLog.outcome, outcome),
      ));
    const one = async (action: string, outcome = "ok") => {
      const rows = await reads(action, outcome);
      assert.equal(rows.length, 1, `one ${action} ${outcome} record`);
      const r = rows[0];
      assert.equal(r.tenantCode, A);
      assert.equal(r.actor, "jlis", "names the caller");
      assert.ok(r.at, "time");
      assert.ok(r.requestId, "request id");
      const d = r.details as ReadDetails;
      assert.equal(
        d.purpose,
        READ_PURPOSES[action as keyof typeof READ_PURPOSES],
      );
      return { row: r, details: d };
    };

    const call = async (path: string) => {
      const res = await asp.call("GET", path);
      await res.body?.cancel();
      return res.status;
    };
    assert.equal(
      await call(`/tenants/${A}/residents/${fam.spouse}/issuance-check`),
      200,
    );
    const check = await one("issuance.check");
    assert.equal(check.row.subject, fam.spouse);
    assert.deepEqual([...check.details.persons].sort(), everyone);

    assert.equal(
      await call(`/tenants/${A}/residents/nobody-here/issuance-check`),
      200,
    );
    const missing = await one("issuance.check", "RESIDENT_NOT_FOUND");
    assert.deepEqual(missing.details.persons, ["nobody-here"]);

    assert.equal(await call(`/tenants/${A}/cards/AA01`), 200);
    const card = await one("card.resolve");
    assert.deepEqual(card.details.persons, [fam.householder]);
    assert.equal(await call(`/tenants/${A}/cards/FFFF`), 404);
    assert.deepEqual(
      (await one("card.resolve", "CARD_NOT_FOUND")).details.persons,
      [],
    );

    assert.equal(await call(`/tenants/${A}/cards/AA01/household`), 200);
    const household = await one("household.read");
    assert.deepEqual([...household.details.persons].sort(), everyone);

    const build = await asp.call("POST", `/tenants/${A}/certificates`, {
      body: {
        requestId: `req-${crypto.randomUUID()}`,
        applicantResidentId: fam.householder,
        type: "juminhyo",
        members: "all",
        issueNumber: "401005-20261126-0000001",
        issuedAt: "2026-11-26T10:00:00+09:00",
        includePdf: false,
      },
    });
    assert.equal(build.status, 201);
    await build.body?.cancel();
    const built = await one("certificate.build");
    assert.deepEqual([...built.details.persons].sort(), everyone);

    // Ids only: no name, address or birth date in any read record.
    const all = await asp.database.db.select().from(auditLog);
    const text = JSON.stringify(all);
    for (const leak of ["山田", "北九州市小倉北区", "1980-", "1982-05-05"]) {
      assert.ok(!text.includes(leak), `no ${leak} in the audit`);
    }
  } finally {
    await asp.close();
    await reg.close();
  }
});
