/**
 * Factories for back-side tests: a center with a signer and content key on
 * a fixed clock, and helpers to turn back sides into scan files.
 *
 * @module
 */

import sharp from "sharp";
import type { BackSide } from "../certificate/model.ts";
import { type ContentKey, generateContentKey } from "../crypto/content_key.ts";
import type { KeyList } from "../crypto/key_list.ts";
import {
  createSigner,
  generateSigningKey,
  type Signer,
} from "../crypto/signer.ts";
import { rasterizeBackSide } from "./rasterize.ts";

/** The issue time of the sample sheets. */
export const ISSUED_AT = new Date("2026-11-26T10:15:00+09:00");

/** A test center: signer, content key and the published key list. */
export interface TestCenter {
  signer: Signer;
  encryptionKey: ContentKey;
  keyList: KeyList;
}

/**
 * Makes a center whose single key is valid through 2026–2027 and whose clock
 * stands at {@linkcode ISSUED_AT}.
 *
 * @example
 * ```ts
 * const { signer, encryptionKey, keyList } = await makeTestCenter();
 * ```
 */
export async function makeTestCenter(
  options: { encKeyId?: string } = {},
): Promise<TestCenter> {
  const signer = await createSigner(
    [
      await generateSigningKey({
        notBefore: new Date("2026-01-01T00:00:00+09:00"),
        notAfter: new Date("2027-12-31T23:59:59+09:00"),
      }),
    ],
    { clock: { now: () => ISSUED_AT } },
  );
  return {
    signer,
    encryptionKey: await generateContentKey(options.encKeyId ?? "enc-test-1"),
    keyList: await signer.keyList(),
  };
}

/**
 * Rasterizes a back side to a PNG "scan" at `dpi`, as a flatbed scanner
 * would deliver a clean page.
 *
 * @example
 * ```ts ignore
 * const png = await scanPng(back, 200);
 * ```
 */
export async function scanPng(back: BackSide, dpi = 200): Promise<Uint8Array> {
  const img = rasterizeBackSide(back, { dpi });
  const out = await sharp(img.data, {
    raw: { width: img.width, height: img.height, channels: 1 },
  }).png({ compressionLevel: 1 }).toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
