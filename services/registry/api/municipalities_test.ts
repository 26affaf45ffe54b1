import assert from "node:assert/strict";
import {
  openTestRegistry,
  type TestRegistry,
  TOKENS,
} from "../../../tests/support/registry_world.ts";
import { DEFAULT_FORM_PROFILE } from "../../../lib/contracts/form_profile.ts";
import { parseFeedEnvelope } from "../../../lib/contracts/registry_feed.ts";

const M = "401005";
const RECORD = { name: "北九州市", mayor: "北九州市長　武内　和久" };

async function put(reg: TestRegistry, body: Record<string, unknown>) {
  return await reg.call("PUT", `/municipalities/${M}`, {
    token: TOKENS.admin,
    body: { ...RECORD, ...body },
  });
}

async function record(reg: TestRegistry) {
  const res = await reg.call("GET", `/municipalities/${M}`, {
    token: TOKENS.reader,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /json/);
  return await res.json();
}

async function feedPolicy(reg: TestRegistry) {
  const res = await reg.call("GET", `/municipalities/${M}/feed?after=0`, {
    token: TOKENS.asp,
  });
  assert.equal(res.status, 200);
  return parseFeedEnvelope(await res.json()).policy!;
}

Deno.test("PUT /municipalities/{code} keeps the form profile; GET and the feed's policy carry it with the name and mayor", async () => {
  const reg = await openTestRegistry([M]);
  try {
    const profile = {
      householdFormat: "renki",
      membersPerSheet: 3,
      juminhyoTitle: "住民票",
      inkanPrintsSex: false,
      furiganaMask: "********",
      kisaiItems: ["name", "address"],
    };
    const res = await put(reg, { formProfile: profile });
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).formProfile, profile);
    assert.deepEqual((await record(reg)).formProfile, profile);
    const policy = await feedPolicy(reg);
    assert.deepEqual(policy.formProfile, profile);
    assert.equal(policy.name, RECORD.name);
    assert.equal(policy.mayor, RECORD.mayor);
  } finally {
    await reg.close();
  }
});

Deno.test("PUT /municipalities/{code} without a form profile gives the default one, partial profiles take the defaults", async () => {
  const reg = await openTestRegistry([M]);
  try {
    // openTestRegistry's PUT sent none.
    assert.deepEqual((await record(reg)).formProfile, DEFAULT_FORM_PROFILE);
    assert.deepEqual((await feedPolicy(reg)).formProfile, DEFAULT_FORM_PROFILE);
    const res = await put(reg, { formProfile: { inkanPrintsSex: false } });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.deepEqual((await record(reg)).formProfile, {
      ...DEFAULT_FORM_PROFILE,
      inkanPrintsSex: false,
    });
  } finally {
    await reg.close();
  }
});

Deno.test("PUT /municipalities/{code} refuses a bad form profile with 400 and changes nothing", async () => {
  const reg = await openTestRegistry([M]);
  try {
    const good = await put(reg, {
      formProfile: { juminhyoTitle: "住民票" },
      mayor: "北九州市長　別人",
    });
    assert.equal(good.status, 200);
    await good.body?.cancel();
    const before = await record(reg);
    for (
      const formProfile of [
        { juminhyoTitle: "住民票謄本" },
        { membersPerSheet: 5 },
        { householdFormat: "both" },
        { kisaiItems: ["name", "name"] },
        { kisaiItems: [] },
        { inkanPrintsSex: "no" },
        { bloodType: "A" },
        "kohyo",
      ]
    ) {
      const res = await put(reg, { formProfile });
      assert.equal(res.status, 400, JSON.stringify(formProfile));
      assert.match(res.headers.get("content-type") ?? "", /json/);
      const body = await res.json();
      assert.equal(body.code, "VALIDATION_FAILED");
      assert.ok(body.message_ja && body.message_en, JSON.stringify(body));
    }
    assert.deepEqual(await record(reg), before);
    assert.equal((await feedPolicy(reg)).formProfile?.juminhyoTitle, "住民票");
    assert.equal((await feedPolicy(reg)).mayor, "北九州市長　別人");
  } finally {
    await reg.close();
  }
});
