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
 * | `JLIS_URL`            | http://127.0.0.1:8103                     |
 * | `JLIS_KIOSK_TOKEN`    | dev-jlis-kiosk-0001                       |
 * | `JLIS_KEYS_FILE`      | `$DATA_DIR/jlis/keys/jlis-keys.json`      |
 *
 * `JLIS_KEYS_FILE` is the center's public key list this kiosk is
 * provisioned with (the file the center's key store exports): the screen
 * refuses to start without it, and never fetches it.
 *
 * @module
 */
import { createRenderer, type Renderer } from "../../../lib/render/mod.ts";
import { type Env, envInt } from "../../../lib/service/env.ts";
import { createLogger } from "../../../lib/service/logger.ts";
import { serveHttp } from "../../../lib/service/serve.ts";
import { createKioskScreenApp } from "./app.tsx";
import { loadProvisionedKeyList } from "../kiosk.ts";

/** A running kiosk screen. */
export interface RunningKioskScreen {
  url: string;
  stop(): Promise<void>;
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
  opts: { centerUrl?: string; cardsDir?: string; keysFile?: string } = {},
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
  const app = createKioskScreenApp({
    kiosk: {
      keyList,
      centerUrl: opts.centerUrl ?? env.get("JLIS_URL") ??
        "http://127.0.0.1:8103",
      token: env.get("JLIS_KIOSK_TOKEN") ?? "dev-jlis-kiosk-0001",
      renderer: () => renderer ??= createRenderer(),
    },
    cardsDir,
    logger: createLogger({ service: "kiosk-screen" }),
  });
  return await serveHttp(app.fetch, { port, hostname });
}

if (import.meta.main) {
  const screen = await startKioskScreen();
  console.log(`kiosk screen: ${screen.url}`);
}
