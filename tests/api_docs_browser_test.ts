/**
 * Swagger UI on a closed network: Chromium loads a real service's /docs with
 * every request to another host refused, and lists the service's operations.
 */
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./support/chromium.ts";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { openTestRegistry } from "./support/registry_world.ts";

Deno.test({
  name:
    "[browser] the registry's /docs renders its operations with no network beyond the service",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const reg = await openTestRegistry();
    const ac = new AbortController();
    const server = Deno.serve({
      port: 0,
      hostname: "127.0.0.1",
      signal: ac.signal,
      onListen: () => {},
    }, reg.app.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage();
      const refused: string[] = [];
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith(base + "/")) return route.continue();
        refused.push(url);
        return route.abort("internetdisconnected");
      });
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(String(e)));
      await page.goto(`${base}/docs`);
      await page.waitForSelector(".opblock", { timeout: 30_000 });
      const paths = await page.$$eval(
        ".opblock-summary-path",
        (els) => els.map((e) => e.textContent ?? ""),
      );
      assert.ok(
        paths.some((p) => p.includes("/municipalities/{code}/events")),
        `operations listed: ${paths.join(", ")}`,
      );
      assert.deepEqual(refused, [], "no request left the service");
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      ac.abort();
      await server.finished;
      await reg.close();
    }
  },
});
