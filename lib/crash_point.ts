/**
 * Named points where a crash test stops a process to kill it there. With
 * `TEST_PAUSE_AT=<point>` in its environment, the process prints one line
 * `{"msg":"test hook: paused","at":"<point>"}` on stdout when it reaches
 * that point and waits there until it is killed. Without it (production),
 * {@linkcode crashPoint} returns `undefined` at once: one string comparison.
 *
 * The variable is read here only, once, when the module loads (and only if
 * env access is already granted: no permission prompt).
 *
 * @module
 */

/**
 * The points, in the order an initial load (`deno task media:import`)
 * reaches them:
 * - `media.verifying` — the first verified chunk was handed to the loader
 *   (staging schema created); the rest of the file is not verified yet.
 * - `snapshot.staged` — the file is verified, every row is in the staging
 *   schema and its keys are built; the switch has not begun.
 * - `snapshot.switching` — inside the switch transaction: schemas renamed,
 *   tenant row and switch audit written, not committed.
 * - `snapshot.switched` — the switch committed; the load is not audited yet.
 * - `media.loaded` — the load is audited; the file is not destroyed yet.
 */
export type CrashPointName =
  | "media.verifying"
  | "snapshot.staged"
  | "snapshot.switching"
  | "snapshot.switched"
  | "media.loaded";

const VARIABLE = "TEST_PAUSE_AT";

const pauseAt: string | undefined = (() => {
  try {
    const granted = Deno.permissions.querySync({
      name: "env",
      variable: VARIABLE,
    }).state === "granted";
    return granted ? Deno.env.get(VARIABLE) || undefined : undefined;
  } catch {
    return undefined;
  }
})();

/**
 * Pauses for good at `name` when this process was started with
 * `TEST_PAUSE_AT=name` (crash tests); otherwise returns `undefined`.
 *
 * @example
 * ```ts
 * await crashPoint("snapshot.staged");
 * ```
 */
export function crashPoint(name: CrashPointName): Promise<never> | undefined {
  if (pauseAt !== name) return undefined;
  console.log(JSON.stringify({ msg: "test hook: paused", at: name }));
  // A timer keeps the event loop alive while the process waits to be killed.
  return new Promise<never>(() => void setInterval(() => {}, 3_600_000));
}
