/**
 * Reading a service's configuration from its environment: every helper fails
 * fast with an `Error` that names the variable and shows the value it got.
 *
 * @module
 */

/** Where configuration is read from (`Deno.env`, or a `Map` in tests). */
export type Env = { get(k: string): string | undefined };

/**
 * The integer in variable `name`, or `def` when it is not set; throws unless
 * the value is an integer in `min..max` (both included).
 *
 * @example
 * ```ts
 * const port = envInt(Deno.env, "ASP_PORT", 8102, 0, 65535);
 * ```
 */
export function envInt(
  env: Env,
  name: string,
  def: number,
  min: number,
  max: number,
): number {
  const raw = env.get(name);
  const v = raw === undefined ? def : Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new Error(
      `${name} must be an integer in ${min}..${max}, got '${raw}'`,
    );
  }
  return v;
}

/**
 * The boolean in variable `name`: unset, empty, `0` or `false` is false;
 * `1` or `true` is true; anything else throws.
 *
 * @example
 * ```ts
 * const trustProxy = envFlag(Deno.env, "PORTAL_TRUST_PROXY");
 * ```
 */
export function envFlag(env: Env, name: string): boolean {
  const raw = env.get(name);
  if (raw === undefined || raw === "" || raw === "0" || raw === "false") {
    return false;
  }
  if (raw === "1" || raw === "true") return true;
  throw new Error(`${name} must be true or false, got '${raw}'`);
}

/**
 * Parses `raw` as a JSON array whose every item passes `valid`; otherwise
 * throws `new Error(message)` (bad JSON, not an array, or a bad item alike).
 *
 * @example
 * ```ts
 * const ids = parseJsonArray<{ id: string }>(
 *   '[{"id":"a"}]',
 *   (x) => typeof x?.id === "string",
 *   "X_IDS must be a JSON array of { id }",
 * );
 * ```
 */
export function parseJsonArray<T>(
  raw: string,
  // deno-lint-ignore no-explicit-any
  valid: (item: any) => boolean,
  message: string,
): T[] {
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new Error(message);
  }
  if (!Array.isArray(list) || !list.every((item) => valid(item))) {
    throw new Error(message);
  }
  return list as T[];
}
