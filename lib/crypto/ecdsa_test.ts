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

/** Tests of the libcrypto path itself; without libcrypto the fallback test covers it. */
const NEEDS_LIBCRYPTO = { ignore: loadLibcrypto() === null };

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

/**
 * Runs in a child process without `--allow-ffi`, so libcrypto cannot load:
 * reports that, signs `data` through the signer's WebCrypto path and checks
 * the parent's signature through verifyEcdsaP256's WebCrypto path.
 */
const FALLBACK_CHILD = `
import { nativeSigningKey, verifyEcdsaP256 } from "${new URL(
  "./ecdsa.ts",
  import.meta.url,
)}";
import { loadLibcrypto } from "${new URL("./libcrypto.ts", import.meta.url)}";
import { createSigner, importSigningKey } from "${new URL(
  "./signer.ts",
  import.meta.url,
)}";
const input = JSON.parse(await new Response(Deno.stdin.readable).text());
const b64 = (s) => Uint8Array.fromBase64(s);
const data = b64(input.data);
const publicKey = await crypto.subtle.importKey("jwk", input.publicJwk,
  { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
const signer = await createSigner([await importSigningKey(input.privateJwk, {
  notBefore: new Date("2026-01-01T00:00:00Z"),
  notAfter: new Date("2027-01-01T00:00:00Z"),
})], { clock: { now: () => new Date("2026-06-01T00:00:00Z") } });
const signature = await signer.sign(signer.activeKeyId(), data);
const theirs = b64(input.signature);
const tampered = theirs.slice();
tampered[5] ^= 1;
console.log(JSON.stringify({
  libcrypto: loadLibcrypto() !== null,
  nativeKey: nativeSigningKey(b64(input.pkcs8)) !== null,
  signature: signature.toBase64(),
  verifiesTheirs: await verifyEcdsaP256(publicKey, theirs, data),
  verifiesTampered: await verifyEcdsaP256(publicKey, tampered, data),
}));
`;

Deno.test("ecdsa: without libcrypto (no FFI) the WebCrypto path signs and verifies, interoperably with this process's signatures", async () => {
  const k = await pair();
  const data = crypto.getRandomValues(new Uint8Array(300));
  // Signed here: through libcrypto when it loads, through WebCrypto if not.
  const native = nativeSigningKey(k.pkcs8);
  const ours = native?.sign(data) ?? new Uint8Array(
    await crypto.subtle.sign(ECDSA_SHA256, k.privateKey, data),
  );
  const dir = await Deno.makeTempDir({ prefix: "ecdsa-fallback-" });
  try {
    const script = `${dir}/child.js`;
    await Deno.writeTextFile(script, FALLBACK_CHILD);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--no-config", "--no-lock", script],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(
      new TextEncoder().encode(JSON.stringify({
        publicJwk: await crypto.subtle.exportKey("jwk", k.publicKey),
        privateJwk: await crypto.subtle.exportKey("jwk", k.privateKey),
        pkcs8: k.pkcs8.toBase64(),
        data: data.toBase64(),
        signature: ours.toBase64(),
      })),
    );
    await writer.close();
    const out = await child.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.equal(r.libcrypto, false, "the child must run without libcrypto");
    assert.equal(r.nativeKey, false);
    assert.equal(r.verifiesTheirs, true);
    assert.equal(r.verifiesTampered, false);
    const theirs = Uint8Array.fromBase64(r.signature);
    assert.equal(theirs.length, 64);
    assert.ok(await verifyEcdsaP256(k.publicKey, theirs, data));
    assert.ok(
      await crypto.subtle.verify(ECDSA_SHA256, k.publicKey, theirs, data),
    );
    const bad = theirs.slice();
    bad[40] ^= 1;
    assert.equal(await verifyEcdsaP256(k.publicKey, bad, data), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "ecdsa: libcrypto signatures verify in WebCrypto and WebCrypto's in libcrypto; tampering fails both ways",
  NEEDS_LIBCRYPTO,
  async () => {
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
  },
);

Deno.test(
  "ecdsa: a non-exportable public key and garbage key bytes fall back or refuse cleanly",
  NEEDS_LIBCRYPTO,
  async () => {
    const k = await pair();
    const jwk = await crypto.subtle.exportKey("jwk", k.publicKey);
    const sealed = await crypto.subtle.importKey(
      "jwk",
      jwk,
      ECDSA_P256,
      false,
      [
        "verify",
      ],
    );
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
  },
);
