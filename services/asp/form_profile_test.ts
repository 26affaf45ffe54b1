import assert from "node:assert/strict";
import { DEFAULT_FORM_PROFILE } from "../../lib/contracts/form_profile.ts";
import { formProfileOf } from "./form_profile.ts";

Deno.test("formProfileOf(): the tenant's profile, or the default one when none was heard", () => {
  assert.equal(formProfileOf({}), DEFAULT_FORM_PROFILE);
  assert.equal(formProfileOf({ formProfile: null }), DEFAULT_FORM_PROFILE);
  const masked = { ...DEFAULT_FORM_PROFILE, furiganaMask: "********" };
  assert.equal(formProfileOf({ formProfile: masked }).furiganaMask, "********");
});
