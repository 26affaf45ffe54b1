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
import {
  DEFAULT_BENCH_DATABASE_URL,
  type Figure,
  scratchDatabases,
  serverVersion,
  withConnection,
} from "./lib.ts";
import {
  freePort,
  jsonCaller,
  moveInResidents,
  spawnService,
  stopChild,
  waitHealthy,
} from "./services.ts";

/** Options of the P5 run. */
export interface P5Options {
  /** URL of an empty database the registry may own for the run. */
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

/**
 * The registry's group-size histogram (`registry_event_group_size` in
 * /metrics: events committed together per transaction) as counts per
 * bucket, summed over municipalities.
 */
export interface GroupSizes {
  /** Bucket upper bound → cumulative count of groups (`+Inf` included). */
  buckets: Map<string, number>;
  /** Groups committed. */
  groups: number;
  /** Events in them. */
  events: number;
}

/**
 * Reads the group-size histogram out of Prometheus text.
 *
 * @example
 * ```ts
 * const g = groupSizesOf('registry_event_group_size_count{municipality="401005"} 2\n');
 * console.log(g.groups); // 2
 * ```
 */
export function groupSizesOf(metrics: string): GroupSizes {
  const out: GroupSizes = { buckets: new Map(), groups: 0, events: 0 };
  const line =
    /^registry_event_group_size_(bucket|sum|count)\{([^}]*)\} ([0-9.e+]+)$/gm;
  for (const m of metrics.matchAll(line)) {
    const v = Number(m[3]);
    if (m[1] === "count") out.groups += v;
    else if (m[1] === "sum") out.events += v;
    else {
      const le = /le="([^"]+)"/.exec(m[2])?.[1] ?? "+Inf";
      out.buckets.set(le, (out.buckets.get(le) ?? 0) + v);
    }
  }
  return out;
}

/**
 * The groups of the measured load (after minus before) as bench params:
 * number of groups, mean size, and groups per size range, e.g.
 * `"1:120 2:80 3-4:300 5-8:900 9-16:400 17-32:12 >32:0"`.
 */
export function groupSizeParams(
  before: GroupSizes,
  after: GroupSizes,
): Record<string, string | number> {
  const groups = after.groups - before.groups;
  const events = after.events - before.events;
  const bounds = [...after.buckets.keys()].filter((k) => k !== "+Inf")
    .map(Number).sort((a, b) => a - b);
  const cum = (le: string) =>
    (after.buckets.get(le) ?? 0) - (before.buckets.get(le) ?? 0);
  let below = 0, prev = 0;
  const ranges: string[] = [];
  for (const b of bounds) {
    const c = cum(String(b));
    ranges.push(`${prev + 1 === b ? b : `${prev + 1}-${b}`}:${c - below}`);
    below = c;
    prev = b;
  }
  ranges.push(`>${prev}:${cum("+Inf") - below}`);
  return {
    groups,
    groupSizeMean: groups ? Math.round((events / groups) * 100) / 100 : 0,
    groupSizes: ranges.join(" "),
  };
}

/**
 * CPU time (ms) used so far by the registry process and by the PostgreSQL
 * backends connected to the run's database, from /proc (Linux); null
 * elsewhere. Backends that exit between two readings drop out, so read
 * both ends while the registry's pool is connected.
 */
export function cpuMs(
  registryPid: number,
  database: string,
): { registry: number; postgres: number } | null {
  const ticks = (pid: number | string) => {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime: fields 14 and 15 of stat, 12 and 13 after the name.
    return Number(f[11]) + Number(f[12]);
  };
  try {
    const registry = ticks(registryPid);
    let postgres = 0;
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^[0-9]+$/.test(e.name)) continue;
      try {
        const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
        if (cmd.startsWith("postgres: ") && cmd.includes(` ${database} `)) {
          postgres += ticks(e.name);
        }
      } catch { /* gone */ }
    }
    // USER_HZ is 100 on Linux.
    return { registry: registry * 10, postgres: postgres * 10 };
  } catch {
    return null;
  }
}

async function readGroupSizes(url: string): Promise<GroupSizes> {
  const r = await fetch(url + "/metrics");
  return groupSizesOf(await r.text());
}

/** P5's result. */
export interface P5Result {
  value: number;
  baseline: number;
  ratio: number;
  database: string;
  details: Record<string, unknown>;
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
 * ```ts ignore
 * const r = await runP5({ databaseUrl: "postgres://postgres@127.0.0.1:5432/postgres" });
 * ```
 */
export async function runP5(opts: P5Options): Promise<P5Result> {
  const seconds = opts.seconds ?? 10;
  const concurrency = opts.concurrency ?? 32;
  const nResidents = opts.residents ?? 2000;
  const port = freePort();
  const token = "bench-token";
  const child = spawnService("../services/registry/main.ts", {
    REGISTRY_DATABASE_URL: opts.databaseUrl,
    REGISTRY_PORT: String(port),
    // The API on the plain port (HTTP, as P5 measures): no certificates needed.
    KONBINI_TRANSPORT: "plaintext",
    REGISTRY_CLIENTS: JSON.stringify([{
      id: "bench",
      token,
      scopes: ["admin"],
    }]),
  }, opts.registryFlags);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url);
    const headers = {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
    };
    // Residents to change: move-ins through the API (they also warm it up).
    const ids = await moveInResidents(jsonCaller(url, token), {
      municipalityCode: "401005",
      n: nResidents,
      residentCodeBase: 20_000_000_000,
    });
    // The measured load: corrections (職権修正) spread over the residents.
    const groupsBefore = await readGroupSizes(url);
    const database = new URL(opts.databaseUrl).pathname.slice(1);
    const cpuBefore = cpuMs(child.pid, database);
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
    const cpuAfter = cpuMs(child.pid, database);
    const groups = groupSizeParams(groupsBefore, await readGroupSizes(url));
    const perEvent = (a: number, b: number) =>
      load.ok ? Math.round(((b - a) / load.ok) * 1000) : 0;
    const cpu = cpuBefore && cpuAfter
      ? {
        registryCpuUsPerEvent: perEvent(cpuBefore.registry, cpuAfter.registry),
        postgresCpuUsPerEvent: perEvent(cpuBefore.postgres, cpuAfter.postgres),
      }
      : {};
    // Baseline: bare single-row INSERT commits with the same concurrency.
    const sql = postgres(opts.databaseUrl, {
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
    const [{ n, max }] = await withConnection(
      opts.databaseUrl,
      (sql) => sql`select count(*)::int n, max(seq)::int max from outbox`,
    );
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
        ...groups,
        ...cpu,
      },
    };
  } finally {
    // SIGINT: the registry stops cleanly (and writes a --cpu-prof profile).
    await stopChild(child);
  }
}

/** P5 as the bench harness runs it. */
export const p5: Figure = {
  id: "P5",
  metric:
    "change events/s through the registry HTTP API (state + history + outbox + audit, written in the event's transaction; concurrent events group-committed)",
  unit: "events/s",
  // Issue 14: a ratio, so that machines compare (≈ 2000 events/s where
  // bare commits reach 20,000/s).
  goal: "ratio ≥ 0.10 of the bare INSERT commit rate",
  meets: (r) => (r.ratio ?? 0) >= 0.1,
  run: async (ctx) => {
    const seconds = 10, concurrency = 32;
    const db = await ctx.scratchDatabase("p5");
    const r = await runP5({ databaseUrl: db.url, seconds, concurrency });
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
        groups: Number(r.details.groups),
        groupSizeMean: Number(r.details.groupSizeMean),
        groupSizes: String(r.details.groupSizes),
        // CPU per event during the load (Linux /proc): where the time goes.
        ...(r.details.registryCpuUsPerEvent === undefined ? {} : {
          registryCpuUsPerEvent: Number(r.details.registryCpuUsPerEvent),
          postgresCpuUsPerEvent: Number(r.details.postgresCpuUsPerEvent),
        }),
        baseline: "bare single-row INSERT commits/s, same concurrency",
      },
    };
  },
};

if (import.meta.main) {
  // Standalone: `deno run -A bench/p5.ts [seconds] [registry deno flags…]`.
  const scratch = scratchDatabases(
    Deno.env.get("BENCH_DATABASE_URL") ?? DEFAULT_BENCH_DATABASE_URL,
  );
  try {
    const db = await scratch.create("p5");
    const r = await runP5({
      databaseUrl: db.url,
      seconds: Number(Deno.args[0] ?? 10),
      registryFlags: Deno.args.slice(1),
    });
    console.log(JSON.stringify(r, null, 2));
  } finally {
    await scratch.dropAll();
  }
}
