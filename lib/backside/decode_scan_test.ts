import assert from "node:assert/strict";
import sharp from "sharp";
import { PDFDocument } from "pdf-lib";
import type {
  BackSide,
  CertificateType,
  SheetContent,
} from "../certificate/model.ts";
import { makeSampleSheet } from "../../tests/fixtures/sample_sheets.ts";
import { simulateScan } from "../../tests/fixtures/scan_distort.ts";
import { seededRandom } from "../../tests/fixtures/sample_sheets.ts";
import { createSigner, generateSigningKey } from "../crypto/signer.ts";
import { generateContentKey } from "../crypto/content_key.ts";
import {
  backSideFromEnvelope,
  buildBackSide,
  slotCount,
} from "./build_back_side.ts";
import { CHUNK_HEADER_BYTES, splitIntoChunks } from "./chunks.ts";
import { decodeScan, type DecodeScanOptions } from "./decode_scan.ts";
import { parseEnvelope, sealEnvelope, signEnvelope } from "./envelope.ts";
import { DEFAULT_LAYOUT, placeSymbols, symbolCapacity } from "./layout.ts";
import { rasterizeBackSide } from "./rasterize.ts";
import {
  ISSUED_AT,
  makeTestCenter,
  scanPng,
  type TestCenter,
} from "../../tests/fixtures/back_side.ts";
import { writeSymbol } from "./zxing.ts";
import { renderDocumentPdf } from "../render/mod.ts";
import { makeSheet } from "../../tests/fixtures/certificate.ts";

const center: TestCenter = await makeTestCenter();
const options: DecodeScanOptions = {
  keyList: center.keyList,
  decryptionKeys: [center.encryptionKey],
};

async function sheetOf<T extends CertificateType>(type: T, seed: number) {
  return await makeSampleSheet({ type, seed });
}

/** Payloads of an envelope exactly as buildBackSide splits them. */
async function payloadsOf(envelope: Uint8Array): Promise<Uint8Array[]> {
  return splitIntoChunks(envelope, {
    n: await slotCount(DEFAULT_LAYOUT),
    maxPayload: await symbolCapacity(DEFAULT_LAYOUT),
  });
}

function withSymbols(back: BackSide, symbols: BackSide["symbols"]): BackSide {
  return { ...back, symbols };
}

Deno.test("decodeScan() round-trips a 住民票 with every option, front rendered by the injected renderer", async () => {
  const sheet = await sheetOf("juminhyo", 101);
  const back = await buildBackSide(sheet, center);
  assert.equal(back.issueNumber, sheet.issueNumber);
  assert.equal(back.keyId, center.signer.activeKeyId());
  const rendered: SheetContent[] = [];
  const result = await decodeScan(await scanPng(back), {
    ...options,
    renderFront: (s) => {
      rendered.push(s);
      return Promise.resolve(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    },
  });
  assert.equal(result.verdict, "genuine", result.reason.en);
  assert.equal(result.reason.code, "GENUINE");
  assert.deepEqual(result.certificate, sheet);
  assert.deepEqual(rendered, [sheet]);
  assert.deepEqual(
    result.frontImagePng,
    new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
  );
  assert.equal(result.issueNumber, sheet.issueNumber);
});

Deno.test("decodeScan() round-trips a 印鑑登録証明書 with its seal image", async () => {
  const sheet = await sheetOf("inkan", 102);
  const back = await buildBackSide(sheet, center);
  const result = await decodeScan(await scanPng(back, 300), options);
  assert.equal(result.verdict, "genuine", result.reason.en);
  assert.deepEqual(result.certificate, sheet);
  assert.deepEqual(
    (result.certificate as typeof sheet).seal.png,
    sheet.seal.png,
  );
  assert.equal(result.frontImagePng, undefined);
});

Deno.test("decodeScan() still decodes with a symbol lost, and with all but k lost", async () => {
  const sheet = await sheetOf("inkan", 103);
  const back = await buildBackSide(sheet, center);
  // Lose data symbol 0 (a stain, a staple hole).
  const one = await decodeScan(
    await scanPng(withSymbols(back, back.symbols.slice(1))),
    options,
  );
  assert.equal(one.verdict, "genuine", one.reason.en);
  assert.deepEqual(one.certificate, sheet);
  // Keep only the last k (all parity): still enough.
  const k = one.stats.symbolsNeeded!;
  const few = await decodeScan(
    await scanPng(withSymbols(back, back.symbols.slice(-k))),
    options,
  );
  assert.equal(few.verdict, "genuine", few.reason.en);
  // One fewer than k: unreadable, saying how many were missing.
  const tooFew = await decodeScan(
    await scanPng(withSymbols(back, back.symbols.slice(-(k - 1)))),
    options,
  );
  assert.equal(tooFew.verdict, "unreadable");
  assert.equal(tooFew.reason.code, "TOO_FEW_SYMBOLS");
  assert.match(tooFew.reason.en, new RegExp(`${k - 1} of the ${k}`));
});

Deno.test("decodeScan() reads a rotated, skewed, 200 dpi JPEG scan", async () => {
  const back = await buildBackSide(await sheetOf("juminhyo", 104), center);
  const page = rasterizeBackSide(back, { dpi: 400 });
  const jpeg = await simulateScan({ ...page, dpi: 400 }, {
    dpi: 200,
    skewDeg: 7,
    quarterTurns: 1,
    noise: 6,
    blurPx: 0.6,
    lighting: 0.3,
    format: "jpeg",
    jpegQuality: 60,
  }, seededRandom(104));
  const result = await decodeScan(jpeg, options);
  assert.equal(result.verdict, "genuine", result.reason.en);
  assert.equal(result.certificate!.issueNumber, back.issueNumber);
});

Deno.test("decodeScan() finds the back on page 2 of a scanned PDF, and does not call two sheets' backs a mix", async () => {
  const a = await buildBackSide(await sheetOf("juminhyo", 105), center);
  const b = await buildBackSide(await sheetOf("inkan", 125), center);
  const pdf = await PDFDocument.create();
  pdf.addPage([595.28, 841.89]); // a blank "front"
  for (const back of [a, b]) {
    const image = await pdf.embedPng(await scanPng(back, 150));
    pdf.addPage([595.28, 841.89]).drawImage(image, {
      x: 0,
      y: 0,
      width: 595.28,
      height: 841.89,
    });
  }
  const result = await decodeScan(await pdf.save(), options);
  assert.equal(result.verdict, "genuine", result.reason.en);
  assert.equal(result.stats.pages, 3);
  assert.equal(result.certificate!.issueNumber, a.issueNumber);
});

/** The kiosk's PDF of one sheet (front, back) with this back side. */
async function kioskPdf(back: (real: BackSide) => BackSide) {
  const sheet = makeSheet({ issueNumber: "401005-20261126-000901" });
  const real = await buildBackSide(sheet, center);
  const doc = { requestId: "req-survey", sheets: [sheet] };
  return renderDocumentPdf(doc, [back(real)]);
}

Deno.test("decodeScan() settles the kiosk's vector PDF in its survey: the front in no reading pass, the back genuine in one, every symbol read", async () => {
  const pdf = await kioskPdf((b) => b);
  const front = await decodeScan(pdf, { ...options, page: 1 });
  assert.equal(front.verdict, "not-a-certificate");
  assert.equal(front.reason.code, "FRONT_SIDE_ONLY");
  assert.equal(front.stats.passes, 0);
  assert.equal(front.stats.dpi, 120);
  const back = await decodeScan(pdf, { ...options, page: 2 });
  assert.equal(back.verdict, "genuine", back.reason.en);
  assert.equal(back.certificate!.issueNumber, "401005-20261126-000901");
  assert.equal(back.stats.passes, 1);
  assert.equal(back.stats.dpi, 120);
  assert.equal(back.stats.symbolsRead, back.stats.symbolsTotal);
});

Deno.test("decodeScan() leaves a PDF page in doubt to the whole ladder: a back missing a symbol is genuine, a mixed one tampered", async () => {
  const short = await kioskPdf((b) => withSymbols(b, b.symbols.slice(1)));
  const partly = await decodeScan(short, { ...options, page: 2 });
  assert.equal(partly.verdict, "genuine", partly.reason.en);
  assert.ok(partly.stats.passes >= 2, "the survey, then the 200-dpi ladder");
  assert.equal(partly.stats.dpi, 200);
  const other = await buildBackSide(await sheetOf("juminhyo", 111), center);
  const mixedPdf = await kioskPdf((b) =>
    withSymbols(b, [
      ...b.symbols.slice(0, b.symbols.length / 2),
      ...other.symbols.slice(b.symbols.length / 2),
    ])
  );
  const mixed = await decodeScan(mixedPdf, { ...options, page: 2 });
  assert.equal(mixed.verdict, "tampered");
  assert.equal(mixed.reason.code, "SYMBOLS_MIXED");
  assert.ok(mixed.stats.passes >= 2);
  assert.equal(mixed.stats.dpi, 200);
});

Deno.test("decodeScan() says tampered when one symbol's payload was altered and re-encoded", async () => {
  const envelope = await sealEnvelope(await sheetOf("juminhyo", 106), center);
  const payloads = await payloadsOf(envelope);
  payloads[0][CHUNK_HEADER_BYTES + 40] ^= 0x01; // a byte of the ciphertext
  const back = {
    keyId: "",
    issueNumber: "",
    symbols: await placeSymbols(payloads, DEFAULT_LAYOUT),
  };
  const result = await decodeScan(await scanPng(back), options);
  assert.equal(result.verdict, "tampered");
  assert.equal(result.reason.code, "SYMBOLS_INCONSISTENT");
  assert.equal(result.certificate, undefined);
});

Deno.test("decodeScan() says tampered when every symbol was rebuilt from altered data", async () => {
  const sheet = await sheetOf("juminhyo", 107);
  const envelope = await sealEnvelope(sheet, center);
  // Change the issue number in the clear header and re-encode all symbols
  // consistently: only the signature can notice.
  const altered = envelope.slice();
  const at = new TextDecoder().decode(altered).indexOf(sheet.issueNumber);
  altered[at + sheet.issueNumber.length - 1] ^= 0x01; // last digit
  const result = await decodeScan(
    await scanPng(await backSideFromEnvelope(altered)),
    options,
  );
  assert.equal(result.verdict, "tampered");
  assert.equal(result.reason.code, "SIGNATURE_INVALID");
});

Deno.test("decodeScan() says tampered, explaining the mix, for symbols of two certificates", async () => {
  const a = await buildBackSide(await sheetOf("juminhyo", 108), center);
  const b = await buildBackSide(await sheetOf("juminhyo", 109), center);
  const half = a.symbols.length / 2;
  const mixed = withSymbols(a, [
    ...a.symbols.slice(0, half),
    ...b.symbols.slice(half),
  ]);
  const result = await decodeScan(await scanPng(mixed), options);
  assert.equal(result.verdict, "tampered");
  assert.equal(result.reason.code, "SYMBOLS_MIXED");
  assert.match(result.reason.en, /more than one certificate/);
  assert.match(result.reason.ja, /混在/);
});

Deno.test("decodeScan() says tampered for one certificate's back carrying another's content, re-signed", async () => {
  const ea = parseEnvelope(
    await sealEnvelope(await sheetOf("juminhyo", 110), center),
  );
  const eb = parseEnvelope(
    await sealEnvelope(await sheetOf("juminhyo", 111), center),
  );
  const swapped = await signEnvelope(
    ea.header,
    eb.iv,
    eb.ciphertext,
    center.signer,
  );
  const result = await decodeScan(
    await scanPng(await backSideFromEnvelope(swapped)),
    options,
  );
  assert.equal(result.verdict, "tampered");
  assert.equal(result.reason.code, "CONTENT_MISMATCH");
  assert.equal(result.issueNumber, ea.header.issueNumber);
});

Deno.test("decodeScan() says unknown-key for a key id not in the key list", async () => {
  const rogue = await createSigner(
    [
      await generateSigningKey({
        notBefore: new Date("2026-01-01"),
        notAfter: new Date("2028-01-01"),
      }),
    ],
    { clock: { now: () => ISSUED_AT } },
  );
  const back = await buildBackSide(await sheetOf("juminhyo", 112), {
    signer: rogue,
    encryptionKey: center.encryptionKey,
  });
  const result = await decodeScan(await scanPng(back), options);
  assert.equal(result.verdict, "unknown-key");
  assert.equal(result.reason.code, "KEY_UNKNOWN");
  assert.ok(result.reason.en.includes(rogue.activeKeyId()));
});

Deno.test("decodeScan() says unknown-key, saying expired, when the key had expired at issue time", async () => {
  const back = await buildBackSide(await sheetOf("inkan", 113), center);
  const expiredList = {
    keys: center.keyList.keys.map((k) => ({
      ...k,
      notAfter: "2026-06-30T23:59:59+09:00",
    })),
  };
  const result = await decodeScan(await scanPng(back), {
    ...options,
    keyList: expiredList,
  });
  assert.equal(result.verdict, "unknown-key");
  assert.equal(result.reason.code, "KEY_EXPIRED");
  assert.match(result.reason.en, /expired/);
  assert.match(result.reason.ja, /有効期限/);
  assert.equal(result.certificate, undefined);
});

Deno.test("decodeScan() says unknown-key when the content key is not held", async () => {
  const back = await buildBackSide(await sheetOf("juminhyo", 114), center);
  const result = await decodeScan(await scanPng(back), {
    ...options,
    decryptionKeys: [await generateContentKey("some-other-key")],
  });
  assert.equal(result.verdict, "unknown-key");
  assert.equal(result.reason.code, "DECRYPTION_KEY_UNKNOWN");
  assert.equal(result.issueNumber, back.issueNumber);
});

Deno.test("decodeScan() says not-a-certificate for a random picture, a foreign QR code or junk bytes", async () => {
  const rand = seededRandom(5);
  const shapes = Array.from(
    { length: 80 },
    () =>
      `<rect x="${rand() * 1600}" y="${rand() * 2300}" width="${
        20 + rand() * 300
      }" height="${20 + rand() * 300}" fill="rgb(${rand() * 255 | 0},${
        rand() * 255 | 0
      },${rand() * 255 | 0})"/>`,
  ).join("");
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="1654" height="2339">` +
    `<rect width="100%" height="100%" fill="#f0ece0"/>${shapes}</svg>`;
  const picture = await sharp(new TextEncoder().encode(svg)).jpeg({
    quality: 80,
  }).toBuffer();
  const r1 = await decodeScan(picture, options);
  assert.equal(r1.verdict, "not-a-certificate");
  assert.equal(r1.reason.code, "NO_CERTIFICATE_SYMBOLS");

  const url = await writeSymbol(
    new TextEncoder().encode("https://example.jp/"),
    {
      symbology: "QRCode",
      ecLevel: "M",
    },
  );
  const foreign = withSymbols({ keyId: "", issueNumber: "", symbols: [] }, [{
    x: 60,
    y: 80,
    moduleSize: 1,
    ...url,
  }]);
  const r2 = await decodeScan(await scanPng(foreign), options);
  assert.equal(r2.verdict, "not-a-certificate");
  assert.equal(r2.reason.code, "FOREIGN_SYMBOLS");

  const r3 = await decodeScan(
    new TextEncoder().encode("hello, not an image"),
    options,
  );
  assert.equal(r3.verdict, "not-a-certificate");
  assert.equal(r3.reason.code, "NOT_AN_IMAGE");
});

Deno.test("decodeScan() says unreadable for a blank page and for a very blurry scan", async () => {
  const blank = await sharp({
    create: { width: 1654, height: 2339, channels: 3, background: "#f6f6f4" },
  }).jpeg().toBuffer();
  const r1 = await decodeScan(blank, options);
  assert.equal(r1.verdict, "unreadable");
  assert.equal(r1.reason.code, "BLANK_IMAGE");

  const back = await buildBackSide(await sheetOf("juminhyo", 115), center);
  const img = rasterizeBackSide(back, { dpi: 200 });
  const blurry = await sharp(img.data, {
    raw: { width: img.width, height: img.height, channels: 1 },
  }).blur(6).jpeg({ quality: 85 }).toBuffer();
  const r2 = await decodeScan(blurry, options);
  assert.equal(r2.verdict, "unreadable");
  assert.equal(r2.reason.code, "TOO_BLURRY");
  assert.match(r2.reason.ja, /ぼやけて/);
});

Deno.test("an independent decoder (zbarimg) reads the same payload bytes from the QR symbols", async () => {
  const back = await buildBackSide(await sheetOf("inkan", 116), center);
  const dir = await Deno.makeTempDir({ prefix: "zbar-" });
  try {
    for (const [i, s] of back.symbols.slice(0, 3).entries()) {
      // One symbol per image, 4 px per module with a 4-module quiet zone.
      const scale = 4;
      const side = (s.width + 8) * scale;
      const px = new Uint8Array(side * side).fill(255);
      for (let y = 0; y < s.height; y++) {
        for (let x = 0; x < s.width; x++) {
          if (!s.modules[y * s.width + x]) continue;
          for (let dy = 0; dy < scale; dy++) {
            const row = ((y + 4) * scale + dy) * side + (x + 4) * scale;
            px.fill(0, row, row + scale);
          }
        }
      }
      const file = `${dir}/s${i}.png`;
      await sharp(px, { raw: { width: side, height: side, channels: 1 } }).png()
        .toFile(file);
      const out = await new Deno.Command("zbarimg", {
        args: ["--raw", "-q", "-Sbinary", file],
        stdout: "piped",
        stderr: "null",
      }).output();
      assert.equal(out.code, 0, `zbarimg failed on symbol ${i}`);
      const zxingRead = await import("./zxing.ts").then((m) =>
        m.readSymbols(px, side, side, { tryHarder: false })
      );
      assert.equal(zxingRead.length, 1);
      assert.deepEqual(out.stdout, zxingRead[0].bytes, `symbol ${i}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
