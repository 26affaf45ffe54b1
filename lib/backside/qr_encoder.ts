/**
 * A fast QR Code (ISO/IEC 18004) encoder for one byte-mode segment at a
 * fixed version, error-correction level and mask, and the matching exact
 * reader of a module matrix (no image processing: the center reads back the
 * very modules it is about to print).
 *
 * Why not zxing-wasm's writer: it spends ~10–25 ms per symbol (12 per back
 * side), mostly choosing the mask by penalty score. Here everything that
 * depends only on the version (function patterns, the zigzag order of data
 * modules, the mask bits at each data module) is computed once per
 * (version, mask) and cached; encoding a symbol is then Reed–Solomon over
 * the blocks and one pass over the data modules (~0.1 ms for version 20).
 * The payload is encrypted or parity data, statistically random, so a fixed
 * mask reads as well as the penalty-optimal one; decoders read any mask.
 * zxing-wasm's reader stays the scanner (lib/backside/zxing.ts).
 *
 * The algorithm follows the structure of Project Nayuki's reference
 * implementation (MIT); the block tables are the standard's.
 *
 * @module
 */
import { mul } from "./gf256.ts";

/** Error-correction levels. */
export type QrEcLevel = "L" | "M" | "Q" | "H";

/** A symbol as a module matrix: row-major, 1 = dark (no quiet zone). */
export interface QrMatrix {
  width: number;
  height: number;
  modules: Uint8Array;
}

/** Options of {@linkcode encodeQrBytes}. */
export interface QrEncodeOptions {
  /** Symbol version 1–40. */
  version: number;
  ecLevel: QrEcLevel;
  /** Mask pattern 0–7 (default 0). */
  mask?: number;
}

const EC_INDEX: Record<QrEcLevel, number> = { L: 0, M: 1, Q: 2, H: 3 };
const FORMAT_BITS: Record<QrEcLevel, number> = { L: 1, M: 0, Q: 3, H: 2 };

// Per version (index 1–40): EC codewords per block, then number of blocks, for L, M, Q, H.
// deno-fmt-ignore
const ECC_PER_BLOCK = [
  [-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  [-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
];
// deno-fmt-ignore
const NUM_BLOCKS = [
  [-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  [-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  [-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
];

/** The symbol's block structure for a version and level. */
interface BlockShape {
  dataCodewords: number;
  eccPerBlock: number;
  numBlocks: number;
  numShortBlocks: number;
  /** Data codewords of a short block (long blocks have one more). */
  shortDataLen: number;
}

/** What depends only on (version, mask): cached. */
interface Template {
  size: number;
  /** Function patterns drawn (format area left light), row-major. */
  base: Uint8Array;
  /** Indices of the function modules other than format information. */
  fixed: Int32Array;
  /** Module index of each data bit, in placement order (≤ 177² < 2¹⁶). */
  order: Uint16Array;
  /** Mask bit at each entry of `order`. */
  maskBits: Uint8Array;
  /** `base` with the mask drawn on every data module: an all-zero payload. */
  masked: Uint8Array;
}

const templates = new Map<number, Template>();
const divisors = new Map<number, Divisor>();

function numRawDataModules(ver: number): number {
  let result = (16 * ver + 128) * ver + 64;
  if (ver >= 2) {
    const numAlign = Math.floor(ver / 7) + 2;
    result -= (25 * numAlign - 10) * numAlign - 55;
    if (ver >= 7) result -= 36;
  }
  return result;
}

function blockShape(ver: number, ec: QrEcLevel): BlockShape {
  const e = EC_INDEX[ec];
  const eccPerBlock = ECC_PER_BLOCK[e][ver];
  const numBlocks = NUM_BLOCKS[e][ver];
  const raw = Math.floor(numRawDataModules(ver) / 8);
  const shortBlockLen = Math.floor(raw / numBlocks);
  return {
    dataCodewords: raw - eccPerBlock * numBlocks,
    eccPerBlock,
    numBlocks,
    numShortBlocks: numBlocks - (raw % numBlocks),
    shortDataLen: shortBlockLen - eccPerBlock,
  };
}

function alignmentPositions(ver: number): number[] {
  if (ver === 1) return [];
  const numAlign = Math.floor(ver / 7) + 2;
  const size = ver * 4 + 17;
  const step = ver === 32
    ? 26
    : Math.ceil((ver * 4 + 4) / (numAlign * 2 - 2)) * 2;
  const result = [6];
  for (let pos = size - 7; result.length < numAlign; pos -= step) {
    result.splice(1, 0, pos);
  }
  return result;
}

function maskBit(mask: number, x: number, y: number): boolean {
  switch (mask) {
    case 0:
      return (x + y) % 2 === 0;
    case 1:
      return y % 2 === 0;
    case 2:
      return x % 3 === 0;
    case 3:
      return (x + y) % 3 === 0;
    case 4:
      return (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0;
    case 5:
      return ((x * y) % 2) + ((x * y) % 3) === 0;
    case 6:
      return (((x * y) % 2) + ((x * y) % 3)) % 2 === 0;
    default:
      return (((x + y) % 2) + ((x * y) % 3)) % 2 === 0;
  }
}

function versionBits(ver: number): number {
  let rem = ver;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
  return (ver << 12) | rem;
}

function formatBits(ec: QrEcLevel, mask: number): number {
  const data = (FORMAT_BITS[ec] << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  return ((data << 10) | rem) ^ 0x5412;
}

/** The 15 format-bit positions of both copies, as [x, y] (bit i at index i). */
function formatPositions(size: number): { a: number[][]; b: number[][] } {
  const a: number[][] = [];
  for (let i = 0; i <= 5; i++) a.push([8, i]);
  a.push([8, 7], [8, 8], [7, 8]);
  for (let i = 9; i < 15; i++) a.push([14 - i, 8]);
  const b: number[][] = [];
  for (let i = 0; i < 8; i++) b.push([size - 1 - i, 8]);
  for (let i = 8; i < 15; i++) b.push([8, size - 15 + i]);
  return { a, b };
}

function template(ver: number, mask: number): Template {
  const key = ver * 8 + mask;
  const cached = templates.get(key);
  if (cached) return cached;
  const size = ver * 4 + 17;
  const base = new Uint8Array(size * size);
  const fn = new Uint8Array(size * size);
  const set = (x: number, y: number, dark: boolean) => {
    base[y * size + x] = dark ? 1 : 0;
    fn[y * size + x] = 1;
  };
  for (let i = 0; i < size; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || x >= size || y < 0 || y >= size) continue;
        const dist = Math.max(Math.abs(dx), Math.abs(dy));
        set(x, y, dist !== 2 && dist !== 4);
      }
    }
  }
  const align = alignmentPositions(ver);
  const n = align.length;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (
        (i === 0 && j === 0) || (i === 0 && j === n - 1) ||
        (i === n - 1 && j === 0)
      ) continue;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          set(
            align[i] + dx,
            align[j] + dy,
            Math.max(Math.abs(dx), Math.abs(dy)) !== 1,
          );
        }
      }
    }
  }
  // Format areas (drawn per symbol) and the dark module.
  const { a, b } = formatPositions(size);
  for (const [x, y] of [...a, ...b]) set(x, y, false);
  set(8, size - 8, true);
  if (ver >= 7) {
    const bits = versionBits(ver);
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) !== 0;
      const p = size - 11 + (i % 3);
      const q = Math.floor(i / 3);
      set(p, q, dark);
      set(q, p, dark);
    }
  }
  const order: number[] = [];
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < size; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const upward = ((right + 1) & 2) === 0;
        const y = upward ? size - 1 - vert : vert;
        if (!fn[y * size + x]) order.push(y * size + x);
      }
    }
  }
  const maskBits = new Uint8Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const idx = order[i];
    maskBits[i] = maskBit(mask, idx % size, Math.floor(idx / size)) ? 1 : 0;
  }
  const formatCells = new Set([...a, ...b].map(([x, y]) => y * size + x));
  const fixedList: number[] = [];
  for (let i = 0; i < fn.length; i++) {
    if (fn[i] && !formatCells.has(i)) fixedList.push(i);
  }
  const masked = base.slice();
  for (let i = 0; i < order.length; i++) masked[order[i]] = maskBits[i];
  const t = {
    size,
    base,
    fixed: Int32Array.from(fixedList),
    order: Uint16Array.from(order),
    maskBits,
    masked,
  };
  templates.set(key, t);
  return t;
}

/**
 * The generator polynomial of a degree (at most 32; QR uses up to 30), and
 * its multiples as big-endian 32-bit words: row `f` holds `div × f` in 8
 * words, left-aligned, so the remainder loop shifts and XORs eight
 * registers per data byte instead of touching memory byte by byte.
 */
interface Divisor {
  degree: number;
  rows: Int32Array;
}

function divisor(degree: number): Divisor {
  const cached = divisors.get(degree);
  if (cached) return cached;
  // Coefficients from highest to lowest power, leading 1 omitted.
  const result = new Uint8Array(degree);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      result[j] = mul(result[j], root);
      if (j + 1 < degree) result[j] ^= result[j + 1];
    }
    root = mul(root, 0x02);
  }
  const rows = new Int32Array(256 * 8);
  for (let f = 1; f < 256; f++) {
    for (let j = 0; j < degree; j++) {
      rows[f * 8 + (j >>> 2)] |= mul(result[j], f) << (24 - 8 * (j & 3));
    }
  }
  const d = { degree, rows };
  divisors.set(degree, d);
  return d;
}

/**
 * The Reed–Solomon remainder of `data[start…start+len)` (its EC codewords):
 * a linear-feedback shift register of up to 32 bytes held in eight 32-bit
 * registers, the next byte to leave at the top of `r0`.
 */
function remainder(
  data: Uint8Array,
  start: number,
  len: number,
  { degree, rows }: Divisor,
): Uint8Array {
  let r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0;
  for (let k = start, end = start + len; k < end; k++) {
    const t = ((data[k] ^ (r0 >>> 24)) & 0xff) << 3;
    r0 = ((r0 << 8) | (r1 >>> 24)) ^ rows[t];
    r1 = ((r1 << 8) | (r2 >>> 24)) ^ rows[t + 1];
    r2 = ((r2 << 8) | (r3 >>> 24)) ^ rows[t + 2];
    r3 = ((r3 << 8) | (r4 >>> 24)) ^ rows[t + 3];
    r4 = ((r4 << 8) | (r5 >>> 24)) ^ rows[t + 4];
    r5 = ((r5 << 8) | (r6 >>> 24)) ^ rows[t + 5];
    r6 = ((r6 << 8) | (r7 >>> 24)) ^ rows[t + 6];
    r7 = (r7 << 8) ^ rows[t + 7];
  }
  const regs = [r0, r1, r2, r3, r4, r5, r6, r7];
  const out = new Uint8Array(degree);
  for (let j = 0; j < degree; j++) {
    out[j] = regs[j >>> 2] >>> (24 - 8 * (j & 3));
  }
  return out;
}

/**
 * The Reed–Solomon error-correction codewords (QR's generator, GF(256) with
 * 0x11d) of one block of data codewords, `degree` of them (1–32).
 *
 * @example
 * ```ts ignore
 * const ec = errorCorrectionCodewords(blockData, 26);
 * ```
 */
export function errorCorrectionCodewords(
  data: Uint8Array,
  degree: number,
): Uint8Array {
  if (!Number.isInteger(degree) || degree < 1 || degree > 32) {
    throw new RangeError(`EC degree must be 1–32, got ${degree}`);
  }
  return remainder(data, 0, data.length, divisor(degree));
}

/** Largest byte-mode payload of a version and level. */
export function qrByteCapacity(version: number, ecLevel: QrEcLevel): number {
  checkVersion(version);
  const { dataCodewords } = blockShape(version, ecLevel);
  const headerBits = 4 + (version <= 9 ? 8 : 16);
  return Math.floor((dataCodewords * 8 - headerBits) / 8);
}

function checkVersion(version: number) {
  if (!Number.isInteger(version) || version < 1 || version > 40) {
    throw new RangeError(`QR version must be 1–40, got ${version}`);
  }
}

/** Data codewords: byte-mode segment, terminator, padding. */
function dataCodewords(
  payload: Uint8Array,
  version: number,
  total: number,
): Uint8Array {
  const out = new Uint8Array(total);
  const n = payload.length;
  // Mode (4 bits) and count (8 or 16 bits): the payload starts 4 bits into a byte.
  let o: number;
  if (version <= 9) {
    out[0] = 0x40 | (n >>> 4);
    o = 1;
  } else {
    out[0] = 0x40 | (n >>> 12);
    out[1] = (n >>> 4) & 0xff;
    o = 2;
  }
  let carry = (n & 0x0f) << 4;
  for (let i = 0; i < n; i++, o++) {
    out[o] = carry | (payload[i] >>> 4);
    carry = (payload[i] & 0x0f) << 4;
  }
  // The last nibble, then the 4-bit terminator (zeros) completes the byte.
  if (o < total) out[o++] = carry;
  for (let pad = 0xec; o < total; o++, pad ^= 0xec ^ 0x11) out[o] = pad;
  return out;
}

/**
 * Encodes bytes as one QR symbol (one byte-mode segment, no ECI). Throws
 * `RangeError` when the payload does not fit the version and level.
 *
 * @example
 * ```ts ignore
 * const m = encodeQrBytes(payload, { version: 20, ecLevel: "M" });
 * console.log(m.width); // 97
 * ```
 */
export function encodeQrBytes(
  payload: Uint8Array,
  options: QrEncodeOptions,
): QrMatrix {
  const { version, ecLevel } = options;
  const mask = options.mask ?? 0;
  checkVersion(version);
  if (!Number.isInteger(mask) || mask < 0 || mask > 7) {
    throw new RangeError(`QR mask must be 0–7, got ${mask}`);
  }
  const capacity = qrByteCapacity(version, ecLevel);
  if (payload.length > capacity) {
    throw new RangeError(
      `${payload.length} bytes do not fit QR ${version}-${ecLevel} (${capacity} max)`,
    );
  }
  const shape = blockShape(version, ecLevel);
  const data = dataCodewords(payload, version, shape.dataCodewords);
  const codewords = interleave(data, shape);
  const t = template(version, mask);
  // Start from the masked template and flip the modules of the 1 bits.
  const modules = t.masked.slice();
  const order = t.order;
  for (let j = 0; j < codewords.length; j++) {
    const v = codewords[j];
    if (v === 0) continue;
    const b = j << 3;
    for (let k = 0; k < 8; k++) {
      if ((v << k) & 0x80) modules[order[b + k]] ^= 1;
    }
  }
  drawFormat(modules, t.size, formatBits(ecLevel, mask));
  return { width: t.size, height: t.size, modules };
}

function drawFormat(modules: Uint8Array, size: number, bits: number) {
  const { a, b } = formatPositions(size);
  for (let i = 0; i < 15; i++) {
    const dark = (bits >>> i) & 1;
    modules[a[i][1] * size + a[i][0]] = dark;
    modules[b[i][1] * size + b[i][0]] = dark;
  }
}

/** Splits data into blocks, appends each block's EC codewords, interleaves. */
function interleave(data: Uint8Array, s: BlockShape): Uint8Array {
  const div = divisor(s.eccPerBlock);
  const total = s.dataCodewords + s.eccPerBlock * s.numBlocks;
  const out = new Uint8Array(total);
  const starts: number[] = [];
  const lens: number[] = [];
  const eccs: Uint8Array[] = [];
  for (let b = 0, k = 0; b < s.numBlocks; b++) {
    const len = s.shortDataLen + (b < s.numShortBlocks ? 0 : 1);
    starts.push(k);
    lens.push(len);
    eccs.push(remainder(data, k, len, div));
    k += len;
  }
  let o = 0;
  for (let i = 0; i <= s.shortDataLen; i++) {
    for (let b = 0; b < s.numBlocks; b++) {
      if (i < lens[b]) out[o++] = data[starts[b] + i];
    }
  }
  for (let i = 0; i < s.eccPerBlock; i++) {
    for (let b = 0; b < s.numBlocks; b++) out[o++] = eccs[b][i];
  }
  return out;
}

/**
 * Reads back the payload of a module matrix made by
 * {@linkcode encodeQrBytes} (or any single byte-mode QR of that version and
 * level): checks both format-information copies, unmasks, de-interleaves,
 * and requires every block's EC codewords to equal those recomputed from its
 * data (an exact matrix needs no correction; any difference is an error).
 * Throws `RangeError` naming what does not match.
 *
 * @example
 * ```ts ignore
 * const bytes = readQrMatrix(m, { version: 20, ecLevel: "M" });
 * ```
 */
export function readQrMatrix(
  matrix: QrMatrix,
  options: { version: number; ecLevel: QrEcLevel },
): Uint8Array {
  const { version, ecLevel } = options;
  checkVersion(version);
  const size = version * 4 + 17;
  if (matrix.width !== size || matrix.height !== size) {
    throw new RangeError(
      `Matrix ${matrix.width}×${matrix.height} is not QR version ${version}`,
    );
  }
  const m = matrix.modules;
  const { a, b } = formatPositions(size);
  let bitsA = 0;
  let bitsB = 0;
  for (let i = 0; i < 15; i++) {
    bitsA |= (m[a[i][1] * size + a[i][0]] & 1) << i;
    bitsB |= (m[b[i][1] * size + b[i][0]] & 1) << i;
  }
  let mask = -1;
  for (let k = 0; k < 8; k++) if (formatBits(ecLevel, k) === bitsA) mask = k;
  if (mask < 0 || bitsB !== bitsA) {
    throw new RangeError("Format information does not match the level");
  }
  const t = template(version, mask);
  // Function patterns must be exactly as drawn (format cells checked above).
  const { fixed, base } = t;
  for (let j = 0; j < fixed.length; j++) {
    const i = fixed[j];
    if ((m[i] & 1) !== base[i]) {
      throw new RangeError("Function pattern damaged");
    }
  }
  const shape = blockShape(version, ecLevel);
  const total = shape.dataCodewords + shape.eccPerBlock * shape.numBlocks;
  const codewords = new Uint8Array(total);
  const { order, maskBits } = t;
  for (let byte = 0, i = 0; byte < total; byte++) {
    let v = 0;
    for (let k = 0; k < 8; k++, i++) {
      v = (v << 1) | ((m[order[i]] & 1) ^ maskBits[i]);
    }
    codewords[byte] = v;
  }
  // De-interleave.
  const data = new Uint8Array(shape.dataCodewords);
  const lens: number[] = [];
  const starts: number[] = [];
  for (let bl = 0, k = 0; bl < shape.numBlocks; bl++) {
    const len = shape.shortDataLen + (bl < shape.numShortBlocks ? 0 : 1);
    lens.push(len);
    starts.push(k);
    k += len;
  }
  let o = 0;
  for (let i = 0; i <= shape.shortDataLen; i++) {
    for (let bl = 0; bl < shape.numBlocks; bl++) {
      if (i < lens[bl]) data[starts[bl] + i] = codewords[o++];
    }
  }
  const div = divisor(shape.eccPerBlock);
  for (let bl = 0; bl < shape.numBlocks; bl++) {
    const ecc = remainder(data, starts[bl], lens[bl], div);
    for (let i = 0; i < shape.eccPerBlock; i++) {
      if (codewords[o + i * shape.numBlocks + bl] !== ecc[i]) {
        throw new RangeError(`Block ${bl} fails its error-correction check`);
      }
    }
  }
  // One byte-mode segment: it starts 4 bits into a byte.
  const mode = data[0] >>> 4;
  if (mode !== 0b0100) throw new RangeError(`Unexpected mode ${mode}`);
  let count: number;
  let q: number;
  if (version <= 9) {
    count = ((data[0] & 0x0f) << 4) | (data[1] >>> 4);
    q = 1;
  } else {
    count = ((data[0] & 0x0f) << 12) | (data[1] << 4) | (data[2] >>> 4);
    q = 2;
  }
  if (q + count + 1 > data.length) {
    throw new RangeError("Segment longer than the symbol");
  }
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++, q++) {
    out[i] = ((data[q] & 0x0f) << 4) | (data[q + 1] >>> 4);
  }
  return out;
}
