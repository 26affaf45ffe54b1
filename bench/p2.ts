/**
 * P2 — sync lag: from the registry's commit of a change event to its being
 * visible in the ASP's replica, p99 in ms with p50 beside it, at 500
 * events/s sustained for 60 s, on PostgreSQL. Goal: p99 ≤ 250 ms.
 *
 * The registry and the ASP each run as their own process (services/*
 * /main.ts, as in production), on their own scratch databases; the ASP's
 * sync worker follows the registry's long-poll feed. This process drives the
 * load open-loop (events are sent on a fixed schedule, whatever the answers'
 * latency; at most 256 in flight) and watches the replica:
 *
 * - commit: the event's `recorded_at` in the registry's outbox, taken under
 *   the head lock inside `registry_commit_event`, so at most that function's
 *   run before the commit (the lag is slightly overstated, never understated);
 * - visible: the first time a reader of the ASP's database sees the tenant's
 *   applied seq reach the event (polled every 2 ms; the replica's rows commit
 *   with it).
 *
 * Baseline, in the same run and unit: the p99 lag at a trickle (5 events/s
 * for 10 s), i.e. the pipeline's floor (long-poll wake-up, feed read, apply).
 * The ASP's own `asp_sync_lag_seconds` histogram for the loaded phase is kept
 * in params as a cross-check (bucket bound of its p99).
 *
 * ```sh
 * deno run -A bench/p2.ts [seconds] [rate]   # standalone, prints JSON
 * ```
 *
 * @module
 */
import postgres from "postgres";
import {
  DEFAULT_BENCH_DATABASE_URL,
  dropRoles,
  type Figure,
  type FigureResult,
  percentile,
  type ScratchDatabase,
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

const CODE = "401005";
const REGISTRY_TOKEN = "bench-p2-city";
const FEED_TOKEN = "bench-p2-asp";
const ASP_ADMIN_TOKEN = "bench-p2-ops";
const POLL_MS = 2;
const MAX_IN_FLIGHT = 256;

/** Options of the P2 run. */
export interface P2Options {
  /** Creates an empty scratch database (dropped by the caller at the latest). */
  scratchDatabase(label: string): Promise<ScratchDatabase>;
  /** Admin URL of the server (for dropping the ASP's tenant roles). */
  serverUrl: string;
  /** Target events/s (default 500). */
  rate?: number;
  /** Seconds of load (default 60). */
  seconds?: number;
  /** Residents the events are spread over (default 1000). */
  residents?: number;
  log?: (message: string) => void;
  /** Extra `deno run` flags per process (e.g. `--cpu-prof`). */
  flags?: { registry?: string[]; asp?: string[] };
}

/** One phase's lags. */
export interface LagStats {
  events: number;
  /** Events the replica had not shown when the wait ended. */
  notVisible: number;
  p50: number;
  p99: number;
  max: number;
}

/** P2's result. */
export interface P2Result {
  /** The loaded phase. */
  load: LagStats & { rateAchieved: number; refused: number };
  /** The trickle phase (baseline). */
  trickle: LagStats;
  /** Bucket bound (s) holding the p99 of the ASP's own lag histogram, loaded phase. */
  metricP99Bucket: number | null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Watches the tenant's applied seq in the ASP's database and remembers when
 * each seq first became visible.
 */
function watchReplica(aspUrl: string) {
  const sql = postgres(aspUrl, { max: 1, onnotice: () => {} });
  const visible = new Map<number, number>();
  let applied = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const [row] = await sql`
        select applied_seq::int as s from control.tenants where code = ${CODE}`;
      const t = now();
      for (let s = applied + 1; s <= row.s; s++) visible.set(s, t);
      applied = Math.max(applied, row.s);
      await sleep(POLL_MS);
    }
  })();
  return {
    visible,
    /** Waits for `seq`, as long as the replica makes progress within `stallMs`. */
    async until(seq: number, stallMs: number): Promise<boolean> {
      let last = applied, since = Date.now();
      while (applied < seq && Date.now() - since < stallMs) {
        await sleep(20);
        if (applied !== last) [last, since] = [applied, Date.now()];
      }
      return applied >= seq;
    },
    async stop() {
      running = false;
      await loop;
      await sql.end({ timeout: 5 });
    },
  };
}

/** Sends `rate` events/s for `seconds` on a fixed schedule; returns the seqs committed. */
async function drive(
  rate: number,
  seconds: number,
  send: (i: number) => Promise<number | null>,
): Promise<{ seqs: number[]; refused: number; elapsed: number }> {
  const total = Math.round(rate * seconds);
  const seqs: number[] = [];
  let refused = 0, inFlight = 0, i = 0;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  while (i < total) {
    const due = Math.min(
      total,
      Math.floor((performance.now() - start) * rate / 1000) + 1,
    );
    while (i < due && inFlight < MAX_IN_FLIGHT) {
      inFlight++;
      const p: Promise<void> = send(i++).then((seq) => {
        if (seq === null) refused++;
        else seqs.push(seq);
      }, () => {
        refused++;
      }).finally(() => {
        inFlight--;
        pending.delete(p);
      });
      pending.add(p);
    }
    await sleep(1);
  }
  await Promise.all(pending);
  return { seqs, refused, elapsed: (performance.now() - start) / 1000 };
}

async function recordedAt(
  registryUrl: string,
  from: number,
  to: number,
): Promise<Map<number, number>> {
  const rows = await withConnection(registryUrl, (sql) =>
    sql`
      select seq::int as seq, extract(epoch from recorded_at)::float8 * 1000 as ms
      from outbox where municipality_code = ${CODE} and seq >= ${from} and seq <= ${to}`);
  return new Map(rows.map((r) => [r.seq as number, r.ms as number]));
}

function lagStats(
  seqs: number[],
  recorded: Map<number, number>,
  visible: Map<number, number>,
): LagStats {
  const lags: number[] = [];
  let notVisible = 0;
  for (const s of seqs) {
    const v = visible.get(s), r = recorded.get(s);
    if (v === undefined || r === undefined) notVisible++;
    else lags.push(Math.max(0, v - r));
  }
  lags.sort((a, b) => a - b);
  // Events never seen count as slower than every seen one.
  const all = [...lags, ...Array(notVisible).fill(Infinity)];
  return {
    events: seqs.length,
    notVisible,
    p50: percentile(all, 0.5),
    p99: percentile(all, 0.99),
    max: lags.length ? lags[lags.length - 1] : NaN,
  };
}

/** Cumulative `asp_sync_lag_seconds` bucket counts of the tenant. */
async function lagHistogram(aspHttp: string): Promise<Map<number, number>> {
  const res = await fetch(`${aspHttp}/metrics`);
  const text = await res.text();
  const out = new Map<number, number>();
  const re = /^asp_sync_lag_seconds_bucket\{([^}]*)\} (\S+)$/gm;
  for (const m of text.matchAll(re)) {
    if (!m[1].includes(`"${CODE}"`)) continue;
    const le = /le="([^"]+)"/.exec(m[1])?.[1];
    if (le) out.set(le === "+Inf" ? Infinity : Number(le), Number(m[2]));
  }
  return out;
}

function histogramP99(
  before: Map<number, number>,
  after: Map<number, number>,
): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const count = (le: number) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const total = count(Infinity);
  if (!total) return null;
  return bounds.find((le) => count(le) >= 0.99 * total) ?? null;
}

/**
 * Runs P2.
 *
 * @example
 * ```ts ignore
 * const pool = scratchDatabases("postgres://postgres@127.0.0.1:5432/postgres");
 * const r = await runP2({ scratchDatabase: pool.create, serverUrl, seconds: 60 });
 * await pool.dropAll();
 * ```
 */
export async function runP2(opts: P2Options): Promise<P2Result> {
  const rate = opts.rate ?? 500;
  const seconds = opts.seconds ?? 60;
  const nResidents = opts.residents ?? 1000;
  const log = opts.log ?? (() => {});
  const regDb = await opts.scratchDatabase("p2_registry");
  const aspDb = await opts.scratchDatabase("p2_asp");
  const regPort = freePort();
  const aspPort = freePort();
  const registry = `http://127.0.0.1:${regPort}`;
  const aspHttp = `http://127.0.0.1:${aspPort}`;
  const children: Deno.ChildProcess[] = [];
  let watcher: ReturnType<typeof watchReplica> | undefined;
  try {
    children.push(spawnService("../services/registry/main.ts", {
      REGISTRY_DATABASE_URL: regDb.url,
      REGISTRY_PORT: String(regPort),
      // The feed on the plain port (as P5): no certificates needed.
      KONBINI_TRANSPORT: "plaintext",
      REGISTRY_CLIENTS: JSON.stringify([
        { id: "bench", token: REGISTRY_TOKEN, scopes: ["admin"] },
        {
          id: "asp",
          token: FEED_TOKEN,
          scopes: ["feed"],
          municipalities: [CODE],
        },
      ]),
    }, opts.flags?.registry));
    await waitHealthy(registry);
    log(`P2: ${nResidents} residents moving in`);
    const call = jsonCaller(registry, REGISTRY_TOKEN);
    const ids = await moveInResidents(call, {
      municipalityCode: CODE,
      n: nResidents,
      residentCodeBase: 30_000_000_000,
    });

    const masterKey = crypto.getRandomValues(new Uint8Array(32)).toBase64();
    children.push(spawnService("../services/asp/main.ts", {
      ASP_DATABASE_URL: aspDb.url,
      ASP_PORT: String(aspPort),
      ASP_HOST: "127.0.0.1",
      KONBINI_TRANSPORT: "plaintext",
      ASP_MODE: "all",
      ASP_MASTER_KEY: masterKey,
      ASP_REGISTRY_URL: registry,
      ASP_REGISTRY_TOKEN: FEED_TOKEN,
      ASP_CLIENTS: JSON.stringify([
        { id: "ops", token: ASP_ADMIN_TOKEN, scopes: ["admin"] },
      ]),
      ASP_TENANTS: JSON.stringify([
        { code: CODE, name: "北九州市", mayor: "北九州市長　武内　和久" },
      ]),
      ASP_SYNC_WAIT_SECONDS: "20",
    }, opts.flags?.asp));
    await waitHealthy(aspHttp);
    watcher = watchReplica(aspDb.url);
    if (!await watcher.until(nResidents, 30_000)) {
      throw new Error(`the ASP did not catch up with ${nResidents} move-ins`);
    }

    const correction = (tag: string) => async (i: number) => {
      const r = await call("POST", `/municipalities/${CODE}/events`, {
        type: "shokken_shusei",
        date: "2026-11-26",
        residentId: ids[i % ids.length],
        changes: { katagaki: `${tag}${i}` },
        reason: "bench",
      });
      return r.status === 201 ? r.body.seq as number : null;
    };
    const phase = async (label: string, r: number, s: number) => {
      log(`P2: ${label}: ${r} events/s for ${s} s`);
      const run = await drive(r, s, correction(label));
      const last = run.seqs.reduce((a, b) => Math.max(a, b), 0);
      if (!await watcher!.until(last, 30_000)) {
        log(`P2: ${label}: the replica stalled before seq ${last}`);
      }
      const first = run.seqs.reduce((a, b) => Math.min(a, b), last);
      const rec = await recordedAt(regDb.url, first, last);
      return { run, stats: lagStats(run.seqs, rec, watcher!.visible) };
    };

    const trickle = await phase("trickle", 5, 10);
    const before = await lagHistogram(aspHttp);
    const load = await phase("load", rate, seconds);
    const after = await lagHistogram(aspHttp);
    return {
      load: {
        ...load.stats,
        rateAchieved: load.run.seqs.length / load.run.elapsed,
        refused: load.run.refused,
      },
      trickle: trickle.stats,
      metricP99Bucket: histogramP99(before, after),
    };
  } finally {
    await watcher?.stop();
    for (const c of children.reverse()) await stopChild(c);
    // Tenant roles are cluster-wide: drop them with the ASP's database.
    const roles = await withConnection(
      aspDb.url,
      (sql) => sql`select role_name from control.tenants`,
    ).then((rows) => rows.map((r) => r.role_name as string), () => []);
    await aspDb.drop();
    await regDb.drop();
    await dropRoles(opts.serverUrl, roles);
  }
}

const ms = (x: number) => Number.isFinite(x) ? Math.round(x * 10) / 10 : -1;

/** P2 as the bench harness runs it. */
export const p2: Figure = {
  id: "P2",
  metric:
    "sync lag, registry commit → visible in the ASP replica, p99 at 500 events/s for 60 s (p50 in params; baseline: p99 at 5 events/s)",
  unit: "ms",
  goal: "p99 ≤ 250 ms at 500 events/s",
  meets: (r) =>
    r.value >= 0 && r.value <= 250 && Number(r.params?.rate_achieved) >= 490,
  async run(ctx): Promise<FigureResult> {
    const seconds = 60, rate = 500;
    const r = await runP2({
      scratchDatabase: ctx.scratchDatabase,
      serverUrl: ctx.databaseUrl,
      rate,
      seconds,
      log: ctx.log,
    });
    if (!Number.isFinite(r.load.p99)) {
      throw new Error(
        `P2: ${r.load.notVisible} of ${r.load.events} events never became visible in the replica (it stalled for 30 s)`,
      );
    }
    ctx.log(
      `P2: p50 ${ms(r.load.p50)} ms, p99 ${ms(r.load.p99)} ms at ${
        r.load.rateAchieved.toFixed(0)
      } events/s`,
    );
    return {
      value: ms(r.load.p99),
      baseline: ms(r.trickle.p99),
      ratio: r.trickle.p99 > 0 ? r.load.p99 / r.trickle.p99 : null,
      database: await serverVersion(ctx.databaseUrl),
      params: {
        p50_ms: ms(r.load.p50),
        max_ms: ms(r.load.max),
        rate_target: rate,
        rate_achieved: Math.round(r.load.rateAchieved),
        seconds,
        events: r.load.events,
        refused: r.load.refused,
        not_visible: r.load.notVisible,
        trickle_p50_ms: ms(r.trickle.p50),
        metric_p99_bucket_s: r.metricP99Bucket ?? -1,
        poll_ms: POLL_MS,
        transport:
          "plain HTTP between the registry and the ASP (KONBINI_TRANSPORT=plaintext, as P5); heartbeats on (1 s)",
      },
    };
  },
};

if (import.meta.main) {
  // deno run -A bench/p2.ts [seconds] [rate] [--registry FLAGS…] [--asp FLAGS…]
  const flags: { registry: string[]; asp: string[] } = {
    registry: [],
    asp: [],
  };
  let into: string[] | undefined;
  for (const a of Deno.args.slice(2)) {
    if (a === "--registry" || a === "--asp") into = flags[a.slice(2) as "asp"];
    else into?.push(a);
  }
  const serverUrl = Deno.env.get("BENCH_DATABASE_URL") ??
    DEFAULT_BENCH_DATABASE_URL;
  const pool = scratchDatabases(serverUrl);
  try {
    const r = await runP2({
      scratchDatabase: pool.create,
      serverUrl,
      seconds: Number(Deno.args[0] ?? 60),
      rate: Number(Deno.args[1] ?? 500),
      log: (m) => console.error(m),
      flags,
    });
    console.log(JSON.stringify(r, null, 2));
  } finally {
    await pool.dropAll();
  }
}
