/**
 * The browser half of islands, bundled into every island's script: finds the
 * island's markers left by the server render and hydrates each one from its
 * serialized props.
 *
 * @module
 */
import { type ComponentType, h, hydrate } from "preact";

const PROPS_ID = "__PORTAL_ISLANDS__";
let cached: Record<string, unknown>[] | undefined;

function allProps(): Record<string, unknown>[] {
  if (!cached) {
    const el = document.getElementById(PROPS_ID);
    cached = el?.textContent ? JSON.parse(el.textContent) : [];
  }
  return cached!;
}

/**
 * Hydrates every marker of island `name` on the page.
 *
 * @example
 * ```ts ignore
 * import UploadForm from "../../islands/UploadForm.tsx";
 * hydrateIsland("UploadForm", UploadForm);
 * ```
 */
export function hydrateIsland(
  name: string,
  // deno-lint-ignore no-explicit-any
  component: ComponentType<any>,
): void {
  const props = allProps();
  const markers = document.querySelectorAll<HTMLElement>(
    `[data-island="${name}"]`,
  );
  for (const el of markers) {
    const key = Number(el.dataset.islandKey);
    hydrate(h(component, props[key] ?? {}), el);
  }
}
