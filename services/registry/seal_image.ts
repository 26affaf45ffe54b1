/**
 * The seal impression (印影) a registration brings, checked and prepared
 * once, at registration: the image is decoded (not only its magic bytes) —
 * a PNG within {@linkcode SEAL_IMAGE_LIMITS} (file size, width and height,
 * pixels, read from its header before any pixel is decoded, so a
 * decompression bomb is refused unread) — and two versions are made from it:
 *
 * - `printPng`: for the front, {@linkcode SEAL_PRINT_SIDE_PX} on its longer
 *   side — at least 300 dpi in the form's 印影 box ({@linkcode SEAL_BOX_MM}
 *   mm, lib/render/forms/inkan.ts) — smoothly resampled, on white, an 8-bit
 *   non-interlaced PNG the PDF embeds as it is;
 * - `compactPng`: for the back side, two colours within its 2 KB budget
 *   (lib/backside `compactSealPng`), so that issuance never meets a size limit.
 *
 * A refusal is a {@linkcode RegistryError}: `SEAL_IMAGE_INVALID` (not a PNG,
 * or one that does not decode), `SEAL_IMAGE_TOO_LARGE` (the file),
 * `SEAL_IMAGE_DIMENSIONS` (width or height outside the limits, or too many
 * pixels).
 *
 * @module
 */
import sharp, { type Metadata } from "sharp";
import {
  compactSealPng,
  twoColourSealPng,
} from "../../lib/backside/seal_png.ts";
import { RegistryError } from "./errors.ts";

/** What a registered seal image may be. */
export const SEAL_IMAGE_LIMITS = {
  /** Largest file, bytes. */
  maxBytes: 256 * 1024,
  /** Shortest side, pixels (a smaller image cannot show a seal). */
  minSide: 32,
  /** Longest side, pixels. */
  maxSide: 4096,
  /** Most pixels (width × height). */
  maxPixels: 4096 * 4096,
} as const;

/** The 印影 box on the 印鑑登録証明書's front, mm (lib/render/forms/inkan.ts `area`). */
export const SEAL_BOX_MM = 48;

/** Longer side of the print version: 600 px over 48 mm ≈ 317 dpi (≥ 300). */
export const SEAL_PRINT_SIDE_PX = 600;

/** A registered seal image, checked and prepared. */
export interface PreparedSeal {
  /** For the front: {@linkcode SEAL_PRINT_SIDE_PX} on its longer side, 8-bit PNG. */
  printPng: Uint8Array;
  /** For the back side: ≤ 2 KB two-colour PNG. */
  compactPng: Uint8Array;
  /** The submitted image's size, pixels. */
  width: number;
  height: number;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Checks a submitted seal impression and makes its print and compact
 * versions; throws {@linkcode RegistryError} (see the module doc).
 *
 * @example
 * ```ts ignore
 * const { printPng, compactPng } = await prepareSealImage(png);
 * ```
 */
export async function prepareSealImage(
  image: Uint8Array,
): Promise<PreparedSeal> {
  const L = SEAL_IMAGE_LIMITS;
  if (image.length > L.maxBytes) {
    throw new RegistryError("SEAL_IMAGE_TOO_LARGE", {
      bytes: image.length,
      maxBytes: L.maxBytes,
    });
  }
  if (image.length < 8 || PNG_MAGIC.some((v, i) => image[i] !== v)) {
    throw new RegistryError("SEAL_IMAGE_INVALID");
  }
  // The header first: dimensions are checked before any pixel is decoded
  // (a PNG's first chunk is its IHDR: width and height at bytes 16–23).
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (
    image.length < 33 ||
    new TextDecoder().decode(image.subarray(12, 16)) !== "IHDR"
  ) {
    throw new RegistryError("SEAL_IMAGE_INVALID");
  }
  checkDimensions(dv.getUint32(16), dv.getUint32(20));
  let meta: Metadata;
  try {
    meta = await sharp(image).metadata();
  } catch {
    throw new RegistryError("SEAL_IMAGE_INVALID");
  }
  const width = meta.width ?? 0, height = meta.height ?? 0;
  if (meta.format !== "png") throw new RegistryError("SEAL_IMAGE_INVALID");
  checkDimensions(width, height);
  try {
    // Every pixel decoded (a truncated or corrupt stream fails here).
    const pixels = await sharp(image, {
      limitInputPixels: L.maxPixels,
      failOn: "error",
    }).flatten({ background: "#ffffff" }).toColourspace("srgb").raw()
      .toBuffer({ resolveWithObject: true });
    const { data, info } = pixels;
    const raw = {
      raw: { width: info.width, height: info.height, channels: info.channels },
    };
    const flat = await sharp(data, raw).png().toBuffer();
    const printPng = await twoColourSealPng(flat, {
      side: SEAL_PRINT_SIDE_PX,
      enlarge: true,
    });
    const compactPng = await compactSealPng(flat);
    return {
      printPng,
      compactPng,
      width,
      height,
    };
  } catch (err) {
    if (err instanceof RegistryError) throw err;
    throw new RegistryError("SEAL_IMAGE_INVALID");
  }
}

/** Refuses a width or height outside {@linkcode SEAL_IMAGE_LIMITS}. */
function checkDimensions(width: number, height: number): void {
  const L = SEAL_IMAGE_LIMITS;
  if (
    Math.min(width, height) < L.minSide ||
    Math.max(width, height) > L.maxSide || width * height > L.maxPixels
  ) {
    throw new RegistryError("SEAL_IMAGE_DIMENSIONS", {
      width,
      height,
      minSide: L.minSide,
      maxSide: L.maxSide,
    });
  }
}
