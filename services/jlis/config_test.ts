import assert from "node:assert/strict";
import { loadJlisConfig } from "./config.ts";

const env = (vars: Record<string, string>) => ({
  get: (k: string) => vars[k],
});

Deno.test("loadJlisConfig(): JLIS_CLOCK_START sets the center's clock start; a malformed one is refused", () => {
  assert.equal(loadJlisConfig(env({})).clockStart, null);
  assert.equal(
    loadJlisConfig(env({ JLIS_CLOCK_START: "2026-11-27T10:00:00+09:00" }))
      .clockStart?.toISOString(),
    "2026-11-27T01:00:00.000Z",
  );
  for (const bad of ["tomorrow", "2026-11-27", "2026-11-27T10:00:00"]) {
    assert.throws(
      () => loadJlisConfig(env({ JLIS_CLOCK_START: bad })),
      /JLIS_CLOCK_START/,
    );
  }
});
