/**
 * A minimal PDF 1.7 file writer: numbered objects and streams appended to a
 * byte buffer, then the cross-reference table and trailer. A writer can start
 * from a cached prefix (header plus objects shared by every document), so
 * per-document work is only the new objects.
 *
 * @module
 */

import { deflateSync } from "node:zlib";

const encoder = new TextEncoder();

/** ASCII digits of 0–999. */
const SMALL_INTS: readonly Uint8Array[] = Array.from(
  { length: 1000 },
  (_, i) => encoder.encode(String(i)),
);

/**
 * Formats a number for a PDF content stream or dictionary: at most three
 * decimals, never exponent notation, no "-0".
 *
 * @example
 * ```ts
 * num(1 / 3); // "0.333"
 * num(1e-9); // "0"
 * ```
 */
export function num(v: number): string {
  const r = Math.round(v * 1000) / 1000;
  return r === 0 ? "0" : String(r);
}

/** Hex digits of every byte value, for glyph id strings. */
const HEX = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

/**
 * A 16-bit glyph id as four hex digits.
 *
 * @example
 * ```ts
 * hex4(0x1234); // "1234"
 * ```
 */
export function hex4(v: number): string {
  return HEX[(v >> 8) & 0xff] + HEX[v & 0xff];
}

/**
 * Escapes text for a PDF literal string (ASCII only).
 *
 * @example
 * ```ts
 * pdfString("a(b)"); // "(a\\(b\\))"
 * ```
 */
export function pdfString(s: string): string {
  return `(${
    s.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, "?")
  })`;
}

/** Bytes of an already serialized run of objects, with their offsets. */
export interface PdfPrefix {
  bytes: Uint8Array;
  /** Object number → byte offset within `bytes`. */
  offsets: Map<number, number>;
  /** Next free object number. */
  nextObject: number;
}

/** Options of a stream object. */
export interface StreamOptions {
  /** Deflate the data (zlib level given, 1–9). Default: store as is. */
  compress?: number;
  /** The data is already deflated. */
  deflated?: boolean;
}

/**
 * Appends objects to a PDF file in the making.
 *
 * @example
 * ```ts
 * const w = new PdfWriter();
 * const page = w.allocate();
 * w.object(page, "<< /Type /Page >>");
 * ```
 */
export class PdfWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private readonly offsets: Map<number, number>;
  private next: number;

  /** Starts a new file, or continues after a cached prefix. */
  constructor(prefix?: PdfPrefix, firstObject = 1) {
    if (prefix) {
      this.chunks.push(prefix.bytes);
      this.size = prefix.bytes.length;
      this.offsets = new Map(prefix.offsets);
      this.next = prefix.nextObject;
    } else {
      this.offsets = new Map();
      this.next = firstObject;
      this.raw("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
    }
  }

  /** Reserves an object number. */
  allocate(): number {
    return this.next++;
  }

  /** Appends raw bytes or ASCII/latin-1 text. */
  raw(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? latin1(data) : data;
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  /** Writes object `n` with a dictionary or other body. */
  object(n: number, body: string): void {
    this.offsets.set(n, this.size);
    this.raw(`${n} 0 obj\n${body}\nendobj\n`);
  }

  /**
   * Writes stream object `n`; `dict` holds the entries besides /Length and
   * /Filter, without the surrounding << >>.
   */
  stream(
    n: number,
    dict: string,
    data: Uint8Array | string,
    opts: StreamOptions = {},
  ): void {
    let bytes = typeof data === "string" ? latin1(data) : data;
    let filter = opts.deflated ? " /Filter /FlateDecode" : "";
    if (opts.compress && !opts.deflated) {
      bytes = deflateZlib(bytes, opts.compress);
      filter = " /Filter /FlateDecode";
    }
    this.offsets.set(n, this.size);
    this.raw(
      `${n} 0 obj\n<< ${dict} /Length ${bytes.length}${filter} >>\nstream\n`,
    );
    this.raw(bytes);
    this.raw("\nendstream\nendobj\n");
  }

  /** Snapshot of everything written so far, to start later files from. */
  prefix(): PdfPrefix {
    return {
      bytes: this.concat(),
      offsets: new Map(this.offsets),
      nextObject: this.next,
    };
  }

  /** Writes the cross-reference table and trailer and returns the file. */
  finish(root: number, info?: number): Uint8Array {
    const count = this.next;
    const xrefAt = this.size;
    const lines = [`xref\n0 ${count}\n0000000000 65535 f \n`];
    for (let i = 1; i < count; i++) {
      const off = this.offsets.get(i);
      lines.push(
        off === undefined
          ? "0000000000 65535 f \n"
          : `${String(off).padStart(10, "0")} 00000 n \n`,
      );
    }
    const infoRef = info ? ` /Info ${info} 0 R` : "";
    lines.push(
      `trailer\n<< /Size ${count} /Root ${root} 0 R${infoRef} >>\nstartxref\n${xrefAt}\n%%EOF\n`,
    );
    this.raw(lines.join(""));
    return this.concat();
  }

  private concat(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/**
 * Deflates bytes into a zlib stream (native zlib: ~10× faster than a JS
 * deflate on the back side's symbol runs).
 *
 * @example
 * ```ts
 * deflateZlib(new Uint8Array(1000), 6).length < 100; // true
 * ```
 */
export function deflateZlib(data: Uint8Array, level: number): Uint8Array {
  const out = deflateSync(data, { level });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Appends ASCII text and small non-negative integers to a growing byte
 * buffer, for content streams with many thousands of operators.
 *
 * @example
 * ```ts
 * const b = new ByteBuilder();
 * b.int(12);
 * b.ascii(" 0 re");
 * new TextDecoder().decode(b.bytes()); // "12 0 re"
 * ```
 */
export class ByteBuilder {
  private buf = new Uint8Array(4096);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Appends ASCII text. */
  ascii(s: string): void {
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
  }

  /** Appends a non-negative integer in decimal. */
  int(v: number): void {
    this.reserve(11);
    if (v < 1000) {
      const d = SMALL_INTS[v];
      for (let i = 0; i < d.length; i++) this.buf[this.len++] = d[i];
      return;
    }
    const s = String(v);
    for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
  }

  /** Appends `c r n 1 re\n`: one run of `n` modules at column c, row r. */
  run(c: number, r: number, n: number): void {
    if (c < 1000 && r < 1000 && n < 1000) {
      this.reserve(18);
      const buf = this.buf;
      let at = this.len;
      let d = SMALL_INTS[c];
      for (let i = 0; i < d.length; i++) buf[at++] = d[i];
      buf[at++] = 32;
      d = SMALL_INTS[r];
      for (let i = 0; i < d.length; i++) buf[at++] = d[i];
      buf[at++] = 32;
      d = SMALL_INTS[n];
      for (let i = 0; i < d.length; i++) buf[at++] = d[i];
      buf[at++] = 32;
      buf[at++] = 49; // "1"
      buf[at++] = 32;
      buf[at++] = 114; // "r"
      buf[at++] = 101; // "e"
      buf[at++] = 10;
      this.len = at;
      return;
    }
    this.ascii(`${c} ${r} ${n} 1 re\n`);
  }

  /** Appends one byte. */
  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** Appends bytes. */
  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** The bytes written so far (a view; copy before writing more). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/**
 * Encodes a string whose characters are all below U+0100 as bytes.
 *
 * @example
 * ```ts
 * latin1("%\xe2"); // Uint8Array [37, 226]
 * ```
 */
export function latin1(s: string): Uint8Array {
  // fast path: pure ASCII
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return encoder.encode(s);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) {
      throw new RangeError(
        `Character U+${c.toString(16)} cannot be written raw to a PDF`,
      );
    }
    out[i] = c;
  }
  return out;
}
