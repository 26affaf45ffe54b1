import assert from "node:assert/strict";
import {
  formatTable,
  mergeResults,
  percentile,
  readResults,
  type ResultEntry,
  resultEntry,
  round,
} from "./lib.ts";

function entry(id: string, value: number): ResultEntry {
  return {
    id,
    metric: `m ${id}`,
    value,
    unit: "s",
    baseline: 1,
    ratio: value,
    goal: "ratio ≤ 1.5",
    database: "PostgreSQL 15",
  };
}

Deno.test("mergeResults() replaces the figures run and keeps the others", () => {
  const old = {
    measured_at: "2026-01-01T00:00:00.000Z",
    cores: 2,
    figures: [entry("P1", 3), entry("P1a", 2)],
  };
  const merged = mergeResults(old, [entry("P1a", 1.2), entry("P10", 5)], {
    measured_at: "now",
    cores: 4,
  });
  assert.deepEqual(merged.figures.map((f) => [f.id, f.value]), [["P1", 3], [
    "P1a",
    1.2,
  ], ["P10", 5]]);
  assert.equal(merged.measured_at, "now");
  // The run that measured each figure: this one for the fresh, none added
  // to the kept.
  assert.deepEqual(
    merged.figures.map((f) => f.params?.measured_at),
    [undefined, "now", "now"],
  );
  assert.equal(merged.cores, 4);
});

Deno.test("readResults() gives an empty file when absent", async () => {
  const r = await readResults(`/nonexistent/${crypto.randomUUID()}.json`);
  assert.deepEqual(r.figures, []);
});

Deno.test("formatTable() aligns columns and says whether goals are met", () => {
  const table = formatTable([{ entry: entry("P1a", 1.23456), met: true }, {
    entry: { ...entry("P2", 9), baseline: null, ratio: null },
    met: false,
  }]);
  const lines = table.split("\n");
  assert.equal(lines.length, 4);
  assert.match(
    lines[2],
    /^P1a +m P1a +1\.235 s +1 s +1\.23 +ratio ≤ 1\.5 +yes$/,
  );
  assert.match(lines[3], /— +— +ratio ≤ 1\.5 +NO$/);
  assert.equal(round(0.000123456), 0.0001235);
});

Deno.test("percentile() is the nearest-rank percentile", () => {
  assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
  assert.equal(percentile([1, 2, 3, 4], 0.99), 4);
  assert.equal(percentile([7], 0.01), 7);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

Deno.test("resultEntry() rounds the outcome and keeps params only when given", () => {
  const figure = {
    id: "P9",
    metric: "m",
    unit: "s",
    goal: "ratio ≤ 1.5",
    meets: () => true,
    run: () => Promise.reject(new Error("not run")),
  };
  const e = resultEntry(figure, {
    value: 1.234567,
    baseline: 2.345678,
    ratio: 0.52631,
    database: "PostgreSQL 15",
  });
  assert.deepEqual(e, {
    id: "P9",
    metric: "m",
    value: 1.235,
    unit: "s",
    baseline: 2.346,
    ratio: 0.526,
    goal: "ratio ≤ 1.5",
    database: "PostgreSQL 15",
  });
  assert.deepEqual(
    resultEntry(figure, {
      value: 3,
      baseline: null,
      ratio: null,
      database: "none",
      params: { n: 1 },
    }).params,
    { n: 1 },
  );
});
