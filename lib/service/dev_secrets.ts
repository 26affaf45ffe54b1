/**
 * Development secrets, made on this machine, never written in source: the
 * first start creates `<DATA_DIR>/dev-secrets.json` (mode 0600) with random
 * values, and every later start reads the same ones. A service configured
 * for production (`KONBINI_ENV=production`) never comes here: it refuses to
 * start without its secret in the environment.
 *
 * @module
 */
import type { Env } from "./env.ts";

/** Where a development secret came from. */
export interface DevSecret {
  /** The secret, base64 of `bytes` random bytes. */
  value: string;
  /** The file it lives in. */
  path: string;
  /** True when this call made it. */
  created: boolean;
}

/** Whether the environment says this is a production deployment. */
export function isProduction(env: Env): boolean {
  return env.get("KONBINI_ENV") === "production";
}

/**
 * The development secret `name` (made on first use), or an error when the
 * environment is production.
 *
 * @example
 * ```ts ignore
 * const { value, path } = devSecret(Deno.env, "asp-master-key", { requiredVar: "ASP_MASTER_KEY" });
 * ```
 */
export function devSecret(
  env: Env,
  name: string,
  opts: { requiredVar: string; bytes?: number },
): DevSecret {
  if (isProduction(env)) {
    throw new Error(
      `${opts.requiredVar} is required: KONBINI_ENV=production never uses a development secret`,
    );
  }
  const dir = env.get("DATA_DIR") ?? "./data";
  const path = `${dir}/dev-secrets.json`;
  let all: Record<string, string> = {};
  try {
    all = JSON.parse(Deno.readTextFileSync(path));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      throw new Error(`Cannot read the development secrets in ${path}`);
    }
  }
  if (typeof all[name] === "string") {
    return { value: all[name], path, created: false };
  }
  const value = crypto.getRandomValues(new Uint8Array(opts.bytes ?? 32))
    .toBase64();
  Deno.mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp`;
  Deno.writeTextFileSync(
    tmp,
    JSON.stringify({ ...all, [name]: value }, null, 2),
    {
      mode: 0o600,
    },
  );
  Deno.chmodSync(tmp, 0o600);
  Deno.renameSync(tmp, path);
  return { value, path, created: true };
}
