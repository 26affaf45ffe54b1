/**
 * The import picture shows the real architecture: a service never imports
 * another service's folder (a protocol between them lives in
 * lib/contracts), and lib/ never imports a service. Every .ts/.tsx file
 * under services/<name>/ is read, tests included; tests/, bench/, scripts/,
 * main.ts and the portal's routes/, islands/ and components/ may import
 * services.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SERVICES = ["registry", "asp", "jlis", "kiosk", "portal"] as const;

/** Every .ts/.tsx file under `dir` (node_modules and data left out). */
async function* sourceFiles(dir: string): AsyncIterable<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) {
      if (e.name === "node_modules" || e.name === "data") continue;
      yield* sourceFiles(path);
    } else if (e.isFile && /\.tsx?$/.test(e.name)) {
      yield path;
    }
  }
}

/** Blanks comments (keeping string literals), so commented-out imports do not count. */
function stripComments(text: string): string {
  return text.replace(
    /("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g,
    (m, literal) => literal ?? m.replace(/[^\n]/g, " "),
  );
}

/**
 * The module specifiers a file imports: `import … from "…"`, `import "…"`,
 * `export … from "…"`, `import type …`, and dynamic `import("…")`.
 *
 * @example
 * ```ts
 * importSpecifiers('import { a } from "./a.ts";\nconst b = await import("./b.ts");'); // ["./a.ts", "./b.ts"]
 * ```
 */
export function importSpecifiers(source: string): string[] {
  const text = stripComments(source);
  const out: string[] = [];
  const patterns = [
    // import x from "…", import { … } from "…", export { … } from "…", export * from "…"
    /(?:^|[;\n}])\s*(?:import|export)\s+(?:type\s+)?[^;"'`]*?\bfrom\s*(["'])([^"'\n]+)\1/g,
    // side-effect import "…"
    /(?:^|[;\n}])\s*import\s*(["'])([^"'\n]+)\1/g,
    // dynamic import("…")
    /\bimport\s*\(\s*(["'`])([^"'`\n]+)\1\s*[,)]/g,
  ];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) out.push(m[2]);
  }
  return out;
}

/** The repository path a relative specifier points at, or null for a bare/remote one. */
function resolveSpecifier(file: string, spec: string): string | null {
  if (!spec.startsWith(".") && !spec.startsWith("/")) {
    if (!spec.startsWith("file:")) return null;
    return relative(ROOT, fileURLToPath(spec));
  }
  return relative(ROOT, resolve(dirname(file), spec));
}

/** The service a repository path belongs to, or null. */
function serviceOf(path: string): string | null {
  const m = /^services\/([^/]+)\//.exec(path.split("\\").join("/"));
  return m ? m[1] : null;
}

/** Every forbidden import under `dir`: `file → target`. */
async function violations(
  dir: string,
  allowed: (target: string) => boolean,
): Promise<string[]> {
  const out: string[] = [];
  for await (const file of sourceFiles(join(ROOT, dir))) {
    const source = await Deno.readTextFile(file);
    for (const spec of importSpecifiers(source)) {
      const target = resolveSpecifier(file, spec);
      if (target === null || allowed(target)) continue;
      out.push(`${relative(ROOT, file)} → ${spec}`);
    }
  }
  return out.sort();
}

Deno.test("importSpecifiers() finds static, re-export, type-only and dynamic imports, not comments", () => {
  const source = [
    'import assert from "node:assert/strict";',
    'import { a, type B } from "./a.ts";',
    "import type { C } from '../c.ts';",
    "import {",
    "  d,",
    "  e,",
    '} from "../../services/jlis/d.ts";',
    'import "./side_effect.ts";',
    'export { f } from "./f.ts";',
    'export * from "./g.ts";',
    'const h = await import("./h.ts");',
    "const i = await import(`./i.ts`);",
    '// import { j } from "./j.ts";',
    '/* import { k } from "./k.ts"; */',
    'const s = "import { l } from \\"./l.ts\\"";',
  ].join("\n");
  assert.deepEqual(importSpecifiers(source).sort(), [
    "../../services/jlis/d.ts",
    "../c.ts",
    "./a.ts",
    "./f.ts",
    "./g.ts",
    "./h.ts",
    "./i.ts",
    "./side_effect.ts",
    "node:assert/strict",
  ]);
});

Deno.test("a service imports no other service's folder (tests included)", async () => {
  const found: string[] = [];
  for (const name of SERVICES) {
    found.push(
      ...await violations(`services/${name}`, (target) => {
        const other = serviceOf(target);
        return other === null || other === name;
      }),
    );
  }
  assert.deepEqual(
    found,
    [],
    `Imports from another service's folder (a protocol between services ` +
      `belongs in lib/contracts; test worlds in tests/):\n${found.join("\n")}`,
  );
});

Deno.test("lib/ imports no service", async () => {
  const found = await violations("lib", (target) => serviceOf(target) === null);
  assert.deepEqual(
    found,
    [],
    `Imports from services/ in lib/ (shared modules must not depend on a ` +
      `service):\n${found.join("\n")}`,
  );
});
