/**
 * Islands on the server: while a page renders, every use of an island
 * component is wrapped in a `<div data-island="Name" data-island-key="i">`
 * marker and its props are collected, checked to be plain JSON, and written
 * into one `<script type="application/json">` block for the browser to
 * hydrate from. This is Fresh's approach (a `preact.options.vnode` hook),
 * active only inside {@linkcode collectIslands}.
 *
 * Islands do not nest: an island rendered by another island is hydrated as
 * part of its parent, so it must not be a registered island itself.
 *
 * @module
 */
import { type ComponentType, h, options, type VNode } from "preact";

/** Id of the script element holding the serialized island props. */
export const ISLAND_PROPS_ID = "__PORTAL_ISLANDS__";

/** One island rendered on a page. */
export interface RenderedIsland {
  name: string;
  props: Record<string, unknown>;
}

// deno-lint-ignore no-explicit-any
type AnyComponent = ComponentType<any>;

const registry = new Map<AnyComponent, string>();
let collecting: RenderedIsland[] | null = null;
let creatingInner = false;

interface WrapperProps {
  name: string;
  component: AnyComponent;
  islandProps: Record<string, unknown>;
}

function IslandMarker({ name, component, islandProps }: WrapperProps) {
  if (!collecting) return null;
  assertSerializable(islandProps, `Island ${name}: props`);
  const key = collecting.push({ name, props: islandProps }) - 1;
  creatingInner = true;
  let inner: VNode;
  try {
    inner = h(component, islandProps);
  } finally {
    creatingInner = false;
  }
  return h("div", {
    "data-island": name,
    "data-island-key": String(key),
    class: "island",
  }, inner);
}

const previousVnodeHook = options.vnode;
options.vnode = (vnode: VNode) => {
  if (collecting && !creatingInner && typeof vnode.type === "function") {
    const name = registry.get(vnode.type as AnyComponent);
    if (name) {
      const props = vnode.props as Record<string, unknown>;
      const component = vnode.type as AnyComponent;
      (vnode as { type: unknown }).type = IslandMarker;
      (vnode as { props: unknown }).props = {
        name,
        component,
        islandProps: props,
      };
    }
  }
  previousVnodeHook?.(vnode);
};

/**
 * Registers island components under their names (idempotent).
 *
 * @example
 * ```ts ignore
 * registerIsland("UploadForm", UploadForm);
 * ```
 */
export function registerIsland(name: string, component: AnyComponent): void {
  const known = registry.get(component);
  if (known && known !== name) {
    throw new TypeError(
      `Component already registered as island ${known}, not ${name}`,
    );
  }
  registry.set(component, name);
}

/**
 * Runs a synchronous render while collecting the islands it uses.
 *
 * @example
 * ```ts ignore
 * const { result: html, islands } = collectIslands(() => renderToString(vnode));
 * ```
 */
export function collectIslands<T>(
  render: () => T,
): { result: T; islands: RenderedIsland[] } {
  if (collecting) throw new Error("collectIslands() does not nest");
  const islands: RenderedIsland[] = [];
  collecting = islands;
  try {
    return { result: render(), islands };
  } finally {
    collecting = null;
  }
}

/**
 * Throws `TypeError` naming the first value that would not survive a JSON
 * round trip: functions, class instances, vnodes, `undefined` in arrays,
 * non-finite numbers, bigints, symbols, cycles.
 *
 * @example
 * ```ts ignore
 * assertSerializable({ lang: "ja" }, "props"); // ok
 * assertSerializable({ onDone: () => {} }, "props"); // TypeError: props.onDone is a function
 * ```
 */
export function assertSerializable(
  value: unknown,
  path: string,
  seen: Set<unknown> = new Set(),
): void {
  const fail = (what: string): never => {
    throw new TypeError(
      `${path} is ${what}; island props must be plain JSON data`,
    );
  };
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) fail(String(value));
      return;
    case "undefined":
      return;
    case "function":
      return fail("a function");
    case "bigint":
    case "symbol":
      return fail(`a ${typeof value}`);
  }
  if (value === null) return;
  if (seen.has(value)) fail("a cycle");
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (v === undefined) fail(`undefined at [${i}]`);
      assertSerializable(v, `${path}[${i}]`, seen);
    });
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      fail(`an instance of ${proto?.constructor?.name ?? "a class"}`);
    }
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      assertSerializable(v, `${path}.${k}`, seen);
    }
  }
  seen.delete(value);
}

/**
 * Serializes island props for a `<script type="application/json">` block:
 * JSON with `<`, `>`, `&` and line separators escaped so the text can never
 * close the script element or be read as markup.
 *
 * @example
 * ```ts
 * serializeIslandProps([{ name: "UploadForm", props: { a: "</script>" } }]);
 * ```
 */
export function serializeIslandProps(islands: RenderedIsland[]): string {
  return JSON.stringify(islands.map((i) => i.props))
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
