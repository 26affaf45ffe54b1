/**
 * The center's last look before release: read its own back side back from
 * the very modules that will be printed, and compare what it says with the
 * front's sheet. Each QR matrix is read exactly (format information, every
 * block's error-correction codewords recomputed: lib/backside/qr_encoder.ts),
 * the chunks are reassembled (every chunk, parity included, must agree),
 * the envelope's signature is checked against the center's published key
 * list, the content decrypted, and its canonical encoding compared byte for
 * byte with the front's.
 *
 * @module
 */
import type { BackSide, SheetContent } from "../../../lib/certificate/model.ts";
import { encodeSheetContent } from "../../../lib/backside/canonical.ts";
import { parseChunk, reassembleChunks } from "../../../lib/backside/chunks.ts";
import {
  openEnvelope,
  parseEnvelope,
  verifyEnvelopeSignature,
} from "../../../lib/backside/envelope.ts";
import {
  DEFAULT_LAYOUT,
  type SymbolLayout,
} from "../../../lib/backside/layout.ts";
import { readQrMatrix } from "../../../lib/backside/qr_encoder.ts";
import type { ContentKey } from "../../../lib/crypto/content_key.ts";
import {
  findVerificationKey,
  type KeyList,
} from "../../../lib/crypto/key_list.ts";

/** Result of {@linkcode checkBackSide}. */
export type BackSideCheck =
  | { ok: true; sheet: SheetContent }
  | { ok: false; problem: string };

/**
 * Decodes a back side from its modules and compares it with `front`.
 *
 * @example
 * ```ts ignore
 * const r = await checkBackSide(back, sheet, { keyList, contentKey });
 * if (!r.ok) withhold(r.problem);
 * ```
 */
export async function checkBackSide(
  back: BackSide,
  front: SheetContent,
  opts: { keyList: KeyList; contentKey: ContentKey; layout?: SymbolLayout },
): Promise<BackSideCheck> {
  const layout = opts.layout ?? DEFAULT_LAYOUT;
  if (layout.symbology !== "QRCode") {
    return { ok: false, problem: "only QR back sides can be read back" };
  }
  const chunks = [];
  for (const [i, s] of back.symbols.entries()) {
    let bytes: Uint8Array;
    try {
      bytes = readQrMatrix(s, {
        version: layout.version,
        ecLevel: layout.ecLevel,
      });
    } catch (e) {
      return { ok: false, problem: `symbol ${i}: ${(e as Error).message}` };
    }
    const chunk = parseChunk(bytes);
    if (!chunk) return { ok: false, problem: `symbol ${i} is not a chunk` };
    chunks.push(chunk);
  }
  const re = reassembleChunks(chunks);
  if (!re.ok) {
    return { ok: false, problem: `chunks ${re.problem}: ${re.detail}` };
  }
  if (re.present.length !== back.symbols.length) {
    return { ok: false, problem: "a symbol slot is repeated or missing" };
  }
  let parsed;
  try {
    parsed = parseEnvelope(re.envelope);
  } catch (e) {
    return { ok: false, problem: `envelope: ${(e as Error).message}` };
  }
  const h = parsed.header;
  const found = await findVerificationKey(
    opts.keyList,
    h.signKeyId,
    new Date(h.issuedAt),
  );
  if (found.status !== "ok") {
    return {
      ok: false,
      problem: `signing key ${h.signKeyId}: ${found.status}`,
    };
  }
  if (!(await verifyEnvelopeSignature(parsed, found.key))) {
    return { ok: false, problem: "envelope signature does not verify" };
  }
  if (h.encKeyId !== opts.contentKey.keyId) {
    return { ok: false, problem: `content key ${h.encKeyId} is not ours` };
  }
  const opened = await openEnvelope(parsed, opts.contentKey);
  if (!opened.ok) {
    return { ok: false, problem: `${opened.failure}: ${opened.detail}` };
  }
  if (back.issueNumber !== front.issueNumber || back.keyId !== h.signKeyId) {
    return { ok: false, problem: "clear issue number or key id differs" };
  }
  const a = encodeSheetContent(opened.sheet);
  const b = encodeSheetContent(front);
  if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
    return {
      ok: false,
      problem:
        `back side names ${opened.sheet.subject.residentId}, front ${front.subject.residentId}` +
        (opened.sheet.subject.residentId === front.subject.residentId
          ? " (other fields differ)"
          : ""),
    };
  }
  return { ok: true, sheet: opened.sheet };
}
