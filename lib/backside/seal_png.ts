/**
 * Makes a seal impression small enough for the back side: scaled to fit a
 * square of `maxSide` pixels and reduced to two colours (the seal's ink and
 * white), written as an 8-bit palette PNG — 8-bit because the front
 * renderer's PNG decoder reads only 8-bit images. Apply it once, before
 * rendering either side, so the front and the back show the very same image.
 *
 * @module
 */

import { zlibSync } from "fflate";
import sharp from "sharp";
import { MAX_SEAL_PNG_BYTES } from "./canonical.ts";

/**
 * Compacts a seal impression PNG (or any image sharp reads) to a small
 * 2-colour PNG. Throws `RangeError` if even the smallest size tried stays
 * over {@linkcode MAX_SEAL_PNG_BYTES}.
 *
 * @example
 * ```ts
 * const small = await compactSealPng(await Deno.readFile("seal.png"));
 * sheet.seal = { ...sheet.seal, png: small };
 * ```
 */
export async function compactSealPng(
  image: Uint8Array,
  options: { maxSide?: number } = {},
): Promise<Uint8Array> {
  let side = options.maxSide ?? 128;
  while (side >= 32) {
    // Quantize to two colours with sharp, then write the 8-bit palette PNG.
    const quantized = await sharp(image, { limitInputPixels: 4096 * 4096 })
      .flatten({ background: "#ffffff" })
      .resize(side, side, { fit: "inside", withoutEnlargement: true })
      .png({ palette: true, colours: 2, dither: 0 })
      .toBuffer();
    const { data, info } = await sharp(quantized).removeAlpha().raw()
      .toBuffer({ resolveWithObject: true });
    const png = encodeTwoColourPng(data, info.width, info.height);
    if (png.length <= MAX_SEAL_PNG_BYTES) return png;
    side = Math.floor(side * 0.8);
  }
  throw new RangeError(
    `Seal image does not compress under ${MAX_SEAL_PNG_BYTES} bytes`,
  );
}

/** Writes RGB pixels of at most two colours as an 8-bit palette PNG. */
function encodeTwoColourPng(
  rgb: Uint8Array,
  width: number,
  height: number,
): Uint8Array {
  const palette: number[][] = [];
  const indexOf = (r: number, g: number, b: number) => {
    let i = palette.findIndex((c) => c[0] === r && c[1] === g && c[2] === b);
    if (i < 0) {
      if (palette.length === 2) {
        throw new Error("Quantized seal has more than two colours");
      }
      i = palette.push([r, g, b]) - 1;
    }
    return i;
  };
  const rows = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      rows[y * (width + 1) + 1 + x] = indexOf(rgb[p], rgb[p + 1], rgb[p + 2]);
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 3, 0, 0, 0], 8); // 8-bit, palette, deflate, no filter, no interlace
  return concat([
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", ihdr),
    chunk("PLTE", Uint8Array.from(palette.flat())),
    chunk("IDAT", zlibSync(rows, { level: 9 })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function chunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat([new TextEncoder().encode(type), data]);
  let crc = 0xffffffff;
  for (const b of body) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  const out = new Uint8Array(8 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(body, 4);
  view.setUint32(8 + data.length, (crc ^ 0xffffffff) >>> 0);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
