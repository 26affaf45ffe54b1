import assert from "node:assert/strict";
import { generateContentKey, importContentKey } from "./content_key.ts";

Deno.test("generateContentKey() makes a non-extractable AES-256-GCM key", async () => {
  const k = await generateContentKey("enc-1");
  assert.equal(k.keyId, "enc-1");
  assert.equal(k.key.extractable, false);
  assert.equal((k.key.algorithm as AesKeyAlgorithm).length, 256);
});

Deno.test("importContentKey() rejects keys that are not 32 bytes", async () => {
  await assert.rejects(importContentKey("k", new Uint8Array(16)), RangeError);
  const k = await importContentKey("k", new Uint8Array(32).fill(7));
  assert.equal(k.key.extractable, false);
  await assert.rejects(generateContentKey(""), RangeError);
});
