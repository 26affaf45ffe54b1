/**
 * P5 — change events/s through the registry's HTTP API on PostgreSQL, each
 * with its history row, outbox entry and audit record in one transaction.
 * Baseline, measured in the same run: bare single-row INSERT commits/s with
 * the same concurrency.
 *
 * The registry runs as its own process (as in production); this process
 * only generates load.
 *
 * @module
 */
import postgres from "postgres";
import { type Figure, serverVersion } from "./lib.ts";

/** Options of the P5 run. */
export interface P5Options {
  /** Admin URL of the PostgreSQL server. */
  databaseUrl: string;
  /** Seconds of load (default 10). */
  seconds?: number;
  /** Concurrent requests in flight (default 32). */
  concurrency?: number;
  /** Residents to spread the events over (default 2000). */
  residents?: number;
  /** Extra `deno run` flags for the registry process (e.g. `--cpu-prof`). */
  registryFlags?: string[];
}

/** P5's result. */
export interface P5Result {
  value: number;
  baseline: number;
  ratio: number;
  database: string;
  details: Record<string, unknown>;
}

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
  throw new Error(`registry at ${url} did not become healthy`);
}

async function runFor(
  seconds: number,
  concurrency: number,
  op: (i: number) => Promise<boolean>,
) {
  const until = performance.now() + seconds * 1000;
  let ok = 0, failed = 0, n = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      const i = n++;
      if (await op(i)) ok++;
      else failed++;
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  return { ok, failed, perSecond: ok / elapsed };
}

/**
 * Runs P5.
 *
 * @example
 * ```ts
 * const r = await runP5({ databaseUrl: "postgres://postgres@127.0.0.1:5432/postgres" });
 * ```
 */
export async function runP5(opts: P5Options): Promise<P5Result> {
  const seconds = opts.seconds ?? 10;
  const concurrency = opts.concurrency ?? 32;
  const nResidents = opts.residents ?? 2000;
  const dbName = `bench_p5_${Date.now()}`;
  const admin = postgres(opts.databaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const u = new URL(opts.databaseUrl);
  u.pathname = `/${dbName}`;
  const port = freePort();
  const token = "bench-token";
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...(opts.registryFlags ?? []),
      new URL("../services/registry/main.ts", import.meta.url).pathname,
    ],
    env: {
      REGISTRY_DATABASE_URL: u.toString(),
      REGISTRY_PORT: String(port),
      LOG_LEVEL: "warn",
      REGISTRY_CLIENTS: JSON.stringify([{
        id: "bench",
        token,
        scopes: ["admin"],
      }]),
    },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url);
    const headers = {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
    };
    const call = async (method: string, path: string, body: unknown) => {
      const r = await fetch(url + path, {
        method,
        headers,
        body: JSON.stringify(body),
      });
      const j = await r.json();
      return { status: r.status, body: j };
    };
    await call("PUT", "/municipalities/401005", {
      name: "北九州市",
      mayor: "北九州市長",
      printMyNumberAtKiosk: false,
    });
    // Residents to change: move-ins through the API (they also warm it up).
    const ids: string[] = [];
    let k = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (k < nResidents) {
        const i = k++;
        const r = await call("POST", "/municipalities/401005/events", {
          type: "tennyu",
          date: "2026-11-20",
          person: {
            name: `試験　${i}`,
            nameKana: "シケン",
            birthDate: "1980-01-01",
            sex: "male",
            residentCode: String(20_000_000_000 + i),
          },
          previousAddress: "東京都千代田区千代田１番",
          address: `福岡県北九州市小倉北区城内${i}番`,
        });
        if (r.status !== 201) throw new Error(JSON.stringify(r.body));
        ids.push(r.body.residentIds[0]);
      }
    }));
    if (ids.length < nResidents) {
      throw new Error(`only ${ids.length} residents created`);
    }
    // The measured load: corrections (職権修正) spread over the residents.
    const load = await runFor(seconds, concurrency, async (i) => {
      const r = await fetch(url + "/municipalities/401005/events", {
        method: "POST",
        headers,
        body: JSON.stringify({
          type: "shokken_shusei",
          date: "2026-11-26",
          residentId: ids[i % ids.length],
          changes: { katagaki: `棟${i}` },
          reason: "bench",
        }),
      });
      await r.body?.cancel();
      return r.status === 201;
    });
    // Baseline: bare single-row INSERT commits with the same concurrency.
    const sql = postgres(u.toString(), {
      max: concurrency,
      onnotice: () => {},
    });
    await sql`create table bare(id bigserial primary key, v text)`;
    const base = await runFor(seconds, concurrency, async (i) => {
      await sql`insert into bare(v) values (${"x" + i})`;
      return true;
    });
    await sql.end();
    // Check: the feed is gapless after the load.
    const check = postgres(u.toString(), { max: 1, onnotice: () => {} });
    const [{ n, max }] =
      await check`select count(*)::int n, max(seq)::int max from outbox`;
    await check.end();
    if (n !== max) {
      throw new Error(`outbox has gaps: ${n} rows, max seq ${max}`);
    }
    return {
      value: Math.round(load.perSecond),
      baseline: Math.round(base.perSecond),
      ratio: Math.round((load.perSecond / base.perSecond) * 1000) / 1000,
      database: "postgresql",
      details: {
        concurrency,
        seconds,
        failed: load.failed,
        events: load.ok,
        outboxRows: n,
      },
    };
  } finally {
    // SIGINT: the registry stops cleanly (and writes a --cpu-prof profile).
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
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

/** P5 as the bench harness runs it. */
export const p5: Figure = {
  id: "P5",
  metric:
    "change events/s through the registry HTTP API (state + history + outbox + audit, one transaction each)",
  unit: "events/s",
  goal: "≥ 2000 events/s",
  meets: (r) => r.value >= 2000,
  run: async (ctx) => {
    const seconds = 10, concurrency = 32;
    const r = await runP5({
      databaseUrl: ctx.databaseUrl,
      seconds,
      concurrency,
    });
    return {
      value: r.value,
      baseline: r.baseline,
      ratio: r.ratio,
      database: await serverVersion(ctx.databaseUrl),
      params: {
        concurrency,
        seconds,
        events: Number(r.details.events),
        refused: Number(r.details.failed),
        baseline: "bare single-row INSERT commits/s, same concurrency",
      },
    };
  },
};

if (import.meta.main) {
  const r = await runP5({
    databaseUrl: Deno.env.get("BENCH_DATABASE_URL") ??
      "postgres://postgres@127.0.0.1:5432/postgres",
    seconds: Number(Deno.args[0] ?? 10),
    registryFlags: Deno.args.slice(1),
  });
  console.log(JSON.stringify(r, null, 2));
}
