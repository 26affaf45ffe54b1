/**
 * Serves a manifest's routes on a Hono app, Fresh-style: each route runs
 * the `_middleware` of its folders (outermost first), then its handler or,
 * for a page without one, renders it. Pages render on the server with
 * preact-render-to-string inside their folders' `_layout`s and `_app`;
 * islands they use are marked, their props serialized, and their scripts
 * linked. `/static/<file>` serves the static folder (built island scripts,
 * css). `_error.tsx` renders 404s and failures through {@linkcode FreshServer.renderError}.
 *
 * @module
 */
import type { Context, Env, Hono } from "hono";
import { type ComponentType, h, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import {
  collectIslands,
  ISLAND_PROPS_ID,
  registerIsland,
  type RenderedIsland,
  serializeIslandProps,
} from "./islands.ts";
import { islandName, routeFileKind } from "./manifest.ts";
import type {
  AppProps,
  ErrorPageProps,
  FreshContext,
  Handler,
  Manifest,
  Method,
  RenderInit,
  RouteModule,
} from "./types.ts";

/** Options of {@linkcode mountFresh}. */
export interface FreshOptions<State> {
  manifest: Manifest;
  /** Folder served at `/static/` (island scripts, css, icons). */
  staticDir: string;
  /** Builds the request's initial state (before middleware). */
  state(c: Context): State;
}

/** One mounted route. */
export interface MountedRoute {
  pattern: string;
  file: string;
  /** Middleware files run before it, outermost first. */
  middleware: string[];
  /** Layout files wrapping its page, outermost first. */
  layouts: string[];
}

/** What {@linkcode mountFresh} returns. */
export interface FreshServer {
  routes: MountedRoute[];
  /** Island name → script URL (islands whose script is built). */
  islandScripts: Record<string, string>;
  /** Renders `_error.tsx` (or a plain page) with `status`. */
  renderError(c: Context, status: number, error?: unknown): Promise<Response>;
}

const METHODS: Method[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
const STATIC_TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
};
const STATIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.([a-z]+)$/;

const BODY_SLOT = "<portal-body></portal-body>";
function BodySlot() {
  return h("portal-body", null);
}

/** FNV-1a, 32 bit, hex: a cache-busting version of a file's bytes. */
function contentVersion(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

function islandScriptUrls(
  staticDir: string,
  names: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    try {
      const bytes = Deno.readFileSync(`${staticDir}/island-${name}.js`);
      out[name] = `/static/island-${name}.js?v=${contentVersion(bytes)}`;
    } catch {
      // Not built: the page still works, as a plain form, without it.
    }
  }
  return out;
}

function injectIslands(
  html: string,
  islands: RenderedIsland[],
  scripts: Record<string, string>,
): string {
  if (islands.length === 0) return html;
  const names = [...new Set(islands.map((i) => i.name))];
  const tags = `<script type="application/json" id="${ISLAND_PROPS_ID}">` +
    serializeIslandProps(islands) + "</script>" +
    names.filter((n) => scripts[n]).map((n) =>
      `<script type="module" src="${scripts[n]}"></script>`
    ).join("");
  const at = html.lastIndexOf("</body>");
  return at < 0 ? html + tags : html.slice(0, at) + tags + html.slice(at);
}

function chain(folder: string): string[] {
  const parts = folder.split("/").filter(Boolean);
  return ["", ...parts.map((_, i) => "/" + parts.slice(0, i + 1).join("/"))];
}

function asHandlers<State>(
  mod: RouteModule,
): (method: Method) => Handler<unknown, State> | undefined {
  const handler = mod.handler;
  if (typeof handler === "function") {
    return () => handler as Handler<unknown, State>;
  }
  return (method) => {
    const table = handler as
      | Record<string, Handler<unknown, State>>
      | undefined;
    const found = table?.[method] ??
      (method === "HEAD" ? table?.GET : undefined);
    if (found) return found;
    if (
      !table?.[method] && mod.default && (method === "GET" || method === "HEAD")
    ) {
      return (_req, ctx) => ctx.render();
    }
    return undefined;
  };
}

function allowedMethods(mod: RouteModule): string[] {
  if (typeof mod.handler === "function") return METHODS;
  const table = mod.handler as Record<string, unknown> | undefined;
  const m = METHODS.filter((x) => table?.[x]);
  if (mod.default && !m.includes("GET")) m.push("GET");
  if (m.includes("GET") && !m.includes("HEAD")) m.push("HEAD");
  return m;
}

/**
 * Mounts the manifest's routes and the static folder on `app`.
 *
 * @example
 * ```ts ignore
 * const fresh = mountFresh(app, {
 *   manifest, staticDir: "static", state: () => ({ lang: "ja" }),
 * });
 * app.notFound((c) => fresh.renderError(c, 404));
 * ```
 */
export function mountFresh<E extends Env, State>(
  app: Hono<E>,
  options: FreshOptions<State>,
): FreshServer {
  const { manifest } = options;
  for (const [file, mod] of Object.entries(manifest.islands)) {
    registerIsland(islandName(file), mod.default);
  }
  const islandScripts = islandScriptUrls(
    options.staticDir,
    Object.keys(manifest.islands).map(islandName),
  );

  let appModule: RouteModule | undefined;
  let errorModule: RouteModule | undefined;
  const layouts = new Map<string, [string, RouteModule]>();
  const middleware = new Map<string, [string, RouteModule]>();
  const pages: Array<
    { file: string; pattern: string; folder: string; mod: RouteModule }
  > = [];
  for (const [file, mod] of Object.entries(manifest.routes)) {
    const kind = routeFileKind(file);
    if (kind.kind === "route") {
      pages.push({ file, pattern: kind.pattern, folder: kind.folder, mod });
    } else if (kind.kind === "_app") appModule = mod;
    else if (kind.kind === "_error") errorModule = mod;
    else if (kind.kind === "_layout") layouts.set(kind.folder, [file, mod]);
    else middleware.set(kind.folder, [file, mod]);
  }

  function page(
    root: ComponentType,
    state: State,
    url: URL,
    skipApp: boolean,
  ): string {
    const App = appModule?.default;
    // The page renders first, so that it can set state (a title) that the
    // app shell reads; the shell then gets the page's markup in its slot.
    const { result, islands } = collectIslands(() => {
      const body = renderToString(h(root, null));
      if (!App || skipApp) return body;
      const shell = renderToString(
        h(App, { Component: BodySlot, url, state } satisfies AppProps<State>),
      );
      const at = shell.indexOf(BODY_SLOT);
      if (at < 0) throw new Error("_app did not render its Component");
      return shell.slice(0, at) + body + shell.slice(at + BODY_SLOT.length);
    });
    return "<!DOCTYPE html>" + injectIslands(result, islands, islandScripts);
  }

  function html(body: string, init: RenderInit = {}): Response {
    const headers = new Headers(init.headers);
    if (!headers.has("Content-Type")) {
      headers.set("Content-Type", "text/html; charset=utf-8");
    }
    return new Response(body, { status: init.status ?? 200, headers });
  }

  function renderErrorWith(
    state: State,
    url: URL,
    status: number,
    error?: unknown,
  ): Response {
    const ErrorPage = errorModule?.default;
    if (!ErrorPage) {
      return new Response(status === 404 ? "Not Found" : "Error", { status });
    }
    const props: ErrorPageProps<State> = { status, error, url, state };
    return html(page(() => h(ErrorPage, props), state, url, false), { status });
  }

  const mounted: MountedRoute[] = [];
  for (const route of pages) {
    const pick = (table: Map<string, [string, RouteModule]>) =>
      chain(route.folder).flatMap((f) => {
        const found = table.get(f);
        return found ? [found] : [];
      });
    const mws = pick(middleware);
    const lays = route.mod.config?.skipInheritedLayouts ? [] : pick(layouts);
    const handlerFor = asHandlers<State>(route.mod);
    const allow = allowedMethods(route.mod);
    mounted.push({
      pattern: route.pattern,
      file: route.file,
      middleware: mws.map(([f]) => f),
      layouts: lays.map(([f]) => f),
    });

    app.all(route.pattern, async (c) => {
      const state = options.state(c);
      const url = new URL(c.req.url);
      const method = c.req.method.toUpperCase() as Method;
      const ctx: FreshContext<State> = {
        req: c.req.raw,
        url,
        params: c.req.param() as Record<string, string>,
        state,
        route: route.pattern,
        render(data, init) {
          const Page = route.mod.default;
          if (!Page) {
            throw new TypeError(
              `${route.file} has no page component to render`,
            );
          }
          let Inner: ComponentType = () =>
            h(Page, {
              url,
              params: ctx.params,
              route: route.pattern,
              state,
              data,
            });
          for (const [, layout] of [...lays].reverse()) {
            const Layout = layout.default!;
            const Wrapped: ComponentType = Inner;
            Inner = (): VNode => h(Layout, { Component: Wrapped, url, state });
          }
          return Promise.resolve(
            html(
              page(Inner, state, url, !!route.mod.config?.skipAppWrapper),
              init,
            ),
          );
        },
        renderNotFound: () => Promise.resolve(renderErrorWith(state, url, 404)),
        next: () => {
          throw new Error("ctx.next() is only available in middleware");
        },
      };
      const handlers = mws.flatMap(([, m]) =>
        Array.isArray(m.handler) ? m.handler : m.handler ? [m.handler] : []
      ) as Handler<unknown, State>[];
      let i = 0;
      const run = async (): Promise<Response> => {
        if (i < handlers.length) {
          const mw = handlers[i++];
          ctx.next = run;
          return await mw(ctx.req, ctx);
        }
        ctx.next = () => {
          throw new Error("ctx.next() is only available in middleware");
        };
        const handler = handlerFor(method);
        if (!handler) {
          return new Response("Method Not Allowed", {
            status: 405,
            headers: { Allow: allow.join(", ") },
          });
        }
        return await handler(ctx.req, ctx);
      };
      const res = await run();
      return method === "HEAD" ? new Response(null, res) : res;
    });
  }

  app.get("/static/:file", async (c) => {
    const name = c.req.param("file");
    const m = STATIC_NAME.exec(name);
    const type = m ? STATIC_TYPES[m[1]] : undefined;
    if (!type) return c.notFound();
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await Deno.readFile(`${options.staticDir}/${name}`);
    } catch {
      return c.notFound();
    }
    const immutable = name.startsWith("chunk-") ||
      c.req.query("v") !== undefined;
    return new Response(bytes, {
      headers: {
        "Content-Type": type,
        "Cache-Control": immutable
          ? "public, max-age=31536000, immutable"
          : "public, max-age=300",
      },
    });
  });

  return {
    routes: mounted,
    islandScripts,
    renderError(c, status, error) {
      return Promise.resolve(
        renderErrorWith(options.state(c), new URL(c.req.url), status, error),
      );
    },
  };
}
