/**
 * The legal 氏名の振り仮名 (令和5年法律第48号) from the registry's event to the
 * printed sheet: recorded, unrecorded (blank or the municipality's mask),
 * half recorded, and 旧氏の振り仮名 — through the feed, the replica and the
 * ASP's sheet builder, on template version 3.
 */
import assert from "node:assert/strict";
import { DEFAULT_FORM_PROFILE } from "../lib/contracts/form_profile.ts";
import type { Tenancy } from "../services/asp/tenancy.ts";
import { buildCertificate } from "../services/asp/certificate_builder.ts";
import { readResident } from "../services/asp/replica.ts";
import {
  openTestAsp,
  registryEvent,
  registryFamily,
  type TestAsp,
  testRenderer,
  testWorker,
} from "./support/asp_world.ts";
import { openTestRegistry } from "./support/registry_world.ts";

const CODE = "401005";

/**
 * The tenancy as a municipality with this furigana mask sees it: its
 * directory row carries the form profile (as the profile's carrier puts it
 * there, `tenant.formProfile`).
 */
function withMask(tenancy: Tenancy, mask: string | null): Tenancy {
  return {
    ...tenancy,
    withTenant: (code, fn) =>
      tenancy.withTenant(code, (tx, scope) =>
        fn(tx, {
          ...scope,
          state: async (opts) => ({
            ...await scope.state(opts),
            formProfile: { ...DEFAULT_FORM_PROFILE, furiganaMask: mask },
          }),
        })),
  };
}

let n = 0;
/** The sheet of `member` (default: the applicant's own) as `tenancy` builds it. */
async function sheetOf(
  asp: TestAsp,
  tenancy: Tenancy,
  applicant: string,
  member?: string,
) {
  n++;
  const built = await buildCertificate(
    {
      tenancy,
      renderer: testRenderer,
      logger: asp.logger,
      metrics: asp.metrics,
    },
    CODE,
    {
      requestId: `req-furigana-${n}`,
      applicantResidentId: applicant,
      type: "juminhyo",
      members: member ? [member] : "self",
      options: { honseki: false, zokugara: false, myNumber: false },
      issueNumber: `${CODE}-20261126-${String(n).padStart(6, "0")}`,
      issuedAt: "2026-11-26T10:00:00+09:00",
    },
    { now: asp.clock.now(), actor: "test", includePdf: false },
  );
  assert.equal(built.sheets[0].templateVersion, 3);
  return built.sheets[0].subject;
}

Deno.test("[asp] the legal furigana prints once recorded; unrecorded parts blank or masked; 旧氏の振り仮名 beside the 旧氏", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    const fam = await registryFamily(reg, CODE);
    // The householder: both parts, and a 旧氏 with its reading.
    await registryEvent(reg, CODE, {
      type: "kyuuji_kisai",
      date: "2026-11-21",
      residentId: fam.householder,
      formerSurname: "佐藤",
      formerSurnameKana: "さとう",
      formerSurnameFurigana: "サトウ",
    });
    await registryEvent(reg, CODE, {
      type: "furigana_kisai",
      date: "2026-11-22",
      residentId: fam.householder,
      surname: "ヤマダ",
      givenName: "タロウ",
      recordedBy: "ex_officio",
    });
    // The spouse: the given name only (half recorded); the child: nothing.
    await registryEvent(reg, CODE, {
      type: "furigana_kisai",
      date: "2026-11-22",
      residentId: fam.spouse,
      givenName: "ハナコ",
    });
    // The ASP's clock is past the same-day rule's day.
    reg.clock.set("2026-11-27T10:00:00+09:00");
    await testWorker(asp, reg).catchUp(CODE);

    // The replica holds what the registry recorded.
    const stored = await asp.tenancy.withTenant(
      CODE,
      (tx, t) => readResident(tx, t.cipher, fam.spouse),
    );
    assert.deepEqual(
      [
        stored?.furiganaSurname,
        stored?.furiganaSurnameStatus,
        stored?.furiganaGivenName,
        stored?.furiganaGivenNameStatus,
      ],
      [null, "unrecorded", "ハナコ", "notified"],
    );

    const blank = withMask(asp.tenancy, null);
    const masked = withMask(asp.tenancy, "********");

    // Recorded: the katakana reading, mask or not; 旧氏の振り仮名 beside 旧氏.
    for (const t of [asp.tenancy, blank, masked]) {
      const s = await sheetOf(asp, t, fam.householder);
      assert.equal(s.nameKana, "ヤマダ　タロウ");
      assert.equal(s.formerSurname, "佐藤");
      assert.equal(s.formerSurnameKana, "サトウ");
    }
    // Nothing recorded (the child, on the householder's request): blank
    // (the default profile), or the mask once — never the free reading.
    const child = (t: Tenancy) => sheetOf(asp, t, fam.householder, fam.child);
    assert.equal((await child(asp.tenancy)).nameKana, "");
    assert.equal((await child(blank)).nameKana, "");
    assert.equal((await child(masked)).nameKana, "********");
    // Half recorded: the given name in its place, the surname blank or masked.
    assert.equal(
      (await sheetOf(asp, blank, fam.spouse)).nameKana,
      "　ハナコ",
    );
    assert.equal(
      (await sheetOf(asp, masked, fam.spouse)).nameKana,
      "********　ハナコ",
    );
    // A 旧氏 whose reading is not recorded prints no reading beside it.
    await registryEvent(reg, CODE, {
      type: "kyuuji_kisai",
      date: "2026-11-27",
      residentId: fam.spouse,
      formerSurname: "鈴木",
      formerSurnameKana: "すずき",
    });
    reg.clock.set("2026-11-28T10:00:00+09:00");
    await testWorker(asp, reg).catchUp(CODE);
    const spouse = await sheetOf(asp, masked, fam.spouse);
    assert.equal(spouse.formerSurname, "鈴木");
    assert.equal(spouse.formerSurnameKana, undefined);
  } finally {
    await asp.close();
    await reg.close();
  }
});
