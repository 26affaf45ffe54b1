/**
 * A service's API documentation, usable on a closed network: the OpenAPI 3.1
 * document at `/openapi.json` and Swagger UI at `/docs`, its script and style
 * served from the project's own pinned `swagger-ui-dist` (no CDN).
 *
 * The document gets what client generators and linters expect: a `servers`
 * entry, and an `operationId` on every operation — the route's own when it
 * declares one, otherwise one derived from its method and path
 * (`GET /tenants/{code}/residents/{id}` → `getTenantResidentById`).
 *
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Env } from "hono";
import { getAbsoluteFSPath } from "swagger-ui-dist";

/** What a service says about itself in its document. */
export interface ApiDocsInfo {
  title: string;
  version: string;
  description?: string;
}

/** The license the documents state (their own code, not open source). */
const LICENSE = { name: "Proprietary", identifier: "LicenseRef-Proprietary" };

/** The Swagger UI files served under `/docs/`, with their content types. */
const ASSETS: Record<string, string> = {
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
};

const VERBS: Record<string, string> = {
  get: "get",
  post: "create",
  put: "replace",
  patch: "update",
  delete: "delete",
};

/** Singular English for the path words the services use (`tenants` → `Tenant`). */
function singular(word: string): string {
  if (word.endsWith("ies")) return word.slice(0, -3) + "y";
  if (word.endsWith("sses")) return word.slice(0, -2);
  if (word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}

function pascal(word: string): string {
  return word.split(/[-_.]/).filter(Boolean).map((w) =>
    w[0].toUpperCase() + w.slice(1)
  ).join("");
}

/**
 * An operation id from a method and an OpenAPI path: every collection before
 * the last segment in the singular, path parameters as `By<Name>`.
 *
 * @example
 * ```ts
 * import { operationIdOf } from "./api_docs.ts";
 * operationIdOf("post", "/tenants/{code}/certificates"); // "createTenantCertificates"
 * ```
 */
export function operationIdOf(method: string, path: string): string {
  const segments = path.split("/").filter(Boolean);
  const words = segments.map((s, i) => {
    const param = /^\{(.+)\}$/.exec(s);
    if (param) {
      return i === segments.length - 1 ? "By" + pascal(param[1]) : "";
    }
    const next = segments[i + 1];
    const inner = next !== undefined && /^\{.+\}$/.test(next);
    return pascal(inner ? singular(s) : s);
  });
  return (VERBS[method] ?? method) + words.join("");
}

/** The part of an OpenAPI document that {@linkcode withOperationIds} reads. */
export type OpenApiPaths = { paths?: object };

/** Gives every operation an id (its own, else a derived one), unique in the document. */
export function withOperationIds<D extends OpenApiPaths>(doc: D): D {
  const seen = new Set<string>();
  const paths = (doc.paths ?? {}) as Record<
    string,
    Record<string, { operationId?: string } | null>
  >;
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!(method in VERBS) || typeof op !== "object" || op === null) continue;
      const base = op.operationId ?? operationIdOf(method, path);
      let id = base;
      for (let n = 2; seen.has(id); n++) id = `${base}${n}`;
      op.operationId = id;
      seen.add(id);
    }
  }
  return doc;
}

function swaggerPage(title: string): string {
  const esc = title.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc}</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
</script>
</body>
</html>
`;
}

/**
 * Serves `/openapi.json`, `/docs` and the Swagger UI assets on a service app.
 * Call it after every resource is mounted.
 *
 * @example
 * ```ts ignore
 * mountApiDocs(app, { title: "Registry API", version: "1.0.0" });
 * ```
 */
export function mountApiDocs<E extends Env>(
  app: OpenAPIHono<E>,
  info: ApiDocsInfo,
): void {
  const dir = getAbsoluteFSPath();
  const assets = new Map<string, Promise<Uint8Array>>();
  app.get("/openapi.json", (c) => {
    const base = new URL(c.req.url).origin;
    const doc = app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { ...info },
      servers: [{ url: base, description: "this service" }],
    });
    // OpenAPI 3.1's SPDX identifier (the generator's types know only 3.0's).
    Object.assign(doc.info, { license: LICENSE });
    return c.json(withOperationIds(doc));
  });
  app.get("/docs", (c) => c.html(swaggerPage(info.title)));
  app.get("/docs/:asset", async (c) => {
    const name = c.req.param("asset");
    const type = ASSETS[name];
    if (type === undefined) return c.notFound();
    let bytes = assets.get(name);
    if (!bytes) assets.set(name, bytes = Deno.readFile(`${dir}/${name}`));
    return c.body((await bytes).slice(), 200, {
      "Content-Type": type,
      "Cache-Control": "public, max-age=86400",
    });
  });
}
