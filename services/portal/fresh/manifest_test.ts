import assert from "node:assert/strict";
import { manifest } from "../manifest.gen.ts";
import { PORTAL_ROOT } from "../paths.ts";
import {
  discoverFiles,
  generateManifest,
  islandName,
  routeFileKind,
} from "./manifest.ts";

Deno.test("routeFileKind() follows Fresh's file-name rules", () => {
  const cases: Array<[string, unknown]> = [
    ["./routes/index.tsx", { kind: "route", pattern: "/", folder: "" }],
    ["./routes/verify.tsx", { kind: "route", pattern: "/verify", folder: "" }],
    ["./routes/api/verify.ts", {
      kind: "route",
      pattern: "/api/verify",
      folder: "/api",
    }],
    ["./routes/api/index.ts", {
      kind: "route",
      pattern: "/api",
      folder: "/api",
    }],
    ["./routes/a/[id].tsx", { kind: "route", pattern: "/a/:id", folder: "/a" }],
    ["./routes/a/[...rest].tsx", {
      kind: "route",
      pattern: "/a/*",
      folder: "/a",
    }],
    ["./routes/(marketing)/about.tsx", {
      kind: "route",
      pattern: "/about",
      folder: "",
    }],
    [
      "./routes/.well-known/konbini-keys.json.ts",
      {
        kind: "route",
        pattern: "/.well-known/konbini-keys.json",
        folder: "/.well-known",
      },
    ],
    ["./routes/_app.tsx", { kind: "_app", folder: "" }],
    ["./routes/api/_middleware.ts", { kind: "_middleware", folder: "/api" }],
    ["./routes/[org]/_layout.tsx", { kind: "_layout", folder: "/:org" }],
  ];
  for (const [file, want] of cases) {
    assert.deepEqual(routeFileKind(file), want, file);
  }
  assert.throws(() => routeFileKind("./routes/_weird.tsx"), /Unknown special/);
  assert.throws(() => routeFileKind("./routes/api/_app.tsx"), /top of routes/);
  assert.throws(() => routeFileKind("./routes/a[b.tsx"), /Bad route segment/);
});

Deno.test("islandName() takes the file's base name and refuses non-identifiers", () => {
  assert.equal(islandName("./islands/UploadForm.tsx"), "UploadForm");
  assert.throws(() => islandName("./islands/upload-form.tsx"), /identifier/);
});

Deno.test("the generated manifest lists exactly the route and island files on disk (run deno task build:portal)", async () => {
  const files = await discoverFiles(PORTAL_ROOT);
  assert.deepEqual(Object.keys(manifest.routes).sort(), files.routes);
  assert.deepEqual(Object.keys(manifest.islands).sort(), files.islands);
  assert.ok(
    !files.routes.some((f) =>
      f.endsWith("_test.ts") || f.endsWith("_test.tsx")
    ),
  );
  assert.ok(files.routes.includes("./routes/api/verify.ts"));
});

Deno.test("generateManifest() imports every file relative to the manifest's folder", () => {
  const src = generateManifest(
    { routes: ["./routes/index.tsx"], islands: ["./islands/A.tsx"] },
    "services/portal",
  );
  assert.match(
    src,
    /import \* as \$routes_index from "\.\.\/\.\.\/routes\/index\.tsx";/,
  );
  assert.match(src, /"\.\/islands\/A\.tsx": \$islands_A,/);
});
