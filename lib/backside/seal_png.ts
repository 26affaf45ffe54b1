/**
 * Makes a seal impression small enough for the back side: scaled to fit a
 * square of `maxSide` pixels and reduced to two colours (the seal's ink and
 * white), written as an 8-bit palette PNG — 8-bit because the front
 * renderer's PNG decoder reads only 8-bit images. Apply it once, before
 * rendering either side, so the front and the back show the very same image.
 *
 * @module
 */

import sharp from "sharp";
import { encodePalettePng } from "../render/png_codec.ts";
import { MAX_SEAL_PNG_BYTES } from "./canonical.ts";

/**
 * Compacts a seal impression PNG (or any image sharp reads) to a small
 * 2-colour PNG. Throws `RangeError` if even the smallest size tried stays
 * over {@linkcode MAX_SEAL_PNG_BYTES}.
 *
 * @example
 * ```ts ignore
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
    const png = await twoColourSealPng(image, { side });
    if (png.length <= MAX_SEAL_PNG_BYTES) return png;
    side = Math.floor(side * 0.8);
  }
  throw new RangeError(
    `Seal image does not compress under ${MAX_SEAL_PNG_BYTES} bytes`,
  );
}

/**
 * A seal impression in two colours (its ink and white), scaled to fit a
 * square of `side` pixels, as an 8-bit palette PNG. `enlarge`: a smaller
 * image is scaled up too (smoothly: the ink's edges follow the resampled
 * outline, not the source's pixel grid) — the print version of a seal, at
 * the printer's resolution.
 *
 * @example
 * ```ts ignore
 * const print = await twoColourSealPng(png, { side: 600, enlarge: true });
 * ```
 */
export async function twoColourSealPng(
  image: Uint8Array,
  options: { side: number; enlarge?: boolean },
): Promise<Uint8Array> {
  const { side } = options;
  const input = sharp(image, { limitInputPixels: 4096 * 4096 });
  const { width = side, height = side } = await input.metadata();
  // Enlarged: the source's pixel steps are smoothed away (a blur of 0.7 ×
  // the scale) before the two colours are chosen, so the ink's edges
  // follow the outline, not the source's grid.
  const scale = side / Math.max(width, height);
  let pipeline = input.flatten({ background: "#ffffff" })
    .resize(side, side, {
      fit: "inside",
      withoutEnlargement: !options.enlarge,
      kernel: "lanczos3",
    });
  if (options.enlarge && scale > 1.5) pipeline = pipeline.blur(scale * 0.7);
  // Quantize to two colours with sharp, then write the 8-bit palette PNG.
  const quantized = await pipeline
    .png({ palette: true, colours: 2, dither: 0 })
    .toBuffer();
  const { data, info } = await sharp(quantized).removeAlpha().raw()
    .toBuffer({ resolveWithObject: true });
  return encodeTwoColourPng(data, info.width, info.height);
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
  const indices = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    indices[i] = indexOf(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
  }
  // The lighter colour is the paper: white (quantizing tints it with ink).
  if (palette.length === 2) {
    const light = (c: number[]) => c[0] + c[1] + c[2];
    palette[light(palette[0]) >= light(palette[1]) ? 0 : 1] = [255, 255, 255];
  }
  return encodePalettePng({
    width,
    height,
    palette: Uint8Array.from(palette.flat()),
    indices,
  });
}
