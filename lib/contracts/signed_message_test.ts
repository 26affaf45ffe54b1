import assert from "node:assert/strict";
import {
  formatSignatureHeader,
  parseSignatureHeader,
  sha256B64,
  signingLines,
} from "./signed_message.ts";

Deno.test("formatSignatureHeader() and parseSignatureHeader() round-trip; a malformed header is null", () => {
  const h = {
    keyId: "jlis-sign-2026",
    time: "2026-11-26T01:15:00.000Z",
    sig: "MEUCIQ-abc_def",
  };
  assert.deepEqual(parseSignatureHeader(formatSignatureHeader(h)), h);
  assert.equal(parseSignatureHeader("keyId=a; sig=b"), null);
  assert.equal(parseSignatureHeader("keyId=a b; time=1; sig=c"), null);
});

Deno.test("signingLines() joins fields under the context and refuses a line break", async () => {
  assert.equal(
    new TextDecoder().decode(signingLines("ctx/v1", ["a", "b"])),
    "ctx/v1\na\nb",
  );
  assert.throws(() => signingLines("ctx/v1", ["a\nb"]), TypeError);
  assert.equal(
    await sha256B64(new Uint8Array(0)),
    "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
  );
});

Deno.test("verifySignatureHeader(): the key valid at the signing time, fresh, over exactly this input; a replay guard accepts a signature once", async () => {
  const { createSigner, generateSigningKey } = await import(
    "../crypto/signer.ts"
  );
  const { verifySignatureHeader, signHeader, createReplayGuard } = await import(
    "./signed_message.ts"
  );
  const key = () =>
    generateSigningKey({
      notBefore: new Date("2025-01-01T00:00:00Z"),
      notAfter: new Date("2040-01-01T00:00:00Z"),
    });
  const signer = await createSigner([await key()]);
  const other = await createSigner([await key()]);
  const keyList = await signer.keyList();
  const input = (t: string) => signingLines("ctx/v1", ["a", t]);
  const now = new Date();
  const time = now.toISOString();
  const good = (await signHeader(signer, time, input(time))).header;
  const ok = await verifySignatureHeader(good, { keyList, input, now });
  assert.equal(ok.ok, true);
  const check = async (header: string | null, at = now, i = input) => {
    const v = await verifySignatureHeader(header, {
      keyList,
      input: i,
      now: at,
    });
    return v.ok ? "ok" : v.reason;
  };
  assert.equal(await check(null), "missing");
  assert.equal(await check("nonsense"), "malformed");
  assert.equal(
    await check((await signHeader(other, time, input(time))).header),
    "unknown-key",
  );
  assert.equal(
    await check(good, now, (t) => signingLines("ctx/v1", ["b", t])),
    "bad-signature",
  );
  assert.equal(await check(good, new Date(now.getTime() + 600_000)), "stale");
  const old = "2024-06-01T00:00:00.000Z";
  assert.equal(
    await check(
      (await signHeader(signer, old, input(old))).header,
      new Date(old),
    ),
    "expired-key",
  );
  const guard = createReplayGuard();
  assert.equal(guard.accept("s1", time, now), true);
  assert.equal(guard.accept("s1", time, now), false);
  assert.equal(guard.accept("s2", time, now), true);
});
