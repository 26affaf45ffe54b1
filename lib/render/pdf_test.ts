import assert from "node:assert/strict";
import {
  prepareZXingModule,
  readBarcodes,
  writeBarcode,
} from "zxing-wasm/full";
import {
  makeGaijiSubject,
  makeHouseholdDocument,
  makeInkanSheet,
  makeSheet,
  PUA_GAIJI,
} from "../../tests/fixtures/certificate.ts";
import type {
  BackSide,
  CertificateDocument,
  PlacedSymbol,
} from "../certificate/model.ts";
import { createRenderContext } from "./context.ts";
import {
  BackSideMismatchError,
  FieldTooLongError,
  PageRenderError,
} from "./errors.ts";
import { INKAN_ATTESTATION } from "./forms/inkan.ts";
import { JUMINHYO_ATTESTATION } from "./forms/juminhyo.ts";
import {
  renderDocumentPdf,
  renderDocumentPdfWithReport,
  renderDocumentsPdfWithReport,
} from "./pdf.ts";
import { decodePng, encodePalettePng } from "./png_codec.ts";

const context = createRenderContext();

async function run(
  cmd: string,
  args: string[],
): Promise<{ stdout: Uint8Array; stderr: string }> {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd} failed: ${stderr}`);
  return { stdout: out.stdout, stderr };
}

async function withPdf<T>(
  pdf: Uint8Array,
  fn: (path: string) => Promise<T>,
): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".pdf" });
  try {
    await Deno.writeFile(path, pdf);
    return await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

const pdfText = (pdf: Uint8Array, page?: number) =>
  withPdf(pdf, async (path) => {
    const range = page ? ["-f", String(page), "-l", String(page)] : [];
    return new TextDecoder().decode(
      (await run("pdftotext", [...range, path, "-"])).stdout,
    );
  });

/** Extracted text without whitespace (pdftotext turns U+3000 into spaces). */
const squeeze = (s: string) => s.replace(/\s+/g, "");
const contains = (text: string, s: string) =>
  squeeze(text).includes(squeeze(s));

const pdfPages = (pdf: Uint8Array) =>
  withPdf(pdf, async (path) => {
    const info = new TextDecoder().decode(
      (await run("pdfinfo", [path])).stdout,
    );
    return Number(/Pages:\s+(\d+)/.exec(info)![1]);
  });

Deno.test("renderDocumentPdf() writes real text: name, address, 認証文 and issue number", async () => {
  const doc = makeHouseholdDocument();
  const pdf = renderDocumentPdf(doc, undefined, { context });
  assert.equal(new TextDecoder().decode(pdf.subarray(0, 8)), "%PDF-1.7");
  assert.equal(await pdfPages(pdf), 3);
  const text = await pdfText(pdf);
  for (
    const s of [
      "山田　太郎",
      "山田　花子",
      "山田　一郎",
      "福岡県北九州市小倉北区城内１番１号",
    ]
  ) {
    assert.ok(contains(text, s), `text contains ${s}`);
  }
  assert.ok(contains(text, JUMINHYO_ATTESTATION));
  assert.ok(contains(text, "401005-20261126-000123"));
  assert.ok(contains(text, "令和８年１１月２６日"));
  assert.ok(text.includes("1234 5678 9018"), "個人番号 with the option on");
  assert.ok(!contains(text, "住民票コード"));
  const page2 = await pdfText(pdf, 2);
  assert.ok(
    contains(page2, "山田　花子") && contains(page2, "佐藤") &&
      !contains(page2, "山田　一郎"),
  );
});

Deno.test("renderDocumentPdf() output renders without poppler errors and is deterministic", async () => {
  const doc = { requestId: "r", sheets: [makeInkanSheet()] };
  const a = renderDocumentPdf(doc, undefined, { context });
  const b = renderDocumentPdf(doc, undefined, { context });
  assert.deepEqual(a, b);
  assert.ok(contains(await pdfText(a), INKAN_ATTESTATION));
  await withPdf(a, async (path) => {
    const { stderr } = await run("pdftoppm", ["-r", "30", "-png", path, path]);
    assert.equal(stderr, "");
    await Deno.remove(`${path}-1.png`);
    const images = new TextDecoder().decode(
      (await run("pdfimages", ["-list", path])).stdout,
    );
    assert.match(
      images,
      /\s240\s+240\s+rgb\s/,
      "the seal impression is embedded at full resolution",
    );
  });
});

Deno.test("renderDocumentPdf() embeds an 8-bit palette seal (the registry's versions) as an indexed image poppler draws in its colours", async () => {
  // A 2-colour palette PNG: white paper, ink ring (what twoColourSealPng writes).
  const side = 600;
  const indices = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const r = Math.hypot(x - 300, y - 300);
      indices[y * side + x] = r > 240 && r < 290 ? 1 : 0;
    }
  }
  const printPng = encodePalettePng({
    width: side,
    height: side,
    palette: new Uint8Array([255, 255, 255, 200, 30, 40]),
    indices,
  });
  const base = makeInkanSheet();
  const sheet = { ...base, seal: { ...base.seal, printPng } };
  const pdf = renderDocumentPdf(
    { requestId: "p", sheets: [sheet] },
    undefined,
    {
      context,
    },
  );
  await withPdf(pdf, async (path) => {
    const images = new TextDecoder().decode(
      (await run("pdfimages", ["-list", path])).stdout,
    );
    assert.match(images, /\s600\s+600\s+index\s/, images);
    const { stderr } = await run("pdftoppm", ["-r", "50", "-png", path, path]);
    assert.equal(stderr, "");
    const png = decodePng(await Deno.readFile(`${path}-1.png`));
    await Deno.remove(`${path}-1.png`);
    let ink = 0;
    for (let i = 0; i < png.width * png.height; i++) {
      const p = i * png.channels;
      if (png.data[p] > 150 && png.data[p + 1] < 80 && png.data[p + 2] < 90) {
        ink++;
      }
    }
    assert.ok(ink > 200, `${ink} ink pixels drawn`);
  });
});

Deno.test("renderDocumentPdf() renders IVS and 外字 names and reports the missing glyph", async () => {
  const sheet = makeSheet({
    subject: makeGaijiSubject(),
    options: { zokugara: true },
  });
  const { pdf, glyphIssues } = renderDocumentPdfWithReport(
    { requestId: "g", sheets: [sheet] },
    undefined,
    { context },
  );
  assert.ok(
    glyphIssues.some((g) =>
      g.cluster === PUA_GAIJI && g.status === "missing" && g.page === 1
    ),
  );
  const text = await pdfText(pdf);
  assert.ok(
    contains(text, "葛\u{E0100}城"),
    "the variation sequence survives extraction",
  );
  assert.ok(
    text.includes(`${PUA_GAIJI}子`),
    "the PUA character keeps its own ToUnicode entry",
  );
});

Deno.test("renderDocumentPdf() refuses a field that does not fit", () => {
  const doc = {
    requestId: "x",
    sheets: [makeSheet({ subject: { name: "長".repeat(60) } })],
  };
  assert.throws(
    () => renderDocumentPdf(doc, undefined, { context }),
    (e: unknown) =>
      e instanceof PageRenderError && e.page === 1 && e.side === "front" &&
      e.cause instanceof FieldTooLongError && e.cause.field === "name",
  );
});

Deno.test("renderDocumentPdf() names the sheet it cannot draw: a seal impression that is not a decodable PNG", () => {
  const doc = makeHouseholdDocument();
  const garbage = new Uint8Array(200).fill(0x5a);
  garbage.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // A palette PNG header (so the image is decoded), then garbage.
  const header = new Uint8Array(
    makeInkanSheet().seal.png.subarray(0, 33),
  );
  header[25] = 3;
  const headerThenGarbage = new Uint8Array([...header, ...garbage]);
  for (const png of [garbage, headerThenGarbage]) {
    const sheet = makeInkanSheet({
      seal: { registrationNumber: "1", registeredDate: "2016-01-20", png },
    });
    const inkan = {
      requestId: "x",
      sheets: [{ ...sheet, page: 1, pages: 1 }],
    };
    assert.throws(
      () => renderDocumentPdf(inkan, undefined, { context }),
      (e: unknown) =>
        e instanceof PageRenderError && e.page === 1 && e.side === "front" &&
        e.code === "PAGE_NOT_RENDERED",
    );
  }
  // Sheet 2 of 3: the error names it.
  const broken = structuredClone(doc);
  broken.sheets[1].municipality.mayor = "長".repeat(200);
  assert.throws(
    () => renderDocumentPdf(broken, undefined, { context }),
    (e: unknown) => e instanceof PageRenderError && e.page === 2,
  );
  // The sheets before it still render.
  const first = renderDocumentPdf(broken, undefined, { context, sheets: 1 });
  assert.equal(new TextDecoder().decode(first.subarray(0, 5)), "%PDF-");
});

Deno.test("renderDocumentPdf() checks sheet numbering and binds each back side to its sheet", () => {
  const doc = makeHouseholdDocument();
  const back = (issueNumber: string): BackSide => ({
    keyId: "k",
    issueNumber,
    symbols: [],
  });
  const n = doc.sheets[0].issueNumber;
  assert.throws(
    () => renderDocumentPdf(doc, [back(n), back(n)], { context }),
    BackSideMismatchError,
  );
  assert.throws(
    () =>
      renderDocumentPdf(
        doc,
        [back(n), back("401005-20261126-999999"), back(n)],
        { context },
      ),
    (e: unknown) =>
      e instanceof BackSideMismatchError && e.code === "BACKSIDE_MISMATCH",
  );
  const swapped: CertificateDocument = {
    ...doc,
    sheets: [doc.sheets[1], doc.sheets[0], doc.sheets[2]],
  };
  assert.throws(
    () => renderDocumentPdf(swapped, undefined, { context }),
    RangeError,
  );
  assert.throws(
    () =>
      renderDocumentPdf({ requestId: "e", sheets: [] }, undefined, { context }),
    RangeError,
  );
});

Deno.test("renderDocumentPdf() prints only the first sheets when asked (a jammed print)", async () => {
  const doc = makeHouseholdDocument();
  const n = doc.sheets[0].issueNumber;
  const backs = doc.sheets.map((): BackSide => ({
    keyId: "k",
    issueNumber: n,
    symbols: [],
  }));
  const pdf = renderDocumentPdf(doc, backs, { context, sheets: 1 });
  assert.equal(await pdfPages(pdf), 2);
  assert.ok(contains(await pdfText(pdf, 1), doc.sheets[0].issueNumber));
  for (const bad of [0, 4, 1.5]) {
    assert.throws(
      () => renderDocumentPdf(doc, backs, { context, sheets: bad }),
      RangeError,
    );
  }
});

Deno.test("renderDocumentsPdfWithReport() prints copies one after the other, each its own document and issue number", async () => {
  const copy = (issueNumber: string) => {
    const doc = makeHouseholdDocument();
    const sheets = doc.sheets.map((s) => ({ ...s, issueNumber }));
    return {
      doc: { ...doc, sheets },
      backs: sheets.map((): BackSide => ({
        keyId: "k",
        issueNumber,
        symbols: [],
      })),
    };
  };
  const one = copy("401005-20261126-0000001");
  const three = copy("401005-20261126-0000003");
  const n = one.doc.sheets.length;
  const { pdf } = renderDocumentsPdfWithReport([one, three], { context });
  assert.equal(await pdfPages(pdf), 4 * n, "front and back of every sheet");
  assert.ok(contains(await pdfText(pdf, 1), "401005-20261126-0000001"));
  assert.ok(contains(await pdfText(pdf, 2 * n + 1), "401005-20261126-0000003"));
  // Each copy is checked as a document: a back of another copy is refused.
  assert.throws(
    () =>
      renderDocumentsPdfWithReport([{ doc: one.doc, backs: three.backs }], {
        context,
      }),
    BackSideMismatchError,
  );
  assert.throws(
    () => renderDocumentsPdfWithReport([], { context }),
    RangeError,
  );
});

async function qrSymbol(
  text: string,
  x: number,
  y: number,
): Promise<PlacedSymbol> {
  const r = await writeBarcode(text, {
    format: "QRCode",
    scale: 1,
    addQuietZones: false,
    options: "ecLevel=M",
  });
  if (!r.symbol) throw new Error(r.error);
  const { width, height, data } = r.symbol;
  const modules = new Uint8Array(width * height);
  for (let i = 0; i < modules.length; i++) modules[i] = data[i] < 128 ? 1 : 0;
  return { x, y, moduleSize: 0.6, width, height, modules };
}

Deno.test("back pages follow their fronts and their symbols decode through the background", async () => {
  const wasm = await Deno.readFile(
    new URL(import.meta.resolve("zxing-wasm/full/zxing_full.wasm")),
  );
  await prepareZXingModule({
    overrides: { wasmBinary: wasm.buffer },
    fireImmediately: true,
  });
  const doc = makeHouseholdDocument();
  const backs: BackSide[] = await Promise.all(doc.sheets.map(async (s, i) => ({
    keyId: "asp-401005-2026",
    issueNumber: s.issueNumber,
    symbols: [
      await qrSymbol(`sheet ${i + 1} first`, 20, 30),
      await qrSymbol(`sheet ${i + 1} second`, 120, 150),
    ],
  })));
  const pdf = renderDocumentPdf(doc, backs, { context });
  assert.equal(await pdfPages(pdf), 6);
  const front2 = await pdfText(pdf, 3);
  assert.ok(
    contains(front2, "山田　花子"),
    "page 3 is the second sheet's front",
  );
  const back2 = await pdfText(pdf, 4);
  assert.ok(
    back2.includes("401005-20261126-000123") &&
      back2.includes("asp-401005-2026"),
  );
  const png = await withPdf(pdf, async (path) => {
    await run("pdftoppm", [
      "-f",
      "4",
      "-l",
      "4",
      "-r",
      "200",
      "-gray",
      "-png",
      path,
      path,
    ]);
    const file = `${path}-4.png`;
    const bytes = await Deno.readFile(file);
    await Deno.remove(file);
    return bytes;
  });
  const found = await readBarcodes(png, {
    formats: ["QRCode"],
    tryHarder: true,
    maxNumberOfSymbols: 4,
  });
  assert.deepEqual(found.map((f) => f.text).sort(), [
    "sheet 2 first",
    "sheet 2 second",
  ]);
});
