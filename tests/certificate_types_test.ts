/**
 * The certificate catalogue is complete: every member of CERTIFICATE_TYPES
 * has a Japanese and an English name, a back-side code (unique), a fee, a
 * form and a portal label. (That adding a member makes the compiler list
 * every place to handle it cannot be shown at run time; the catalogue's
 * `Record<CertificateType, …>` types and `assertNever` switches do that.)
 */
import assert from "node:assert/strict";
import {
  CERTIFICATE_CATALOGUE,
  CERTIFICATE_TYPES,
  certificateTypeOfCode,
} from "../lib/certificate/types/mod.ts";
import { DEFAULT_FEES } from "../services/jlis/issuance/fee_schedule.ts";
import { CERT_TYPE } from "../services/portal/i18n.ts";

Deno.test("every certificate type has names, a back-side code, a fee, a form and a portal label", () => {
  assert.ok(CERTIFICATE_TYPES.length >= 2);
  for (const type of CERTIFICATE_TYPES) {
    const entry = CERTIFICATE_CATALOGUE[type];
    assert.equal(entry.type, type);
    assert.match(entry.nameJa, /\p{Script=Han}/u, `${type}: Japanese name`);
    assert.match(entry.nameEn, /^[A-Z][A-Za-z ]+$/, `${type}: English name`);
    const code = entry.backSide.code;
    assert.ok(Number.isInteger(code) && code >= 1 && code <= 255, `${type}`);
    assert.equal(certificateTypeOfCode(code), type);
    const fee = DEFAULT_FEES[type];
    assert.ok(Number.isInteger(fee) && fee > 0, `${type}: fee`);
    assert.equal(
      fee,
      entry.defaultFeePerCopy,
      `${type}: the center's default fee per copy`,
    );
    assert.equal(typeof entry.household, "boolean", `${type}: household`);
    assert.equal(typeof entry.form, "function", `${type}: form`);
    assert.equal(typeof entry.schema.parse, "function", `${type}: schema`);
    assert.deepEqual(CERT_TYPE[type], { ja: entry.nameJa, en: entry.nameEn });
  }
  assert.deepEqual(
    Object.keys(DEFAULT_FEES).sort(),
    [...CERTIFICATE_TYPES].sort(),
  );
});

Deno.test("back-side type codes are unique and never renumbered", () => {
  const codes = CERTIFICATE_TYPES.map((t) =>
    CERTIFICATE_CATALOGUE[t].backSide.code
  );
  assert.equal(new Set(codes).size, codes.length);
  // Existing back sides carry these: changing one breaks their verification.
  assert.equal(CERTIFICATE_CATALOGUE.juminhyo.backSide.code, 1);
  assert.equal(CERTIFICATE_CATALOGUE.inkan.backSide.code, 2);
  assert.equal(CERTIFICATE_CATALOGUE.kisai.backSide.code, 3);
  const keys = CERTIFICATE_TYPES.flatMap((t) =>
    CERTIFICATE_CATALOGUE[t].backSide.fields.map((f) => f.key)
  );
  assert.ok(keys.every((k) => k >= 10), "keys 1–9 are common to every type");
});
