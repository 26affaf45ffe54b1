/**
 * P4m — the kiosk's own PDF for a household of six verified whole at the
 * portal (issue 13): the twelve-page PDF the kiosk prints for a
 * whole-household 住民票 of six members (a front and a back per sheet,
 * `renderer.pdfOfDocuments` as services/kiosk prints it), posted to
 * `POST /api/verify` of a portal started as in production with 2 decode
 * workers (one per core of the 2-core machine), wall seconds from sending
 * to the answer, median over the runs (p95 and max in params). Every answer
 * must be 200 `genuine` with six sheets, each with its own front and
 * certificate page 1–6, and the ledger asked once per sheet for that sheet
 * (anything else fails the figure: a fast wrong answer measures nothing).
 *
 * Baseline: the one-sheet median of the same run — a one-sheet 300-dpi scan
 * (as P4's) through the same portal and path, the runs interleaved with the
 * six-sheet ones so that load from other processes falls on both. The
 * params also carry the median of the one-sheet kiosk PDF (two pages), the
 * per-PDF cost the six-sheet figure is made of. Goal: median ≤ 1.5 s.
 *
 * Alone: `deno task bench --only P4m`, or `deno run -A bench/p4m.ts [runs]`
 * (prints the figure, writes nothing).
 *
 * @module
 */
import { makeTestCenter } from "../tests/fixtures/back_side.ts";
import { householdKioskPdf } from "../tests/fixtures/kiosk_pdf.ts";
import { generateCorpus } from "../tests/fixtures/scan_corpus.ts";
import {
  type Figure,
  type FigureResult,
  NO_DATABASE,
  percentile,
} from "./lib.ts";
import {
  type BenchPortal,
  BOUNDARY,
  multipartBody,
  startBenchPortal,
} from "./p7.ts";

/** Sheets of the household PDF. */
const SHEETS = 6;

/** Options of {@linkcode runP4m}. */
export interface P4mOptions {
  /** Measured verifications of each upload (default 9). */
  runs?: number;
  /** Decode workers (default 2). */
  workers?: number;
  seed?: number;
  log?: (message: string) => void;
}

/** What P4m measured, seconds. */
export interface P4mResult {
  household: number[];
  oneSheetScan: number[];
  oneSheetPdf: number[];
  pdfBytes: number;
  scanBytes: number;
  workers: number;
  /**
   * CPU seconds per household PDF of this process and the children it
   * waited for (the portal, its workers, the clients, pdfinfo and
   * pdftoppm); NaN without Linux /proc.
   */
  cpuPerHousehold: number;
  loadAverage: number[];
}

interface SheetAnswer {
  verdict: string;
  front_image_png: string | null;
  certificate: { page: number } | null;
}

/** Posts an upload and checks the answer: genuine, `sheets` sheets each with its front. */
async function verifyTimed(
  portal: BenchPortal,
  body: Uint8Array<ArrayBuffer>,
  sheets: number,
): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${portal.url}/api/verify`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": `multipart/form-data; boundary=${BOUNDARY}`,
      "X-API-Key": portal.apiKey,
    },
  });
  const answer = await res.json();
  const seconds = (performance.now() - t0) / 1000;
  const got = (answer.sheets ?? []) as SheetAnswer[];
  const whole = got.length === sheets &&
    got.every((s, i) =>
      s.verdict === "genuine" && s.front_image_png &&
      s.certificate?.page === (sheets === 1 ? s.certificate?.page : i + 1)
    );
  if (res.status !== 200 || answer.verdict !== "genuine" || !whole) {
    throw new Error(
      `P4m: expected ${sheets} genuine sheet(s) with fronts, got ${res.status} ` +
        `${answer.verdict ?? answer.code} (${got.length} sheets: ` +
        `${got.map((s) => s.verdict).join(", ")})`,
    );
  }
  return seconds;
}

/**
 * Runs P4m.
 *
 * @example
 * ```ts ignore
 * const r = await runP4m({ runs: 5 });
 * console.log(percentile(r.household.sort((a, b) => a - b), 0.5));
 * ```
 */
export async function runP4m(options: P4mOptions = {}): Promise<P4mResult> {
  const runs = options.runs ?? 9;
  const workers = options.workers ?? 2;
  const log = options.log ?? (() => {});
  const center = await makeTestCenter();
  log(`P4m: printing the kiosk's PDF for a household of ${SHEETS}`);
  const { pdf: household } = await householdKioskPdf(center, {
    members: SHEETS,
    issueNumber: "401005-20261126-000700",
  });
  const { pdf: oneSheetPdf } = await householdKioskPdf(center, {
    members: 1,
    issueNumber: "401005-20261126-000701",
  });
  const corpus = await generateCorpus({
    count: 4,
    seed: options.seed ?? 4,
    kinds: ["clean"],
    signer: center.signer,
    encryptionKey: center.encryptionKey,
  });
  const scans: Uint8Array[] = [];
  for await (const item of corpus.items) {
    if (item.distortion.dpi !== 300) {
      throw new Error(`${item.name}: not 300 dpi`);
    }
    scans.push(item.bytes);
  }
  /** Ledger questions of the current verification: issue#page. */
  const asked: string[] = [];
  const portal = await startBenchPortal(workers, {
    keyList: center.keyList,
    decryptionKeys: [center.encryptionKey],
    statusLookup: (n, page) => {
      asked.push(`${n}#${page}`);
      return Promise.resolve("valid");
    },
  });
  const loadAverage = Deno.loadavg().map((x) => Math.round(x * 100) / 100);
  const bodies = {
    household: multipartBody(household),
    oneSheetPdf: multipartBody(oneSheetPdf),
    scans: scans.map(multipartBody),
  };
  const out: P4mResult = {
    household: [],
    oneSheetScan: [],
    oneSheetPdf: [],
    pdfBytes: household.length,
    scanBytes: Math.round(
      scans.reduce((n, s) => n + s.length, 0) / scans.length,
    ),
    workers,
    cpuPerHousehold: 0,
    loadAverage,
  };
  try {
    // Warm-up: every worker has decoded each kind once.
    for (let i = 0; i < workers; i++) {
      await verifyTimed(portal, bodies.scans[i % scans.length], 1);
      await verifyTimed(portal, bodies.oneSheetPdf, 1);
      await verifyTimed(portal, bodies.household, SHEETS);
    }
    let cpuSeconds = 0;
    for (let r = 0; r < runs; r++) {
      out.oneSheetScan.push(
        await verifyTimed(portal, bodies.scans[r % scans.length], 1),
      );
      out.oneSheetPdf.push(await verifyTimed(portal, bodies.oneSheetPdf, 1));
      asked.length = 0;
      const cpu0 = cpuWithChildren();
      out.household.push(
        await verifyTimed(portal, bodies.household, SHEETS),
      );
      cpuSeconds += cpuWithChildren() - cpu0;
      const pages = asked.map((a) => a.split("#")[1]).sort().join(",");
      if (pages !== "1,2,3,4,5,6") {
        throw new Error(`P4m: the ledger was asked for pages ${pages}`);
      }
      log(
        `P4m: run ${r + 1}/${runs}: six sheets ${
          out.household.at(-1)!.toFixed(3)
        } s, one-sheet scan ${out.oneSheetScan.at(-1)!.toFixed(3)} s`,
      );
    }
    out.cpuPerHousehold = cpuSeconds / runs;
  } finally {
    await portal.stop();
  }
  return out;
}

/**
 * CPU seconds (user + system) of this process and of its children that
 * have ended (Linux /proc; NaN elsewhere).
 */
function cpuWithChildren(): number {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime, stime, cutime, cstime, in clock ticks
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) /
      100;
  } catch {
    return NaN;
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The figure's result from a run. */
function figureResult(r: P4mResult): FigureResult {
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const six = sorted(r.household);
  const one = sorted(r.oneSheetScan);
  const onePdf = sorted(r.oneSheetPdf);
  const value = percentile(six, 0.5);
  const baseline = percentile(one, 0.5);
  return {
    value,
    baseline,
    ratio: value / baseline,
    database: NO_DATABASE,
    params: {
      sheets: SHEETS,
      pdf_pages: 2 * SHEETS,
      pdf_bytes: r.pdfBytes,
      runs: six.length,
      p95_s: round3(percentile(six, 0.95)),
      max_s: round3(six[six.length - 1]),
      one_sheet_pdf_median_s: round3(percentile(onePdf, 0.5)),
      baseline_p95_s: round3(percentile(one, 0.95)),
      baseline_scan_bytes_mean: r.scanBytes,
      baseline_is: "one-sheet 300-dpi scan (P4's clean kind), same portal",
      workers: r.workers,
      cpu_s_per_household: round3(r.cpuPerHousehold),
      load_average_at_start: r.loadAverage.join(" "),
      cores: navigator.hardwareConcurrency,
    },
  };
}

/** P4m as a bench figure. */
export const p4m: Figure = {
  id: "P4m",
  metric:
    "portal: the kiosk's six-sheet household PDF (12 pages) verified whole via /api/verify, 2 decode workers, median (baseline: one-sheet 300-dpi scan, same run)",
  unit: "s",
  goal: "median ≤ 1.5 s",
  meets: (r) => r.value <= 1.5,
  async run(ctx) {
    return figureResult(await runP4m({ seed: ctx.args.seed, log: ctx.log }));
  },
};

if (import.meta.main) {
  const runs = Deno.args[0] ? Number(Deno.args[0]) : undefined;
  if (runs !== undefined && !(Number.isInteger(runs) && runs > 0)) {
    throw new RangeError(
      `runs must be a positive integer, got ${Deno.args[0]}`,
    );
  }
  const r = figureResult(
    await runP4m({ runs, log: (m) => console.error(m) }),
  );
  console.log(JSON.stringify(r, null, 2));
}
