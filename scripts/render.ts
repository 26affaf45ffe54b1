/**
 * Writes sample certificates: a three-sheet household 住民票の写し with every
 * option on, a 印鑑登録証明書 and a 住民票記載事項証明書 beside it, and the first sheet as the portal's
 * PNG. Each sheet's page is followed by its back side (signed, encrypted QR
 * symbols), built with a freshly generated signing key and content key, as
 * the distortion corpus does. With `--bench`, measures the renderer instead.
 *
 * ```sh
 * npx -y deno@2.9.6 task render                       # sample.pdf, sample-inkan.pdf, sample-kisai.pdf, sample.png
 * npx -y deno@2.9.6 task render --out out/juminhyo.pdf
 * npx -y deno@2.9.6 task render --bench
 * ```
 *
 * @module
 */

import { parseCli } from "../lib/service/cli.ts";
import {
  type BackSideBuilder,
  compactSealPng,
  createBackSideBuilder,
} from "../lib/backside/mod.ts";
import type {
  BackSide,
  CertificateDocument,
} from "../lib/certificate/model.ts";
import {
  makeHouseholdDocument,
  makeInkanSheet,
  makeKisaiSheet,
  makeSheet,
} from "../tests/fixtures/certificate.ts";
import { generateContentKey } from "../lib/crypto/content_key.ts";
import { createSigner, generateSigningKey } from "../lib/crypto/signer.ts";
import { createRenderer, type Renderer } from "../lib/render/mod.ts";

/**
 * A back-side builder with a fresh ephemeral signing key and content key
 * (sample output only: nobody holds these keys afterwards).
 *
 * @example
 * ```ts ignore
 * const builder = await sampleBackSideBuilder();
 * const back = await builder.build(makeSheet());
 * ```
 */
export async function sampleBackSideBuilder(): Promise<BackSideBuilder> {
  const now = Date.now();
  const signer = await createSigner([
    await generateSigningKey({
      keyId: "sample-sign-1",
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(now + 365 * 86_400_000),
    }),
  ]);
  const encryptionKey = await generateContentKey("sample-enc-1");
  return createBackSideBuilder({ signer, encryptionKey });
}

async function backSides(
  builder: BackSideBuilder,
  doc: CertificateDocument,
): Promise<BackSide[]> {
  return await Promise.all(doc.sheets.map((s) => builder.build(s)));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(n: number, fn: () => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return out;
}

/**
 * Measures PDF and PNG rendering and prints one line per case.
 *
 * @example
 * ```ts ignore
 * bench(await createRenderer(), 200);
 * ```
 */
export function bench(r: Renderer, n: number): void {
  const one = {
    requestId: "bench-1",
    sheets: [makeSheet({ options: { zokugara: true } })],
  };
  const household = makeHouseholdDocument();
  const inkan = { requestId: "bench-i", sheets: [makeInkanSheet()] };
  const cases: [string, () => Uint8Array][] = [
    ["PDF 住民票 1 sheet", () => r.pdf(one)],
    ["PDF 住民票 3 sheets", () => r.pdf(household)],
    ["PDF 印鑑登録証明書", () => r.pdf(inkan)],
    ["PNG 1000px 住民票", () => r.png(one.sheets[0])],
  ];
  for (const [name, fn] of cases) {
    const runs = name.startsWith("PNG") ? Math.max(5, Math.floor(n / 20)) : n;
    time(Math.min(runs, 20), fn); // warm-up
    const size = fn().length;
    const cpu0 = performance.now();
    const ms = time(runs, fn);
    const total = performance.now() - cpu0;
    console.log(
      `${name.padEnd(20)} median ${median(ms).toFixed(2)} ms  mean ${
        (total / runs).toFixed(2)
      } ms  p90 ${
        ms.sort((a, b) => a - b)[Math.floor(runs * 0.9)].toFixed(2)
      } ms  ${size} bytes  (${runs} runs)`,
    );
  }
}

if (import.meta.main) {
  const { values } = parseCli({
    task: "render",
    usage: "[--out FILE.pdf] [--bench [--runs N]]",
    description:
      "Writes a sample 住民票 (FILE.pdf), 印鑑登録証明書 (FILE-inkan.pdf),\n" +
      "住民票記載事項証明書 (FILE-kisai.pdf) and the first sheet as PNG (FILE.png); default the project's sample.pdf, a typed --out is\n" +
      "relative to the directory you run the task from. --bench times the renderer.",
    options: {
      out: { type: "string", default: "sample.pdf" },
      bench: { type: "boolean", default: false },
      runs: { type: "string", default: "300" },
    },
    paths: ["out"],
  });
  const t = performance.now();
  const renderer = await createRenderer();
  console.log(`renderer ready in ${(performance.now() - t).toFixed(0)} ms`);
  if (values.bench) {
    bench(renderer, Number(values.runs));
  } else {
    const out = values.out!;
    const base = out.replace(/\.pdf$/i, "");
    const builder = await sampleBackSideBuilder();
    const household = makeHouseholdDocument({
      options: { honseki: true, zokugara: true, myNumber: true },
    });
    const { pdf, glyphIssues } = renderer.pdfWithReport(
      household,
      await backSides(builder, household),
    );
    await Deno.writeFile(out, pdf);
    console.log(
      `${out}: 住民票の写し, ${household.sheets.length} sheets (front + back), ${pdf.length} bytes`,
    );
    for (const g of glyphIssues) {
      console.warn(
        `  page ${g.page} ${g.field}: ${JSON.stringify(g.cluster)} ${g.status}`,
      );
    }
    const inkanPath = `${base}-inkan.pdf`;
    // The back side refuses seal PNGs over 2 KB: compact the impression once,
    // before rendering either side, so both show the very same image.
    const inkanSheet = makeInkanSheet();
    const inkanDoc: CertificateDocument = {
      requestId: "sample-inkan",
      sheets: [{
        ...inkanSheet,
        seal: {
          ...inkanSheet.seal!,
          png: await compactSealPng(inkanSheet.seal!.png),
        },
      }],
    };
    const inkan = renderer.pdf(inkanDoc, await backSides(builder, inkanDoc));
    await Deno.writeFile(inkanPath, inkan);
    console.log(
      `${inkanPath}: 印鑑登録証明書 (front + back), ${inkan.length} bytes`,
    );
    const kisaiPath = `${base}-kisai.pdf`;
    const kisaiDoc = { requestId: "sample-kisai", sheets: [makeKisaiSheet()] };
    const kisai = renderer.pdf(kisaiDoc, await backSides(builder, kisaiDoc));
    await Deno.writeFile(kisaiPath, kisai);
    console.log(
      `${kisaiPath}: 住民票記載事項証明書 (front + back), ${kisai.length} bytes`,
    );
    const pngPath = `${base}.png`;
    const png = renderer.png(household.sheets[0], { widthPx: 1000 });
    await Deno.writeFile(pngPath, png);
    console.log(`${pngPath}: portal image of sheet 1, ${png.length} bytes`);
  }
}
