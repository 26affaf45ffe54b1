import assert from "node:assert/strict";
import { say, type Wording } from "./entry.ts";
import {
  answeredBy,
  ISSUANCE_CODES,
  ISSUANCE_REFUSALS,
  type IssuanceEntry,
  kioskCode,
  NEUTRAL_CODE,
} from "./issuance.ts";
import { KIOSK_PRINT_FAILURES, KIOSK_REFUSALS } from "./kiosk.ts";
import {
  KIOSK_FAILURE_REASONS,
  PRINT_FAILURES,
} from "../contracts/kiosk_center.ts";
import { PORTAL_REFUSALS } from "./portal.ts";
import { REGISTRY_REFUSALS } from "./registry.ts";
import { VERIFICATION_REASONS } from "./verification.ts";

const STATUSES = new Set([
  400,
  401,
  403,
  404,
  409,
  413,
  415,
  422,
  429,
  500,
  502,
  503,
  504,
]);

/** Every protected reason: the kiosk is told only the neutral code. */
const PROTECTED = ["SUPPORT_MEASURE", "OPT_OUT", "BLOCKED"];

const NAMES_A_REASON = [/支援措置/, /support measure/i, /抑止/, /opt.?out/i];

function assertWording(code: string, entry: Wording<never>) {
  const { ja, en } = say(entry, {} as never);
  assert.ok(ja.trim().length > 0, `${code}: Japanese text`);
  assert.ok(en.trim().length > 0, `${code}: English text`);
  assert.match(ja, /[\u3040-\u30ff\u4e00-\u9fff]/, `${code}: ja is Japanese`);
}

Deno.test("ISSUANCE_REFUSALS: every code has a status, ja, en, operator text, a kiosk rule and a party", () => {
  assert.ok(ISSUANCE_CODES.length > 40);
  for (const code of ISSUANCE_CODES) {
    const e: IssuanceEntry = ISSUANCE_REFUSALS[code];
    assert.match(code, /^[A-Z][A-Z0-9_]+$/);
    assert.ok(STATUSES.has(e.status), `${code}: status ${e.status}`);
    assertWording(code, e);
    assert.ok(e.operator.trim().length > 0, `${code}: operator text`);
    assert.ok(["specific", "neutral"].includes(e.kiosk), code);
    assert.ok(e.parties.length > 0, `${code}: answered by someone`);
  }
});

Deno.test("ISSUANCE_REFUSALS: every protected reason maps to the one neutral kiosk code", () => {
  const neutral = ISSUANCE_CODES.filter((c) =>
    ISSUANCE_REFUSALS[c].kiosk === "neutral"
  );
  assert.deepEqual(neutral.toSorted(), PROTECTED.toSorted());
  for (const code of neutral) {
    assert.ok(answeredBy("center", code), code);
    assert.equal(kioskCode(code), NEUTRAL_CODE, code);
    // Even their own wording (the ASP's answer to the center) is neutral;
    // the operator text names the reason.
    assert.equal(
      ISSUANCE_REFUSALS[code].ja,
      ISSUANCE_REFUSALS[NEUTRAL_CODE].ja,
    );
    assert.equal(
      ISSUANCE_REFUSALS[code].en,
      ISSUANCE_REFUSALS[NEUTRAL_CODE].en,
    );
  }
  const n = ISSUANCE_REFUSALS[NEUTRAL_CODE];
  assert.equal(n.kiosk, "specific");
  assert.equal(kioskCode(NEUTRAL_CODE), NEUTRAL_CODE);
  assert.equal(n.status, 409);
  assert.equal(
    n.ja,
    "この証明書はコンビニでは交付できません。市区町村の窓口にお問い合わせください。",
  );
  assert.equal(
    n.en,
    "This certificate cannot be issued at a convenience store. Please ask at your municipal office.",
  );
  assert.match(ISSUANCE_REFUSALS.SUPPORT_MEASURE.operator, /支援措置/);
});

Deno.test("ISSUANCE_REFUSALS: no text a kiosk can see names a protected reason", () => {
  for (const code of ISSUANCE_CODES) {
    if (!answeredBy("center", code)) continue;
    const shown = ISSUANCE_REFUSALS[kioskCode(code)];
    for (const word of NAMES_A_REASON) {
      assert.doesNotMatch(shown.ja, word, code);
      assert.doesNotMatch(shown.en, word, code);
    }
  }
  // The unprotected codes are told as themselves.
  assert.equal(kioskCode("UNDER_15"), "UNDER_15");
  assert.equal(kioskCode("DECEASED"), "DECEASED");
});

Deno.test("answeredBy(): the parties' code sets come from the catalogue", () => {
  assert.ok(answeredBy("asp", "REPLICA_STALE"));
  assert.ok(answeredBy("center", "REPLICA_STALE"));
  assert.ok(answeredBy("asp", "SNAPSHOT_INVALID"));
  assert.ok(!answeredBy("center", "SNAPSHOT_INVALID"));
  assert.ok(answeredBy("center", NEUTRAL_CODE));
  assert.ok(!answeredBy("asp", NEUTRAL_CODE));
  assert.ok(!answeredBy("center", "NO_SUCH_CODE"));
  assert.ok(!answeredBy("center", "toString"), "not an inherited key");
  assert.ok(!answeredBy("center", "VALIDATION_FAILED"), "a common code");
});

Deno.test("REGISTRY_REFUSALS: every code has a status, ja and en", () => {
  for (const [code, e] of Object.entries(REGISTRY_REFUSALS)) {
    assert.ok(STATUSES.has(e.status), `${code}: status ${e.status}`);
    assertWording(code, e);
  }
});

Deno.test("PORTAL_REFUSALS: every code has a status, ja and en, with or without details", () => {
  for (const [code, e] of Object.entries(PORTAL_REFUSALS)) {
    assert.ok(STATUSES.has(e.status), `${code}: status ${e.status}`);
    assertWording(code, e as Wording<never>);
    if ("retryAfter" in e) assert.ok([429, 503].includes(e.status), code);
  }
  assert.match(
    say(PORTAL_REFUSALS.SCAN_TOO_LARGE, { maxMb: 20 }).en,
    /limit 20 MB/,
  );
});

Deno.test("VERIFICATION_REASONS: every code has ja and en, with or without details", () => {
  for (const [code, e] of Object.entries(VERIFICATION_REASONS)) {
    assertWording(code, e as Wording<never>);
  }
  assert.match(
    say(VERIFICATION_REASONS.TOO_FEW_SYMBOLS, { have: 1, need: 2 }).en,
    /Only 1 of the 2/,
  );
});

Deno.test("KIOSK_REFUSALS: one entry per failure reason the kiosk reports, each with ja and en", () => {
  assert.deepEqual(
    Object.keys(KIOSK_REFUSALS).toSorted(),
    [...KIOSK_FAILURE_REASONS].toSorted(),
  );
  for (const [code, e] of Object.entries(KIOSK_REFUSALS)) {
    assertWording(code, e as Wording<never>);
  }
});

Deno.test("KIOSK_PRINT_FAILURES: one entry per print failure the kiosk reports, each naming the sheet in ja and en", () => {
  assert.deepEqual(
    Object.keys(KIOSK_PRINT_FAILURES).toSorted(),
    [...PRINT_FAILURES].toSorted(),
  );
  for (const [code, e] of Object.entries(KIOSK_PRINT_FAILURES)) {
    const { ja, en } = say(e, { page: 3 });
    assert.match(ja, /3枚目/, code);
    assert.match(ja, /返金/, code);
    assert.match(en, /sheet 3/i, code);
  }
});
