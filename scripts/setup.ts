/**
 * Installs the Debian packages the project needs (fonts, PDF and image tools,
 * a browser for end-to-end tests) when any is missing. Run by
 * `npx -y deno@2.9.6 task start` and `… task test`; as root it calls apt-get, otherwise it says
 * what to install.
 *
 * @module
 */

import { parseCli } from "../lib/service/cli.ts";

/** Debian packages and a file that proves each one is installed. */
export const DEBIAN_PACKAGES: ReadonlyArray<{ name: string; probe: string }> = [
  {
    name: "fonts-ipaexfont",
    probe: "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
  },
  {
    name: "fonts-ipaexfont-mincho",
    probe: "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
  },
  { name: "poppler-utils", probe: "/usr/bin/pdftoppm" },
  { name: "imagemagick", probe: "/usr/bin/convert-im6.q16" },
  { name: "zbar-tools", probe: "/usr/bin/zbarimg" },
  { name: "chromium", probe: "/usr/bin/chromium" },
];

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function run(cmd: string[]): Promise<boolean> {
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  return (await child.status).success;
}

/** Returns the packages whose probe file is absent. */
export async function missingPackages(): Promise<string[]> {
  const missing: string[] = [];
  for (const p of DEBIAN_PACKAGES) {
    if (!(await exists(p.probe))) missing.push(p.name);
  }
  return missing;
}

if (import.meta.main) {
  const { values } = parseCli({
    task: "setup",
    usage: "[--quiet]",
    description:
      "Installs the Debian packages the project needs when one is missing (as root),\n" +
      "else names them. --quiet: say nothing when all are present.",
    options: { quiet: { type: "boolean", default: false } },
  });
  const quiet = values.quiet;
  const missing = await missingPackages();
  if (missing.length === 0) {
    if (!quiet) console.log("setup: all Debian packages present");
  } else {
    const isRoot = Deno.uid?.() === 0;
    if (!isRoot) {
      console.error(
        `setup: missing Debian packages: ${
          missing.join(" ")
        } (run as root: apt-get install -y ${missing.join(" ")})`,
      );
      Deno.exit(1);
    }
    console.log(`setup: installing ${missing.join(" ")} …`);
    const ok = (await run(["apt-get", "update", "-qq"])) &&
      (await run([
        "apt-get",
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        ...missing,
      ]));
    if (!ok || (await missingPackages()).length > 0) {
      console.error("setup: apt-get failed; see the output above");
      Deno.exit(1);
    }
  }
}
