/**
 * Where each service's database lives. With `DATABASE_URL` set, every service
 * gets its own PostgreSQL database named `<db>_<service>` on that server
 * (created when missing), or exactly `<SERVICE>_DATABASE_URL` when that is
 * set. Without it, PGlite persisted under `./data/<service>`.
 *
 * @module
 */
import postgres from "postgres";
import type { OpenDatabaseOptions } from "./database.ts";

/**
 * Resolves the database options of one service, creating its PostgreSQL
 * database if needed.
 *
 * @example
 * ```ts ignore
 * const database = await openDatabase(await serviceDatabaseOptions("registry"));
 * ```
 */
export async function serviceDatabaseOptions(
  service: string,
  env: { get(name: string): string | undefined } = Deno.env,
): Promise<OpenDatabaseOptions> {
  const own = env.get(`${service.toUpperCase()}_DATABASE_URL`);
  if (own) return { url: own };
  const base = env.get("DATABASE_URL");
  if (!base) {
    const dataDir = `${env.get("DATA_DIR") ?? "./data"}/${service}`;
    await Deno.mkdir(dataDir, { recursive: true });
    return { dataDir };
  }
  const u = new URL(base);
  const dbName = `${u.pathname.replace(/^\//, "") || "postgres"}_${service}`
    .replace(/[^a-zA-Z0-9_]/g, "_");
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    const rows =
      await admin`select 1 from pg_database where datname = ${dbName}`;
    if (rows.length === 0) await admin.unsafe(`CREATE DATABASE ${dbName}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  u.pathname = `/${dbName}`;
  return { url: u.toString() };
}
