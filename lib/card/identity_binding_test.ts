import { equal, match, notEqual, throws } from "node:assert/strict";
import {
  BINDING_DIGEST_PATTERN,
  bindingDigest,
  bindingKeysFromEnv,
  canonicalIdentity,
  matchesBinding,
} from "./identity_binding.ts";

const KEY = new Uint8Array(32).fill(7);
const HOLDER = {
  name: "山田　花子",
  birthDate: "1985-06-15",
  sex: "female",
} as const;

Deno.test("the digest is stable, base64url, and keyed", () => {
  const d = bindingDigest(KEY, HOLDER);
  match(d, BINDING_DIGEST_PATTERN);
  equal(bindingDigest(KEY, { ...HOLDER }), d);
  notEqual(bindingDigest(new Uint8Array(32).fill(8), HOLDER), d);
});

Deno.test("each identity item changes the digest; NFC forms agree", () => {
  const d = bindingDigest(KEY, HOLDER);
  notEqual(bindingDigest(KEY, { ...HOLDER, name: "佐藤　花子" }), d);
  notEqual(bindingDigest(KEY, { ...HOLDER, birthDate: "1985-06-16" }), d);
  notEqual(bindingDigest(KEY, { ...HOLDER, sex: "male" }), d);
  // が as one code point and as か + combining dakuten: one identity.
  const composed = { ...HOLDER, name: "長谷川　がく" };
  const decomposed = { ...HOLDER, name: "長谷川　か\u3099く" };
  equal(bindingDigest(KEY, decomposed), bindingDigest(KEY, composed));
});

Deno.test("malformed identities and short keys are refused; never match", () => {
  throws(() => canonicalIdentity({ ...HOLDER, name: "" }), RangeError);
  throws(
    () => canonicalIdentity({ ...HOLDER, birthDate: "S60.6.15" }),
    RangeError,
  );
  throws(() => bindingDigest(new Uint8Array(16), HOLDER), RangeError);
  const d = bindingDigest(KEY, HOLDER);
  equal(matchesBinding(KEY, d, HOLDER), true);
  equal(matchesBinding(KEY, d, { ...HOLDER, birthDate: "bad" }), false);
  equal(matchesBinding(KEY, d.slice(1), HOLDER), false);
});

Deno.test("CARD_BINDING_KEYS: parsed per municipality; bad values fail fast", () => {
  const key = btoa(String.fromCharCode(...new Uint8Array(32).fill(1)));
  const env = (v: string) => ({
    get: (k: string) => k === "CARD_BINDING_KEYS" ? v : undefined,
  });
  const keys = bindingKeysFromEnv(env(JSON.stringify({ "401005": key })));
  equal(keys("401005")?.length, 32);
  equal(keys("401307"), null);
  throws(() => bindingKeysFromEnv(env("not json")), /JSON object/);
  throws(
    () => bindingKeysFromEnv(env(JSON.stringify({ "401005": btoa("short") }))),
    /32 bytes/,
  );
});
