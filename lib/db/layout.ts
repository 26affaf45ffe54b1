/**
 * A service's declared layout against how it runs. A service declares how
 * many processes share its database — `<SERVICE>_INSTANCES` (default 1) —
 * and its database is either a
 * PostgreSQL server (`DATABASE_URL`, `<SERVICE>_DATABASE_URL`) or the
 * embedded PGlite in `DATA_DIR`, which is one process's database: two
 * processes opening the same directory corrupt it or see each other's
 * writes never. A layout that does not fit (the 2024 case: a single-server
 * build deployed on a multi-server site) refuses to start, saying why.
 *
 * @module
 */
import { type Env, envInt } from "../service/env.ts";

/** How a service says it is deployed. */
export interface DeclaredLayout {
  /** Processes of this service sharing its database. */
  processes: number;
  /** Where that count comes from, for the message. */
  because: string;
}

/**
 * The layout a service declares: `<SERVICE>_INSTANCES` (1–64, default 1)
 * processes of it on its one database (an ASP's API and worker processes,
 * `ASP_MODE=api|worker`, count one each).
 *
 * @example
 * ```ts
 * declaredLayout("asp", new Map([["ASP_INSTANCES", "2"]])).processes; // 2
 * ```
 */
export function declaredLayout(service: string, env: Env): DeclaredLayout {
  const name = `${service.toUpperCase()}_INSTANCES`;
  const processes = envInt(env, name, 1, 1, 64);
  return { processes, because: `${name}=${processes}` };
}

/**
 * Why the declared layout does not fit the database the service runs on,
 * or null when it fits.
 *
 * @example
 * ```ts
 * layoutProblem("asp", new Map([["ASP_INSTANCES", "2"]]), { processes: 2, because: "ASP_INSTANCES=2" });
 * // "asp refuses to start: ASP_INSTANCES=2 declares 2 processes on one database, …"
 * ```
 */
export function layoutProblem(
  service: string,
  env: Env,
  layout: DeclaredLayout,
): string | null {
  const embedded = !env.get(`${service.toUpperCase()}_DATABASE_URL`) &&
    !env.get("DATABASE_URL");
  if (!embedded || layout.processes <= 1) return null;
  return `${service} refuses to start: ${layout.because} declares ${layout.processes} processes on one database, ` +
    `but its database is the embedded PGlite under DATA_DIR (no DATABASE_URL or ${service.toUpperCase()}_DATABASE_URL), ` +
    `which only one process may open (two processes on one directory corrupt it). Set DATABASE_URL to a PostgreSQL server, or run a single process.`;
}

/**
 * Throws when the declared layout does not fit ({@linkcode layoutProblem}).
 *
 * @example
 * ```ts ignore
 * assertLayout("jlis", env, declaredLayout("jlis", env));
 * ```
 */
export function assertLayout(
  service: string,
  env: Env,
  layout: DeclaredLayout,
): void {
  const problem = layoutProblem(service, env, layout);
  if (problem) throw new Error(problem);
}
