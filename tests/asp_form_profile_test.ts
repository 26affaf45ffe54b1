/**
 * The form profile, one source of truth end to end: the registry's
 * municipality record (`PUT /municipalities/{code}`) → the feed's policy →
 * the ASP's tenant (`formProfileOf`) → what the sheet records (`form`) →
 * what its front prints. The name and mayor the forms print travel the same
 * way: the ASP's start-up configuration names no municipality.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { tenants } from "../db/asp/schema.ts";
import { sealImpressionPng } from "../services/registry/seed/mod.ts";
import { openTestRegistry, TOKENS } from "./support/registry_world.ts";
import { sheetFromJson } from "../lib/contracts/sheet_wire.ts";
import { formProfileOf } from "../services/asp/tenancy.ts";
import { DEFAULT_FORM_PROFILE } from "../lib/contracts/form_profile.ts";
import { CURRENT_TEMPLATE_VERSION } from "../lib/certificate/model.ts";
import { layoutSheet } from "../lib/render/layout.ts";
import {
  decodeSheetContent,
  encodeSheetContent,
} from "../lib/backside/canonical.ts";
import type { TextOp } from "../lib/render/ops.ts";
import type { SheetContent } from "../lib/certificate/model.ts";
import {
  openTestAsp,
  registryCall,
  registryFamily,
  type TestAsp,
  testWorker,
} from "./support/asp_world.ts";

const CODE = "401005";
const NAME = "北九州市";
let n = 0;

function request(applicant: string, type: "juminhyo" | "inkan") {
  n++;
  return {
    requestId: `req-${crypto.randomUUID()}`,
    applicantResidentId: applicant,
    type,
    members: "self",
    options: { honseki: false, zokugara: false, myNumber: false },
    issueNumber: `${CODE}-20261126-${String(n).padStart(6, "0")}`,
    issuedAt: "2026-11-26T10:00:00+09:00",
    includePdf: false,
  };
}

async function build(
  asp: TestAsp,
  applicant: string,
  type: "juminhyo" | "inkan",
) {
  const res = await asp.call("POST", `/tenants/${CODE}/certificates`, {
    body: request(applicant, type),
  });
  assert.match(res.headers.get("Content-Type") ?? "", /application\/json/);
  return { status: res.status, body: await res.json() };
}

async function sheetOf(
  asp: TestAsp,
  applicant: string,
  type: "juminhyo" | "inkan",
): Promise<SheetContent> {
  const r = await build(asp, applicant, type);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return sheetFromJson(r.body.sheets[0]);
}

/** The printed text of one field of a sheet's front. */
function printed(sheet: SheetContent, field: string): string {
  return layoutSheet(sheet).ops
    .filter((op): op is TextOp => op.kind === "text" && op.field === field)
    .map((t) => t.text).join("");
}

Deno.test("[asp] form profile: a change in the registry's record reaches the sheet and its front; the name and mayor are the registry's, never the ASP's configuration", async () => {
  const reg = await openTestRegistry([CODE]);
  // The start-up configuration names no municipality (services/asp/config.ts).
  const asp = await openTestAsp({
    clock: reg.clock,
    tenants: [{ code: CODE }],
  });
  try {
    const fam = await registryFamily(reg, CODE);
    const sync = () => testWorker(asp, reg).catchUp(CODE);
    const before = await asp.tenancy.get(CODE);
    assert.equal(before.name, null);
    assert.equal(before.mayor, null);
    assert.deepEqual(formProfileOf(before), DEFAULT_FORM_PROFILE);

    await registryCall(
      reg,
      "POST",
      `/municipalities/${CODE}/residents/${fam.householder}/seals`,
      {
        impressionPng: sealImpressionPng("山田").toBase64(),
        date: "2026-11-21",
      },
    );
    await sync();
    const heard = await asp.tenancy.get(CODE);
    assert.equal(heard.name, NAME);
    assert.equal(heard.mayor, "北九州市長　武内　和久");
    assert.deepEqual(formProfileOf(heard), DEFAULT_FORM_PROFILE);

    // The default profile: 「住民票の写し」, 性別 on the 印鑑.
    const first = await sheetOf(asp, fam.householder, "juminhyo");
    assert.equal(first.templateVersion, CURRENT_TEMPLATE_VERSION);
    assert.deepEqual(first.form, { juminhyoTitle: "住民票の写し" });
    assert.deepEqual(first.municipality, {
      code: CODE,
      name: NAME,
      mayor: "北九州市長　武内　和久",
    });
    assert.equal(printed(first, "title"), "住民票の写し");
    const firstInkan = await sheetOf(asp, fam.householder, "inkan");
    assert.deepEqual(firstInkan.form, { inkanPrintsSex: true });
    assert.notEqual(printed(firstInkan, "sex"), "");

    // The municipality changes its record: title, 性別, and a new mayor.
    const put = await reg.call("PUT", `/municipalities/${CODE}`, {
      token: TOKENS.admin,
      body: {
        name: NAME,
        mayor: "北九州市長　新任　一郎",
        sameDayEventTypes: [],
        formProfile: { juminhyoTitle: "住民票", inkanPrintsSex: false },
      },
    });
    assert.equal(put.status, 200, await put.text());
    // Not before the ASP heard it.
    assert.deepEqual(
      (await sheetOf(asp, fam.householder, "juminhyo")).form,
      { juminhyoTitle: "住民票の写し" },
    );
    await sync(); // a heartbeat answer: no events, the policy
    const changed = await asp.tenancy.get(CODE);
    assert.equal(formProfileOf(changed).juminhyoTitle, "住民票");
    assert.equal(formProfileOf(changed).inkanPrintsSex, false);

    const jumin = await sheetOf(asp, fam.householder, "juminhyo");
    assert.deepEqual(jumin.form, { juminhyoTitle: "住民票" });
    assert.equal(jumin.municipality.mayor, "北九州市長　新任　一郎");
    assert.equal(printed(jumin, "title"), "住民票");
    // The portal renders the sheet its back side carries: the same title.
    const decoded = decodeSheetContent(encodeSheetContent(jumin));
    assert.deepEqual(decoded.form, jumin.form);
    assert.equal(printed(decoded, "title"), "住民票");
    assert.match(printed(jumin, "municipality.mayor"), /新任/);
    const inkan = await sheetOf(asp, fam.householder, "inkan");
    assert.deepEqual(inkan.form, { inkanPrintsSex: false });
    assert.equal(printed(inkan, "sex"), "");
    assert.equal(printed(inkan, "nameKana"), "");
    assert.equal(printed(inkan, "seal.registrationNumber"), "");
    assert.notEqual(printed(inkan, "name"), "");
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("[asp] form profile: a tenant that never heard its registry's record refuses (REPLICA_STALE, record_not_heard)", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({
    clock: reg.clock,
    tenants: [{ code: CODE }],
  });
  try {
    const fam = await registryFamily(reg, CODE);
    await testWorker(asp, reg).catchUp(CODE);
    // An older registry's answers carry no name: forget the one heard.
    await asp.tenancy.db.update(tenants).set({ name: null, mayor: null })
      .where(eq(tenants.code, CODE));
    const r = await build(asp, fam.householder, "juminhyo");
    assert.equal(r.status, 503, JSON.stringify(r.body));
    assert.equal(r.body.code, "REPLICA_STALE");
    assert.equal(r.body.details?.reason, "record_not_heard");
  } finally {
    await asp.close();
    await reg.close();
  }
});
