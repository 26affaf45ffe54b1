import assert from "node:assert/strict";
import {
  createKeyring,
  DecryptError,
  generateMasterKeyBase64,
  parseMasterKey,
} from "./keys.ts";

Deno.test("keys: a tenant's data key is stored wrapped and unwraps only with its master key and tenant", () => {
  const mk = parseMasterKey("mk1", generateMasterKeyBase64());
  const ring = createKeyring([mk]);
  const { wrapped, masterKeyId } = ring.newDataKey("401005");
  assert.equal(masterKeyId, "mk1");
  assert.equal(wrapped.length, 1 + 12 + 32 + 16);
  const cipher = ring.cipher("401005", wrapped, masterKeyId);
  const sealed = cipher.sealJson("residents", "401005-R1", {
    name: "葛\u{E0100}西　花子",
  });
  assert.deepEqual(cipher.openJson("residents", "401005-R1", sealed), {
    name: "葛\u{E0100}西　花子",
  });
  // Another master key, or the key presented as another tenant's, does not open.
  assert.throws(
    () =>
      createKeyring([parseMasterKey("mk1", generateMasterKeyBase64())]).cipher(
        "401005",
        wrapped,
        "mk1",
      ),
    DecryptError,
  );
  assert.throws(
    () => ring.cipher("401307", wrapped, masterKeyId),
    DecryptError,
  );
  assert.throws(
    () => ring.cipher("401005", wrapped, "mk-unknown"),
    DecryptError,
  );
  // Old master keys still unwrap after a rotation.
  const rotated = createKeyring([
    parseMasterKey("mk2", generateMasterKeyBase64()),
    mk,
  ]);
  assert.equal(rotated.currentMasterKeyId, "mk2");
  assert.deepEqual(
    rotated.cipher("401005", wrapped, "mk1").openJson(
      "residents",
      "401005-R1",
      sealed,
    ),
    {
      name: "葛\u{E0100}西　花子",
    },
  );
});

Deno.test("keys: a sealed row is bound to its tenant, table and id, and any altered byte is detected", () => {
  const ring = createKeyring([
    parseMasterKey("mk1", generateMasterKeyBase64()),
  ]);
  const a = ring.newDataKey("401005");
  const b = ring.newDataKey("401307");
  const ca = ring.cipher("401005", a.wrapped, a.masterKeyId);
  const cb = ring.cipher("401307", b.wrapped, b.masterKeyId);
  const sealed = ca.sealJson("residents", "401005-R1", {
    address: "福岡県北九州市",
  });
  assert.throws(
    () => ca.openJson("residents", "401005-R2", sealed),
    DecryptError,
  );
  assert.throws(() => ca.openJson("seals", "401005-R1", sealed), DecryptError);
  assert.throws(
    () => cb.openJson("residents", "401005-R1", sealed),
    DecryptError,
  );
  for (const i of [0, 5, sealed.length - 1]) {
    const bad = sealed.slice();
    bad[i] ^= 1;
    assert.throws(
      () => ca.openJson("residents", "401005-R1", bad),
      DecryptError,
    );
  }
  // Fresh IV each time: equal plaintexts do not give equal ciphertexts.
  assert.notDeepEqual(
    ca.sealJson("residents", "x", 1),
    ca.sealJson("residents", "x", 1),
  );
});

Deno.test("keys: parseMasterKey() refuses keys of the wrong size", () => {
  assert.throws(() => parseMasterKey("mk", btoa("short")), RangeError);
  assert.throws(() => parseMasterKey("mk", "***"), TypeError);
});
