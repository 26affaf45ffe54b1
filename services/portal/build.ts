/**
 * The portal's build step (`npx -y deno@2.9.6 task build:portal`): regenerates the route
 * manifest from `routes/` and `islands/`, then bundles the island scripts
 * into `static/` with `deno bundle --platform browser --minify`.
 *
 * @module
 */
import { bundleIslands, type BundleResult } from "./fresh/bundle.ts";
import { discoverFiles, writeManifest } from "./fresh/manifest.ts";
import { PORTAL_ROOT, STATIC_DIR } from "./paths.ts";
import { parseCli } from "../../lib/service/cli.ts";

/**
 * Regenerates the manifest (optional) and bundles the islands.
 *
 * @example
 * ```ts ignore
 * const { files } = await buildPortal({ outDir: "/tmp/static" });
 * ```
 */
export async function buildPortal(
  options: { outDir?: string; manifest?: boolean } = {},
): Promise<BundleResult> {
  const files = options.manifest
    ? await writeManifest(PORTAL_ROOT, "services/portal")
    : await discoverFiles(PORTAL_ROOT);
  return await bundleIslands({
    root: PORTAL_ROOT,
    islands: files.islands,
    outDir: options.outDir ?? STATIC_DIR,
  });
}

if (import.meta.main) {
  const { values } = parseCli({
    task: "build:portal",
    usage: "[--islands-only]",
    description:
      "Regenerates the portal's route manifest (unless --islands-only) and bundles\n" +
      "the island scripts into static/.",
    options: { "islands-only": { type: "boolean", default: false } },
  });
  const result = await buildPortal({ manifest: !values["islands-only"] });
  for (const f of result.files) {
    console.log(`static/${f.name}  ${(f.bytes / 1024).toFixed(1)} KB`);
  }
  console.log(`portal built in ${result.ms} ms`);
}
