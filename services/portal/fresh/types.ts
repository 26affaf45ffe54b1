/**
 * Types of the portal's small Fresh-like layer: route modules, handlers,
 * the request context and the props that pages, layouts, the app wrapper
 * and the error page receive. They follow Fresh 1.x's names so a newcomer
 * who knows Fresh can read `routes/` without learning anything new.
 *
 * @module
 */
import type { ComponentType } from "preact";

/** HTTP methods a route may answer. */
export type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/** How a page is rendered by {@linkcode FreshContext.render}. */
export interface RenderInit {
  status?: number;
  headers?: HeadersInit;
}

/**
 * The per-request context handed to handlers and middleware.
 *
 * @example
 * ```ts ignore
 * export const handler: Handlers<{ n: number }, State> = {
 *   GET: (_req, ctx) => ctx.render({ n: 1 }),
 * };
 * ```
 */
export interface FreshContext<State = Record<string, unknown>, Data = unknown> {
  /** The request. */
  req: Request;
  /** The request URL, parsed. */
  url: URL;
  /** Path parameters (`[id].tsx` → `params.id`). */
  params: Record<string, string>;
  /** Request-scoped state: set by the app, filled by middleware. */
  state: State;
  /** The route pattern that matched, e.g. `/api/verify`. */
  route: string;
  /** Renders the route's page component with `data`. */
  render(data?: Data, init?: RenderInit): Promise<Response>;
  /** Renders `_error.tsx` with status 404. */
  renderNotFound(): Promise<Response>;
  /** In middleware: runs the rest of the chain (later middleware, then the route). */
  next(): Promise<Response>;
}

/** A request handler. */
export type Handler<Data = unknown, State = Record<string, unknown>> = (
  req: Request,
  ctx: FreshContext<State, Data>,
) => Response | Promise<Response>;

/** Handlers by method. */
export type Handlers<Data = unknown, State = Record<string, unknown>> = Partial<
  Record<Method, Handler<Data, State>>
>;

/** Props of a page component. */
export interface PageProps<Data = unknown, State = Record<string, unknown>> {
  url: URL;
  params: Record<string, string>;
  route: string;
  state: State;
  data: Data;
}

/** Props of `_app.tsx` and `_layout.tsx`: the inner tree to wrap. */
export interface AppProps<State = Record<string, unknown>> {
  Component: ComponentType;
  url: URL;
  state: State;
}

/** Props of `_error.tsx`. */
export interface ErrorPageProps<State = Record<string, unknown>> {
  status: number;
  /** The thrown value, for status ≥ 500 (never shown to users). */
  error?: unknown;
  url: URL;
  state: State;
}

/** Per-route options. */
export interface RouteConfig {
  /** Do not wrap this page in `_app.tsx`. */
  skipAppWrapper?: boolean;
  /** Do not wrap this page in the `_layout.tsx` files of its parent folders. */
  skipInheritedLayouts?: boolean;
}

/** What a file under `routes/` may export. */
export interface RouteModule {
  // deno-lint-ignore no-explicit-any
  default?: ComponentType<any>;
  // deno-lint-ignore no-explicit-any
  handler?: Handler<any, any> | Handlers<any, any>;
  config?: RouteConfig;
}

/** What a file under `islands/` exports: its component as default. */
export interface IslandModule {
  // deno-lint-ignore no-explicit-any
  default: ComponentType<any>;
}

/**
 * The build-time list of route and island modules (see `manifest.gen.ts`),
 * keyed by path relative to the project root (`./routes/index.tsx`).
 */
export interface Manifest {
  routes: Record<string, RouteModule>;
  islands: Record<string, IslandModule>;
  /** URL of the project root (with trailing slash). */
  baseUrl: string;
}
