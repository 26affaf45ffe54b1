/**
 * Every service's OpenAPI document describes its responses: no 2xx JSON
 * response is an open object with no properties (what
 * `z.object({}).passthrough()` documents). The protocols between parties
 * come from lib/contracts; the services' own resources have local schemas.
 *
 * @module
 */
import assert from "node:assert/strict";
import { openServiceApps } from "./support/service_apps.ts";

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, unknown>;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  items?: unknown;
};

/** The 2xx JSON responses whose schema describes nothing: `METHOD path status`. */
function undescribed(doc: {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, unknown> }>
  >;
  components?: { schemas?: Record<string, Schema> };
}): string[] {
  const resolve = (s: Schema): Schema =>
    s.$ref
      ? resolve(doc.components?.schemas?.[s.$ref.split("/").pop()!] ?? {})
      : s;
  const describes = (s: Schema): boolean => {
    const r = resolve(s);
    if (r.properties && Object.keys(r.properties).length) return true;
    for (const parts of [r.allOf, r.anyOf, r.oneOf]) {
      if (parts?.some(describes)) return true;
    }
    return r.type !== undefined && r.type !== "object";
  };
  const out: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [status, res] of Object.entries(op.responses ?? {})) {
        if (!/^2/.test(status)) continue;
        const schema = (res as {
          content?: Record<string, { schema?: Schema }>;
        }).content?.["application/json"]?.schema;
        if (schema && !describes(schema)) {
          out.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
  }
  return out.sort();
}

Deno.test("every service's OpenAPI document describes each JSON response", async () => {
  const w = await openServiceApps();
  try {
    const apps = w.apps;
    for (const [name, app] of Object.entries(apps)) {
      const res = await app.request("/openapi.json");
      assert.equal(res.status, 200, name);
      assert.equal(res.headers.get("content-type"), "application/json");
      const doc = await res.json();
      assert.deepEqual(
        undescribed(doc),
        [],
        `${name}: responses without a schema`,
      );
      if (name === "jlis") {
        assert.ok(doc.components.schemas.ReleasedDocument, "ReleasedDocument");
        assert.ok(doc.components.schemas.IssueStatus, "IssueStatus");
      }
      if (name === "asp") {
        assert.ok(doc.components.schemas.BuiltCertificate, "BuiltCertificate");
      }
      if (name === "registry") {
        assert.ok(doc.components.schemas.FeedResponse, "FeedResponse");
      }
    }
  } finally {
    await w.close();
  }
});
