/**
 * Every service's OpenAPI document passes Redocly's `recommended` rules with
 * no error and no warning (operation ids, summaries, servers, security,
 * 4xx responses, tags …), so that integrators' client generators give usable
 * method names and linters in their pipelines stay quiet.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { openServiceApps } from "./support/service_apps.ts";

Deno.test("every service's OpenAPI document passes Redocly's recommended rules", async () => {
  const w = await openServiceApps();
  try {
    const config = await createConfig({ extends: ["recommended"] });
    const apps = w.apps;
    const lines: string[] = [];
    for (const [name, app] of Object.entries(apps)) {
      const res = await app.request("http://127.0.0.1:8100/openapi.json");
      assert.equal(res.status, 200, name);
      const problems = await lintFromString({
        source: await res.text(),
        config,
        absoluteRef: `/${name}/openapi.json`,
      });
      lines.push(
        ...problems.map((p) =>
          `${name}: ${p.severity} ${p.ruleId} ${
            p.location[0]?.pointer ?? ""
          } — ${p.message}`
        ),
      );
    }
    assert.deepEqual(lines, [], lines.join("\n"));
  } finally {
    await w.close();
  }
});
