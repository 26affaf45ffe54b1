/**
 * Seeds the registry with a generated population.
 *
 * ```sh
 * npx -y deno@2.9.6 task seed --municipality 401005 --residents 970000 [--seed N] [--database-url URL] [--as-of YYYY-MM-DD]
 * ```
 *
 * Without `--database-url` the registry's own database is used (PGlite under
 * ./data/registry, or PostgreSQL from DATABASE_URL / REGISTRY_DATABASE_URL).
 * Migrations are applied first. Refuses a municipality that already has
 * residents.
 *
 * @module
 */

import { parseCli, usageError } from "../lib/service/cli.ts";
import { openDatabase } from "../lib/db/database.ts";
import { serviceDatabaseOptions } from "../lib/db/config.ts";
import { createProgress, formatCount } from "../lib/progress.ts";
import {
  AlreadySeededError,
  seedRegistry,
} from "../services/registry/seed/mod.ts";

const MIGRATIONS =
  new URL("../db/migrations/registry", import.meta.url).pathname;

function integer(
  name: string,
  value: string | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value.replaceAll("_", ""));
  if (!Number.isSafeInteger(n)) {
    throw new TypeError(`--${name} must be an integer, got "${value}"`);
  }
  return n;
}

if (import.meta.main) {
  const SEED_CLI = {
    task: "seed",
    usage: `--municipality 401005 --residents 970000 [--seed N]
      [--database-url URL] [--as-of YYYY-MM-DD]`,
    description:
      "Generates a deterministic population into the registry's database (PGlite\n" +
      "under ./data/registry, or DATABASE_URL / REGISTRY_DATABASE_URL).",
    options: {
      municipality: { type: "string", default: "401005" },
      residents: { type: "string" },
      seed: { type: "string" },
      "database-url": { type: "string" },
      "as-of": { type: "string" },
    },
  } as const;
  const { values } = parseCli(SEED_CLI);
  const municipalityCode = values.municipality;
  let residents: number, seed: number;
  try {
    residents = integer("residents", values.residents, 970_000);
    seed = integer("seed", values.seed, 1);
  } catch (e) {
    usageError(SEED_CLI, (e as Error).message);
  }
  const url = values["database-url"];
  const database = await openDatabase(
    url ? { url } : await serviceDatabaseOptions("registry"),
  );
  try {
    await database.migrate(MIGRATIONS);
    const progress = createProgress({
      label: `seed ${municipalityCode}`,
      total: residents,
      unit: "residents",
    });
    const summary = await seedRegistry(database, {
      municipalityCode,
      residents,
      seed,
      asOf: values["as-of"],
      onProgress: (n) => progress.update(n),
    });
    progress.done();
    console.log(
      `seeded ${municipalityCode} on ${database.kind}: ${
        formatCount(summary.residents)
      } residents, ` +
        `${formatCount(summary.households)} households, ${
          formatCount(summary.seals)
        } seals, ` +
        `${formatCount(summary.blocks)} blocks, ${
          formatCount(summary.cards)
        } cards in ${summary.seconds.toFixed(1)} s`,
    );
  } catch (e) {
    if (!(e instanceof AlreadySeededError)) throw e;
    console.error(
      `seed: ${e.message} (use a fresh database or another municipality)`,
    );
    Deno.exitCode = 1;
  } finally {
    await database.close();
  }
}
