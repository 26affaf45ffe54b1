/**
 * Writes the distortion corpus of simulated back-side scans to a directory:
 * the scan files, `manifest.json` (file → expected issue number, distortion
 * kind and parameters), `keylist.json` (public keys) and `content-key.json`
 * (the corpus-only AES key, so the scans can be decoded later).
 *
 * ```
 * npx -y deno@2.9.6 task corpus --out DIR [--count N] [--seed S] [--kinds stain,hole] [--decode] [--full-page]
 * ```
 * `--full-page` prints the back as the kiosk does (lib/render's back page:
 * copy-guard background, scrambled pattern, clear issue number) instead of
 * the symbols alone.
 * With `--decode`, every scan is also verified and a success table per
 * distortion kind is printed, with decode-time median and p95.
 *
 * @module
 */

import sharp from "sharp";
import type { BackSide } from "../lib/certificate/model.ts";
import type { GrayImage } from "../lib/backside/rasterize.ts";
import { decodeScan } from "../lib/backside/decode_scan.ts";
import { parseCli, usageError } from "../lib/service/cli.ts";
import { importContentKey } from "../lib/crypto/content_key.ts";
import {
  DISTORTION_KINDS,
  type DistortionKind,
  generateCorpus,
} from "../tests/fixtures/scan_corpus.ts";

const CORPUS_CLI = {
  task: "corpus",
  usage:
    "--out DIR [--count N] [--seed S] [--kinds a,b] [--decode] [--full-page]",
  description:
    `Writes simulated back-side scans, manifest.json, keylist.json and
content-key.json to --out (relative to the directory you run the task from).
Kinds: ${DISTORTION_KINDS.join(", ")}.`,
  options: {
    out: { type: "string" },
    count: { type: "string", default: String(DISTORTION_KINDS.length * 4) },
    seed: { type: "string", default: "1" },
    kinds: { type: "string" },
    decode: { type: "boolean", default: false },
    "full-page": { type: "boolean", default: false },
  },
  paths: ["out"],
} as const;
const { values } = parseCli(CORPUS_CLI);

if (!values.out) usageError(CORPUS_CLI, "--out is required");
const count = Number(values.count);
const seed = Number(values.seed);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
  usageError(CORPUS_CLI, "--count and --seed must be positive integers");
}
const kinds = values.kinds
  ? values.kinds.split(",").map((k) => k.trim()) as DistortionKind[]
  : DISTORTION_KINDS;
for (const k of kinds) {
  if (!DISTORTION_KINDS.includes(k)) {
    usageError(
      CORPUS_CLI,
      `Unknown kind ${k}; known: ${DISTORTION_KINDS.join(", ")}`,
    );
  }
}

const out = values.out;
await Deno.mkdir(out, { recursive: true });
const rawKey = crypto.getRandomValues(new Uint8Array(32));
const encryptionKey = await importContentKey("corpus-enc-1", rawKey);
const corpus = await generateCorpus({
  count,
  seed,
  kinds,
  encryptionKey,
  printBack: values["full-page"] ? await fullPagePrinter() : undefined,
});
await Deno.writeTextFile(
  `${out}/keylist.json`,
  JSON.stringify(corpus.keyList, null, 2),
);
await Deno.writeTextFile(
  `${out}/content-key.json`,
  JSON.stringify(
    {
      note: "Corpus-only test key. Never use for real certificates.",
      keyId: encryptionKey.keyId,
      rawBase64: rawKey.toBase64(),
    },
    null,
    2,
  ),
);

const manifest = [];
const results = new Map<string, { ok: number; total: number }>();
const times: number[] = [];
for await (const item of corpus.items) {
  await Deno.writeFile(`${out}/${item.name}`, item.bytes);
  const entry: Record<string, unknown> = {
    file: item.name,
    expectedIssueNumber: item.expectedIssueNumber,
    kind: item.kind,
    certificateType: item.certificateType,
    symbols: item.symbols,
    bytes: item.bytes.length,
    distortion: item.distortion,
  };
  if (values.decode) {
    const r = await decodeScan(item.bytes, corpus);
    const ok = r.verdict === "genuine" &&
      r.certificate?.issueNumber === item.expectedIssueNumber;
    entry.decoded = { verdict: r.verdict, reason: r.reason.code, ...r.stats };
    const row = results.get(item.kind) ?? { ok: 0, total: 0 };
    row.total++;
    if (ok) row.ok++;
    results.set(item.kind, row);
    times.push(r.stats.ms);
    console.log(
      `${item.name.padEnd(24)} ${
        ok ? "ok " : "BAD"
      } ${r.verdict} ${r.reason.code} ` +
        `${r.stats.symbolsRead}/${
          r.stats.symbolsTotal ?? "?"
        } symbols ${r.stats.ms} ms`,
    );
  } else {
    console.log(item.name);
  }
  manifest.push(entry);
}
await Deno.writeTextFile(
  `${out}/manifest.json`,
  JSON.stringify(manifest, null, 2),
);

if (values.decode) {
  let ok = 0;
  for (const [kind, r] of results) {
    ok += r.ok;
    console.log(`${kind.padEnd(14)} ${r.ok}/${r.total}`);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) =>
    times[Math.min(times.length - 1, Math.floor(p * times.length))];
  console.log(
    `all            ${ok}/${manifest.length}   decode median ${
      at(0.5)
    } ms, p95 ${at(0.95)} ms`,
  );
}
console.log(`Wrote ${manifest.length} scans and manifest.json to ${out}`);

/** The kiosk's back page from lib/render, as a gray raster at `dpi`. */
async function fullPagePrinter() {
  const { createRenderer, renderLayoutPng } = await import(
    "../lib/render/mod.ts"
  );
  const renderer = await createRenderer();
  return async (back: BackSide, dpi: number): Promise<GrayImage> => {
    const widthPx = Math.round(210 / 25.4 * dpi);
    const png = renderLayoutPng(
      renderer.layoutBack(back),
      renderer.context,
      widthPx,
    );
    const { data, info } = await sharp(png).flatten({ background: "#ffffff" })
      .toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  };
}
