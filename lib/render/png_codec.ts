/**
 * A small PNG codec: enough to generate test images, embed PNG images in
 * PDFs (8-bit, non-interlaced, passing the compressed data through where PDF
 * can read it as is) and check rendered images in tests. Compressed with
 * zlib's native deflate (node:zlib): the same bytes as fflate's at a level,
 * 3× faster — a 600-pixel seal's print version took 20 ms to compress with
 * fflate at level 9 and 6.4 ms natively (2-core machine, 2026-12-07), which
 * every seeded seal pays.
 *
 * @module
 */

import { crc32 as zlibCrc32, deflateSync } from "node:zlib";
import { unzlibSync } from "fflate";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * CRC-32 (the PNG/zlib polynomial) of a byte range: the one CRC of the
 * project, for PNG chunks written here and checked by the portal (on every
 * chunk of every upload: zlib's native CRC, ~30× a table walk in
 * JavaScript).
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode("IEND")); // 0xae426082
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  return zlibCrc32(bytes) >>> 0;
}

/** Pixels, 8 bits per channel, row-major, no padding. */
export interface RasterImage {
  width: number;
  height: number;
  /** 1 = grey, 2 = grey+alpha, 3 = RGB, 4 = RGBA. */
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

const COLOR_TYPE_BY_CHANNELS = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;
const CHANNELS_BY_COLOR_TYPE: Record<number, 1 | 2 | 3 | 4> = {
  0: 1,
  2: 3,
  3: 1,
  4: 2,
  6: 4,
};

/**
 * Encodes pixels as a PNG (filter "up" on every row, zlib level 6).
 * Deterministic: the same pixels give the same bytes.
 *
 * @example
 * ```ts
 * const png = encodePng({ width: 1, height: 1, channels: 3, data: new Uint8Array([255, 0, 0]) });
 * png[1]; // 0x50 ("P")
 * ```
 */
export function encodePng(image: RasterImage): Uint8Array {
  const { width, height, channels, data } = image;
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `PNG data has ${data.length} bytes, expected ${
        width * height * channels
      }`,
    );
  }
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1);
    raw[o] = 2; // up
    for (let i = 0; i < stride; i++) {
      const cur = data[y * stride + i];
      const up = y > 0 ? data[(y - 1) * stride + i] : 0;
      raw[o + 1 + i] = (cur - up) & 0xff;
    }
  }
  return assemblePng(
    width,
    height,
    COLOR_TYPE_BY_CHANNELS[channels],
    [],
    deflateSync(raw, { level: 6 }),
  );
}

/** An 8-bit palette image: one palette index per pixel, row-major. */
export interface PaletteImage {
  width: number;
  height: number;
  /** RGB triples, at most 256 of them. */
  palette: Uint8Array;
  /** One index into `palette` per pixel. */
  indices: Uint8Array;
}

/**
 * Encodes palette indices as an 8-bit palette PNG (filter "none" on every
 * row, zlib level 9: small two-colour images such as seal impressions).
 * 8-bit because {@link decodePng} reads only 8-bit images.
 *
 * @example
 * ```ts
 * const png = encodePalettePng({
 *   width: 2,
 *   height: 1,
 *   palette: new Uint8Array([255, 255, 255, 200, 30, 40]),
 *   indices: new Uint8Array([0, 1]),
 * });
 * png[25]; // 3 (colour type: palette)
 * ```
 */
export function encodePalettePng(image: PaletteImage): Uint8Array {
  const { width, height, palette, indices } = image;
  if (indices.length !== width * height) {
    throw new RangeError(
      `PNG has ${indices.length} palette indices, expected ${width}×${height}`,
    );
  }
  const raw = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) {
    // raw[y * (width + 1)] stays 0: filter "none".
    raw.set(
      indices.subarray(y * width, (y + 1) * width),
      y * (width + 1) + 1,
    );
  }
  return assemblePng(
    width,
    height,
    3,
    [chunk("PLTE", palette)],
    deflateSync(raw, { level: 9 }),
  );
}

/** Signature, IHDR (8-bit, no interlace), extra chunks, IDAT, IEND. */
function assemblePng(
  width: number,
  height: number,
  colorType: number,
  extra: Uint8Array[],
  idat: Uint8Array,
): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = colorType;
  const chunks = [
    chunk("IHDR", ihdr),
    ...extra,
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(8 + chunks.reduce((n, c) => n + c.length, 0));
  out.set(SIGNATURE);
  let at = 8;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** The parsed chunks of a PNG, data still compressed. */
export interface PngStructure {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
  /** PLTE contents, when present. */
  palette?: Uint8Array;
  /** tRNS contents, when present. */
  transparency?: Uint8Array;
  /** All IDAT chunks concatenated (a zlib stream). */
  idat: Uint8Array;
}

/**
 * Reads a PNG's chunks (checking the signature and CRCs) without decoding.
 *
 * @example
 * ```ts ignore
 * readPngStructure(png).width; // 240
 * ```
 */
export function readPngStructure(png: Uint8Array): PngStructure {
  if (png.length < 8 || SIGNATURE.some((v, i) => png[i] !== v)) {
    throw new TypeError("Not a PNG image (bad signature)");
  }
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  let header: Omit<PngStructure, "idat"> | undefined;
  const idat: Uint8Array[] = [];
  let palette: Uint8Array | undefined, transparency: Uint8Array | undefined;
  while (at + 12 <= png.length) {
    const len = dv.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (at + 12 + len > png.length) {
      throw new TypeError(`PNG chunk ${type} is truncated`);
    }
    const body = png.subarray(at + 8, at + 8 + len);
    if (
      crc32(png.subarray(at + 4, at + 8 + len)) !== dv.getUint32(at + 8 + len)
    ) {
      throw new TypeError(`PNG chunk ${type}: bad CRC`);
    }
    if (type === "IHDR") {
      const h = new DataView(body.buffer, body.byteOffset, body.byteLength);
      header = {
        width: h.getUint32(0),
        height: h.getUint32(4),
        bitDepth: body[8],
        colorType: body[9],
        interlace: body[12],
      };
    } else if (type === "PLTE") palette = body;
    else if (type === "tRNS") transparency = body;
    else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    at += 12 + len;
  }
  if (!header) throw new TypeError("PNG has no IHDR chunk");
  if (
    header.width === 0 || header.height === 0 ||
    header.width * header.height > 50_000_000
  ) {
    throw new RangeError(
      `PNG size ${header.width}×${header.height} is not allowed`,
    );
  }
  const total = idat.reduce((n, c) => n + c.length, 0);
  const joined = new Uint8Array(total);
  let o = 0;
  for (const c of idat) {
    joined.set(c, o);
    o += c.length;
  }
  return { ...header, palette, transparency, idat: joined };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decodes an 8-bit, non-interlaced PNG (grey, grey+alpha, RGB, RGBA or
 * 8-bit palette, which is expanded to RGB/RGBA).
 *
 * @example
 * ```ts
 * const img = decodePng(encodePng({ width: 2, height: 1, channels: 1, data: new Uint8Array([0, 255]) }));
 * img.data; // Uint8Array [0, 255]
 * ```
 */
export function decodePng(png: Uint8Array): RasterImage {
  const s = readPngStructure(png);
  if (s.bitDepth !== 8 || s.interlace !== 0) {
    throw new RangeError(
      `Unsupported PNG: bit depth ${s.bitDepth}, interlace ${s.interlace} (need 8-bit, non-interlaced)`,
    );
  }
  const channels = CHANNELS_BY_COLOR_TYPE[s.colorType];
  if (!channels) {
    throw new RangeError(`Unsupported PNG colour type ${s.colorType}`);
  }
  const { width, height } = s;
  const stride = width * channels;
  const raw = unzlibSync(s.idat);
  if (raw.length < (stride + 1) * height) {
    throw new TypeError("PNG image data is truncated");
  }
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let i = 0; i < stride; i++) {
      const x = raw[src + i];
      const a = i >= channels ? out[dst + i - channels] : 0;
      const b = y > 0 ? out[dst - stride + i] : 0;
      const c = y > 0 && i >= channels ? out[dst - stride + i - channels] : 0;
      let v: number;
      switch (filter) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4:
          v = x + paeth(a, b, c);
          break;
        default:
          throw new TypeError(`PNG row ${y}: unknown filter ${filter}`);
      }
      out[dst + i] = v & 0xff;
    }
  }
  if (s.colorType !== 3) return { width, height, channels, data: out };
  const pal = s.palette;
  if (!pal) throw new TypeError("Palette PNG has no PLTE chunk");
  const trns = s.transparency;
  const ch = trns ? 4 : 3;
  const rgb = new Uint8Array(width * height * ch);
  for (let i = 0; i < width * height; i++) {
    const k = out[i];
    rgb[i * ch] = pal[3 * k];
    rgb[i * ch + 1] = pal[3 * k + 1];
    rgb[i * ch + 2] = pal[3 * k + 2];
    if (trns) rgb[i * ch + 3] = k < trns.length ? trns[k] : 255;
  }
  return { width, height, channels: ch, data: rgb };
}
