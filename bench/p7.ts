/**
 * P7 — the verification portal's throughput with its decode pool: one-sheet
 * 300-dpi scans verified per second through HTTP (`POST /api/verify` on
 * 127.0.0.1, with the API key of the portal's config) by 8 concurrent bank
 * clients, each sending its next scan when the previous answer arrives.
 * Value: 2 decode workers (one per core of the 2-core machine); baseline:
 * 1 worker (`PORTAL_DECODE_WORKERS=1`), measured in the same run. Goal:
 * ≥ 1.8 × the single worker.
 *
 * The portal runs as in production (`startPortal`: config from the
 * environment, a JSON-lines audit file, the ledger answering "valid"),
 * in-process with the clients; the clients' own work (multipart bodies,
 * reading the JSON) is small next to a decode. The two configurations
 * alternate in rounds so that load from other processes falls on both.
 * Every answer must be 200 `genuine`; anything else is counted and named.
 *
 * Run with the others (`deno task bench --only P7`) or on its own:
 * `deno run -A bench/p7.ts [seconds per round]` (merges P7 into
 * bench/results.json).
 *
 * @module
 */
import process from "node:process";
import { silentLogger } from "../lib/service/logger.ts";
import {
  startPortal,
  type StartPortalOptions,
} from "../services/portal/main.ts";
import { generateCorpus } from "../tests/fixtures/scan_corpus.ts";
import {
  type Figure,
  type FigureResult,
  mergeResults,
  NO_DATABASE,
  percentile,
  readResults,
  resultEntry,
} from "./lib.ts";

/** Options of {@linkcode runP7}. */
export interface P7Options {
  /** Concurrent clients (default 8). */
  clients?: number;
  /** Decode workers of the measured portal (default 2). */
  workers?: number;
  /** Seconds each configuration is loaded per round (default 15). */
  seconds?: number;
  /** Rounds; each runs 1 worker then `workers` (default 2). */
  rounds?: number;
  /** Distinct scans sent in turn (default 8). */
  scans?: number;
  seed?: number;
  log?: (message: string) => void;
}

/** One configuration's totals over the rounds. */
export interface P7Side {
  workers: number;
  verified: number;
  seconds: number;
  perSecond: number;
  /** Cores this process kept busy on average: well under `workers` + 0.1 means others took the CPU. */
  coresUsed: number;
  latencyMs: { p50: number; p95: number };
  /** Answers other than 200 genuine, by status and code. */
  errors: Record<string, number>;
}

/** P7's outcome. */
export interface P7Result {
  pooled: P7Side;
  single: P7Side;
  ratio: number;
  clients: number;
  secondsPerRound: number;
  rounds: number;
  scans: number;
  scanBytes: number;
  loadAverage: number[];
}

const BENCH_KEY = "bench-portal-key-p7-000000000001";
/** No request is sent after this many in one round, whatever the time. */
const MAX_REQUESTS_PER_ROUND = 5000;

interface RoundTally {
  verified: number;
  seconds: number;
  /** CPU seconds this process (portal, workers, clients) used. */
  cpuSeconds: number;
  latencies: number[];
  errors: Record<string, number>;
}

/** The boundary of {@linkcode multipartBody}. */
export const BOUNDARY = "----p7-bench-7d1c4e0a9b";

/**
 * A `multipart/form-data` body with the scan as its one file field `scan`
 * (what a browser's or a bank's form upload sends), built once per scan.
 *
 * @example
 * ```ts ignore
 * await fetch(`${url}/api/verify`, { method: "POST", body: multipartBody(scan),
 *   headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` } });
 * ```
 */
export function multipartBody(scan: Uint8Array): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder();
  const head = enc.encode(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="scan"; ` +
      `filename="scan.png"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = enc.encode(`\r\n--${BOUNDARY}--\r\n`);
  const body = new Uint8Array(head.length + scan.length + tail.length);
  body.set(head, 0);
  body.set(scan, head.length);
  body.set(tail, head.length + scan.length);
  return body;
}

/** A portal started for a figure, and what it took to start it. */
export interface BenchPortal {
  url: string;
  /** The API key its one bank client sends (`X-API-Key`). */
  apiKey: string;
  /** Stops it and removes its audit folder. */
  stop(): Promise<void>;
}

/**
 * Starts the portal as in production (`startPortal`: config from the
 * environment, a JSON-lines audit file in a temporary folder) on
 * 127.0.0.1 with `workers` decode workers and one bank client.
 *
 * @example
 * ```ts ignore
 * const portal = await startBenchPortal(2, { keyList, decryptionKeys,
 *   statusLookup: () => Promise.resolve("valid") });
 * await portal.stop();
 * ```
 */
export async function startBenchPortal(
  workers: number,
  center: Pick<
    StartPortalOptions,
    "keyList" | "decryptionKeys" | "statusLookup"
  >,
): Promise<BenchPortal> {
  const dir = await Deno.makeTempDir({ prefix: "bench-portal-" });
  const env = new Map([
    ["PORTAL_HOST", "127.0.0.1"],
    ["PORTAL_PORT", "0"],
    ["PORTAL_DECODE_WORKERS", String(workers)],
    ["PORTAL_AUDIT_FILE", `${dir}/audit.jsonl`],
    [
      "PORTAL_API_CLIENTS",
      JSON.stringify([{
        id: "bench-bank",
        key: BENCH_KEY,
        capacity: 1_000_000,
        perMinute: 1_000_000,
      }]),
    ],
  ]);
  try {
    const portal = await startPortal({
      ...center,
      env,
      buildIslands: false,
      logger: silentLogger(),
    });
    if (!portal.url.startsWith("http://127.0.0.1:")) {
      await portal.stop();
      throw new Error(`The bench loads 127.0.0.1 only, got ${portal.url}`);
    }
    return {
      url: portal.url,
      apiKey: BENCH_KEY,
      async stop() {
        await portal.stop();
        await Deno.remove(dir, { recursive: true });
      },
    };
  } catch (e) {
    await Deno.remove(dir, { recursive: true });
    throw e;
  }
}

/** Loads one portal with `clients` clients for `seconds`. */
async function loadRound(
  workers: number,
  scans: readonly Uint8Array[],
  corpus: Awaited<ReturnType<typeof generateCorpus>>,
  options: { clients: number; seconds: number },
): Promise<RoundTally> {
  const portal = await startBenchPortal(workers, {
    keyList: corpus.keyList,
    decryptionKeys: corpus.decryptionKeys,
    statusLookup: () => Promise.resolve("valid"),
  });
  const tally: RoundTally = {
    verified: 0,
    seconds: 0,
    cpuSeconds: 0,
    latencies: [],
    errors: {},
  };
  try {
    let sent = 0;
    // The clients' bodies are built once: the load generator shares the
    // process (and the two cores) with the portal, so it should cost as
    // little per request as a real bank's client on its own machine does.
    const bodies = new Map(scans.map((s) => [s, multipartBody(s)]));
    const post = async (bytes: Uint8Array) => {
      const res = await fetch(`${portal.url}/api/verify`, {
        method: "POST",
        body: bodies.get(bytes)!,
        headers: {
          "Content-Type": `multipart/form-data; boundary=${BOUNDARY}`,
          "X-API-Key": BENCH_KEY,
        },
      });
      const body = await res.json() as { verdict?: string; code?: string };
      return res.status === 200 && body.verdict === "genuine"
        ? undefined
        : `${res.status} ${body.code ?? body.verdict}`;
    };
    // Warm-up: every worker decodes once before the clock starts.
    await Promise.all(
      Array.from(
        { length: 2 * workers },
        (_, i) => post(scans[i % scans.length]),
      ),
    );
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const end = started + options.seconds * 1000;
    const client = async (c: number) => {
      let i = c;
      while (performance.now() < end && sent < MAX_REQUESTS_PER_ROUND) {
        sent++;
        const t0 = performance.now();
        const error = await post(scans[i % scans.length]);
        i += options.clients;
        if (error) {
          tally.errors[error] = (tally.errors[error] ?? 0) + 1;
        } else {
          tally.verified++;
          tally.latencies.push(performance.now() - t0);
        }
      }
    };
    await Promise.all(
      Array.from({ length: options.clients }, (_, c) => client(c)),
    );
    tally.seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    tally.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  } finally {
    await portal.stop();
  }
  return tally;
}

function side(workers: number, tallies: RoundTally[]): P7Side {
  const verified = tallies.reduce((n, t) => n + t.verified, 0);
  const seconds = tallies.reduce((n, t) => n + t.seconds, 0);
  const latencies = tallies.flatMap((t) => t.latencies).sort((a, b) => a - b);
  const errors: Record<string, number> = {};
  for (const t of tallies) {
    for (const [k, n] of Object.entries(t.errors)) {
      errors[k] = (errors[k] ?? 0) + n;
    }
  }
  return {
    workers,
    verified,
    seconds: Math.round(seconds * 10) / 10,
    perSecond: verified / seconds,
    coresUsed: Math.round(
      tallies.reduce((n, t) => n + t.cpuSeconds, 0) / seconds * 100,
    ) / 100,
    latencyMs: {
      p50: Math.round(percentile(latencies, 0.5)),
      p95: Math.round(percentile(latencies, 0.95)),
    },
    errors,
  };
}

/**
 * Runs P7.
 *
 * @example
 * ```ts ignore
 * const r = await runP7({ seconds: 10 });
 * console.log(r.pooled.perSecond, r.single.perSecond, r.ratio);
 * ```
 */
export async function runP7(options: P7Options = {}): Promise<P7Result> {
  const clients = options.clients ?? 8;
  const workers = options.workers ?? 2;
  const seconds = options.seconds ?? 15;
  const rounds = options.rounds ?? 2;
  const count = options.scans ?? 8;
  const log = options.log ?? (() => {});
  log(`P7: generating ${count} one-sheet 300-dpi scans`);
  const corpus = await generateCorpus({
    count,
    seed: options.seed ?? 7,
    kinds: ["clean"],
  });
  const scans: Uint8Array[] = [];
  for await (const item of corpus.items) {
    if (item.distortion.dpi !== 300) {
      throw new Error(`${item.name}: not 300 dpi`);
    }
    scans.push(item.bytes);
  }
  const loadAverage = Deno.loadavg().map((x) => Math.round(x * 100) / 100);
  const single: RoundTally[] = [];
  const pooled: RoundTally[] = [];
  for (let r = 1; r <= rounds; r++) {
    for (const [n, into] of [[1, single], [workers, pooled]] as const) {
      log(
        `P7: round ${r}/${rounds}, ${n} worker(s), ${clients} clients, ${seconds} s`,
      );
      const t = await loadRound(n, scans, corpus, { clients, seconds });
      log(
        `P7:   ${(t.verified / t.seconds).toFixed(2)} scans/s, ` +
          `${(t.cpuSeconds / t.seconds).toFixed(2)} cores used`,
      );
      into.push(t);
    }
  }
  const a = side(workers, pooled);
  const b = side(1, single);
  return {
    pooled: a,
    single: b,
    ratio: a.perSecond / b.perSecond,
    clients,
    secondsPerRound: seconds,
    rounds,
    scans: count,
    scanBytes: Math.round(
      scans.reduce((n, s) => n + s.length, 0) / scans.length,
    ),
    loadAverage,
  };
}

/** The figure's result from a run. */
function figureResult(r: P7Result): FigureResult {
  const errors = (s: P7Side) =>
    Object.entries(s.errors).map(([k, n]) => `${k} ×${n}`).join(", ") ||
    "none";
  return {
    value: r.pooled.perSecond,
    baseline: r.single.perSecond,
    ratio: r.ratio,
    database: NO_DATABASE,
    params: {
      workers: r.pooled.workers,
      baseline_workers: 1,
      clients: r.clients,
      scans: r.scans,
      scan_bytes_mean: r.scanBytes,
      seconds_per_round: r.secondsPerRound,
      rounds: r.rounds,
      duration_s: r.pooled.seconds,
      baseline_duration_s: r.single.seconds,
      verified: r.pooled.verified,
      baseline_verified: r.single.verified,
      cores_used: r.pooled.coresUsed,
      baseline_cores_used: r.single.coresUsed,
      latency_ms_p50: r.pooled.latencyMs.p50,
      latency_ms_p95: r.pooled.latencyMs.p95,
      baseline_latency_ms_p50: r.single.latencyMs.p50,
      baseline_latency_ms_p95: r.single.latencyMs.p95,
      errors: errors(r.pooled),
      baseline_errors: errors(r.single),
      load_average_at_start: r.loadAverage.join(" "),
      cores: navigator.hardwareConcurrency,
    },
  };
}

/** P7 as a bench figure. */
export const p7: Figure = {
  id: "P7",
  metric:
    "portal: one-sheet 300-dpi scans verified per second via /api/verify, 8 concurrent clients, 2 decode workers (baseline: 1 worker, same run)",
  unit: "scans/s",
  goal: "≥ 1.8 × the single worker",
  meets: (r) => r.ratio !== null && r.ratio >= 1.8,
  async run(ctx) {
    const r = await runP7({ seed: ctx.args.seed, log: ctx.log });
    return figureResult(r);
  },
};

if (import.meta.main) {
  const seconds = Deno.args[0] ? Number(Deno.args[0]) : undefined;
  if (seconds !== undefined && !(seconds > 0 && seconds <= 300)) {
    throw new RangeError(`seconds must be in (0, 300], got ${Deno.args[0]}`);
  }
  const path = new URL("./results.json", import.meta.url).pathname;
  const r = await runP7({ seconds, log: (m) => console.error(m) });
  const fig = figureResult(r);
  console.log(
    `P7: ${r.pooled.perSecond.toFixed(2)} scans/s with ${r.pooled.workers} ` +
      `workers, ${r.single.perSecond.toFixed(2)} with 1 (ratio ` +
      `${r.ratio.toFixed(2)}; goal ${p7.goal})`,
  );
  const merged = mergeResults(await readResults(path), [
    resultEntry(p7, fig),
  ], {
    measured_at: new Date().toISOString(),
    cores: navigator.hardwareConcurrency,
  });
  await Deno.writeTextFile(path, JSON.stringify(merged, null, 2) + "\n");
}
