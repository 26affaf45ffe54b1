import assert from "node:assert/strict";
import { findVerificationKey } from "./key_list.ts";
import {
  createSigner,
  generateSigningKey,
  importSigningKey,
} from "./signer.ts";

const Y2026 = new Date("2026-01-01T00:00:00Z");
const Y2027 = new Date("2027-01-01T00:00:00Z");
const Y2028 = new Date("2028-01-01T00:00:00Z");

Deno.test("generateSigningKey() makes a non-extractable private key", async () => {
  const key = await generateSigningKey({ notBefore: Y2026, notAfter: Y2028 });
  assert.equal(key.privateKey.extractable, false);
  await assert.rejects(crypto.subtle.exportKey("jwk", key.privateKey));
});

Deno.test("createSigner() signs 64-byte r‖s signatures the key list verifies", async () => {
  const signer = await createSigner(
    [await generateSigningKey({ notBefore: Y2026, notAfter: Y2028 })],
    { clock: { now: () => Y2027 } },
  );
  const data = new TextEncoder().encode("発行番号 401005-20261126-000123");
  const keyId = signer.activeKeyId();
  const signature = await signer.sign(keyId, data);
  assert.equal(signature.length, 64);
  const found = await findVerificationKey(await signer.keyList(), keyId, Y2027);
  assert.equal(found.status, "ok");
  if (found.status !== "ok") return;
  const ok = await crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    found.key,
    signature,
    data,
  );
  assert.equal(ok, true);
});

Deno.test("createSigner() refuses extractable private keys", async () => {
  const pair = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  );
  await assert.rejects(
    createSigner([{ ...pair, notBefore: Y2026, notAfter: Y2028 }]),
    /non-extractable/,
  );
});

Deno.test("Signer.activeKeyId() picks the newest key valid now", async () => {
  const oldKey = await generateSigningKey({
    keyId: "old",
    notBefore: Y2026,
    notAfter: Y2028,
  });
  const newKey = await generateSigningKey({
    keyId: "new",
    notBefore: Y2027,
    notAfter: Y2028,
  });
  let now = new Date("2026-06-01T00:00:00Z");
  const signer = await createSigner([oldKey, newKey], {
    clock: { now: () => now },
  });
  assert.equal(signer.activeKeyId(), "old");
  now = new Date("2027-06-01T00:00:00Z");
  assert.equal(signer.activeKeyId(), "new");
  const list = await signer.keyList();
  assert.deepEqual(list.keys.map((k) => k.keyId).sort(), ["new", "old"]);
  assert.ok(
    list.keys.every((k) => k.use === "sign" && !("d" in k.publicKeyJwk!)),
  );
});

Deno.test("Signer.sign() refuses a key outside its validity or not held", async () => {
  const signer = await createSigner(
    [
      await generateSigningKey({
        keyId: "k1",
        notBefore: Y2026,
        notAfter: Y2027,
      }),
    ],
    { clock: { now: () => Y2028 } },
  );
  await assert.rejects(signer.sign("k1", new Uint8Array(1)), RangeError);
  await assert.rejects(signer.sign("nope", new Uint8Array(1)), RangeError);
  assert.throws(() => signer.activeKeyId(), RangeError);
});

Deno.test("importSigningKey() imports a private JWK as non-extractable", async () => {
  const pair = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const key = await importSigningKey(jwk, {
    notBefore: Y2026,
    notAfter: Y2028,
  });
  assert.equal(key.privateKey.extractable, false);
  const signer = await createSigner([key], { clock: { now: () => Y2027 } });
  const sig = await signer.sign(signer.activeKeyId(), new Uint8Array([1]));
  assert.equal(
    await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      pair.publicKey,
      sig,
      new Uint8Array([1]),
    ),
    true,
  );
});
