/**
 * The ASP builds a 住民票記載事項証明書 (issue 13, item 5) from the replica:
 * the items of the municipality's form profile (read through
 * `formProfileOf`), recorded on the sheet; the subject carries 世帯主・続柄
 * and 本籍・筆頭者 only when they are items, never a 個人番号; the applicant
 * alone (KISAI_SELF_ONLY); a foreign resident has no 本籍, and a profile
 * that leaves nothing to print for a person is refused (KISAI_NO_ITEMS).
 *
 * Until the tenant record carries the profile, the test hands the builder a
 * tenancy whose directory row has one.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type FormProfile,
  formProfileSchema,
  KISAI_ITEMS,
} from "../lib/contracts/form_profile.ts";
import { printedKisaiItems } from "../lib/certificate/model.ts";
import { buildCertificate } from "../services/asp/certificate_builder.ts";
import { AspError } from "../services/asp/errors.ts";
import type { Tenancy } from "../services/asp/tenancy.ts";
import { makePerson, openTestRegistry } from "./support/registry_world.ts";
import {
  openTestAsp,
  registryEvent,
  registryFamily,
  type TestAsp,
  testRenderer,
  testWorker,
} from "./support/asp_world.ts";

const CODE = "401005";
let n = 0;

/** The tenancy with `profile` on the tenant's directory row. */
function withProfile(tenancy: Tenancy, profile?: FormProfile): Tenancy {
  if (!profile) return tenancy;
  return {
    ...tenancy,
    withTenant: (code, fn) =>
      tenancy.withTenant(code, (tx, scope) =>
        fn(tx, {
          ...scope,
          state: async (opts) => ({
            ...await scope.state(opts),
            formProfile: profile,
          }),
        })),
  };
}

async function build(
  asp: TestAsp,
  applicant: string,
  opts: { profile?: Partial<FormProfile>; members?: "self" | "all" } = {},
) {
  n++;
  const profile = opts.profile
    ? formProfileSchema.parse(opts.profile)
    : undefined;
  return await buildCertificate(
    {
      tenancy: withProfile(asp.tenancy, profile),
      renderer: testRenderer,
      logger: asp.logger,
      metrics: asp.metrics,
    },
    CODE,
    {
      requestId: `req-kisai-${n}-${crypto.randomUUID()}`,
      applicantResidentId: applicant,
      type: "kisai",
      members: opts.members ?? "self",
      options: { honseki: true, zokugara: true, myNumber: true },
      issueNumber: `${CODE}-20261126-${String(900 + n).padStart(6, "0")}`,
      issuedAt: "2026-11-26T10:00:00+09:00",
    },
    { now: asp.clock.now(), actor: "jlis", includePdf: false },
  );
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e) => e);
  assert.ok(err instanceof AspError, String(err));
  return err.code;
}

Deno.test("the ASP builds a 記載事項証明書 with its municipality's items, the applicant alone", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    const fam = await registryFamily(reg, CODE);
    const foreigner = (await registryEvent(reg, CODE, {
      type: "tennyu",
      date: "2026-11-02",
      person: makePerson({
        name: "ＮＧＵＹＥＮ　ＶＡＮ　ＡＮ",
        nameKana: "グエン　ヴァン　アン",
        foreign: {
          alphabeticName: "NGUYEN VAN AN",
          nationality: "ベトナム",
          residenceStatus: "技術・人文知識・国際業務",
          periodOfStay: "5年",
          stayExpiry: "2030-03-31",
          residenceCardNumber: "XY98765432ZW",
        },
      }),
      previousAddress: "ベトナム",
      address: "福岡県北九州市八幡西区黒崎１番",
    })).residentIds[0];
    await testWorker(asp, reg).catchUp(CODE);

    // No profile on the tenant: the default profile's items.
    const plain = await build(asp, fam.spouse);
    assert.equal(plain.sheets.length, 1);
    const [sheet] = plain.sheets;
    assert.ok(sheet.type === "kisai");
    assert.deepEqual(printedKisaiItems(sheet.options), [
      "name",
      "birthDate",
      "sex",
      "address",
      "becameResidentDate",
    ]);
    assert.equal(sheet.subject.residentId, fam.spouse);
    for (const absent of ["householderName", "relationship", "honseki"]) {
      assert.equal(
        (sheet.subject as unknown as Record<string, unknown>)[absent],
        undefined,
        `${absent}: not an item`,
      );
    }
    assert.equal(sheet.subject.myNumber, undefined, "never a 個人番号");

    // The municipality's items, in KISAI_ITEMS order whatever the profile's.
    const own = await build(asp, fam.spouse, {
      profile: { kisaiItems: ["honseki", "relationship", "name"] },
    });
    const [s2] = own.sheets;
    assert.ok(s2.type === "kisai");
    assert.deepEqual(printedKisaiItems(s2.options), [
      "name",
      "relationship",
      "honseki",
    ]);
    assert.equal(s2.subject.relationship, "妻");
    assert.equal(s2.subject.householderName, undefined);
    assert.equal(s2.subject.honseki, "福岡県北九州市小倉北区城内１番");
    assert.equal(s2.subject.hittousha, "山田　一郎");

    const every = await build(asp, fam.householder, {
      profile: { kisaiItems: [...KISAI_ITEMS] },
    });
    assert.ok(every.sheets[0].type === "kisai");
    assert.equal(every.sheets[0].subject.householderName, "山田　太郎");

    // A foreign resident has no 本籍: left out; nothing left: refused.
    const foreign = await build(asp, foreigner, {
      profile: { kisaiItems: ["name", "honseki"] },
    });
    assert.ok(foreign.sheets[0].type === "kisai");
    assert.deepEqual(printedKisaiItems(foreign.sheets[0].options), ["name"]);
    assert.equal(
      await refusal(
        build(asp, foreigner, { profile: { kisaiItems: ["honseki"] } }),
      ),
      "KISAI_NO_ITEMS",
    );

    // Self only.
    assert.equal(
      await refusal(build(asp, fam.householder, { members: "all" })),
      "KISAI_SELF_ONLY",
    );
  } finally {
    await asp.close();
    await reg.close();
  }
});
