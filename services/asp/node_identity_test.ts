import assert from "node:assert/strict";
import type { Tenant } from "../../db/asp/schema.ts";
import type { Tenancy } from "./tenancy.ts";
import {
  computeBuildDigest,
  createNodeIdentity,
  TENANT_CONFIG_FIELDS,
  tenantConfigDigest,
  tenantConfiguration,
} from "./node_identity.ts";

async function tree(files: Record<string, string>): Promise<URL> {
  const dir = await Deno.makeTempDir({ prefix: "node-identity-" });
  for (const [path, text] of Object.entries(files)) {
    const full = `${dir}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, text);
  }
  return new URL(`file://${dir}/`);
}

Deno.test("build digest: the same sources give the same digest; a changed file another; tests and docs do not count", async () => {
  const files = {
    "src/a.ts": "export const a = 1;\n",
    "src/sub/b.ts": "export const b = 2;\n",
    "deno.lock": "{}",
  };
  const one = await tree(files);
  const two = await tree(files);
  const sources = ["src", "deno.lock"];
  try {
    const d1 = await computeBuildDigest({ root: one, sources });
    assert.match(d1, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(await computeBuildDigest({ root: two, sources }), d1);
    await Deno.writeTextFile(new URL("src/a_test.ts", two), "test");
    await Deno.writeTextFile(new URL("src/README.md", two), "docs");
    assert.equal(await computeBuildDigest({ root: two, sources }), d1);
    // A node that never received the fix.
    await Deno.writeTextFile(
      new URL("src/sub/b.ts", two),
      "export const b = 3;\n",
    );
    assert.notEqual(await computeBuildDigest({ root: two, sources }), d1);
    // A moved file is another build too.
    await Deno.rename(new URL("src/a.ts", one), new URL("src/sub/a.ts", one));
    assert.notEqual(await computeBuildDigest({ root: one, sources }), d1);
  } finally {
    await Deno.remove(one, { recursive: true });
    await Deno.remove(two, { recursive: true });
  }
});

Deno.test("build digest: this checkout's build computes", async () => {
  assert.match(await computeBuildDigest(), /^[A-Za-z0-9_-]{43}$/);
});

const tenant = {
  code: "401005",
  name: "北九州市",
  mayor: "北九州市長　武内　和久",
  printMyNumber: false,
  retentionYears: 5,
  stalenessMaxEvents: 0,
  stalenessMaxSeconds: 5,
  masterKeyId: "mk1",
  ddlVersion: 3,
  appliedSeq: 10,
} as unknown as Tenant;

Deno.test("tenant configuration digest: every field counts, keys sorted; sequences, key order and the registry's record do not", () => {
  const d = tenantConfigDigest({ tenant, signingKeyIds: ["k1", "k2"] });
  assert.equal(
    tenantConfigDigest({
      tenant: { ...tenant, appliedSeq: 99 } as Tenant,
      signingKeyIds: ["k2", "k1"],
    }),
    d,
  );
  // The name, mayor and form profile are the registry's record (the feed's).
  assert.equal(
    tenantConfigDigest({
      tenant: {
        ...tenant,
        mayor: "北九州市長　別人",
        formProfile: { juminhyoTitle: "住民票" },
      } as unknown as Tenant,
      signingKeyIds: ["k1", "k2"],
    }),
    d,
  );
  const config = tenantConfiguration({ tenant, signingKeyIds: ["k1"] });
  assert.deepEqual(Object.keys(config), Object.keys(config).toSorted());
  assert.deepEqual(
    Object.keys(config).toSorted(),
    Object.keys(TENANT_CONFIG_FIELDS).toSorted(),
  );
  for (
    const changed of [
      { retentionYears: 7 },
      { printMyNumber: true },
      { stalenessMaxSeconds: 120 },
      { masterKeyId: "mk2" },
      { ddlVersion: 2 },
    ]
  ) {
    assert.notEqual(
      tenantConfigDigest({
        tenant: { ...tenant, ...changed } as Tenant,
        signingKeyIds: ["k1", "k2"],
      }),
      d,
      JSON.stringify(changed),
    );
  }
  assert.notEqual(tenantConfigDigest({ tenant, signingKeyIds: ["k1"] }), d);
});

Deno.test("node identity: a tenant's digest is reused for ttlMs, then read again; an unknown tenant states none", async () => {
  let row = tenant;
  let reads = 0;
  let t = 0;
  const tenancy = {
    get(code: string) {
      reads++;
      return code === "401005"
        ? Promise.resolve(row)
        : Promise.reject(new Error("TENANT_NOT_FOUND"));
    },
  } as unknown as Tenancy;
  const identity = createNodeIdentity({
    buildDigest: "b",
    tenancy,
    signer: { keyList: () => Promise.resolve({ keys: [{ keyId: "k1" }] }) },
    ttlMs: 1000,
    now: () => t,
  });
  const first = await identity.tenantDigest("401005");
  row = { ...tenant, retentionYears: 9 } as Tenant;
  t = 999;
  assert.equal(await identity.tenantDigest("401005"), first);
  assert.equal(reads, 1);
  t = 1000;
  assert.notEqual(await identity.tenantDigest("401005"), first);
  assert.equal(await identity.tenantDigest("999999"), "");
  assert.equal(identity.buildDigest, "b");
});
