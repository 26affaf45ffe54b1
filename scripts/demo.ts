/**
 * Demo data for `deno task start`: on first run, a few hundred residents of
 * 北九州市 (401005).
 *
 * @module
 */
import { sql } from "drizzle-orm";
import type { Database } from "../lib/db/database.ts";

/** Seeds the demo municipality when the registry is empty. */
export async function seedDemo(database: Database, residents = 300): Promise<void> {
  const rows = await database.db.execute(sql`select count(*)::int as n from residents`);
  const n = Number((rows as unknown as { rows?: { n: number }[] }).rows?.[0]?.n ?? (rows as unknown as { n: number }[])[0]?.n ?? 0);
  if (n > 0) return;
  const { seedRegistry } = await import("../services/registry/seed/mod.ts");
  await seedRegistry(database, { municipalityCode: "401005", residents, seed: 1 });
  console.log(`registry: seeded ${residents} demo residents for 401005 (北九州市)`);
}
