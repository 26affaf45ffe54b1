/**
 * The one form in which the project prints a command for a person to run:
 * `npx -y deno@<version> task <name> …`. A bare machine has Node and npm but
 * no `deno` on PATH, so every banner, usage line and README shows this form;
 * the version is the one pinned in `.deno-version`, read once.
 *
 * @module
 */

let pinned: string | undefined;

/**
 * The Deno version pinned in the project's `.deno-version` (read once, on
 * first use).
 *
 * @example
 * ```ts
 * denoVersion(); // "2.9.6"
 * ```
 */
export function denoVersion(): string {
  pinned ??= Deno.readTextFileSync(
    new URL("../../.deno-version", import.meta.url),
  ).trim();
  if (!/^\d+\.\d+\.\d+$/.test(pinned)) {
    throw new Error(
      `.deno-version must hold a version like 2.9.6, got '${pinned}'`,
    );
  }
  return pinned;
}

/**
 * How to run `deno` on a machine that may not have it: `npx -y deno@<pin>`.
 *
 * @example
 * ```ts
 * denoCommand(); // "npx -y deno@2.9.6"
 * ```
 */
export function denoCommand(): string {
  return `npx -y deno@${denoVersion()}`;
}

/**
 * The command line that runs task `task` with `args` (already shell-quoted
 * where needed), in the form printed everywhere.
 *
 * @example
 * ```ts
 * taskCommand("kiosk", "--card card.json --pin 1234");
 * // "npx -y deno@2.9.6 task kiosk --card card.json --pin 1234"
 * ```
 */
export function taskCommand(task: string, args = ""): string {
  return `${denoCommand()} task ${task}${args ? ` ${args}` : ""}`;
}

/**
 * `arg` as one shell word: unchanged when it holds only safe characters,
 * else in single quotes (for paths printed inside a command).
 *
 * @example
 * ```ts
 * shellArg("/data/cards/a.json"); // "/data/cards/a.json"
 * shellArg("/my cards/a.json"); // "'/my cards/a.json'"
 * ```
 */
export function shellArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg)
    ? arg
    : `'${arg.replaceAll("'", `'\\''`)}'`;
}
