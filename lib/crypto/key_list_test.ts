import assert from "node:assert/strict";
import {
  findVerificationKey,
  importPublicKey,
  keyIdFromPublicKey,
  parseKeyList,
} from "./key_list.ts";

async function publicJwk(): Promise<JsonWebKey> {
  const pair = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign", "verify"],
  );
  const { kty, crv, x, y } = await crypto.subtle.exportKey(
    "jwk",
    pair.publicKey,
  );
  return { kty, crv, x, y };
}

Deno.test("keyIdFromPublicKey() is a stable 16-character thumbprint", async () => {
  const jwk = await publicJwk();
  const a = await keyIdFromPublicKey(jwk);
  const b = await keyIdFromPublicKey({ ...jwk, key_ops: ["verify"] });
  assert.equal(a, b);
  assert.match(a, /^[A-Za-z0-9_-]{16}$/);
  assert.notEqual(a, await keyIdFromPublicKey(await publicJwk()));
});

Deno.test("parseKeyList() rejects entries without key, use or dates", async () => {
  const jwk = await publicJwk();
  const good = {
    keyId: "k1",
    publicKeyJwk: jwk,
    notBefore: "2026-01-01T00:00:00+09:00",
    notAfter: "2027-01-01T00:00:00+09:00",
    use: "sign",
  };
  assert.equal(parseKeyList({ keys: [good] }).keys.length, 1);
  assert.throws(() => parseKeyList({}), TypeError);
  assert.throws(() => parseKeyList({ keys: [{ ...good, use: "enc" }] }), /use/);
  assert.throws(
    () => parseKeyList({ keys: [{ ...good, publicKeyJwk: undefined }] }),
    /publicKeyJwk/,
  );
  assert.throws(
    () => parseKeyList({ keys: [{ ...good, notAfter: "soon" }] }),
    /notAfter/,
  );
  assert.throws(() => parseKeyList({ keys: [good, good] }), /duplicate/);
});

Deno.test("findVerificationKey() checks validity at the issue time", async () => {
  const jwk = await publicJwk();
  const list = parseKeyList({
    keys: [{
      keyId: "k1",
      publicKeyJwk: jwk,
      notBefore: "2026-01-01T00:00:00+09:00",
      notAfter: "2026-12-31T23:59:59+09:00",
      use: "sign",
    }],
  });
  const at = (iso: string) => findVerificationKey(list, "k1", new Date(iso));
  assert.equal((await at("2026-06-01T00:00:00+09:00")).status, "ok");
  assert.equal((await at("2027-01-02T00:00:00+09:00")).status, "expired");
  assert.equal((await at("2025-12-31T00:00:00+09:00")).status, "not-yet-valid");
  assert.equal(
    (await findVerificationKey(list, "k2", new Date("2026-06-01"))).status,
    "unknown",
  );
});

Deno.test("importPublicKey() accepts base64 SPKI as well as JWK", async () => {
  const pair = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  );
  const spki = new Uint8Array(
    await crypto.subtle.exportKey("spki", pair.publicKey),
  );
  const key = await importPublicKey({
    keyId: "k",
    spki: spki.toBase64(),
    notBefore: "2026-01-01T00:00:00Z",
    notAfter: "2027-01-01T00:00:00Z",
    use: "sign",
  });
  const data = new Uint8Array([9, 9]);
  const sig = await crypto.subtle.sign(
    { name: "ECDSA", hash: "SHA-256" },
    pair.privateKey,
    data,
  );
  assert.equal(
    await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      sig,
      data,
    ),
    true,
  );
});
