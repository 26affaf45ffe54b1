import assert from "node:assert/strict";
import {
  keyListFile,
  loadSigningKeyFile,
  readKeyListFile,
  signerFromKeyFile,
  writeKeyListFile,
} from "./key_store.ts";
import { systemClock } from "../time/clock.ts";

Deno.test("key store: a generated signing key (0600), its public list exported and read back; no private part in the list", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const keyFile = `${dir}/keys/signing-key.json`;
    const signer = await signerFromKeyFile(keyFile, {
      generate: true,
      clock: systemClock,
    });
    assert.equal((await Deno.stat(keyFile)).mode! & 0o777, 0o600);
    const again = await loadSigningKeyFile(keyFile, {
      generate: true,
      now: new Date(),
    });
    assert.equal(again.privateKey.extractable, false);
    await writeKeyListFile(`${dir}/keys.json`, await signer.keyList());
    const text = await Deno.readTextFile(`${dir}/keys.json`);
    assert.ok(!text.includes('"d"'), "no private key in the list");
    const list = await readKeyListFile(`${dir}/keys.json`);
    assert.equal(list.keys[0].keyId, signer.activeKeyId());
    const source = keyListFile(`${dir}/keys.json`);
    assert.equal(await source(), await source(), "read once, kept");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("key store: a missing or malformed provisioned list is refused naming the file; a missing one is read again later", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/jlis-keys.json`;
    const source = keyListFile(path);
    await assert.rejects(source(), /provisioned key list .*jlis-keys\.json/);
    await Deno.writeTextFile(path, '{"keys":[]}');
    await assert.rejects(readKeyListFile(path), /malformed/);
    const signer = await signerFromKeyFile(`${dir}/k.json`, {
      generate: true,
      clock: systemClock,
    });
    await writeKeyListFile(path, await signer.keyList());
    assert.equal((await source()).keys.length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
