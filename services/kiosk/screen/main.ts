/**
 * Serves the kiosk screen (`deno task kiosk:screen`, and `deno task start`
 * with the rest): reads its config, builds the kiosk client's options and
 * listens.
 *
 * | Variable              | Default                                   |
 * | --------------------- | ----------------------------------------- |
 * | `KIOSK_SCREEN_PORT`   | 8107                                      |
 * | `KIOSK_SCREEN_HOST`   | 127.0.0.1                                 |
 * | `KIOSK_CARDS_DIR`     | `$DATA_DIR/cards` (`./data/cards`)        |
 * | `JLIS_URL`            | https://localhost:8103                    |
 * | `KIOSK_ID`            | kiosk-0001 (its certificate's name)       |
 * | `KIOSK_TLS_CERT_FILE` | `./certs/<KIOSK_ID>.pem`                  |
 * | `KIOSK_TLS_KEY_FILE`  | `./certs/<KIOSK_ID>-key.pem`              |
 * | `KIOSK_TLS_CA_FILE`   | `./certs/ca.pem` (the pinned center CA)   |
 * | `JLIS_KEYS_FILE`      | `$DATA_DIR/jlis/keys/jlis-keys.json`      |
 *
 * The kiosk talks to the center over mutual TLS with its terminal
 * certificate (the center records its CN as the terminal id) and trusts only
 * the CA of its provisioning files, never one offered on the link
 * (`CERTS_DIR` moves the folder). `JLIS_KEYS_FILE` is the center's public
 * key list this kiosk is provisioned with (the file the center's key store
 * exports): the screen refuses to start without it, and never fetches it.
 *
 * @module
 */
import { parseCli } from "../../../lib/service/cli.ts";
import { createRenderer, type Renderer } from "../../../lib/render/mod.ts";
import { type Env, envInt } from "../../../lib/service/env.ts";
import { createLogger } from "../../../lib/service/logger.ts";
import { serveHttp } from "../../../lib/service/serve.ts";
import { createKioskScreenApp } from "./app.tsx";
import {
  type MtlsFetch,
  mtlsFetch,
  readTlsIdentity,
  tlsFiles,
} from "../../../lib/tls/mod.ts";
import { loadProvisionedKeyList } from "../kiosk.ts";

/** A running kiosk screen. */
export interface RunningKioskScreen {
  url: string;
  stop(): Promise<void>;
}

/**
 * The kiosk's mutual-TLS client to the center, from its provisioning files
 * (see the table above). One pooled client; `close()` it on stop.
 *
 * @example
 * ```ts ignore
 * const f = await kioskCenterFetch(Deno.env);
 * ```
 */
export async function kioskCenterFetch(env: Env): Promise<MtlsFetch> {
  const id = env.get("KIOSK_ID") ?? "kiosk-0001";
  return mtlsFetch(await readTlsIdentity(tlsFiles(env, "KIOSK", id)));
}

/**
 * Starts the kiosk screen.
 *
 * @example
 * ```ts ignore
 * const screen = await startKioskScreen(Deno.env, { centerUrl: jlis.url });
 * console.log(screen.url);
 * ```
 */
export async function startKioskScreen(
  env: Env = Deno.env,
  opts: {
    centerUrl?: string;
    cardsDir?: string;
    keysFile?: string;
    /** Transport to the center (default: {@linkcode kioskCenterFetch}). */
    fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  } = {},
): Promise<RunningKioskScreen> {
  const port = envInt(env, "KIOSK_SCREEN_PORT", 8107, 0, 65535);
  const hostname = env.get("KIOSK_SCREEN_HOST") ?? "127.0.0.1";
  const cardsDir = opts.cardsDir ?? env.get("KIOSK_CARDS_DIR") ??
    `${env.get("DATA_DIR") ?? "./data"}/cards`;
  let renderer: Promise<Renderer> | undefined; // one for every print
  const keyList = await loadProvisionedKeyList(
    opts.keysFile ?? env.get("JLIS_KEYS_FILE") ??
      `${env.get("DATA_DIR") ?? "./data"}/jlis/keys/jlis-keys.json`,
  );
  const own = opts.fetch ? undefined : await kioskCenterFetch(env);
  const app = createKioskScreenApp({
    kiosk: {
      keyList,
      centerUrl: opts.centerUrl ?? env.get("JLIS_URL") ??
        "https://localhost:8103",
      fetch: opts.fetch ?? own,
      renderer: () => renderer ??= createRenderer(),
    },
    cardsDir,
    logger: createLogger({ service: "kiosk-screen" }),
  });
  const served = await serveHttp(app.fetch, { port, hostname });
  return {
    url: served.url,
    async stop() {
      await served.stop();
      own?.close();
    },
  };
}

if (import.meta.main) {
  parseCli({
    task: "kiosk:screen",
    usage: "",
    description:
      "Starts the kiosk screen (キオスク画面) on KIOSK_SCREEN_PORT (8107): a registered terminal\n" +
      "(KIOSK_ID, its certificate under CERTS_DIR) with the center's provisioned keys\n" +
      "(JLIS_KEYS_FILE). See services/kiosk/README.md.",
    options: {},
  });
  const screen = await startKioskScreen();
  console.log(`kiosk screen: ${screen.url}`);
}
