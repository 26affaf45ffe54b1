/**
 * Starts the whole local system (`npx -y deno@2.9.6 task start`): registry, LGWAN-ASP,
 * J-LIS center and verification portal, each on its own embedded database
 * (or PostgreSQL with DATABASE_URL), and the kiosk screen over the demo cards. On first run it makes the project's CA
 * and certificates, seeds demo residents, carries the initial load to the ASP
 * on encrypted media, and issues demo cards. Prints each URL and how to try
 * a kiosk run.
 *
 * @module
 */
import { createLedgerStatusClient } from "./services/portal/ledger_client.ts";
import { startRegistry } from "./services/registry/main.ts";
import { startAsp } from "./services/asp/main.ts";
import { startJlis } from "./services/jlis/main.ts";
import {
  closedReason,
  nextOpenMorning,
} from "./services/jlis/issuance/hours.ts";
import { startPortal } from "./services/portal/main.ts";
import { startKioskScreen } from "./services/kiosk/screen/main.ts";
import { mtlsFetch } from "./lib/tls/mod.ts";
import { ensureCerts } from "./scripts/certs.ts";
import {
  demoCards,
  initialLoad,
  kioskTryout,
  seedDemo,
} from "./scripts/demo.ts";
import { parseCli } from "./lib/service/cli.ts";
import { taskCommand } from "./lib/service/commands.ts";

parseCli({
  task: "start",
  usage: "",
  description:
    "Starts the registry, LGWAN-ASP, J-LIS center and verification portal with demo\n" +
    "data and prints their URLs and kiosk commands to try. Environment: DATABASE_URL\n" +
    "(PostgreSQL; else PGlite under ./data), CERTS_DIR (./certs), DATA_DIR (./data),\n" +
    "JLIS_CLOCK_START (the center's clock, development only).",
  options: {},
});

const CERTS = Deno.env.get("CERTS_DIR") ?? "./certs";
await ensureCerts(CERTS);
const pem = async (name: string) =>
  await Deno.readTextFile(`${CERTS}/${name}.pem`);
const ca = await pem("ca");
const tlsOf = async (role: string) => ({
  cert: await pem(role),
  key: await pem(`${role}-key`),
  ca,
});

const registry = await startRegistry(Deno.env, {
  tls: await tlsOf("registry"),
});
await seedDemo(registry.database);

const aspTls = await tlsOf("asp");
const feedFetch = mtlsFetch(aspTls);
const aspEnv = {
  get: (k: string) =>
    k === "ASP_REGISTRY_URL"
      ? (Deno.env.get(k) ?? registry.tlsUrl)
      : Deno.env.get(k),
};
const asp = await startAsp(aspEnv, { fetch: feedFetch, tls: aspTls });
for (const municipalityCode of ["401005", "401307"]) {
  await initialLoad({
    registry: registry.database,
    asp: asp.tenancy,
    certsDir: CERTS,
    municipalityCode,
  });
}

const jlis = await startJlis();
const closed = closedReason(jlis.clock.now());
const portal = await startPortal({
  keyList: jlis.keyList,
  decryptionKeys: [jlis.contentKey],
  // The portal asks the center over its HTTP API, as when it runs apart.
  statusLookup: createLedgerStatusClient({
    centerUrl: jlis.url,
    token: Deno.env.get("PORTAL_CENTER_TOKEN") ?? "dev-jlis-portal",
  }),
});
const cards = await demoCards({
  registry: registry.database,
  registryUrl: registry.url,
  centerUrl: jlis.url,
});
const kioskScreen = await startKioskScreen(Deno.env, { centerUrl: jlis.url });

console.log(`
コンビニ交付 — local system
  registry (住民基本台帳)   ${registry.url}   (LGWAN mTLS ${registry.tlsUrl})
    OpenAPI ${registry.url}/openapi.json   Swagger UI ${registry.url}/docs
  LGWAN-ASP (副データ)      ${asp.url}   (mTLS; docs at /docs)
  J-LIS center              ${jlis.url}
  verification portal       ${portal.url}
  kiosk screen (キオスク画面) ${kioskScreen.url}   (the demo cards, PIN 1234)
  every service: /healthz and /metrics; development tokens in each service's config.ts

${kioskTryout(cards, portal.url)}${
  closed && !Deno.env.get("JLIS_CLOCK_START")
    ? `

The center is closed now (${closed}: kiosks are served 06:30–23:00 Japan time,
not 29 Dec – 3 Jan), so a kiosk run is refused. To try one now, restart with
the center's clock set to an opening hour (development only):
  JLIS_CLOCK_START=${nextOpenMorning(new Date())} ${taskCommand("start")}`
    : ""
}
Press Ctrl+C to stop.`);

Deno.addSignalListener("SIGINT", async () => {
  await kioskScreen.stop();
  await portal.stop();
  await jlis.stop();
  await asp.stop();
  await registry.stop();
  feedFetch.close?.();
  Deno.exit(0);
});
