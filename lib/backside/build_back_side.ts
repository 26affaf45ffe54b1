/**
 * Builds the back side of one sheet: seal the content into a signed,
 * encrypted envelope, split it into erasure-coded chunks (every slot of the
 * layout is filled: data chunks first, parity after), and place one 2D
 * symbol per chunk on the A4 back.
 *
 * @module
 */

import type { BackSide, SheetContent } from "../certificate/model.ts";
import type { ContentKey } from "../crypto/content_key.ts";
import type { Signer } from "../crypto/signer.ts";
import { splitIntoChunks } from "./chunks.ts";
import { parseEnvelope, sealEnvelope } from "./envelope.ts";
import {
  DEFAULT_LAYOUT,
  layoutSlots,
  placeSymbols,
  symbolCapacity,
  type SymbolLayout,
} from "./layout.ts";
import { writeSymbol } from "./zxing.ts";

/** Dependencies and options of {@linkcode buildBackSide}. */
export interface BuildBackSideOptions {
  /** The center's signer. */
  signer: Signer;
  /** The content key to encrypt with. */
  encryptionKey: ContentKey;
  /** Symbol layout; {@linkcode DEFAULT_LAYOUT} unless measuring alternatives. */
  layout?: SymbolLayout;
  /** Random source for salt and IV (tests only). */
  random?: (bytes: Uint8Array) => Uint8Array;
}

/**
 * Builds the back side of one sheet. For many sheets, prefer
 * {@linkcode createBackSideBuilder}, which measures the layout only once.
 *
 * @example
 * ```ts ignore
 * const back = await buildBackSide(sheet, { signer, encryptionKey });
 * console.log(back.symbols.length, back.keyId, back.issueNumber);
 * ```
 */
export async function buildBackSide(
  sheet: SheetContent,
  options: BuildBackSideOptions,
): Promise<BackSide> {
  const envelope = await sealEnvelope(sheet, options);
  return await backSideFromEnvelope(envelope, options.layout);
}

/** A reusable back-side builder bound to its signer, key and layout. */
export interface BackSideBuilder {
  build(sheet: SheetContent): Promise<BackSide>;
}

/**
 * Creates a builder that measures the layout (symbol capacity, slots) once
 * and then builds back sides with the given signer and content key.
 *
 * @example
 * ```ts ignore
 * const builder = createBackSideBuilder({ signer, encryptionKey });
 * const backs = await Promise.all(doc.sheets.map((s) => builder.build(s)));
 * ```
 */
export function createBackSideBuilder(
  options: BuildBackSideOptions,
): BackSideBuilder {
  const layout = options.layout ?? DEFAULT_LAYOUT;
  let measured: Promise<{ n: number; maxPayload: number }> | undefined;
  return {
    async build(sheet) {
      measured ??= (async () => ({
        n: await slotCount(layout),
        maxPayload: await symbolCapacity(layout),
      }))();
      const envelope = await sealEnvelope(sheet, options);
      return await layOut(envelope, layout, await measured);
    },
  };
}

/**
 * Lays out an already sealed envelope as a back side. Used by
 * {@linkcode buildBackSide}, and by tests and tools that build envelopes
 * themselves.
 *
 * @example
 * ```ts ignore
 * const back = await backSideFromEnvelope(envelopeBytes);
 * ```
 */
export async function backSideFromEnvelope(
  envelope: Uint8Array,
  layout: SymbolLayout = DEFAULT_LAYOUT,
): Promise<BackSide> {
  return await layOut(envelope, layout, {
    n: await slotCount(layout),
    maxPayload: await symbolCapacity(layout),
  });
}

async function layOut(
  envelope: Uint8Array,
  layout: SymbolLayout,
  shape: { n: number; maxPayload: number },
): Promise<BackSide> {
  const { header } = parseEnvelope(envelope);
  const payloads = splitIntoChunks(envelope, shape);
  return {
    keyId: header.signKeyId,
    issueNumber: header.issueNumber,
    symbols: await placeSymbols(payloads, layout),
  };
}

/**
 * Number of symbols a layout holds.
 *
 * @example
 * ```ts ignore
 * const n = await slotCount(DEFAULT_LAYOUT); // 12
 * ```
 */
export async function slotCount(layout: SymbolLayout): Promise<number> {
  const probe = await writeSymbol(new Uint8Array(1), layout);
  return layoutSlots(layout, probe.width).length;
}
