import assert from "node:assert/strict";
import sharp from "sharp";
import { PDFDocument } from "pdf-lib";
import { loadScan, ScanFormatError } from "./load_scan.ts";
import { crc32 } from "../render/png_codec.ts";

// A4 at 100 dpi: 827 × 1169, a black square at (100, 200).
const W = 827;
const H = 1169;
const gray = new Uint8Array(W * H).fill(240);
for (let y = 200; y < 300; y++) gray.fill(10, y * W + 100, y * W + 200);
const base = () => sharp(gray, { raw: { width: W, height: H, channels: 1 } });

Deno.test("loadScan() reads PNG, JPEG, TIFF and colour images as gray pages", async () => {
  const files = {
    png: await base().png().toBuffer(),
    jpeg: await base().jpeg({ quality: 90 }).toBuffer(),
    tiff: await base().tiff({ compression: "lzw" }).toBuffer(),
    colour: await base().toColourspace("srgb").tint("#ffddaa").jpeg()
      .toBuffer(),
  };
  for (const [name, bytes] of Object.entries(files)) {
    const [page] = await loadScan(bytes);
    assert.equal(page.width, W, name);
    assert.equal(page.height, H, name);
    assert.equal(page.data.length, W * H, name);
    assert.ok(Math.abs(page.dpi - 100) < 1, `${name} dpi ${page.dpi}`);
    assert.ok(page.data[250 * W + 150] < 60, `${name} dark square`);
    assert.ok(page.data[50 * W + 50] > 180, `${name} paper`);
  }
});

Deno.test("loadScan() scales pages above maxDpi down while decoding", async () => {
  const big = await base().resize(W * 4).jpeg().toBuffer(); // 400 dpi
  const [page] = await loadScan(big, { maxDpi: 200 });
  assert.equal(page.dpi, 200);
  assert.ok(Math.abs(page.width - W * 2) <= 2, `width ${page.width}`);
});

Deno.test("loadScan() rasterizes each PDF page with pdftoppm", async () => {
  const pdf = await PDFDocument.create();
  pdf.addPage([595.28, 841.89]);
  const img = await pdf.embedPng(await base().png().toBuffer());
  pdf.addPage([595.28, 841.89]).drawImage(img, {
    x: 0,
    y: 0,
    width: 595.28,
    height: 841.89,
  });
  const pages = await loadScan(await pdf.save(), { pdfDpi: 150 });
  assert.equal(pages.length, 2);
  const { width, dpi, data } = pages[1];
  assert.ok(Math.abs(width - 1240) <= 1, `width ${width}`);
  assert.equal(dpi, 150);
  assert.ok(data[375 * width + 225] < 80);
});

Deno.test("loadScan() refuses junk and decompression bombs", async () => {
  await assert.rejects(loadScan(new Uint8Array([1, 2, 3])), ScanFormatError);
  // A PNG header claiming 40000 × 40000 pixels: refused before decoding.
  await assert.rejects(loadScan(pngHeader(40000, 40000)), ScanFormatError);
});

function pngHeader(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: number[]) => {
    const body = new Uint8Array([...new TextEncoder().encode(type), ...data]);
    const c = crc32(body);
    return [
      ...[24, 16, 8, 0].map((s) => (data.length >>> s) & 0xff),
      ...body,
      ...[24, 16, 8, 0].map((s) => (c >>> s) & 0xff),
    ];
  };
  const be = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 0xff);
  return new Uint8Array([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...chunk("IHDR", [...be(width), ...be(height), 8, 0, 0, 0, 0]),
    ...chunk("IEND", []),
  ]);
}
