/**
 * File-system routing, Fresh's rules: every `.ts`/`.tsx` file under
 * `routes/` is a route named after its path (`index` is the folder itself,
 * `[id]` a parameter, `[...rest]` the rest of the path, `(group)` folders add
 * nothing to the path), files starting with `_` are special (`_app`,
 * `_layout`, `_middleware`, `_error`), and `*_test.ts(x)` files are skipped.
 * Every file under `islands/` is an island named after its file.
 *
 * The manifest (`services/portal/manifest.gen.ts`) imports them all
 * statically, so routes are type-checked and the server starts without
 * walking the disk; {@linkcode writeManifest} regenerates it and a test
 * checks it matches the disk.
 *
 * @module
 */

/** A discovered project: files relative to the root, sorted. */
export interface DiscoveredFiles {
  routes: string[];
  islands: string[];
}

const SOURCE = /\.(ts|tsx)$/;
const TEST = /(_test|\.test)\.(ts|tsx)$/;

async function walk(dir: string, base: string, out: string[]): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  for (const e of entries) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory) await walk(`${dir}/${e.name}`, rel, out);
    else if (e.isFile && SOURCE.test(e.name) && !TEST.test(e.name)) {
      out.push(rel);
    }
  }
}

/**
 * Lists the route and island files of a project.
 *
 * @example
 * ```ts
 * const { routes, islands } = await discoverFiles("/work/main");
 * // routes: ["./routes/_app.tsx", "./routes/index.tsx", …]
 * ```
 */
export async function discoverFiles(root: string): Promise<DiscoveredFiles> {
  const routes: string[] = [];
  const islands: string[] = [];
  await walk(`${root}/routes`, "", routes);
  await walk(`${root}/islands`, "", islands);
  const sort = (a: string, b: string) => a < b ? -1 : a > b ? 1 : 0;
  return {
    routes: routes.sort(sort).map((f) => `./routes/${f}`),
    islands: islands.sort(sort).map((f) => `./islands/${f}`),
  };
}

/** Special route files, by base name. */
export type SpecialFile = "_app" | "_layout" | "_middleware" | "_error";

/** What a route file is. */
export type RouteFileKind =
  | { kind: "route"; pattern: string; folder: string }
  | { kind: SpecialFile; folder: string };

/**
 * Classifies a route file and turns its path into a Hono pattern.
 *
 * @example
 * ```ts
 * routeFileKind("./routes/index.tsx"); // { kind: "route", pattern: "/", folder: "" }
 * routeFileKind("./routes/api/[id].ts"); // { kind: "route", pattern: "/api/:id", folder: "/api" }
 * routeFileKind("./routes/api/_middleware.ts"); // { kind: "_middleware", folder: "/api" }
 * ```
 */
export function routeFileKind(file: string): RouteFileKind {
  if (!file.startsWith("./routes/") || !SOURCE.test(file)) {
    throw new TypeError(`Not a route file: ${file}`);
  }
  const parts = file.slice("./routes/".length).replace(SOURCE, "").split("/");
  const name = parts.pop()!;
  const folders = parts.filter((p) => !/^\(.+\)$/.test(p));
  const segment = (p: string) => {
    const rest = /^\[\.\.\.([A-Za-z_]\w*)\]$/.exec(p);
    if (rest) return "*";
    const param = /^\[([A-Za-z_]\w*)\]$/.exec(p);
    if (param) return `:${param[1]}`;
    if (/[\[\]]/.test(p)) {
      throw new TypeError(`Bad route segment "${p}" in ${file}`);
    }
    return p;
  };
  const folder = folders.map((p) => "/" + segment(p)).join("");
  if (name.startsWith("_")) {
    if (
      name !== "_app" && name !== "_layout" && name !== "_middleware" &&
      name !== "_error"
    ) {
      throw new TypeError(`Unknown special route file ${file}`);
    }
    if ((name === "_app" || name === "_error") && folders.length > 0) {
      throw new TypeError(`${name} must be at the top of routes/: ${file}`);
    }
    return { kind: name, folder };
  }
  const segs = [...folders, ...(name === "index" ? [] : [name])].map(segment);
  return { kind: "route", pattern: "/" + segs.join("/"), folder };
}

/**
 * The island name of an island file: its base name (`UploadForm`).
 *
 * @example
 * ```ts
 * islandName("./islands/UploadForm.tsx"); // "UploadForm"
 * ```
 */
export function islandName(file: string): string {
  const base = file.split("/").pop()!.replace(SOURCE, "");
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(base)) {
    throw new TypeError(`Island file name must be an identifier: ${file}`);
  }
  return base;
}

function identifier(file: string): string {
  return "$" + file.replace(/^\.\//, "").replace(SOURCE, "").replace(
    /[^A-Za-z0-9]+/g,
    "_",
  );
}

/**
 * Generates the manifest's source for the files of a project. `manifestDir`
 * is where the manifest file will live, relative to the root.
 *
 * @example
 * ```ts ignore
 * const source = generateManifest(await discoverFiles(root), "services/portal");
 * ```
 */
export function generateManifest(
  files: DiscoveredFiles,
  manifestDir: string,
): string {
  const up = manifestDir.split("/").filter(Boolean).map(() => "..").join("/");
  const rel = (f: string) => `${up}/${f.slice(2)}`;
  const lines = [
    "// Generated by services/portal/build.ts (deno task build:portal). Do not edit.",
    "// Lists every route and island module so they load (and type-check) statically.",
    "",
    'import type { Manifest } from "./fresh/types.ts";',
  ];
  for (const f of [...files.routes, ...files.islands]) {
    lines.push(`import * as ${identifier(f)} from "${rel(f)}";`);
  }
  lines.push("", "/** Routes and islands of the portal. */");
  lines.push("export const manifest: Manifest = {", "  routes: {");
  for (const f of files.routes) lines.push(`    "${f}": ${identifier(f)},`);
  lines.push("  },", "  islands: {");
  for (const f of files.islands) lines.push(`    "${f}": ${identifier(f)},`);
  lines.push("  },", `  baseUrl: new URL("${up}/", import.meta.url).href,`);
  lines.push("};", "");
  return lines.join("\n");
}

/**
 * Discovers the files under `root` and (re)writes the manifest at
 * `root/manifestDir/manifest.gen.ts`, formatted with `deno fmt`. Returns the
 * discovered files.
 *
 * @example
 * ```ts
 * await writeManifest("/work/main", "services/portal");
 * ```
 */
export async function writeManifest(
  root: string,
  manifestDir: string,
): Promise<DiscoveredFiles> {
  const files = await discoverFiles(root);
  for (const f of files.routes) routeFileKind(f); // fail on bad names
  for (const f of files.islands) islandName(f);
  const path = `${root}/${manifestDir}/manifest.gen.ts`;
  await Deno.writeTextFile(path, generateManifest(files, manifestDir));
  const fmt = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", path],
    cwd: root,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!fmt.success) {
    throw new Error(
      `deno fmt failed on ${path}: ${new TextDecoder().decode(fmt.stderr)}`,
    );
  }
  return files;
}
