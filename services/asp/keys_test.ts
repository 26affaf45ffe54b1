import assert from "node:assert/strict";
import {
  createKeyring,
  DecryptError,
  generateMasterKeyBase64,
  parseMasterKey,
  rowSealing,
  tenantCipher,
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

Deno.test("keys: rows sealed through libcrypto and through node:crypto open alike, and only with their binding", () => {
  const dataKey = crypto.getRandomValues(new Uint8Array(32));
  const fast = tenantCipher("401005", dataKey);
  const node = tenantCipher("401005", dataKey, { sealer: "node:crypto" });
  const ffi = Deno.permissions.querySync({ name: "ffi" }).state === "granted";
  if (ffi && Deno.build.os === "linux") {
    assert.equal(rowSealing(), "libcrypto");
  }
  const value = { name: "髙橋\u{E0100}　花子", n: 1, empty: "" };
  for (const [by, opener] of [[fast, node], [node, fast]] as const) {
    const sealed = by.sealJson("residents", "401005-R1", value);
    assert.equal(sealed[0], 1);
    assert.equal(
      sealed.length,
      1 + 12 + new TextEncoder().encode(JSON.stringify(value)).length + 16,
    );
    assert.deepEqual(opener.openJson("residents", "401005-R1", sealed), value);
    assert.throws(
      () => opener.openJson("residents", "401005-R2", sealed),
      DecryptError,
    );
    const flipped = sealed.slice();
    flipped[20] ^= 1;
    assert.throws(
      () => opener.openJson("residents", "401005-R1", flipped),
      DecryptError,
    );
  }
  // Fresh IVs: the same value never seals to the same bytes.
  const a = fast.sealJson("seals", "S1", value);
  const b = fast.sealJson("seals", "S1", value);
  assert.notDeepEqual(a.subarray(1, 13), b.subarray(1, 13));
  // Many rows: the IV pool refills and every IV stays distinct.
  const ivs = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    ivs.add(fast.sealJson("seals", "S1", i).subarray(1, 13).join(","));
  }
  assert.equal(ivs.size, 2000);
});

Deno.test("ASP config: no master key in source — a development key made on this machine, none at all in production", async () => {
  const { loadAspConfig } = await import("./config.ts");
  const dir = await Deno.makeTempDir();
  try {
    const dev = loadAspConfig({ get: (k) => ({ DATA_DIR: dir })[k] });
    assert.equal(dev.devMasterKey, `${dir}/dev-secrets.json`);
    const again = loadAspConfig({ get: (k) => ({ DATA_DIR: dir })[k] });
    assert.deepEqual(again.masterKeys.map((k) => k.id), ["dev"]);
    const other = await Deno.makeTempDir();
    try {
      // Another machine's development key is another key.
      const elsewhere = loadAspConfig({ get: (k) => ({ DATA_DIR: other })[k] });
      const text = (p: string) => Deno.readTextFileSync(p);
      assert.notEqual(text(dev.devMasterKey!), text(elsewhere.devMasterKey!));
    } finally {
      await Deno.remove(other, { recursive: true });
    }
    assert.throws(
      () =>
        loadAspConfig({
          get: (k) => ({ KONBINI_ENV: "production", DATA_DIR: dir })[k],
        }),
      /ASP_MASTER_KEY is required/,
    );
    // Nor an answer-signing key: production names its file.
    assert.throws(
      () =>
        loadAspConfig({
          get: (k) =>
            ({
              KONBINI_ENV: "production",
              ASP_MASTER_KEY: new Uint8Array(32).fill(7).toBase64(),
            })[k],
        }),
      /ASP_SIGNING_KEY_FILE is required/,
    );
    const set = loadAspConfig({
      get: (k) =>
        ({
          KONBINI_ENV: "production",
          ASP_MASTER_KEY: new Uint8Array(32).fill(7).toBase64(),
          ASP_SIGNING_KEY_FILE: `${dir}/asp-signing-key.json`,
        })[k],
    });
    assert.equal(set.devMasterKey, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
