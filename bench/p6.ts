/**
 * P6 — JavaScript shipped on the verification portal's upload page at first
 * load, in KB (goal ≤ 30), with the page's server render time beside it.
 *
 * The islands are bundled exactly as in production (`deno bundle
 * --platform browser --minify`) into a temporary static folder; the page is
 * requested from the portal app, every script it links is fetched, and the
 * scripts' static imports (shared chunks) are followed. Render time is the
 * median and p95 of `GET /` through the app, after a warm-up.
 *
 * Run with the others (`deno task bench --only P6`) or on its own:
 * `deno run -A bench/p6.ts` (merges P6 into bench/results.json).
 *
 * @module
 */
import { silentLogger } from "../lib/service/logger.ts";
import { createPortalApp } from "../services/portal/app.ts";
import { memoryAuditSink } from "../services/portal/audit.ts";
import { bundleIslands } from "../services/portal/fresh/bundle.ts";
import { discoverFiles } from "../services/portal/fresh/manifest.ts";
import { PORTAL_ROOT } from "../services/portal/paths.ts";
import {
  type Figure,
  mergeResults,
  NO_DATABASE,
  readResults,
  resultEntry,
} from "./lib.ts";

/** P6's result. */
export interface P6Result {
  /** KB of JavaScript on first load. */
  value: number;
  unit: "KB";
  goal: number;
  /** Server render time of the upload page, ms. */
  renderMs: { median: number; p95: number };
  details: {
    scripts: Array<{ url: string; bytes: number; gzipBytes: number }>;
    gzipKb: number;
    htmlBytes: number;
    islandPropsBytes: number;
    renders: number;
  };
}

async function gzipSize(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([new Uint8Array(bytes)]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/**
 * `sorted[floor(n·p)]`: one rank above lib.ts's nearest-rank `percentile`
 * when n·p is whole; kept so that render times stay comparable with earlier
 * results.
 */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/**
 * Runs P6.
 *
 * @example
 * ```ts ignore
 * const r = await runP6();
 * console.log(`${r.value} KB, render ${r.renderMs.median} ms`);
 * ```
 */
export async function runP6(
  options: { renders?: number } = {},
): Promise<P6Result> {
  const renders = options.renders ?? 200;
  const staticDir = await Deno.makeTempDir({ prefix: "bench-p6-" });
  try {
    const { islands } = await discoverFiles(PORTAL_ROOT);
    await bundleIslands({ root: PORTAL_ROOT, islands, outDir: staticDir });
    const app = await createPortalApp({
      keyList: { keys: [] },
      decryptionKeys: [],
      statusLookup: () => Promise.resolve("valid"),
      audit: memoryAuditSink(),
      logger: silentLogger(),
      staticDir,
    });
    const res = await app.request("/");
    const html = await res.text();
    const queue = [
      ...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g),
      ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
    ].map((m) => m[1]);
    const inline = [
      ...html.matchAll(/<script(?![^>]*\ssrc=)([^>]*)>([\s\S]*?)<\/script>/g),
    ]
      .filter((m) => !/type="application\/json"/.test(m[1]));
    if (inline.length > 0) {
      throw new Error("inline scripts would not pass the CSP");
    }
    const seen = new Set<string>();
    const scripts: P6Result["details"]["scripts"] = [];
    while (queue.length > 0) {
      const url = queue.shift()!;
      const path = new URL(url, "http://portal/").pathname;
      if (seen.has(path)) continue;
      seen.add(path);
      const r = await app.request(url);
      if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
      const bytes = new Uint8Array(await r.arrayBuffer());
      scripts.push({
        url,
        bytes: bytes.length,
        gzipBytes: await gzipSize(bytes),
      });
      const text = new TextDecoder().decode(bytes);
      for (
        const m of text.matchAll(/(?:import|from)\s*["'](\.\/[^"']+\.js)["']/g)
      ) {
        queue.push(new URL(m[1], new URL(url, "http://portal/")).pathname);
      }
    }
    const props =
      /id="__PORTAL_ISLANDS__">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    for (let i = 0; i < 20; i++) await (await app.request("/")).text();
    const times: number[] = [];
    for (let i = 0; i < renders; i++) {
      const t0 = performance.now();
      await (await app.request("/")).text();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const kb = (n: number) => Math.round(n / 1024 * 10) / 10;
    const total = scripts.reduce((n, s) => n + s.bytes, 0);
    return {
      value: kb(total),
      unit: "KB",
      goal: 30,
      renderMs: {
        median: Math.round(percentile(times, 0.5) * 100) / 100,
        p95: Math.round(percentile(times, 0.95) * 100) / 100,
      },
      details: {
        scripts,
        gzipKb: kb(scripts.reduce((n, s) => n + s.gzipBytes, 0)),
        htmlBytes: new TextEncoder().encode(html).length,
        islandPropsBytes: props.length,
        renders,
      },
    };
  } finally {
    await Deno.remove(staticDir, { recursive: true });
  }
}

/**
 * P6 as a bench figure. The render time goes into `params`: it is not in the
 * figure's unit, so it is no baseline.
 */
export const p6: Figure = {
  id: "P6",
  metric: "JS on the upload page's first load (render time in params)",
  unit: "KB",
  goal: "≤ 30 KB",
  meets: (r) => r.value <= 30,
  async run(ctx) {
    ctx.log("P6: bundling islands and rendering the upload page");
    const r = await runP6();
    return {
      value: r.value,
      baseline: null,
      ratio: null,
      database: NO_DATABASE,
      params: {
        render_ms_median: r.renderMs.median,
        render_ms_p95: r.renderMs.p95,
        gzip_kb: r.details.gzipKb,
        scripts: r.details.scripts.map((s) =>
          `${s.url.split("?")[0]} ${s.bytes} B`
        ).join(", "),
        html_bytes: r.details.htmlBytes,
      },
    };
  },
};

if (import.meta.main) {
  const path = new URL("./results.json", import.meta.url).pathname;
  const fig = await p6.run({
    args: {},
    databaseUrl: "",
    scratchDatabase: () => Promise.reject(new Error("P6 needs no database")),
    log: (m) => console.error(m),
  });
  console.log(
    `P6: ${fig.value} KB of JavaScript on first load (goal ${p6.goal}; ` +
      `${fig.params!.gzip_kb} KB gzipped), upload page rendered in ` +
      `${fig.params!.render_ms_median} ms median / ${
        fig.params!.render_ms_p95
      } ms p95`,
  );
  const merged = mergeResults(await readResults(path), [
    resultEntry(p6, fig),
  ], {
    measured_at: new Date().toISOString(),
    cores: navigator.hardwareConcurrency,
  });
  await Deno.writeTextFile(path, JSON.stringify(merged, null, 2) + "\n");
}
