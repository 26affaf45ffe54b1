/**
 * What the ASP crash tests share: the ASP database that killed child
 * processes and the test take turns on — a PGlite directory (the children
 * get `DATA_DIR`, with any server URL cleared) or, when TEST_DATABASE_URL is
 * set, a fresh PostgreSQL database dropped with the tenant role afterwards.
 *
 * @module
 */
import postgres from "postgres";
import { type Database, openDatabase } from "../../lib/db/database.ts";

/** Where the children's ASP keeps its data, and how the test opens it. */
export interface AspDatabaseTarget {
  /** Environment for the children. */
  env: Record<string, string>;
  /** Opens it in the test (only while no child runs, on PGlite). */
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

/**
 * Creates the target for the tenant `code`.
 *
 * @example
 * ```ts ignore
 * const target = await aspDatabaseTarget("401005", "asp-crash-");
 * try { ... } finally { await target.cleanup(); }
 * ```
 */
export async function aspDatabaseTarget(
  code: string,
  prefix: string,
): Promise<AspDatabaseTarget> {
  const url = Deno.env.get("TEST_DATABASE_URL");
  if (!url) {
    const dir = await Deno.makeTempDir({ prefix });
    return {
      // DATABASE_URL cleared: the children must use the PGlite directory.
      env: { DATA_DIR: dir, DATABASE_URL: "", ASP_DATABASE_URL: "" },
      open: () => openDatabase({ dataDir: `${dir}/asp` }),
      cleanup: () => Deno.remove(dir, { recursive: true }),
    };
  }
  const name = `t_crash_${
    crypto.randomUUID().replaceAll("-", "").slice(0, 12)
  }`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    env: { ASP_DATABASE_URL: u.toString() },
    open: () => openDatabase({ url: u.toString(), max: 2 }),
    async cleanup() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.unsafe(`DROP ROLE IF EXISTS "${name}_t${code}"`).catch(
        () => {},
      );
      await admin.end({ timeout: 5 });
    },
  };
}
