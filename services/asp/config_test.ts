import assert from "node:assert/strict";
import { DEV_TENANTS, loadAspConfig } from "./config.ts";

function config(vars: Record<string, string>) {
  return loadAspConfig({
    get: (k) =>
      ({
        ASP_MASTER_KEY: btoa("0123456789abcdef0123456789abcdef"),
        ASP_SIGNING_KEY_FILE: "/nonexistent/key.json",
        ...vars,
      })[k],
  });
}

Deno.test("loadAspConfig(): ASP_TENANTS names no municipality — a name or mayor given there is dropped (the registry's record is their one source)", () => {
  assert.deepEqual(DEV_TENANTS.map((t) => Object.keys(t)), [["code"], [
    "code",
  ]]);
  const c = config({
    ASP_TENANTS: JSON.stringify([
      { code: "401005", name: "北九州市", mayor: "市長", retentionYears: 7 },
      { code: "401307" },
    ]),
  });
  assert.deepEqual(c.tenants, [
    { code: "401005", retentionYears: 7 },
    { code: "401307" },
  ]);
  assert.throws(
    () => config({ ASP_TENANTS: JSON.stringify([{ name: "x" }]) }),
    /ASP_TENANTS/,
  );
});
