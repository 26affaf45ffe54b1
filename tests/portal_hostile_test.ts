/**
 * Hostile and malformed uploads: every one must get a 4xx with a code and a
 * plain reason in both languages — never a 5xx, never a crash — and the
 * portal must still be healthy afterwards.
 */
import assert from "node:assert/strict";
import { createDeflate, deflateSync } from "node:zlib";
import sharp from "sharp";
import { PDFDocument } from "pdf-lib";
import { zipSync } from "fflate";
import { seededRandom } from "./fixtures/sample_sheets.ts";
import { crc32 } from "../lib/render/png_codec.ts";
import {
  BANK_KEY,
  makeTestPortal,
  openStartPage,
  postApi,
  postForm,
} from "./support/portal_world.ts";

const enc = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function randomBytes(rand: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat(enc.encode(type), data);
  return concat(u32(data.length), body, u32(crc32(body)));
}

const PNG_SIG = new Uint8Array([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
]);

function png(
  width: number,
  height: number,
  idat: Uint8Array,
  depth = 8,
  color = 0,
  extra: Uint8Array[] = [],
) {
  const ihdr = concat(
    u32(width),
    u32(height),
    new Uint8Array([depth, color, 0, 0, 0]),
  );
  return concat(
    PNG_SIG,
    pngChunk("IHDR", ihdr),
    ...extra,
    pngChunk("IDAT", idat),
    pngChunk("IEND", new Uint8Array()),
  );
}

async function deflateZeros(totalBytes: number): Promise<Uint8Array> {
  const z = createDeflate({ level: 9 });
  const out: Uint8Array[] = [];
  z.on("data", (d: Uint8Array) => out.push(new Uint8Array(d)));
  const done = new Promise((resolve) => z.on("end", resolve));
  const chunk = new Uint8Array(1 << 20);
  for (let left = totalBytes; left > 0; left -= chunk.length) {
    z.write(left >= chunk.length ? chunk : chunk.subarray(0, left));
  }
  z.end();
  await done;
  return concat(...out);
}

function jpegSegment(marker: number, data: Uint8Array): Uint8Array {
  return concat(
    new Uint8Array([
      0xff,
      marker,
      (data.length + 2) >> 8,
      (data.length + 2) & 0xff,
    ]),
    data,
  );
}

function jpegWithSof(width: number, height: number, scans = 1): Uint8Array {
  const sof = new Uint8Array([
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    1,
    1,
    0x11,
    0,
  ]);
  const sos = jpegSegment(0xda, new Uint8Array([1, 1, 0, 0, 63, 0]));
  const body: Uint8Array[] = [];
  for (let i = 0; i < scans; i++) body.push(sos, new Uint8Array([0x12, 0x34]));
  return concat(
    new Uint8Array([0xff, 0xd8]),
    jpegSegment(0xc0, sof),
    ...body,
    new Uint8Array([0xff, 0xd9]),
  );
}

function tiff(
  entries: Array<[number, number, number, number]>,
  extra = 0,
  nextIfd = 0,
): Uint8Array {
  const n = entries.length;
  const b = new Uint8Array(8 + 2 + n * 12 + 4 + extra);
  const v = new DataView(b.buffer);
  b.set([0x49, 0x49, 0x2a, 0x00]);
  v.setUint32(4, 8, true);
  v.setUint16(8, n, true);
  entries.forEach(([tag, type, count, value], i) => {
    const e = 10 + i * 12;
    v.setUint16(e, tag, true);
    v.setUint16(e + 2, type, true);
    v.setUint32(e + 4, count, true);
    if (type === 3 && count === 1) v.setUint16(e + 8, value, true);
    else v.setUint32(e + 8, value, true);
  });
  v.setUint32(10 + n * 12, nextIfd, true);
  return b;
}

async function pdfWith(
  pages: number,
  size: [number, number],
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < pages; i++) doc.addPage(size);
  return await doc.save();
}

interface Hostile {
  name: string;
  bytes: Uint8Array;
  filename?: string;
}

async function hostileFiles(): Promise<Hostile[]> {
  const rand = seededRandom(2026);
  const files: Hostile[] = [];
  const add = (name: string, bytes: Uint8Array, filename?: string) =>
    files.push({ name, bytes, filename });

  const page = (f: "png" | "jpeg" | "tiff") => {
    const img = sharp({
      create: { width: 1240, height: 1754, channels: 3, background: "#f4f4f4" },
    });
    return (f === "png" ? img.png() : f === "jpeg" ? img.jpeg() : img.tiff())
      .toBuffer();
  };
  const whole = {
    png: new Uint8Array(await page("png")),
    jpeg: new Uint8Array(await page("jpeg")),
    tiff: new Uint8Array(await page("tiff")),
    pdf: await (async () => {
      const doc = await PDFDocument.create();
      const img = await doc.embedPng(new Uint8Array(await page("png")));
      doc.addPage([595.28, 841.89]).drawImage(img, {
        x: 0,
        y: 0,
        width: 595.28,
        height: 841.89,
      });
      return await doc.save();
    })(),
  };

  add("empty", new Uint8Array());
  for (let i = 0; i < 30; i++) {
    add(
      `random ${i}`,
      randomBytes(rand, 1 + Math.floor(rand() * 60_000)),
      `scan${i}.png`,
    );
  }
  const magics: Array<[string, Uint8Array]> = [
    ["png", PNG_SIG],
    ["jpeg", new Uint8Array([0xff, 0xd8, 0xff, 0xe0])],
    ["tiff", new Uint8Array([0x49, 0x49, 0x2a, 0x00])],
    ["tiff-be", new Uint8Array([0x4d, 0x4d, 0x00, 0x2a])],
    ["pdf", enc.encode("%PDF-1.7\n")],
  ];
  for (const [kind, magic] of magics) {
    for (let i = 0; i < 8; i++) {
      add(
        `${kind} magic + random ${i}`,
        concat(magic, randomBytes(rand, 8 + Math.floor(rand() * 20_000))),
      );
    }
  }
  for (const kind of ["png", "jpeg", "tiff", "pdf"] as const) {
    const full = whole[kind];
    const cuts = kind === "png" || kind === "jpeg" ? 30 : 20;
    for (let i = 0; i < cuts; i++) {
      const at = Math.max(
        1,
        Math.floor(full.length * (0.02 + 0.93 * i / (cuts - 1))),
      );
      add(`truncated ${kind} at ${at}/${full.length}`, full.slice(0, at));
    }
  }
  // Wrong types.
  const wrong: Array<[string, Uint8Array, string?]> = [
    ["gif", enc.encode("GIF89a\x01\x00\x01\x00\x00\x00\x00;")],
    ["bmp", concat(enc.encode("BM"), randomBytes(rand, 200))],
    [
      "webp",
      concat(
        enc.encode("RIFF\x24\x00\x00\x00WEBPVP8 "),
        randomBytes(rand, 100),
      ),
    ],
    ["zip", zipSync({ "a.txt": enc.encode("hello") })],
    [
      "zip bomb",
      zipSync({ "zeros.bin": new Uint8Array(20 << 20) }, { level: 9 }),
    ],
    [
      "gzip",
      concat(new Uint8Array([0x1f, 0x8b, 8, 0]), randomBytes(rand, 100)),
    ],
    ["zlib stream", deflateSync(new Uint8Array(1 << 20))],
    [
      "7z",
      concat(
        new Uint8Array([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]),
        randomBytes(rand, 64),
      ),
    ],
    ["rar", concat(enc.encode("Rar!\x1a\x07\x00"), randomBytes(rand, 64))],
    ["elf", concat(enc.encode("\x7fELF"), randomBytes(rand, 256))],
    ["exe", concat(enc.encode("MZ"), randomBytes(rand, 256))],
    ["mp4", concat(u32(24), enc.encode("ftypisom"), randomBytes(rand, 64))],
    ["heic", concat(u32(24), enc.encode("ftypheic"), randomBytes(rand, 64))],
    ["html", enc.encode("<!doctype html><script>alert(1)</script>")],
    [
      "svg",
      enc.encode(
        '<svg xmlns="http://www.w3.org/2000/svg" width="99999" height="99999"/>',
      ),
    ],
    [
      "xml bomb",
      enc.encode(
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><l>&b;</l>',
      ),
    ],
    ["json", enc.encode('{"scan":"not really"}')],
    ["text ja", enc.encode("住民票の写し（コピー）です")],
    ["postscript", enc.encode("%!PS-Adobe-3.0\nshowpage\n")],
    ["psd", concat(enc.encode("8BPS"), randomBytes(rand, 64))],
    [
      "jpeg2000",
      concat(
        new Uint8Array([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20]),
        randomBytes(rand, 64),
      ),
    ],
    ["ico", concat(new Uint8Array([0, 0, 1, 0, 1, 0]), randomBytes(rand, 64))],
    ["wasm", concat(enc.encode("\0asm"), randomBytes(rand, 64))],
    ["sqlite", concat(enc.encode("SQLite format 3\0"), randomBytes(rand, 64))],
    [
      "bigtiff",
      concat(
        new Uint8Array([0x49, 0x49, 0x2b, 0x00, 8, 0, 0, 0]),
        randomBytes(rand, 64),
      ),
    ],
    [
      "png named .pdf but only a name",
      enc.encode("not a pdf at all"),
      "scan.pdf",
    ],
  ];
  for (const [name, bytes, filename] of wrong) {
    add(`wrong type: ${name}`, bytes, filename);
  }

  // Bombs and absurd dimensions.
  add(
    "png 50,000 × 50,000 header",
    png(50_000, 50_000, new Uint8Array([0x78, 0x9c, 0x03, 0, 0, 0, 0, 1])),
  );
  add(
    "png 50,000 × 50,000 IHDR only",
    concat(
      PNG_SIG,
      pngChunk(
        "IHDR",
        concat(u32(50_000), u32(50_000), new Uint8Array([8, 0, 0, 0, 0])),
      ),
    ),
  );
  add("png 2^31-1 square", png(0x7fffffff, 0x7fffffff, new Uint8Array(8)));
  add("png 1 × 1,000,000", png(1, 1_000_000, new Uint8Array(8)));
  add("png 0 × 0", png(0, 0, new Uint8Array(8)));
  add(
    "png bomb 20,000 × 20,000 1-bit zeros",
    png(20_000, 20_000, await deflateZeros(20_000 * 2_501), 1, 0),
  );
  add(
    "png bomb 5,200 × 5,200 16-bit RGBA zeros",
    png(5_200, 5_200, await deflateZeros(5_200 * (5_200 * 8 + 1)), 16, 6),
  );
  add("png bad bit depth", png(1240, 1754, new Uint8Array(8), 7, 0));
  add(
    "png iCCP of 2 MB",
    png(1240, 1754, new Uint8Array(8), 8, 0, [
      pngChunk("iCCP", new Uint8Array(2 << 20)),
    ]),
  );
  add(
    "png two IHDR",
    concat(
      PNG_SIG,
      pngChunk(
        "IHDR",
        concat(u32(1240), u32(1754), new Uint8Array([8, 0, 0, 0, 0])),
      ),
      pngChunk("IHDR", concat(u32(9), u32(9), new Uint8Array([8, 0, 0, 0, 0]))),
      pngChunk("IEND", new Uint8Array()),
    ),
  );
  add(
    "png without IDAT",
    concat(
      PNG_SIG,
      pngChunk(
        "IHDR",
        concat(u32(1240), u32(1754), new Uint8Array([8, 0, 0, 0, 0])),
      ),
      pngChunk("IEND", new Uint8Array()),
    ),
  );
  add(
    "png that is also a pdf",
    png(1240, 1754, new Uint8Array(8), 8, 0, [
      pngChunk("tEXt", enc.encode("c\0%PDF-1.4 1 0 obj")),
    ]),
  );
  for (let i = 0; i < 5; i++) {
    add(
      `png with garbage zlib ${i}`,
      png(1240, 1754, randomBytes(rand, 2000 + i * 500)),
    );
  }
  add("png 1 × 1", png(1, 1, deflateSync(new Uint8Array([0, 0]))));
  add("jpeg 65,535 × 65,535 header", jpegWithSof(65_535, 65_535));
  add("jpeg 50,000 × 50,000 header", jpegWithSof(50_000, 50_000));
  add("jpeg height 0 (DNL)", jpegWithSof(1240, 0));
  add("jpeg 5,000 scans", jpegWithSof(1240, 1754, 5_000));
  add(
    "jpeg without SOS",
    concat(
      new Uint8Array([0xff, 0xd8]),
      jpegSegment(0xc0, new Uint8Array([8, 6, 0xda, 4, 0xd8, 1, 1, 0x11, 0])),
      new Uint8Array([0xff, 0xd9]),
    ),
  );
  add(
    "jpeg 100 × 100",
    new Uint8Array(
      await sharp({
        create: { width: 100, height: 100, channels: 3, background: "#fff" },
      }).jpeg().toBuffer(),
    ),
  );
  add(
    "tiff 50,000 × 50,000",
    tiff([[256, 4, 1, 50_000], [257, 4, 1, 50_000], [273, 4, 1, 8], [
      279,
      4,
      1,
      10,
    ]]),
  );
  add(
    "tiff strip past the end",
    tiff([[256, 3, 1, 1240], [257, 3, 1, 1754], [273, 4, 1, 5_000_000], [
      279,
      4,
      1,
      2_175_000,
    ]]),
  );
  add(
    "tiff IFD loop",
    tiff(
      [[256, 3, 1, 1240], [257, 3, 1, 1754], [273, 4, 1, 8], [279, 4, 1, 4]],
      0,
      8,
    ),
  );
  add(
    "tiff IFD offset past the end",
    concat(
      new Uint8Array([0x49, 0x49, 0x2a, 0x00]),
      new Uint8Array([0xff, 0xff, 0xff, 0x0f]),
    ),
  );
  add("tiff without strips", tiff([[256, 3, 1, 1240], [257, 3, 1, 1754]]));
  add(
    "tiff 64 samples per pixel",
    tiff([
      [256, 3, 1, 1240],
      [257, 3, 1, 1754],
      [277, 3, 1, 64],
      [273, 4, 1, 8],
      [279, 4, 1, 4],
    ]),
  );
  add("pdf of 500 pages", await pdfWith(500, [595.28, 841.89]));
  add("pdf page 200 × 200 inches", await pdfWith(1, [14_400, 14_400]));
  add(
    "pdf with garbage body",
    concat(
      enc.encode("%PDF-1.7\n"),
      randomBytes(rand, 5000),
      enc.encode("\nstartxref\n12\n%%EOF\n"),
    ),
  );
  add(
    "pdf with zero pages",
    concat(
      enc.encode(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n",
      ),
    ),
  );
  // Hostile names on junk content: the name is never used.
  for (
    const name of [
      "../../etc/passwd",
      "a".repeat(5000) + ".png",
      "scan\0.png",
      "<script>.jpg",
      "C:\\Windows\\x.tif",
    ]
  ) {
    add(`hostile name ${name.slice(0, 20)}`, randomBytes(rand, 500), name);
  }
  return files;
}

Deno.test("≥ 200 malformed or hostile uploads each get a 4xx with a reason — never a 5xx", async () => {
  const { app, audit } = await makeTestPortal();
  const files = await hostileFiles();
  assert.ok(files.length >= 200, `only ${files.length} files`);
  const codes = new Map<string, number>();
  for (const f of files) {
    const res = await postApi(app, f.bytes, {
      key: BANK_KEY,
      name: f.filename,
    });
    const body = await res.json();
    assert.ok(
      res.status >= 400 && res.status < 500,
      `${f.name}: status ${res.status} ${JSON.stringify(body).slice(0, 200)}`,
    );
    assert.ok(
      body.code && body.message_ja && body.message_en,
      `${f.name}: no reason`,
    );
    if (body.code !== "MALFORMED_UPLOAD") {
      assert.ok(
        ["unreadable", "not-a-certificate"].includes(body.verdict),
        `${f.name}: verdict ${body.verdict}`,
      );
    }
    codes.set(body.code, (codes.get(body.code) ?? 0) + 1);
  }
  assert.equal(audit.records.length, files.length, "every attempt audited");
  console.log(`${files.length} hostile files:`, Object.fromEntries(codes));
  assert.ok(audit.records.every((r) => r.outcome === "refused"));
  // The guards, not the decoder, stop nearly all of them.
  for (
    const code of [
      "UNSUPPORTED_TYPE",
      "DAMAGED_FILE",
      "IMAGE_TOO_LARGE",
      "TOO_MANY_SHEETS",
      "PDF_PAGE_TOO_LARGE",
      "AMBIGUOUS_FILE",
      "RESOLUTION_TOO_LOW",
      "UNDECODABLE",
      "SCAN_EMPTY",
    ]
  ) {
    assert.ok(codes.get(code), `no ${code} in ${JSON.stringify([...codes])}`);
  }
  const health = await app.request("/healthz");
  assert.equal(health.status, 200);
  await health.body?.cancel();
});

Deno.test("an upload over the size limit is refused with 413 before it is read whole", async () => {
  const { app } = await makeTestPortal({
    limits: { maxBytes: 2 * 1024 * 1024 },
  });
  const big = concat(PNG_SIG, new Uint8Array(3 * 1024 * 1024));
  const res = await postApi(app, big, { key: BANK_KEY });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).code, "SCAN_TOO_LARGE");
  const chunked = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < 40; i++) c.enqueue(new Uint8Array(100 * 1024));
      c.close();
    },
  });
  const streamed = await app.request("/api/verify", {
    method: "POST",
    body: chunked,
    headers: {
      "content-type": "multipart/form-data; boundary=x",
      "X-API-Key": BANK_KEY,
    },
  });
  assert.equal(streamed.status, 413);
  await streamed.body?.cancel();
});

Deno.test("hostile files through the web form get an HTML page with the reason and a 4xx", async () => {
  const { app } = await makeTestPortal();
  const { cookie, token } = await openStartPage(app);
  const samples = [
    new Uint8Array(),
    enc.encode("GIF89a"),
    png(50_000, 50_000, new Uint8Array(8)),
    jpegWithSof(65_535, 65_535),
  ];
  for (const bytes of samples) {
    const res = await postForm(app, bytes, { cookie, token });
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.match(res.headers.get("content-type")!, /text\/html/);
    assert.match(await res.text(), /data-refusal="[A-Z_]+"/);
  }
  const none = await postForm(app, undefined, { cookie, token });
  assert.equal(none.status, 400);
  assert.match(await none.text(), /data-refusal="SCAN_MISSING"/);
});
