import assert from "node:assert/strict";
import { eq, sql } from "drizzle-orm";
import { auditLog, tenants } from "../../db/asp/schema.ts";
import { residents } from "../../db/asp/tenant_schema.ts";
import { openTestAsp, rejectsWithDb } from "../../tests/support/asp_world.ts";
import {
  formProfileOf,
  rowsOf,
  tenantPolicyColumns,
  writeAudit,
} from "./tenancy.ts";
import { DEFAULT_FORM_PROFILE } from "../../lib/contracts/form_profile.ts";

Deno.test("withTenant() runs as the tenant's own role in its own schema; the database refuses the other tenant", async () => {
  const asp = await openTestAsp();
  try {
    const [a, b] = [
      await asp.tenancy.get("401005"),
      await asp.tenancy.get("401307"),
    ];
    assert.equal(a.schemaName, "t_401005");
    assert.notEqual(a.roleName, b.roleName);
    const who = await asp.tenancy.withTenant(
      "401005",
      async (tx) =>
        rowsOf<{ u: string; p: string }>(
          await tx.execute(
            sql`select current_user as u, current_setting('search_path') as p`,
          ),
        )[0],
    );
    assert.equal(who.u, a.roleName);
    assert.match(who.p, /t_401005/);
    // Unqualified names resolve to the tenant's own tables.
    await asp.tenancy.withTenant(
      "401307",
      (tx) =>
        tx.insert(residents).values({
          id: "401307-R1",
          householdId: "401307-H1",
          status: "active",
          updatedSeq: 1,
          data: new Uint8Array([1]),
        }),
    );
    assert.equal(
      (await asp.tenancy.withTenant(
        "401005",
        (tx) => tx.select().from(residents),
      )).length,
      0,
    );
    // Naming the other tenant's schema is refused by PostgreSQL itself.
    for (
      const stmt of [
        "select * from t_401307.residents",
        "delete from t_401307.residents",
        "select * from control.alerts",
      ]
    ) {
      await rejectsWithDb(
        asp.tenancy.withTenant("401005", (tx) => tx.execute(sql.raw(stmt))),
        /permission denied/,
        stmt,
      );
    }
    await rejectsWithDb(
      asp.tenancy.withTenant(
        "401005",
        (tx) => tx.execute(sql.raw("create table t_401005.x (a int)")),
      ),
      /permission denied/,
    );
    assert.equal(
      (await asp.tenancy.withTenant(
        "401307",
        (tx) => tx.select().from(residents),
      )).length,
      1,
    );
  } finally {
    await asp.close();
  }
});

Deno.test("row-level security: a tenant sees and advances only its own directory row, audits only under its own code", async () => {
  const asp = await openTestAsp();
  try {
    await asp.tenancy.withTenant("401005", async (tx, t) => {
      const visible = await tx.select({ code: tenants.code }).from(tenants);
      assert.deepEqual(visible, [{ code: "401005" }]);
      assert.equal((await t.state()).code, "401005");
      const other = await tx.update(tenants).set({ appliedSeq: 99 }).where(
        eq(tenants.code, "401307"),
      )
        .returning({ code: tenants.code });
      assert.equal(other.length, 0);
    });
    await rejectsWithDb(
      asp.tenancy.withTenant(
        "401005",
        (tx) =>
          tx.update(tenants).set({ syncState: "stopped" }).where(
            eq(tenants.code, "401005"),
          ),
      ),
      /permission denied/,
    );
    await rejectsWithDb(
      asp.tenancy.withTenant(
        "401005",
        (tx) =>
          writeAudit(tx, {
            tenantCode: "401307",
            actor: "x",
            action: "forged",
          }),
      ),
      /row-level security/,
    );
    await asp.tenancy.withTenant(
      "401005",
      (tx) =>
        writeAudit(tx, { tenantCode: "401005", actor: "x", action: "ok" }),
    );
    assert.equal(Number((await asp.tenancy.get("401307")).appliedSeq), 0);
    const audits = await asp.tenancy.db.select().from(auditLog).where(
      eq(auditLog.action, "ok"),
    );
    assert.equal(audits.length, 1);
  } finally {
    await asp.close();
  }
});

Deno.test("provision() is idempotent: a second call updates the policy, keeps the key, the data and the registry's name and mayor", async () => {
  const asp = await openTestAsp({
    tenants: [{ code: "401005", name: "北九州市", mayor: "市長" }],
  });
  try {
    const before = await asp.tenancy.get("401005");
    const after = await asp.tenancy.provision({
      code: "401005",
      name: "北九州市",
      mayor: "市長２",
      retentionYears: 7,
    });
    // The name and mayor are the registry's record (the feed's), not the configuration's.
    assert.equal(after.mayor, "市長");
    assert.equal(after.retentionYears, 7);
    assert.deepEqual(
      new Uint8Array(after.wrappedDataKey),
      new Uint8Array(before.wrappedDataKey),
    );
    assert.equal(after.ddlVersion, before.ddlVersion);
    await assert.rejects(asp.tenancy.provision({ code: "40100" }), RangeError);
  } finally {
    await asp.close();
  }
});

Deno.test("tenantPolicyColumns() takes the form profile, name and mayor from the feed's policy; formProfileOf() gives the default profile until one is heard", () => {
  const policy = {
    printMyNumberAtKiosk: false,
    sameDayEventTypes: null,
    householdMoveOut: "strict" as const,
  };
  const profile = { ...DEFAULT_FORM_PROFILE, juminhyoTitle: "住民票" as const };
  const cols = tenantPolicyColumns({
    ...policy,
    formProfile: profile,
    name: "北九州市",
    mayor: "北九州市長　武内　和久",
  });
  assert.deepEqual(cols.formProfile, profile);
  assert.equal(cols.name, "北九州市");
  assert.equal(cols.mayor, "北九州市長　武内　和久");
  // An older registry: no profile (the default), the name and mayor held stay.
  const older = tenantPolicyColumns(policy);
  assert.equal(older.formProfile, null);
  assert.ok(!("name" in older) && !("mayor" in older));
  assert.deepEqual(tenantPolicyColumns(undefined), {});
  assert.deepEqual(formProfileOf({ formProfile: null }), DEFAULT_FORM_PROFILE);
  assert.deepEqual(formProfileOf({ formProfile: profile }), profile);
  // A profile stored before a field existed gets that field's default.
  const { kisaiItems: _, ...stored } = profile;
  assert.deepEqual(
    formProfileOf({ formProfile: stored as typeof profile }),
    profile,
  );
});
