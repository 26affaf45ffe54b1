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
import type { MiddlewareHandler } from "hono";
import { DomainError } from "./errors.ts";

/** Code points no text field may contain (see the module doc). */
const FORBIDDEN = new RegExp(
  "[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F\\uFDD0-\\uFDEF\\uFFFE\\uFFFF" +
    Array.from(
      { length: 16 },
      (_, i) =>
        `\\u{${(i + 1).toString(16)}FFFE}\\u{${(i + 1).toString(16)}FFFF}`,
    ).join("") +
    "]",
  "u",
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

/** Where in the request line or headers unsafe text is, if anywhere. */
function unsafeInRequestLine(req: Request): string | undefined {
  const url = new URL(req.url);
  const path = decodedPath(url.pathname);
  if (path === undefined || !isSafeText(path)) return "path";
  for (const [k, v] of url.searchParams) {
    if (!isSafeText(k) || !isSafeText(v)) return `query.${k}`;
  }
  for (const [k, v] of req.headers) {
    if (!isSafeText(v)) return `header.${k}`;
  }
  return undefined;
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
    if (/^application\/(.+\+)?json\b/i.test(type)) {
      // Read once already (a message log before us): Hono's cached copy;
      // otherwise a clone, so the request's own body stays unread.
      const text = c.req.raw.bodyUsed
        ? await c.req.text()
        : await c.req.raw.clone().text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const at = unsafeTextPath(body);
      if (at) throw invalidText(`body ${at}`);
    }
    await next();
  };
}
