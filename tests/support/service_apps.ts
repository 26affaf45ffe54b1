/**
 * The three services' apps in one small world (one ASP node, one tenant),
 * for the tests that read every service's OpenAPI document.
 *
 * @module
 */
import { openIssuanceWorld } from "./issuance_world.ts";

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
    nodes: [{
      id: "node-a",
      tenants: [{
        code: "401005",
        name: "北九州市",
        mayor: "北九州市長　武内　和久",
      }],
    }],
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
