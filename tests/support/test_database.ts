/**
 * Test databases. With `TEST_DATABASE_URL` set, each call creates a fresh
 * PostgreSQL database (dropped again by `close`); without it, a PGlite
 * instance cloned from a migrated template kept for the process (initdb in
 * WASM costs seconds, a clone half a second).
 *
 * @module
 */
import postgres from "postgres";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { type Database, openDatabase } from "../../lib/db/database.ts";

const templates = new Map<string, Promise<Blob>>();

function templateFor(migrationsFolder: string): Promise<Blob> {
  let t = templates.get(migrationsFolder);
  if (!t) {
    t = (async () => {
      const pg = new PGlite();
      await migrate(drizzle(pg), { migrationsFolder });
      const dump = await pg.dumpDataDir("none");
      await pg.close();
      return dump;
    })();
    templates.set(migrationsFolder, t);
  }
  return t;
}

/** Which engine the tests run on. */
export function testEngine(): "pglite" | "postgres" {
  return Deno.env.get("TEST_DATABASE_URL") ? "postgres" : "pglite";
}

/**
 * Opens a migrated, empty database for one test.
 *
 * @example
 * ```ts ignore
 * const database = await openTestDatabase("db/migrations/registry");
 * try { ... } finally { await database.close(); }
 * ```
 */
export async function openTestDatabase(
  migrationsFolder: string,
): Promise<Database> {
  const url = Deno.env.get("TEST_DATABASE_URL");
  if (!url) {
    const dump = await templateFor(migrationsFolder);
    return await openDatabase({ loadDataDir: dump });
  }
  const name = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  const database = await openDatabase({ url: u.toString(), max: 10 });
  await database.migrate(migrationsFolder);
  return {
    ...database,
    async close() {
      await database.close();
      const a = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end({ timeout: 5 });
      }
    },
  };
}
