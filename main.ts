/**
 * Starts the whole local system (`npx -y deno@2.9.6 task start`): registry, LGWAN-ASP,
 * J-LIS center and verification portal, each on its own embedded database
 * (or PostgreSQL with DATABASE_URL), and the kiosk screen over the demo cards. On first run it makes the project's CA
 * and certificates, seeds demo residents, carries the initial load to the ASP
 * on encrypted media, and issues demo cards. Prints each URL and how to try
 * a kiosk run.
 *
 * Every link is mutual TLS with the certificates of `npx -y deno@2.9.6 task certs`
 * (one per party and per kiosk terminal, CN = the client id each server
 * knows it by): city windows and the ASP's feed → registry (its plain port
 * answers only /healthz and /metrics), center → ASP, kiosks, windows and
 * the portal → center. The portal itself is plain HTTP on localhost unless
 * PORTAL_TLS_CERT_FILE/PORTAL_TLS_KEY_FILE are set.
 *
 * @module
 */
import { createLedgerStatusClient } from "./services/portal/ledger_client.ts";
import { startRegistry } from "./services/registry/main.ts";
import { startAsp } from "./services/asp/main.ts";
import { startJlis } from "./services/jlis/main.ts";
import { startConfiguredCheckpointPull } from "./services/registry/checkpoints.ts";
import { createLogger } from "./lib/service/logger.ts";
import {
  closedReason,
  nextOpenMorning,
} from "./services/jlis/issuance/hours.ts";
import { startPortal } from "./services/portal/main.ts";
import { startKioskScreen } from "./services/kiosk/screen/main.ts";
import { mtlsFetch, readTlsIdentity, tlsFiles } from "./lib/tls/mod.ts";
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
    "(PostgreSQL; else PGlite under ./data), CERTS_DIR (./certs: made on first run,\n" +
    "one certificate per party and kiosk; every link is mutual TLS), DATA_DIR (./data),\n" +
    "JLIS_CLOCK_START (the center's clock, development only).",
  options: {},
});

const CERTS = Deno.env.get("CERTS_DIR") ?? "./certs";
await ensureCerts(CERTS);
const certsDir = await Deno.realPath(CERTS);
/** A party's identity from ./certs (CN = its client id). */
const tlsOf = (name: string) =>
  readTlsIdentity(
    tlsFiles(
      { get: (k) => k === "CERTS_DIR" ? certsDir : undefined },
      "START",
      name,
    ),
  );

// The registry pulls each municipality's 交付履歴 from the center (which
// starts below; the first pulls wait for it) with the city's certificate.
const registry = await startRegistry({
  get: (k) =>
    k === "REGISTRY_ISSUANCE_PULL_MS"
      ? (Deno.env.get(k) ?? "5000")
      : Deno.env.get(k),
}, { tls: await tlsOf("registry") });
await seedDemo(registry.database);

const aspEnv = {
  get: (k: string) =>
    k === "ASP_REGISTRY_URL"
      ? (Deno.env.get(k) ?? registry.tlsUrl)
      : Deno.env.get(k),
};
const asp = await startAsp(aspEnv, { tls: await tlsOf("asp") });
for (const municipalityCode of ["401005", "401307"]) {
  await initialLoad({
    registry: registry.database,
    asp: asp.tenancy,
    certsDir: CERTS,
    municipalityCode,
  });
}

const jlis = await startJlis({
  get: (k) => k === "CERTS_DIR" ? certsDir : Deno.env.get(k),
});
const closed = closedReason(jlis.clock.now());
// 北九州市's registry keeps its own signed copies of the center's ledger
// checkpoints, pulled with its certificate and checked with the center's
// provisioned key list (the file the center's key store exports).
const checkpointPull = await startConfiguredCheckpointPull({
  get: (k) =>
    ({
      REGISTRY_CENTER_URL: jlis.url,
      REGISTRY_CENTER_KEYS_FILE: jlis.publicKeysFile,
      REGISTRY_CENTER_TLS_CA_FILE: `${certsDir}/ca.pem`,
      REGISTRY_CENTER_TLS_CERT_FILE: `${certsDir}/city-401005.pem`,
      REGISTRY_CENTER_TLS_KEY_FILE: `${certsDir}/city-401005-key.pem`,
    })[k] ?? Deno.env.get(k),
}, { db: registry.database.db, logger: createLogger({ service: "registry" }) });
// The portal asks the center over its API with its own certificate, as when
// it runs apart.
const portalToCenter = mtlsFetch(await tlsOf("portal"));
const portal = await startPortal({
  keyList: jlis.keyList,
  decryptionKeys: [jlis.contentKey],
  statusLookup: createLedgerStatusClient({
    centerUrl: jlis.url,
    fetch: portalToCenter,
  }),
});
// Demo cards are issued as 北九州市's window does, with its certificate.
const cityWindow = mtlsFetch(await tlsOf("city-401005"));
const cards = await demoCards({
  registry: registry.database,
  registryUrl: registry.tlsUrl!,
  centerUrl: jlis.url,
  fetch: cityWindow,
});
cityWindow.close();
const kioskScreen = await startKioskScreen({
  get: (k) => k === "CERTS_DIR" ? certsDir : Deno.env.get(k),
}, { centerUrl: jlis.url });

console.log(`
コンビニ交付 — local system
  registry (住民基本台帳)   ${registry.tlsUrl}   (mutual TLS; probes only: ${registry.url})
  LGWAN-ASP (副データ)      ${asp.url}   (mutual TLS)
  J-LIS center              ${jlis.url}   (mutual TLS: kiosks and every client present certificates)
  verification portal       ${portal.url}
  kiosk screen (キオスク画面) ${kioskScreen.url}   (kiosk-0001's certificate; the demo cards, PIN 1234)
  certificates (CA, one per party and kiosk) ${certsDir}; every service: /healthz, /metrics, /docs
  e.g. curl --cacert ${certsDir}/ca.pem --cert ${certsDir}/ops.pem --key ${certsDir}/ops-key.pem ${jlis.url}/healthz

${
  kioskTryout(cards, portal.url, {
    centerUrl: jlis.url,
    certsDir,
    keysFile: await Deno.realPath(jlis.publicKeysFile),
  })
}${
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
  await checkpointPull?.stop();
  await jlis.stop();
  await asp.stop();
  await registry.stop();
  portalToCenter.close();
  Deno.exit(0);
});
