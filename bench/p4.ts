/**
 * P4, P4rate and P3b — the certificate back side (issue 4).
 *
 * - P4: decode + verify (load, read symbols, reassemble, check the signature,
 *   decrypt) per 300-dpi A4 scan of the distortion corpus, median seconds,
 *   p95 in params. Baseline: the bare zxing read of the same scans (load +
 *   one half-resolution tryHarder pass, as decodeScan's first pass), without
 *   reassembly, verification or decryption. Goal: median ≤ 0.3 s.
 * - P4rate: share of the distortion corpus (10 scans per kind by default)
 *   decoded as genuine with the expected issue number, in %, with the share
 *   per distortion kind in params. Goal ≥ 99.5 %.
 * - P3b: CPU ms to build one certificate — the front PDF and the back side —
 *   mean over one-sheet 住民票 after a warm-up, with the payload (envelope)
 *   bytes per certificate type in params. Goal ≤ 10 ms.
 *
 * None needs a database. Run with `deno task bench --only P4,P4rate,P3b`.
 *
 * @module
 */
import process from "node:process";
import {
  compactSealPng,
  createBackSideBuilder,
  decodeScan,
} from "../lib/backside/mod.ts";
import { sealEnvelope } from "../lib/backside/envelope.ts";
import { readSymbols } from "../lib/backside/zxing.ts";
import { makeInkanSheet, makeSheet } from "../tests/fixtures/certificate.ts";
import { generateContentKey } from "../lib/crypto/content_key.ts";
import { createSigner, generateSigningKey } from "../lib/crypto/signer.ts";
import { createRenderer } from "../lib/render/mod.ts";
import {
  type Corpus,
  DISTORTION_KINDS,
  type DistortionKind,
  generateCorpus,
} from "../tests/fixtures/scan_corpus.ts";
import { halve } from "../lib/backside/gray_ops.ts";
import { loadScan } from "../lib/backside/load_scan.ts";
import {
  type BenchContext,
  type Figure,
  NO_DATABASE,
  percentile,
} from "./lib.ts";

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** `--count` when the harness passes one (BenchArgs has no such field yet). */
function countArg(ctx: BenchContext): number | undefined {
  const n = (ctx.args as { count?: unknown }).count;
  return typeof n === "number" && n > 0 ? n : undefined;
}

/** Kinds whose scans are not (or not always) 300 dpi. */
const OTHER_DPI: readonly DistortionKind[] = [
  "dpi-150",
  "dpi-200",
  "dpi-600",
  "jpeg-low",
  "pdf",
  "combo",
];

/** Kinds whose scans are 300 dpi, in the corpus's order. */
const KINDS_300_DPI: readonly DistortionKind[] = DISTORTION_KINDS.filter((k) =>
  !OTHER_DPI.includes(k)
);

async function collect(corpus: Corpus) {
  const items = [];
  for await (const item of corpus.items) items.push(item);
  return items;
}

/** P4: decode + verify per 300-dpi scan. */
export const p4: Figure = {
  id: "P4",
  metric: "decode + verify per 300-dpi A4 scan, median (p95 in params)",
  unit: "s",
  goal: "median ≤ 0.3 s",
  meets: (r) => r.value <= 0.3,
  async run(ctx) {
    const count = countArg(ctx) ?? 3 * KINDS_300_DPI.length;
    ctx.log(`P4: generating ${count} scans at 300 dpi`);
    const corpus = await generateCorpus({
      count,
      seed: ctx.args.seed ?? 4,
      kinds: KINDS_300_DPI,
    });
    const items = (await collect(corpus)).filter((i) =>
      i.distortion.dpi === 300
    );
    // Warm-up: wasm, sharp and key imports.
    await decodeScan(items[0].bytes, corpus);
    const decodeS: number[] = [];
    const readS: number[] = [];
    let genuine = 0;
    for (const item of items) {
      const t0 = performance.now();
      const r = await decodeScan(item.bytes, corpus);
      decodeS.push((performance.now() - t0) / 1000);
      if (r.verdict === "genuine") genuine++;
      const t1 = performance.now();
      const [page] = await loadScan(item.bytes, { maxDpi: 300, pdfDpi: 200 });
      const img = page.dpi >= 240 ? halve(page) : page;
      await readSymbols(img.data, img.width, img.height, {
        tryHarder: true,
        tryDownscale: false,
      });
      readS.push((performance.now() - t1) / 1000);
    }
    decodeS.sort((a, b) => a - b);
    readS.sort((a, b) => a - b);
    const median = percentile(decodeS, 0.5);
    const baseline = percentile(readS, 0.5);
    return {
      value: median,
      baseline,
      ratio: median / baseline,
      database: NO_DATABASE,
      params: {
        p95_s: round3(percentile(decodeS, 0.95)),
        max_s: round3(decodeS[decodeS.length - 1]),
        baseline_p95_s: round3(percentile(readS, 0.95)),
        scans: items.length,
        genuine: genuine,
        kinds: KINDS_300_DPI.join(","),
        baseline_is: "load + one half-res zxing pass, no verify/decrypt",
      },
    };
  },
};

/** P4rate: share of the corpus decoded correctly. */
export const p4rate: Figure = {
  id: "P4rate",
  metric:
    "share of the distortion corpus decoded as genuine with the right issue number (per kind in params)",
  unit: "%",
  goal: "≥ 99.5 %",
  meets: (r) => r.value >= 99.5,
  async run(ctx) {
    const count = countArg(ctx) ?? 10 * DISTORTION_KINDS.length;
    ctx.log(`P4rate: decoding a corpus of ${count} scans`);
    const corpus = await generateCorpus({ count, seed: ctx.args.seed ?? 1 });
    const perKind = new Map<string, { ok: number; n: number }>();
    const failures: string[] = [];
    let ok = 0;
    let n = 0;
    for await (const item of corpus.items) {
      const r = await decodeScan(item.bytes, corpus);
      const good = r.verdict === "genuine" &&
        r.issueNumber === item.expectedIssueNumber &&
        r.certificate?.issueNumber === item.expectedIssueNumber;
      const k = perKind.get(item.kind) ?? { ok: 0, n: 0 };
      k.n++;
      n++;
      if (good) {
        k.ok++;
        ok++;
      } else {
        failures.push(`${item.name} ${r.verdict}`);
      }
      perKind.set(item.kind, k);
    }
    const params: Record<string, string | number> = { scans: n };
    for (const [kind, k] of perKind) {
      params[`pct_${kind}`] = Math.round(k.ok / k.n * 1000) / 10;
    }
    if (failures.length) params.failures = failures.join(", ");
    return {
      value: ok / n * 100,
      baseline: null,
      ratio: null,
      database: NO_DATABASE,
      params,
    };
  },
};

/** P3b: CPU time to build one certificate (front PDF + back side). */
export const p3b: Figure = {
  id: "P3b",
  metric:
    "CPU ms to build one certificate (front PDF + back side), mean over one-sheet 住民票 (payload bytes in params)",
  unit: "ms",
  goal: "≤ 10 ms",
  meets: (r) => r.value <= 10,
  async run(ctx) {
    const runs = countArg(ctx) ?? 200;
    const signer = await createSigner([
      await generateSigningKey({
        notBefore: new Date("2026-01-01T00:00:00+09:00"),
        notAfter: new Date("2028-01-01T00:00:00+09:00"),
      }),
    ]);
    const encryptionKey = await generateContentKey("bench-enc-1");
    const renderer = await createRenderer();
    const builder = createBackSideBuilder({ signer, encryptionKey });
    const sheets = Array.from({ length: runs }, (_, i) =>
      makeSheet({
        issueNumber: `401005-20261126-${String(i).padStart(6, "0")}`,
        options: { zokugara: true },
      }));
    const buildOne = async (i: number) => {
      const sheet = sheets[i % sheets.length];
      const back = await builder.build(sheet);
      return renderer.pdf({ requestId: `bench-${i}`, sheets: [sheet] }, [back])
        .length;
    };
    ctx.log(`P3b: building ${runs} certificates after a warm-up`);
    for (let i = 0; i < 30; i++) await buildOne(i);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let pdfBytes = 0;
    for (let i = 0; i < runs; i++) pdfBytes += await buildOne(i);
    const wallMs = (performance.now() - t0) / runs;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / runs;

    const full = makeSheet({
      options: { honseki: true, zokugara: true, myNumber: true },
    });
    const inkanBase = makeInkanSheet();
    const inkan = {
      ...inkanBase,
      seal: {
        ...inkanBase.seal!,
        png: await compactSealPng(inkanBase.seal!.png),
      },
    };
    const envJ = await sealEnvelope(full, { signer, encryptionKey });
    const envI = await sealEnvelope(inkan, { signer, encryptionKey });
    return {
      value: cpuMs,
      baseline: null,
      ratio: null,
      database: NO_DATABASE,
      params: {
        runs,
        wall_ms_mean: Math.round(wallMs * 100) / 100,
        pdf_bytes_mean: Math.round(pdfBytes / runs),
        payload_bytes_juminhyo_all_options: envJ.length,
        payload_bytes_inkan_compacted_seal: envI.length,
        seal_png_bytes_compacted: inkan.seal.png.length,
      },
    };
  },
};
