/**
 * Runs before every route: remembers a language chosen with `?lang=`,
 * issues the CSRF token of the upload form (cookie + `ctx.state`), and
 * refuses form posts that a browser says come from another site.
 *
 * @module
 */
import { CSRF_COOKIE } from "../services/portal/csrf.ts";
import type { FreshContext } from "../services/portal/fresh/types.ts";
import { LANG_COOKIE } from "../services/portal/i18n.ts";
import { refusal } from "../services/portal/refusals.ts";
import type { PortalState } from "../services/portal/state.ts";

function cookie(req: Request, name: string): string | undefined {
  const m = new RegExp(`(?:^|;\\s*)${name}=([^;]*)`).exec(
    req.headers.get("cookie") ?? "",
  );
  return m?.[1];
}

/** True when a browser reports the request as coming from another site. */
export function isCrossSite(req: Request, url: URL): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") return true;
  const origin = req.headers.get("origin");
  return origin !== null && origin !== "null" && origin !== url.origin;
}

/** The root middleware. */
export async function handler(
  req: Request,
  ctx: FreshContext<PortalState>,
): Promise<Response> {
  const { portal } = ctx.state;
  const api = ctx.url.pathname.startsWith("/api/");
  const unsafe = req.method !== "GET" && req.method !== "HEAD";
  if (unsafe && !api && isCrossSite(req, ctx.url)) {
    const r = refusal("CSRF_FAILED");
    return new Response(`${r.ja}\n${r.en}\n`, {
      status: 403,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const setCookies: string[] = [];
  const attrs = `; Path=/; SameSite=Strict${
    portal.secureCookies ? "; Secure" : ""
  }`;
  if (!api) {
    const existing = cookie(req, CSRF_COOKIE);
    if (await portal.csrf.isFresh(existing)) ctx.state.csrfToken = existing;
    else if (!unsafe) {
      ctx.state.csrfToken = await portal.csrf.issue();
      setCookies.push(
        `${CSRF_COOKIE}=${ctx.state.csrfToken}; HttpOnly; Max-Age=7200${attrs}`,
      );
    }
    const chosen = ctx.url.searchParams.get("lang");
    if (
      (chosen === "ja" || chosen === "en") &&
      cookie(req, LANG_COOKIE) !== chosen
    ) {
      setCookies.push(`${LANG_COOKIE}=${chosen}; Max-Age=31536000${attrs}`);
    }
  }
  const res = await ctx.next();
  if (setCookies.length === 0) return res;
  const headers = new Headers(res.headers);
  for (const c of setCookies) headers.append("Set-Cookie", c);
  return new Response(res.body, { status: res.status, headers });
}
