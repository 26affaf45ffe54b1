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
