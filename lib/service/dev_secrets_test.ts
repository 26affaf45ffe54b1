import assert from "node:assert/strict";
import { devSecret } from "./dev_secrets.ts";

function env(vars: Record<string, string>) {
  return { get: (k: string) => vars[k] };
}

Deno.test("devSecret() makes a secret once, keeps it in a 0600 file, and gives the same one after", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const e = env({ DATA_DIR: dir });
    const a = devSecret(e, "k1", { requiredVar: "K1" });
    assert.equal(a.created, true);
    assert.equal(Uint8Array.fromBase64(a.value).length, 32);
    assert.equal(a.path, `${dir}/dev-secrets.json`);
    assert.equal((await Deno.stat(a.path)).mode! & 0o777, 0o600);
    const b = devSecret(e, "k1", { requiredVar: "K1" });
    assert.deepEqual([b.value, b.created], [a.value, false]);
    const c = devSecret(e, "k2", { requiredVar: "K2", bytes: 16 });
    assert.notEqual(c.value, a.value);
    assert.equal(devSecret(e, "k1", { requiredVar: "K1" }).value, a.value);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("devSecret() refuses in production, naming the variable to set", () => {
  assert.throws(
    () =>
      devSecret(
        env({ KONBINI_ENV: "production", DATA_DIR: "/nonexistent" }),
        "k",
        {
          requiredVar: "ASP_MASTER_KEY",
        },
      ),
    /ASP_MASTER_KEY is required/,
  );
});
