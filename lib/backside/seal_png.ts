/**
 * Makes a seal impression small enough for the back side: scaled to fit a
 * square of `maxSide` pixels and reduced to a two-colour palette PNG (the
 * seal's ink colour and white). Apply it once, before rendering either side,
 * so the front and the back show the very same image.
 *
 * @module
 */

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
    const out = await sharp(image, { limitInputPixels: 4096 * 4096 })
      .flatten({ background: "#ffffff" })
      .resize(side, side, { fit: "inside", withoutEnlargement: true })
      .png({ palette: true, colours: 2, dither: 0, compressionLevel: 9 })
      .toBuffer();
    if (out.length <= MAX_SEAL_PNG_BYTES) {
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
    side = Math.floor(side * 0.8);
  }
  throw new RangeError(
    `Seal image does not compress under ${MAX_SEAL_PNG_BYTES} bytes`,
  );
}
