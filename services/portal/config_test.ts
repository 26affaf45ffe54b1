import assert from "node:assert/strict";
import { devApiClients, loadPortalConfig } from "./config.ts";

const env = (vars: Record<string, string>) => ({
  get: (k: string) => vars[k],
});

Deno.test("loadPortalConfig() gives the defaults and names a bad variable", () => {
  const dataDir = Deno.makeTempDirSync();
  const c = loadPortalConfig(env({ DATA_DIR: dataDir }));
  assert.equal(c.port, 8106);
  // The development bank's key: made once under DATA_DIR, never in source.
  const [bank] = c.apiClients;
  assert.equal(bank.id, "dev-bank");
  assert.ok(bank.key.length >= 40, bank.key);
  assert.deepEqual(devApiClients(env({ DATA_DIR: dataDir })), c.apiClients);
  assert.notEqual(
    devApiClients(env({ DATA_DIR: Deno.makeTempDirSync() }))[0].key,
    bank.key,
  );
  assert.throws(
    () => loadPortalConfig(env({ KONBINI_ENV: "production" })),
    /PORTAL_API_CLIENTS/,
  );
  assert.equal(c.maxUploadBytes, 20 * 1024 * 1024);
  assert.equal(c.maxSheets, 20);
  assert.equal(c.trustProxy, false);
  assert.equal(c.secret, undefined);
  assert.equal(
    loadPortalConfig(env({ PORTAL_TRUST_PROXY: "1" })).trustProxy,
    true,
  );
  assert.throws(
    () => loadPortalConfig(env({ PORTAL_ANON_PER_MINUTE: "0" })),
    /PORTAL_ANON_PER_MINUTE.*'0'/,
  );
  assert.throws(
    () => loadPortalConfig(env({ PORTAL_SECURE_COOKIES: "yes" })),
    /PORTAL_SECURE_COOKIES must be true or false/,
  );
  assert.throws(
    () => loadPortalConfig(env({ PORTAL_API_CLIENTS: '[{"id":"a"}]' })),
    /PORTAL_API_CLIENTS must be a JSON array/,
  );
});

Deno.test("loadPortalConfig() reads PORTAL_SECRET as hex or base64", () => {
  const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
  for (const text of [bytes.toHex(), bytes.toBase64()]) {
    assert.deepEqual(
      loadPortalConfig(env({ PORTAL_SECRET: text })).secret,
      bytes,
    );
  }
  assert.throws(
    () => loadPortalConfig(env({ PORTAL_SECRET: "not base64!" })),
    /PORTAL_SECRET must be hex or base64/,
  );
  assert.throws(
    () => loadPortalConfig(env({ PORTAL_SECRET: "00ff" })),
    /at least 32 bytes/,
  );
});

Deno.test("loadPortalConfig() reads the decode pool's workers, queues and timeout", () => {
  const c = loadPortalConfig(env({}));
  assert.equal(c.decodeWorkers, navigator.hardwareConcurrency);
  assert.deepEqual(c.decodeQueue, { form: 8, api: 16 });
  assert.equal(c.decodeTimeoutMs, 30_000);
  const set = loadPortalConfig(env({
    PORTAL_DECODE_WORKERS: "0",
    PORTAL_DECODE_QUEUE_BROWSER: "4",
    PORTAL_DECODE_QUEUE_API: "64",
    PORTAL_DECODE_TIMEOUT_S: "5",
  }));
  assert.equal(set.decodeWorkers, 0);
  assert.deepEqual(set.decodeQueue, { form: 4, api: 64 });
  assert.equal(set.decodeTimeoutMs, 5000);
  assert.throws(
    () => loadPortalConfig(env({ PORTAL_DECODE_WORKERS: "two" })),
    /PORTAL_DECODE_WORKERS must be an integer in 0\.\.64/,
  );
  assert.throws(
    () => loadPortalConfig(env({ PORTAL_DECODE_TIMEOUT_S: "0" })),
    /PORTAL_DECODE_TIMEOUT_S/,
  );
});
