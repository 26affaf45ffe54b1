/**
 * The three services' apps in one small world (one ASP node, one tenant),
 * for the tests that read every service's OpenAPI document.
 *
 * @module
 */
import { ONE_NODE, openIssuanceWorld } from "./issuance_world.ts";

/** A service's app, as far as these tests use it. */
export interface ServiceApp {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
  fetch(request: Request): Response | Promise<Response>;
}

/**
 * Opens the world and gives the registry's, the ASP's and the center's apps.
 *
 * @example
 * ```ts ignore
 * const { apps, close } = await openServiceApps();
 * ```
 */
export async function openServiceApps(): Promise<{
  apps: { registry: ServiceApp; asp: ServiceApp; jlis: ServiceApp };
  close(): Promise<void>;
}> {
  const w = await openIssuanceWorld({
    nodes: ONE_NODE,
  });
  return {
    apps: {
      registry: w.reg.app,
      asp: w.nodes[0].asp.app,
      jlis: w.jlis.apps[0],
    },
    close: () => w.close(),
  };
}
