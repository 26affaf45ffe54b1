/**
 * Builds the islands' browser scripts with `deno bundle --platform browser
 * --minify`: one small entry per island (`island-<Name>.js`) that imports the
 * island and hydrates its markers, with Preact and the hydration runtime
 * split into a shared `chunk-<hash>.js`. Pages link only the islands they
 * render; a page without islands ships no JavaScript at all.
 *
 * @module
 */
import { islandName } from "./manifest.ts";

/** Options of {@linkcode bundleIslands}. */
export interface BundleOptions {
  /** Project root (holds deno.json and islands/). */
  root: string;
  /** Island files relative to the root (`./islands/UploadForm.tsx`). */
  islands: string[];
  /** Where the scripts go (the static folder). */
  outDir: string;
  /** Minify (default true). */
  minify?: boolean;
}

/** One written script. */
export interface BundledFile {
  name: string;
  bytes: number;
}

/** Result of {@linkcode bundleIslands}. */
export interface BundleResult {
  files: BundledFile[];
  ms: number;
}

const GENERATED = /^(island-[A-Za-z0-9_]+|chunk-[A-Za-z0-9_-]+)\.js$/;

/**
 * Bundles the islands into `outDir`, replacing earlier island scripts there.
 *
 * @example
 * ```ts
 * const { files } = await bundleIslands({
 *   root: "/work/main", islands: ["./islands/UploadForm.tsx"], outDir: "/work/main/static",
 * });
 * ```
 */
export async function bundleIslands(
  options: BundleOptions,
): Promise<BundleResult> {
  const started = performance.now();
  const root = options.root.replace(/\/$/, "");
  const work = await Deno.makeTempDir({ prefix: "portal-islands-" });
  try {
    const client = new URL("./client.ts", import.meta.url).href;
    const entries: string[] = [];
    for (const file of options.islands) {
      const name = islandName(file);
      const entry = `${work}/island-${name}.ts`;
      const island = new URL(file.slice(2), `file://${root}/`).href;
      await Deno.writeTextFile(
        entry,
        `import { hydrateIsland } from ${JSON.stringify(client)};\n` +
          `import Island from ${JSON.stringify(island)};\n` +
          `hydrateIsland(${JSON.stringify(name)}, Island);\n`,
      );
      entries.push(entry);
    }
    const out = `${work}/out`;
    if (entries.length > 0) {
      const args = [
        "bundle",
        "--quiet",
        "--config",
        `${root}/deno.json`,
        "--platform",
        "browser",
        "--format",
        "esm",
        "--code-splitting",
        "--outdir",
        out,
        ...(options.minify === false ? [] : ["--minify"]),
        ...entries,
      ];
      const run = await new Deno.Command(Deno.execPath(), {
        args,
        cwd: root,
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!run.success) {
        throw new Error(
          `deno bundle failed: ${new TextDecoder().decode(run.stderr)}`,
        );
      }
    }
    await Deno.mkdir(options.outDir, { recursive: true });
    for await (const e of Deno.readDir(options.outDir)) {
      if (e.isFile && GENERATED.test(e.name)) {
        await Deno.remove(`${options.outDir}/${e.name}`);
      }
    }
    const files: BundledFile[] = [];
    if (entries.length > 0) {
      for await (const e of Deno.readDir(out)) {
        if (!e.isFile || !GENERATED.test(e.name)) continue;
        const bytes = await Deno.readFile(`${out}/${e.name}`);
        await Deno.writeFile(`${options.outDir}/${e.name}`, bytes);
        files.push({ name: e.name, bytes: bytes.length });
      }
    }
    files.sort((a, b) => a.name < b.name ? -1 : 1);
    return { files, ms: Math.round(performance.now() - started) };
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
