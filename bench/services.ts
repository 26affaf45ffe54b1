/**
 * What the benches share about the services: for those that run them as
 * their own processes, ports, child processes and health waits; and the
 * registry population, moved in through the HTTP API or seeded straight
 * into its database.
 *
 * @module
 */
import type { Database } from "../lib/db/database.ts";
import { createProgress } from "../lib/progress.ts";
import {
  seedRegistry,
  type SeedRegistryOptions,
  type SeedSummary,
} from "../services/registry/seed/mod.ts";

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Waits until `${url}/healthz` answers 200. */
export async function waitHealthy(url: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(`${url}/healthz`);
      await r.body?.cancel();
      if (r.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become healthy`);
}

/** Starts a service script (relative to bench/) in its own Deno process. */
export function spawnService(
  script: string,
  env: Record<string, string>,
  flags: string[] = [],
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...flags, new URL(script, import.meta.url).pathname],
    env: { LOG_LEVEL: "warn", ...env },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
}

/** Stops a child: SIGINT, then SIGKILL after 10 s. */
export async function stopChild(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGINT");
  } catch { /* gone */ }
  const killer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, 10_000);
  await child.status;
  clearTimeout(killer);
}

/** Calls a service's JSON API. */
export type JsonCall = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<
  { status: number; body: Record<string, unknown> & { residentIds?: string[] } }
>;

/** A JSON API caller with a bearer token. */
export function jsonCaller(baseUrl: string, token: string): JsonCall {
  const headers = {
    Authorization: `Bearer ${token}`,
    "Content-Type": "application/json",
  };
  return async (method, path, body) => {
    const r = await fetch(baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  };
}

/**
 * Creates the municipality and `n` residents through the registry API
 * (転入, 16 at a time); returns their ids. `residentCodeBase` keeps the
 * 住民票コード of different benches apart.
 */
export async function moveInResidents(
  call: JsonCall,
  opts: { municipalityCode: string; n: number; residentCodeBase: number },
): Promise<string[]> {
  await call("PUT", `/municipalities/${opts.municipalityCode}`, {
    name: "北九州市",
    mayor: "北九州市長　武内　和久",
    printMyNumberAtKiosk: false,
  });
  const ids: string[] = [];
  let k = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (k < opts.n) {
      const i = k++;
      const r = await call(
        "POST",
        `/municipalities/${opts.municipalityCode}/events`,
        {
          type: "tennyu",
          date: "2026-11-20",
          person: {
            name: `試験　${i}`,
            nameKana: "シケン",
            birthDate: "1980-01-01",
            sex: "male",
            residentCode: String(opts.residentCodeBase + i),
          },
          previousAddress: "東京都千代田区千代田１番",
          address: `福岡県北九州市小倉北区城内${i}番`,
        },
      );
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
      ids.push(r.body.residentIds![0]);
    }
  }));
  return ids;
}

/**
 * `seedRegistry` into a migrated registry database, with a progress bar on
 * stderr labelled `label`.
 *
 * @example
 * ```ts ignore
 * await seedWithProgress(database, "P1 seed registry", {
 *   municipalityCode: "401005",
 *   residents: 1000,
 *   seed: 1,
 * });
 * ```
 */
export async function seedWithProgress(
  database: Database,
  label: string,
  options: Omit<SeedRegistryOptions, "onProgress">,
): Promise<SeedSummary> {
  const progress = createProgress({
    label,
    total: options.residents,
    unit: "residents",
  });
  const summary = await seedRegistry(database, {
    ...options,
    onProgress: (n) => progress.update(n),
  });
  progress.done();
  return summary;
}
