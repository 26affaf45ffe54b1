/**
 * Text that no field may hold, refused at the door of every service: NUL and
 * the other C0 controls (tab, line feed and carriage return excepted), DEL,
 * lone surrogates and Unicode non-characters (U+FDD0–U+FDEF and the last two
 * code points of every plane). Such text would otherwise reach PostgreSQL,
 * which refuses NUL in `text` and answers with a server error, or be printed.
 *
 * The guard looks at the decoded path, the query, the request headers and
 * every string (keys included) of a JSON body. A refusal is the common
 * `INVALID_TEXT` error (400) naming where the text was, never its value.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { DomainError } from "./errors.ts";

/**
 * Code points no text field may contain (see the module doc), matched on
 * UTF-16 code units without the `u` flag (several times faster over long
 * text): the BMP ones directly, and the non-characters of planes 1–16
 * (U+1FFFE … U+10FFFF) as their surrogate pairs — a high surrogate ending
 * in 0x3F (U+D83F, U+D87F, … U+DBFF) then U+DFFE or U+DFFF. Exact on
 * well-formed text, which {@linkcode isSafeText} checks first.
 */
const FORBIDDEN = new RegExp(
  "[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F\\uFDD0-\\uFDEF\\uFFFE\\uFFFF]|[" +
    Array.from(
      { length: 16 },
      (_, i) => `\\u${(0xd83f + i * 0x40).toString(16).toUpperCase()}`,
    ).join("") +
    "][\\uDFFE\\uDFFF]",
);

/** Whether `s` is text a field may hold. */
export function isSafeText(s: string): boolean {
  return s.isWellFormed() && !FORBIDDEN.test(s);
}

/** The path (`$.a[0].b`) of the first unsafe string in a JSON value, if any. */
export function unsafeTextPath(value: unknown, path = "$"): string | undefined {
  if (typeof value === "string") {
    return isSafeText(value) ? undefined : path;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = unsafeTextPath(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
    return undefined;
  }
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (!isSafeText(k)) return `${path}{key}`;
      const hit = unsafeTextPath(v, `${path}.${k}`);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** The refusal for unsafe text at `where` (a location, never the text). */
export function invalidText(where: string): DomainError {
  return new DomainError(
    "INVALID_TEXT",
    "使用できない文字（制御文字など）が含まれています",
    "The request contains characters that are not allowed (control characters, lone surrogates or non-characters)",
    { where },
  );
}

function decodedPath(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

const JSON_TYPE = /^application\/(.+\+)?json\b/i;

/** Where in the request line or headers unsafe text is, if anywhere. */
function unsafeInRequestLine(req: Request): string | undefined {
  // Without a percent escape, the decoded path and every query key and value
  // are pieces of the URL as it is (`+` becomes a space): one look suffices.
  if (!req.url.includes("%") && isSafeText(req.url)) {
    return unsafeHeader(req.headers);
  }
  const url = new URL(req.url);
  const path = decodedPath(url.pathname);
  if (path === undefined || !isSafeText(path)) return "path";
  for (const [k, v] of url.searchParams) {
    if (!isSafeText(k) || !isSafeText(v)) return `query.${k}`;
  }
  return unsafeHeader(req.headers);
}

/** The first header holding unsafe text, as `header.<name>`. */
function unsafeHeader(headers: Headers): string | undefined {
  for (const [k, v] of headers) {
    if (!isSafeText(v)) return `header.${k}`;
  }
  return undefined;
}

/**
 * Escapes after which a JSON string may hold text {@linkcode isSafeText}
 * refuses: `\b` (U+0008), `\f` (U+000C) and `\uXXXX`. The other escapes
 * (`\"`, `\\`, `\/`, `\n`, `\r`, `\t`) give allowed characters. A match
 * may be a false alarm (`"\\bin"`): it only sends the text to the full check.
 */
const RISKY_ESCAPE = /\\[bfu]/;

/**
 * The path of the first unsafe string in a JSON text, if it parses; the
 * same answer as `unsafeTextPath(JSON.parse(text))`, without parsing the
 * common case: every string of a JSON text is either written as it is in
 * the text (so an unsafe character in it is one in the text) or comes from
 * an escape. A text with no unsafe character and no escape that can make one
 * holds no unsafe string. Otherwise it is parsed and walked (the path named,
 * as before); a text that does not parse is left to the route's validator.
 *
 * @example
 * ```ts
 * import { unsafeJsonTextPath } from "./input_guard.ts";
 * unsafeJsonTextPath('{"a":"\\u0000"}'); // "$.a"
 * unsafeJsonTextPath('{"a":"髙"}'); // undefined
 * ```
 */
export function unsafeJsonTextPath(text: string): string | undefined {
  if (isSafeText(text) && !RISKY_ESCAPE.test(text)) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  return unsafeTextPath(body);
}

/**
 * The request's body as text, read once through Hono's body cache (what a
 * validator or a handler reads next is that cached copy: no second read, no
 * clone of the stream). The raw request is used up by the read; a request
 * without a `Content-Length` (streamed) gets a raw request rebuilt over the
 * text, so middleware after this one that reads the raw body itself (a body
 * limit counting a stream) still can.
 */
async function bodyText(c: Context): Promise<string> {
  // Hono keeps promises there (its type says values).
  const cache = c.req.bodyCache as {
    text?: Promise<string>;
    arrayBuffer?: Promise<ArrayBuffer>;
  };
  let text: string;
  if (cache.text) text = await cache.text;
  else if (cache.arrayBuffer) {
    // Read already (the center's message log): decoded once, kept for the validator.
    text = new TextDecoder().decode(await cache.arrayBuffer);
    cache.text = Promise.resolve(text);
  } else text = await c.req.text();
  const raw = c.req.raw;
  if (
    !raw.headers.has("content-length") || raw.headers.has("transfer-encoding")
  ) {
    c.req.raw = new Request(raw.url, {
      method: raw.method,
      headers: raw.headers,
      body: text,
      signal: raw.signal,
    });
  }
  return text;
}

/**
 * Middleware refusing unsafe text anywhere in a request (see the module doc).
 * A body that is not valid JSON is left to the route's validator.
 *
 * @example
 * ```ts ignore
 * app.use(refuseUnsafeText());
 * ```
 */
export function refuseUnsafeText(): MiddlewareHandler {
  return async (c, next) => {
    const where = unsafeInRequestLine(c.req.raw);
    if (where) throw invalidText(where);
    const type = c.req.header("content-type") ?? "";
    if (JSON_TYPE.test(type)) {
      const at = unsafeJsonTextPath(await bodyText(c));
      if (at) throw invalidText(`body ${at}`);
    }
    await next();
  };
}
