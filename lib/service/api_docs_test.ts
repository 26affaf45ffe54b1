import assert from "node:assert/strict";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { mountApiDocs, operationIdOf, withOperationIds } from "./api_docs.ts";

Deno.test("operationIdOf() names an operation after its method and path", () => {
  assert.equal(
    operationIdOf("post", "/tenants/{code}/certificates"),
    "createTenantCertificates",
  );
  assert.equal(
    operationIdOf("get", "/municipalities/{code}/residents/{id}"),
    "getMunicipalityResidentById",
  );
  assert.equal(operationIdOf("get", "/kiosk/nonce"), "getKioskNonce");
  assert.equal(
    operationIdOf("post", "/cards/{serial}/suspend"),
    "createCardSuspend",
  );
});

Deno.test("withOperationIds() keeps declared ids and makes every id unique", () => {
  const doc = withOperationIds({
    paths: {
      "/a/{id}": { get: { operationId: "readA" }, post: {} },
      "/a/{id}/": { post: {} },
    },
  });
  const ids = Object.values(doc.paths).flatMap((item) =>
    Object.values(item).map((op) => (op as { operationId: string }).operationId)
  );
  assert.deepEqual(ids, ["readA", "createAById", "createAById2"]);
});

function demoApp(): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(
    createRoute({
      method: "get",
      path: "/residents/{id}",
      request: { params: z.object({ id: z.string() }) },
      responses: {
        200: {
          description: "one resident",
          content: {
            "application/json": { schema: z.object({ id: z.string() }) },
          },
        },
      },
    }),
    (c) => c.json({ id: c.req.valid("param").id }, 200),
  );
  mountApiDocs(app, { title: "Demo <API>", version: "1.0.0" });
  return app;
}

Deno.test("/openapi.json states its server and an operationId on every operation", async () => {
  const res = await demoApp().request("http://svc.local:8080/openapi.json");
  assert.equal(res.status, 200);
  const doc = await res.json();
  assert.deepEqual(doc.servers, [{
    url: "http://svc.local:8080",
    description: "this service",
  }]);
  assert.equal(
    doc.paths["/residents/{id}"].get.operationId,
    "getResidentById",
  );
});

Deno.test("/docs loads Swagger UI from the service itself, never from another host", async () => {
  const app = demoApp();
  const res = await app.request("/docs");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
  const html = await res.text();
  assert.match(html, /<title>Demo &#60;API&#62;<\/title>/);
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(refs, [
    "/docs/swagger-ui.css",
    "/docs/swagger-ui-bundle.js",
  ]);
  for (const ref of refs) {
    const asset = await app.request(ref);
    assert.equal(asset.status, 200, ref);
    assert.ok((await asset.arrayBuffer()).byteLength > 10_000, ref);
  }
  const missing = await app.request("/docs/../../etc/passwd");
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});
