import assert from "node:assert/strict";
import { DEFAULT_FORM_PROFILE, formProfileSchema } from "./form_profile.ts";

Deno.test("form profile: {} is the default profile, 個票式 with a blank furigana", () => {
  assert.deepEqual(formProfileSchema.parse({}), DEFAULT_FORM_PROFILE);
  assert.equal(DEFAULT_FORM_PROFILE.householdFormat, "kohyo");
  assert.equal(DEFAULT_FORM_PROFILE.furiganaMask, null);
  assert.equal(DEFAULT_FORM_PROFILE.juminhyoTitle, "住民票の写し");
});

Deno.test("form profile: refuses unknown fields, five members per sheet and repeated items", () => {
  assert.equal(formProfileSchema.safeParse({ colour: "red" }).success, false);
  assert.equal(
    formProfileSchema.safeParse({ membersPerSheet: 5 }).success,
    false,
  );
  assert.equal(
    formProfileSchema.safeParse({ kisaiItems: ["name", "name"] }).success,
    false,
  );
  assert.equal(formProfileSchema.safeParse({ kisaiItems: [] }).success, false);
});
