import assert from "node:assert/strict";
import { DEV_CLIENTS, loadRegistryConfig } from "./config.ts";

const env = (vars: Record<string, string>) => ({
  get: (k: string) => vars[k],
});

Deno.test("loadRegistryConfig() gives the defaults and names a bad variable", () => {
  const c = loadRegistryConfig(env({}));
  assert.equal(c.port, 8101);
  assert.equal(c.hostname, "127.0.0.1");
  assert.deepEqual(c.clients, DEV_CLIENTS);
  const clients = [
    { id: "a", token: "t", scopes: ["read"], municipalities: ["401005"] },
    { id: "ops", token: "t2", scopes: ["admin"] },
  ];
  assert.deepEqual(
    loadRegistryConfig(env({ REGISTRY_CLIENTS: JSON.stringify(clients) }))
      .clients,
    clients,
  );
  assert.throws(
    () => loadRegistryConfig(env({ REGISTRY_PORT: "http" })),
    /REGISTRY_PORT.*'http'/,
  );
  for (
    const bad of [
      "{",
      "[null]",
      '[{"id":"a"}]',
      // A non-admin client bound to no municipality, an unknown scope.
      '[{"id":"a","token":"t","scopes":["read"]}]',
      '[{"id":"a","token":"t","scopes":["all"],"municipalities":["401005"]}]',
      '[{"id":"a","token":"t","scopes":["read"],"municipalities":["4010"]}]',
    ]
  ) {
    assert.throws(
      () => loadRegistryConfig(env({ REGISTRY_CLIENTS: bad })),
      /REGISTRY_CLIENTS must be a JSON array/,
    );
  }
});
