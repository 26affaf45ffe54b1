import assert from "node:assert/strict";
import {
  DEFAULT_FORM_PROFILE,
  formProfileSchema,
} from "../../lib/contracts/form_profile.ts";
import { formProfileOf } from "./form_profile.ts";

Deno.test("formProfileOf() gives the tenant's profile, else the default", () => {
  const own = formProfileSchema.parse({ kisaiItems: ["name", "address"] });
  assert.equal(formProfileOf({ code: "401005", formProfile: own }), own);
  assert.equal(formProfileOf({ code: "401005" }), DEFAULT_FORM_PROFILE);
  assert.equal(
    formProfileOf({ code: "401005", formProfile: null }),
    DEFAULT_FORM_PROFILE,
  );
});
