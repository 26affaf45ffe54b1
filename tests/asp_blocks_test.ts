/**
 * Blocks propagate through the same ordered feed and fail closed: opt-out,
 * 支援措置, municipal blocks, death, move-out (person and household) and
 * seal cancellation reach the replica and refuse issuance with their codes.
 */
import assert from "node:assert/strict";
import { personRefusal } from "../services/asp/issuance.ts";
import { readSeals } from "../services/asp/replica.ts";
import {
  openTestAsp,
  registryCall,
  registryEvent,
  registryFamily,
  type TestAsp,
  testWorker,
} from "./support/asp_world.ts";
import { sealImpressionPng } from "../services/registry/seed/mod.ts";
import { openTestRegistry } from "./support/registry_world.ts";

const CODE = "401005";

async function outcome(
  asp: TestAsp,
  applicant: string,
  over: Record<string, unknown> = {},
): Promise<string> {
  const res = await asp.call("POST", `/tenants/${CODE}/certificates`, {
    body: {
      requestId: `req-${crypto.randomUUID()}`,
      applicantResidentId: applicant,
      type: "juminhyo",
      members: "self",
      issueNumber: "401005-20261126-000001",
      issuedAt: "2026-11-26T10:00:00+09:00",
      includePdf: false,
      ...over,
    },
  });
  const body = await res.json();
  return res.status === 201 ? "ok" : body.code;
}

Deno.test("[asp] blocks set and lifted at the registry reach the replica in order and refuse issuance", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock });
  const sync = () => testWorker(asp, reg).catchUp(CODE);
  try {
    const fam = await registryFamily(reg, CODE);
    await sync();
    assert.equal(await outcome(asp, fam.householder), "ok");

    const block = async (
      id: string,
      reason: string,
      extra: Record<string, unknown> = {},
    ) =>
      String(
        (await registryCall(
          reg,
          "POST",
          `/municipalities/${CODE}/residents/${id}/blocks`,
          {
            reason,
            startDate: "2026-11-01",
            ...extra,
          },
        )).blockId,
      );
    const lift = (blockId: string) =>
      registryCall(
        reg,
        "POST",
        `/municipalities/${CODE}/blocks/${blockId}/lift`,
        { reason: "本人申出" },
      );

    const optOut = await block(fam.householder, "opt_out");
    await sync();
    assert.equal(await outcome(asp, fam.householder), "OPT_OUT");
    await lift(optOut);
    await sync();
    assert.equal(await outcome(asp, fam.householder), "ok");

    // 支援措置 on the spouse: the spouse is refused, and so is any certificate that would show her.
    await block(fam.spouse, "support_measure");
    await sync();
    assert.equal(await outcome(asp, fam.spouse), "SUPPORT_MEASURE");
    assert.equal(
      await outcome(asp, fam.householder, { members: "all" }),
      "SUPPORT_MEASURE",
    );
    assert.equal(
      await outcome(asp, fam.householder, { members: [fam.spouse] }),
      "SUPPORT_MEASURE",
    );
    assert.equal(await outcome(asp, fam.householder), "ok");

    const municipal = await block(fam.householder, "municipal");
    await sync();
    assert.equal(await outcome(asp, fam.householder), "BLOCKED");
    await lift(municipal);
    // The lift has not reached the replica yet: still blocked (fail closed until it arrives in order).
    assert.equal(await outcome(asp, fam.householder), "BLOCKED");
    await sync();
    assert.equal(await outcome(asp, fam.householder), "ok");

    // A block starting tomorrow is not in force today; a block always ends only by an explicit lift.
    await block(fam.householder, "opt_out", { startDate: "2026-11-27" });
    await sync();
    assert.equal(await outcome(asp, fam.householder), "ok");
    asp.clock.advance(24 * 3600_000);
    await sync();
    assert.equal(await outcome(asp, fam.householder), "OPT_OUT");

    // Fail closed: an unknown reason blocks.
    const r = {
      id: "x",
      status: "active",
      becameResidentDate: "2020-01-01",
    } as never;
    assert.equal(
      personRefusal(r, [{
        id: "b",
        residentId: "x",
        reason: "new_kind",
        startDate: "2020-01-01",
        endDate: null,
        liftedAt: null,
      }], "2026-11-26")
        ?.code,
      "BLOCKED",
    );
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("[asp] death, move-out (person and household) and seal cancellation reach the replica and refuse issuance", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock });
  const sync = () => testWorker(asp, reg).catchUp(CODE);
  try {
    const fam = await registryFamily(reg, CODE);
    const other = await registryFamily(reg, CODE, {
      address: "福岡県北九州市戸畑区１番",
    });
    for (const id of [fam.householder, fam.spouse, other.householder]) {
      await registryCall(
        reg,
        "POST",
        `/municipalities/${CODE}/residents/${id}/seals`,
        {
          impressionPng: sealImpressionPng("山田").toBase64(),
          date: "2026-11-21",
        },
      );
    }
    await sync();
    assert.equal(await outcome(asp, fam.spouse, { type: "inkan" }), "ok");

    // Seal abolished at the window.
    const seals = await asp.tenancy.withTenant(
      CODE,
      (tx, t) => readSeals(tx, t.cipher, fam.spouse),
    );
    await registryCall(
      reg,
      "POST",
      `/municipalities/${CODE}/seals/${seals[0].id}/abolish`,
      { date: "2026-11-22" },
    );
    await sync();
    assert.equal(
      await outcome(asp, fam.spouse, { type: "inkan" }),
      "SEAL_NOT_REGISTERED",
    );

    // Move-out filed by the householder: the whole household is refused (household move-out).
    await registryEvent(reg, CODE, {
      type: "tenshutsu_yotei",
      date: "2026-11-22",
      residentId: fam.householder,
      plannedDate: "2026-12-01",
      destinationAddress: "東京都港区１番",
    });
    await sync();
    assert.equal(await outcome(asp, fam.householder), "MOVE_OUT_FILED");
    assert.equal(await outcome(asp, fam.spouse), "MOVE_OUT_FILED");
    assert.equal(
      await outcome(asp, fam.householder, { type: "inkan" }),
      "MOVE_OUT_FILED",
    );

    // Move-out confirmed: removed, and the seal registration cancelled with it.
    await registryEvent(reg, CODE, {
      type: "tenshutsu_kakutei",
      date: "2026-11-23",
      residentId: fam.householder,
    });
    await sync();
    assert.equal(await outcome(asp, fam.householder), "RESIDENT_REMOVED");
    const after = await asp.tenancy.withTenant(
      CODE,
      (tx, t) => readSeals(tx, t.cipher, fam.householder),
    );
    assert.deepEqual(after.map((s) => s.status), ["cancelled"]);

    // Death: refused as DECEASED, seal cancelled, and a household certificate no longer shows them.
    // The widow becomes 世帯主 in the same event (the child stays 子).
    await registryEvent(reg, CODE, {
      type: "shibou",
      date: "2026-11-24",
      residentId: other.householder,
      newHouseholderId: other.spouse,
    });
    await sync();
    assert.equal(await outcome(asp, other.householder), "DECEASED");
    assert.equal(
      await outcome(asp, other.householder, { type: "inkan" }),
      "DECEASED",
    );
    const deadSeals = await asp.tenancy.withTenant(
      CODE,
      (tx, t) => readSeals(tx, t.cipher, other.householder),
    );
    assert.deepEqual(deadSeals.map((s) => s.status), ["cancelled"]);
    assert.equal(
      await outcome(asp, other.spouse, { members: [other.householder] }),
      "DECEASED",
    );
    const all = await asp.call("POST", `/tenants/${CODE}/certificates`, {
      body: {
        requestId: `req-${crypto.randomUUID()}`,
        applicantResidentId: other.spouse,
        type: "juminhyo",
        members: "all",
        issueNumber: "401005-20261126-000009",
        issuedAt: "2026-11-26T10:00:00+09:00",
        includePdf: false,
      },
    });
    const body = await all.json();
    assert.equal(all.status, 201);
    assert.ok(
      !body.sheets.some((s: { subject: { residentId: string } }) =>
        s.subject.residentId === other.householder
      ),
    );
  } finally {
    await asp.close();
    await reg.close();
  }
});
