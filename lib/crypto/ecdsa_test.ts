import assert from "node:assert/strict";
import {
  derToRaw,
  nativeSigningKey,
  rawToDer,
  verifyEcdsaP256,
} from "./ecdsa.ts";
import { loadLibcrypto } from "./libcrypto.ts";

const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" } as const;

async function pair() {
  const p = await crypto.subtle.generateKey(ECDSA_P256, true, [
    "sign",
    "verify",
  ]);
  const pkcs8 = new Uint8Array(
    await crypto.subtle.exportKey("pkcs8", p.privateKey),
  );
  return { ...p, pkcs8 };
}

Deno.test("ecdsa: r‖s ↔ DER round-trips, with high bits and leading zeros", () => {
  const cases = [
    new Uint8Array(64).fill(0x7f),
    new Uint8Array(64).fill(0xff),
    Uint8Array.from(
      { length: 64 },
      (_, i) => (i < 5 || (i >= 32 && i < 40) ? 0 : i),
    ),
    Uint8Array.from(
      { length: 64 },
      (_, i) => (i === 0 ? 0x80 : i === 32 ? 0x00 : 1),
    ),
  ];
  for (const raw of cases) {
    const der = rawToDer(raw);
    assert.equal(der[0], 0x30);
    assert.deepEqual(derToRaw(der), raw);
  }
  assert.throws(() => rawToDer(new Uint8Array(63)), RangeError);
  assert.throws(
    () => derToRaw(new Uint8Array([0x30, 0x02, 0x02, 0x00])),
    RangeError,
  );
  const der = rawToDer(new Uint8Array(64).fill(1));
  assert.throws(() => derToRaw(der.subarray(0, der.length - 1)), RangeError);
});

Deno.test("ecdsa: libcrypto is loaded here (tests run with FFI allowed)", () => {
  assert.ok(loadLibcrypto(), "libcrypto did not load");
});

Deno.test("ecdsa: libcrypto signatures verify in WebCrypto and WebCrypto's in libcrypto; tampering fails both ways", async () => {
  const k = await pair();
  const native = nativeSigningKey(k.pkcs8);
  assert.ok(native);
  for (let i = 0; i < 20; i++) {
    const data = crypto.getRandomValues(new Uint8Array(1 + i * 37));
    const ours = native.sign(data);
    assert.equal(ours.length, 64);
    assert.ok(
      await crypto.subtle.verify(ECDSA_SHA256, k.publicKey, ours, data),
    );
    assert.ok(await verifyEcdsaP256(k.publicKey, ours, data));
    const theirs = new Uint8Array(
      await crypto.subtle.sign(ECDSA_SHA256, k.privateKey, data),
    );
    assert.ok(await verifyEcdsaP256(k.publicKey, theirs, data));
    const bad = theirs.slice();
    bad[i % 64] ^= 1;
    assert.equal(await verifyEcdsaP256(k.publicKey, bad, data), false);
    const other = data.slice();
    other[0] ^= 0x80;
    assert.equal(await verifyEcdsaP256(k.publicKey, ours, other), false);
  }
  const stranger = await pair();
  const data = new Uint8Array([1, 2, 3]);
  assert.equal(
    await verifyEcdsaP256(stranger.publicKey, native.sign(data), data),
    false,
  );
  assert.equal(
    await verifyEcdsaP256(k.publicKey, new Uint8Array(63), data),
    false,
  );
  assert.equal(
    await verifyEcdsaP256(k.publicKey, new Uint8Array(64), data),
    false,
  );
});

Deno.test("ecdsa: a non-exportable public key and garbage key bytes fall back or refuse cleanly", async () => {
  const k = await pair();
  const jwk = await crypto.subtle.exportKey("jwk", k.publicKey);
  const sealed = await crypto.subtle.importKey("jwk", jwk, ECDSA_P256, false, [
    "verify",
  ]);
  const data = new Uint8Array([9, 9, 9]);
  const sig = nativeSigningKey(k.pkcs8)!.sign(data);
  assert.ok(await verifyEcdsaP256(sealed, sig, data));
  assert.equal(nativeSigningKey(new Uint8Array([1, 2, 3, 4])), null);
  // A P-384 key is not taken for a P-256 one.
  const p384 = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-384" },
    true,
    ["sign"],
  ) as CryptoKeyPair;
  assert.equal(
    nativeSigningKey(
      new Uint8Array(await crypto.subtle.exportKey("pkcs8", p384.privateKey)),
    ),
    null,
  );
});
