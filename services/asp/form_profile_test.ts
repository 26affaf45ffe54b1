import assert from "node:assert/strict";
import { DEFAULT_FORM_PROFILE } from "../../lib/contracts/form_profile.ts";
import { formProfileOf } from "./form_profile.ts";

Deno.test("formProfileOf(): the tenant's profile, or the default (個票式) without one", () => {
  assert.equal(formProfileOf({ code: "401005" }), DEFAULT_FORM_PROFILE);
  assert.equal(
    formProfileOf({ code: "401005", formProfile: null }).householdFormat,
    "kohyo",
  );
  const renki = { ...DEFAULT_FORM_PROFILE, householdFormat: "renki" as const };
  assert.equal(formProfileOf({ code: "401005", formProfile: renki }), renki);
});
