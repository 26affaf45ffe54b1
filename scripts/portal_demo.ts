/**
 * `npx -y deno@2.9.6 task portal`: the verification portal on its own, with a demo
 * center (a fresh signing key and content key, a demo ledger), and one
 * sample scan per verdict written to `data/portal/demo/` to try it with.
 * A dev tool: the demo center and its scans are test fixtures
 * (tests/fixtures/verdict_scans.ts); inside the whole system (`main.ts`)
 * the portal gets the center's real key list, content keys and ledger.
 *
 * @module
 */
import { devApiClients } from "../services/portal/config.ts";
import { type RunningPortal, startPortal } from "../services/portal/main.ts";
import {
  makeDemoCenter,
  verdictScans,
} from "../tests/fixtures/verdict_scans.ts";
import { parseCli } from "../lib/service/cli.ts";

/**
 * Starts the portal with a demo center and writes one sample scan per
 * verdict to `data/portal/demo/`.
 *
 * @example
 * ```ts ignore
 * const portal = await startDemoPortal();
 * ```
 */
export async function startDemoPortal(): Promise<RunningPortal> {
  const center = await makeDemoCenter();
  const dir = "data/portal/demo";
  await Deno.mkdir(dir, { recursive: true });
  const scans = await verdictScans(center);
  for (const s of scans) await Deno.writeFile(`${dir}/${s.verdict}.png`, s.png);
  const portal = await startPortal({
    keyList: center.keyList,
    decryptionKeys: [center.contentKey],
    statusLookup: center.statusLookup,
  });
  console.log(`portal (照合サイト): ${portal.url}
  sample scans, one per verdict: ${dir}/{${
    scans.map((s) => s.verdict).join(",")
  }}.png
  API: curl -F scan=@${dir}/genuine.png -H "X-API-Key: ${
    devApiClients(Deno.env)[0].key
  }" ${portal.url}/api/verify
  key list: ${portal.url}/.well-known/konbini-keys.json`);
  return portal;
}

if (import.meta.main) {
  parseCli({
    task: "portal",
    usage: "",
    description:
      "The verification portal alone, with a demo center and one sample scan per\n" +
      "verdict under data/portal/demo/.",
    options: {},
  });
  const portal = await startDemoPortal();
  Deno.addSignalListener("SIGINT", async () => {
    await portal.stop();
    Deno.exit(0);
  });
}
