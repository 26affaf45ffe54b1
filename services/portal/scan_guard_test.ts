import assert from "node:assert/strict";
import sharp from "sharp";
import { PDFDocument } from "pdf-lib";
import { crc32 } from "../../lib/render/png_codec.ts";
import {
  DEFAULT_LIMITS,
  inspectScan,
  pdfInfo,
  sniffScanType,
} from "./scan_guard.ts";

async function page(
  format: "png" | "jpeg" | "tiff",
  width = 1240,
  height = 1754,
) {
  const img = sharp({
    create: { width, height, channels: 3, background: "#fafafa" },
  });
  const buf = format === "png"
    ? await img.png().toBuffer()
    : format === "jpeg"
    ? await img.jpeg().toBuffer()
    : await img.tiff().toBuffer();
  return new Uint8Array(buf);
}

/** A PNG made of an IHDR with the given size and one tiny IDAT. */
function pngHeader(
  width: number,
  height: number,
  depth = 8,
  color = 0,
): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = depth;
  ihdr[9] = color;
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk(
      "IDAT",
      new Uint8Array([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]),
    ),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("sniffScanType() reads the type from the bytes, not the name", async () => {
  assert.equal(sniffScanType(await page("png")), "png");
  assert.equal(sniffScanType(await page("jpeg")), "jpeg");
  assert.equal(sniffScanType(await page("tiff")), "tiff");
  assert.equal(
    sniffScanType(new TextEncoder().encode("junk\n%PDF-1.7\n")),
    "pdf",
  );
  assert.equal(sniffScanType(new TextEncoder().encode("GIF89a")), undefined);
  assert.equal(sniffScanType(new Uint8Array()), undefined);
});

Deno.test("inspectScan() accepts whole PNG, JPEG and TIFF pages and reports their size", async () => {
  for (const kind of ["png", "jpeg", "tiff"] as const) {
    const check = await inspectScan(await page(kind), DEFAULT_LIMITS);
    assert.deepEqual(check, {
      ok: true,
      kind,
      width: 1240,
      height: 1754,
      pages: 1,
    }, kind);
  }
});

Deno.test("inspectScan() refuses a 50,000 × 50,000 header before decoding anything", async () => {
  const check = await inspectScan(pngHeader(50_000, 50_000), DEFAULT_LIMITS);
  assert.equal(check.ok, false);
  assert.equal(!check.ok && check.refusal.code, "IMAGE_TOO_LARGE");
  assert.equal(!check.ok && check.refusal.status, 422);
  assert.match(!check.ok ? check.refusal.en : "", /50000×50000/);
});

Deno.test("inspectScan() refuses a decoded size over the limit even under the pixel limit (16-bit RGBA)", async () => {
  const check = await inspectScan(pngHeader(6000, 6000, 16, 6), DEFAULT_LIMITS);
  assert.equal(!check.ok && check.refusal.code, "IMAGE_TOO_LARGE");
  const gray = await inspectScan(pngHeader(6000, 6000, 8, 0), DEFAULT_LIMITS);
  assert.equal(gray.ok, true);
});

Deno.test("inspectScan() refuses truncated files and a bad CRC as damaged", async () => {
  for (const kind of ["png", "jpeg", "tiff"] as const) {
    const whole = await page(kind);
    const check = await inspectScan(
      whole.slice(0, Math.floor(whole.length * 0.7)),
      DEFAULT_LIMITS,
    );
    assert.equal(!check.ok && check.refusal.code, "DAMAGED_FILE", kind);
  }
  const png = await page("png");
  png[40] ^= 0xff;
  assert.equal((await inspectScan(png, DEFAULT_LIMITS)).ok, false);
});

Deno.test("inspectScan() refuses a too-small image and an image that also claims to be a PDF", async () => {
  const small = await inspectScan(await page("png", 200, 280), DEFAULT_LIMITS);
  assert.equal(!small.ok && small.refusal.code, "RESOLUTION_TOO_LOW");
  const poly = pngHeader(1240, 1754);
  const withPdf = new Uint8Array(poly.length + 16);
  withPdf.set(poly);
  withPdf.set(new TextEncoder().encode("%PDF-1.7"), poly.length);
  const ambiguous = await inspectScan(withPdf, DEFAULT_LIMITS);
  assert.equal(!ambiguous.ok && ambiguous.refusal.code, "AMBIGUOUS_FILE");
});

Deno.test("pdfInfo() measures pages; inspectScan() limits their count and size", async () => {
  const doc = await PDFDocument.create();
  doc.addPage([595.28, 841.89]);
  const a4 = await doc.save();
  assert.deepEqual(await pdfInfo(a4, 4), {
    pages: 1,
    pageSizes: [{ width: 595.28, height: 841.89 }],
  });
  assert.deepEqual(await inspectScan(a4, DEFAULT_LIMITS), {
    ok: true,
    kind: "pdf",
    width: 595,
    height: 842,
    pages: 1,
  });
  const many = await PDFDocument.create();
  for (let i = 0; i < 41; i++) many.addPage([595.28, 841.89]);
  const tooMany = await inspectScan(await many.save(), DEFAULT_LIMITS);
  assert.equal(!tooMany.ok && tooMany.refusal.code, "TOO_MANY_SHEETS");
  const huge = await PDFDocument.create();
  huge.addPage([14400, 14400]);
  const tooBig = await inspectScan(await huge.save(), DEFAULT_LIMITS);
  assert.equal(!tooBig.ok && tooBig.refusal.code, "PDF_PAGE_TOO_LARGE");
  const cut = await inspectScan(a4.slice(0, a4.length - 200), DEFAULT_LIMITS);
  assert.equal(!cut.ok && cut.refusal.code, "DAMAGED_FILE");
});
