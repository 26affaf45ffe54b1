/**
 * A fast path for the uploads the portal receives: `multipart/form-data`
 * bodies as browsers and HTTP clients write them — parts separated by the
 * boundary, each with a `Content-Disposition: form-data; name="…"` (and a
 * `filename` for a file) and perhaps a `Content-Type`. The boundaries are
 * found with a native byte search and the parts are views of the body, where
 * the platform's `FormData` parser walks the body in JavaScript and copies
 * every file twice (into a blob, then out of it) — a sizeable share of the
 * portal's main thread per scan.
 *
 * Anything else — a quoted boundary, an escape in a name, a header it does
 * not know, a preamble, too many parts — is not parsed here: the caller
 * falls back to the platform's parser, so the answers stay the platform's.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** One part of a form: a text field (no `filename`) or a file. */
export interface FormPart {
  name: string;
  /** Present for a file part. */
  filename?: string;
  /** The part's bytes: a view of the body (copy it to keep it). */
  data: Uint8Array;
}

/** Boundary characters of RFC 2046 (`bchars`), no quotes needed. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/;
const MAX_PARTS = 16;
const MAX_HEADER_BYTES = 4096;
const DISPOSITION =
  /^content-disposition:[ \t]*form-data;[ \t]*name="([^"%\\\r\n]*)"(?:;[ \t]*filename="([^"%\\\r\n]*)")?[ \t]*$/i;
const CONTENT_TYPE =
  /^content-type:[ \t]*[!-~]+(?:[ \t]*;[ \t]*[!-~]+)*[ \t]*$/i;

/**
 * The boundary of a `multipart/form-data` content type, when it is a plain
 * token (else undefined: the platform's parser decides).
 *
 * @example
 * ```ts
 * import { simpleBoundary } from "./multipart.ts";
 * simpleBoundary("multipart/form-data; boundary=----abc"); // "----abc"
 * ```
 */
export function simpleBoundary(contentType: string): string | undefined {
  const m = /^multipart\/form-data[ \t]*;[ \t]*boundary=([^;\s"]+)[ \t]*$/i
    .exec(contentType);
  return m && BOUNDARY.test(m[1]) ? m[1] : undefined;
}

/**
 * The parts of a plain `multipart/form-data` body, or undefined when the
 * body is not one this fast path reads (the caller then uses the platform's
 * parser, which also refuses what is malformed).
 *
 * @example
 * ```ts ignore
 * const parts = parseSimpleMultipart(body, simpleBoundary(type)!);
 * ```
 */
export function parseSimpleMultipart(
  body: Uint8Array,
  boundary: string,
): FormPart[] | undefined {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const first = Buffer.from(`--${boundary}\r\n`, "latin1");
  const next = Buffer.from(`\r\n--${boundary}`, "latin1");
  if (!buf.subarray(0, first.length).equals(first)) return undefined;
  const decoder = new TextDecoder();
  const parts: FormPart[] = [];
  let at = first.length;
  while (true) {
    if (parts.length === MAX_PARTS) return undefined;
    const headEnd = buf.indexOf("\r\n\r\n", at, "latin1");
    if (headEnd < 0 || headEnd - at > MAX_HEADER_BYTES) return undefined;
    const head = headerOf(buf.toString("latin1", at, headEnd));
    if (!head) return undefined;
    const start = headEnd + 4;
    const end = buf.indexOf(next, start);
    if (end < 0) return undefined;
    parts.push({
      name: decoder.decode(Buffer.from(head.name, "latin1")),
      ...(head.filename !== undefined
        ? { filename: decoder.decode(Buffer.from(head.filename, "latin1")) }
        : {}),
      data: body.subarray(start, end),
    });
    at = end + next.length;
    // After a delimiter: CRLF and the next part, or "--" and the end.
    if (buf[at] === 0x0d && buf[at + 1] === 0x0a) {
      at += 2;
      continue;
    }
    if (buf[at] === 0x2d && buf[at + 1] === 0x2d) {
      const rest = buf.toString("latin1", at + 2);
      return /^(\r\n)?$/.test(rest) ? parts : undefined;
    }
    return undefined;
  }
}

/** The name and filename of a part's header block, if it is a plain one. */
function headerOf(
  block: string,
): { name: string; filename?: string } | undefined {
  let found: { name: string; filename?: string } | undefined;
  for (const line of block.split("\r\n")) {
    const d = DISPOSITION.exec(line);
    if (d) {
      if (found) return undefined;
      found = d[2] === undefined ? { name: d[1] } : {
        name: d[1],
        filename: d[2],
      };
    } else if (!CONTENT_TYPE.test(line)) return undefined;
  }
  return found;
}
