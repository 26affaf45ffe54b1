/**
 * P8 — resident search for city systems: `GET
 * /municipalities/{code}/residents?kana=<prefix>` (one page of 20, audited
 * with its purpose) on 970,000 residents of 北九州市 seeded into PostgreSQL,
 * p99 latency in ms through HTTP, p50 beside it. Goal: p99 ≤ 50 ms.
 *
 * Baseline, same run, same server, same load: a read by id, `GET
 * /municipalities/{code}/residents/{id}` (also audited) — the request a
 * caller without search had to repeat per candidate.
 *
 * The registry runs as its own process (services/registry/main.ts, as in
 * production) on 127.0.0.1; this process is the load: `P8_CONCURRENCY`
 * callers (default 4) take turns from one list that alternates searches and
 * reads, so both see the same server state. Prefixes are 2 or 3 kana of the
 * ふりがな of residents drawn from the population (TABLESAMPLE, repeatable),
 * written as stored (hiragana) or in katakana, half and half; read ids are
 * other drawn residents. `P8_QUERIES` (default 2,000 of each) after a
 * warm-up of 200, bounded by `P8_SECONDS` (default 120 s). The search's
 * plan (EXPLAIN of the very query the route runs) is logged, and the index
 * it uses kept in params.
 *
 * ```sh
 * deno task bench --only P8 [--residents N]
 * ```
 *
 * @module
 */
import { createProgress } from "../lib/progress.ts";
import { openDatabase } from "../lib/db/database.ts";
import { MIGRATIONS } from "../services/registry/main.ts";
import { kanaKey, searchQuery } from "../services/registry/search.ts";
import { Rng } from "../services/registry/seed/random.ts";
import {
  type Figure,
  type FigureResult,
  percentile,
  serverVersion,
  withConnection,
} from "./lib.ts";
import {
  freePort,
  seedWithProgress,
  spawnService,
  stopChild,
  waitHealthy,
} from "./services.ts";

const CODE = "401005";
const TOKEN = "bench-p8-reader";
const WARM_UP = 200;
const PAGE = 20;

function envInt(name: string, fallback: number): number {
  const v = Deno.env.get(name);
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new TypeError(`${name} must be a positive integer, got "${v}"`);
  }
  return n;
}

interface Task {
  kind: "search" | "read";
  path: string;
}

/** Residents drawn from the population: ids and ふりがな. */
async function drawResidents(
  url: string,
  residents: number,
  want: number,
  seed: number,
): Promise<{ id: string; nameKana: string }[]> {
  const pct = Math.min(100, (want * 1.5 / residents) * 100);
  const rows = await withConnection(
    url,
    (sql) =>
      sql<{ id: string; name_kana: string }[]>`
      select id, name_kana from residents
      tablesample bernoulli (${pct}) repeatable (${seed})
      where municipality_code = ${CODE} and status <> 'removed'`,
  );
  const rng = new Rng(seed, 8);
  const out = rows.map((r) => ({ id: r.id, nameKana: r.name_kana }));
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  if (out.length < 10) {
    throw new Error(`P8: drew only ${out.length} residents`);
  }
  return out;
}

/** A 2- or 3-kana prefix of a ふりがな, as stored or in katakana. */
function prefixOf(nameKana: string, rng: Rng): string {
  const chars = [...nameKana.replaceAll(/[ \u3000]/g, "")];
  const n = Math.min(chars.length, 2 + rng.int(2));
  const asStored = chars.slice(0, n).join("");
  return rng.int(2) ? asStored : kanaKey(asStored);
}

/** The EXPLAIN of the route's own query for `prefix`, and the indexes it names. */
async function explain(
  url: string,
  prefix: string,
): Promise<{ plan: string; indexes: string[] }> {
  const database = await openDatabase({ url, max: 1 });
  try {
    const { query } = searchQuery(database.db, CODE, {
      kana: prefix,
      status: "current",
    }, { limit: PAGE });
    const q = query.toSQL();
    const rows = await withConnection(url, (sql) =>
      sql.unsafe(
        `EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`,
        q.params as never[],
      ));
    const plan = (rows as unknown as Record<string, string>[])
      .map((r) => r["QUERY PLAN"]).join("\n");
    const indexes = [...new Set(plan.match(/residents_\w+_idx/g) ?? [])];
    return { plan, indexes };
  } finally {
    await database.close();
  }
}

/** Runs the tasks with `concurrency` callers; latencies per kind, ms. */
async function drive(
  base: string,
  tasks: Task[],
  opts: { concurrency: number; deadline: number; record: boolean },
): Promise<{ search: number[]; read: number[]; items: number }> {
  const out = { search: [] as number[], read: [] as number[], items: 0 };
  const headers = {
    Authorization: `Bearer ${TOKEN}`,
    "X-Purpose": encodeURIComponent("ベンチマーク P8"),
  };
  const progress = opts.record
    ? createProgress({
      label: "P8 requests",
      total: tasks.length,
      unit: "requests",
    })
    : undefined;
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < tasks.length && Date.now() < opts.deadline) {
        const t = tasks[next++];
        const started = performance.now();
        const res = await fetch(base + t.path, { headers });
        const body = await res.text();
        const ms = performance.now() - started;
        if (res.status !== 200) {
          throw new Error(`P8: ${t.path} answered ${res.status}: ${body}`);
        }
        if (!opts.record) continue;
        out[t.kind].push(ms);
        if (t.kind === "search") out.items += JSON.parse(body).items.length;
        progress!.add(1);
      }
    }),
  );
  progress?.done();
  return out;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The P8 figure. */
export const p8: Figure = {
  id: "P8",
  metric:
    "registry search by kana prefix (2–3 kana, page of 20, audited) at 970,000 residents, p99 ms over HTTP (baseline: read by id, same run)",
  unit: "ms",
  goal: "p99 ≤ 50 ms",
  meets: (r) => r.value <= 50,
  async run(ctx): Promise<FigureResult> {
    const residents = ctx.args.residents ?? 970_000;
    const seed = ctx.args.seed ?? 1;
    const queries = envInt("P8_QUERIES", 2000);
    const concurrency = envInt("P8_CONCURRENCY", 4);
    const seconds = envInt("P8_SECONDS", 120);

    const scratch = await ctx.scratchDatabase("p8_registry");
    const database = await openDatabase({ url: scratch.url, max: 8 });
    try {
      await database.migrate(MIGRATIONS);
      await seedWithProgress(database, "P8 seed registry", {
        municipalityCode: CODE,
        residents,
        seed,
      });
      await database.exec("VACUUM ANALYZE");
    } finally {
      await database.close();
    }

    const drawn = await drawResidents(
      scratch.url,
      residents,
      2 * (queries + WARM_UP),
      seed,
    );
    const rng = new Rng(seed, 88);
    const tasks: Task[] = [];
    for (let i = 0; i < queries + WARM_UP; i++) {
      const s = drawn[(2 * i) % drawn.length];
      const r = drawn[(2 * i + 1) % drawn.length];
      const kana = encodeURIComponent(prefixOf(s.nameKana, rng));
      tasks.push(
        {
          kind: "search",
          path: `/municipalities/${CODE}/residents?kana=${kana}&limit=${PAGE}`,
        },
        { kind: "read", path: `/municipalities/${CODE}/residents/${r.id}` },
      );
    }
    const sample = decodeURIComponent(
      /kana=([^&]+)/.exec(tasks[2 * WARM_UP].path)![1],
    );
    const { plan, indexes } = await explain(scratch.url, sample);
    ctx.log(`P8: EXPLAIN kana=${sample}\n${plan}`);

    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = spawnService("../services/registry/main.ts", {
      REGISTRY_DATABASE_URL: scratch.url,
      REGISTRY_PORT: String(port),
      REGISTRY_HOST: "127.0.0.1",
      REGISTRY_CLIENTS: JSON.stringify([
        {
          id: "bench-p8",
          token: TOKEN,
          scopes: ["read"],
          municipalities: [CODE],
        },
      ]),
    });
    try {
      await waitHealthy(base);
      const deadline = Date.now() + seconds * 1000;
      await drive(base, tasks.slice(0, 2 * WARM_UP), {
        concurrency,
        deadline,
        record: false,
      });
      const m = await drive(base, tasks.slice(2 * WARM_UP), {
        concurrency,
        deadline,
        record: true,
      });
      const search = m.search.toSorted((a, b) => a - b);
      const read = m.read.toSorted((a, b) => a - b);
      const value = percentile(search, 0.99);
      const baseline = percentile(read, 0.99);
      ctx.log(
        `P8: search p50 ${percentile(search, 0.5).toFixed(1)} ms, p99 ${
          value.toFixed(1)
        } ms; read p50 ${percentile(read, 0.5).toFixed(1)} ms, p99 ${
          baseline.toFixed(1)
        } ms (${search.length} + ${read.length} requests)`,
      );
      return {
        value: round2(value),
        baseline: round2(baseline),
        ratio: value / baseline,
        database: await serverVersion(ctx.databaseUrl),
        params: {
          residents,
          seed,
          queries: search.length,
          reads: read.length,
          concurrency,
          page: PAGE,
          prefix_kana: "2-3",
          p50_ms: round2(percentile(search, 0.5)),
          baseline_p50_ms: round2(percentile(read, 0.5)),
          mean_items: round2(m.items / Math.max(1, search.length)),
          plan_indexes: indexes.join(",") || "none",
        },
      };
    } finally {
      await stopChild(child);
    }
  },
};
