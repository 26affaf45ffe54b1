/**
 * Command-line parsing shared by every script behind a `deno task`: one
 * wrapper around `node:util`'s `parseArgs` so that each of them
 *
 * - answers `--help` (or `-h`) with its usage on stdout and exit 0;
 * - answers an unknown option, a missing value or a stray argument with a
 *   one-line error and its usage on stderr and exit 2, no stack trace;
 * - resolves the paths a person typed against the directory they typed them
 *   in: `deno task` runs every task in the project root, and sets
 *   `INIT_CWD` to the directory it was invoked from.
 *
 * Defaults are not resolved: a default path is the project's own (`certs`,
 * `sample.pdf`), a typed one is the caller's. Usage lines are printed in
 * the one runnable form, `npx -y deno@<pin> task <name> …`
 * (lib/service/commands.ts).
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { taskCommand } from "./commands.ts";

/** What a script takes, and how to say it. */
export interface CliSpec<O extends ParseArgsOptionsConfig> {
  /** The task that runs the script (`"kiosk"` for `deno task kiosk`). */
  task: string;
  /**
   * The arguments part of the usage line, e.g. `"--card FILE --pin 1234"`;
   * a line break starts an indented continuation line.
   */
  usage: string;
  /** What `--help` says under the usage line (optional, may span lines). */
  description?: string;
  /** The options, as `parseArgs` takes them (`help` is added). */
  options: O;
  /** Options whose typed value is a file or directory path. */
  paths?: readonly (keyof O & string)[];
  /** Positional arguments: refused (default), plain values, or paths. */
  positionals?: "none" | "values" | "paths";
}

/** The parsed option values of spec options `O`. */
export type CliValues<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>
>["values"];

/** The outcome of {@linkcode parseCliArgs}. */
export type CliParse<O extends ParseArgsOptionsConfig> =
  | { kind: "ok"; values: CliValues<O>; positionals: string[] }
  | { kind: "help"; text: string }
  | { kind: "error"; message: string; text: string };

/**
 * The directory a person ran the task from: `INIT_CWD` (set by `deno task`),
 * else the current directory.
 *
 * @example
 * ```ts
 * const here = callerDir();
 * ```
 */
export function callerDir(): string {
  return Deno.env.get("INIT_CWD") || Deno.cwd();
}

/**
 * `path` resolved against `base` (default {@linkcode callerDir}); absolute
 * paths are returned as they are.
 *
 * @example
 * ```ts
 * callerPath("card.json", "/home/me"); // "/home/me/card.json"
 * ```
 */
export function callerPath(path: string, base: string = callerDir()): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

/**
 * The usage text of `spec`: `usage: npx -y deno@<pin> task <task> <usage>`,
 * continuation lines indented, then (unless `brief`) the description.
 *
 * @example
 * ```ts
 * usageText({ task: "certs", usage: "[--out DIR] [--force]", options: {} });
 * // "usage: npx -y deno@2.9.6 task certs [--out DIR] [--force]"
 * ```
 */
export function usageText<O extends ParseArgsOptionsConfig>(
  spec: CliSpec<O>,
  brief = false,
): string {
  const [first, ...more] = spec.usage.split("\n");
  const lines = [
    `usage: ${taskCommand(spec.task, first.trim())}`,
    ...more.map((l) => `         ${l.trim()}`),
  ];
  if (spec.description && !brief) lines.push("", spec.description.trimEnd());
  return lines.join("\n");
}

/** The first line of `parseArgs`' error (some add advice on more lines). */
function describeParseError(err: Error): string {
  return err.message.split("\n")[0].replace(/\.$/, "");
}

/**
 * Parses `args` by `spec` without side effects: help asked, a usage error,
 * or the values with typed paths resolved against `base`.
 *
 * @example
 * ```ts
 * const r = parseCliArgs(
 *   { task: "kiosk", usage: "--card FILE", options: { card: { type: "string" } }, paths: ["card"] },
 *   ["--card", "card.json"],
 *   "/home/me",
 * );
 * // r.kind === "ok", r.values.card === "/home/me/card.json"
 * ```
 */
export function parseCliArgs<O extends ParseArgsOptionsConfig>(
  spec: CliSpec<O>,
  args: string[],
  base: string = callerDir(),
): CliParse<O> {
  // Before parsing, so `--help` answers even beside a wrong option.
  const end = args.indexOf("--");
  const options = end < 0 ? args : args.slice(0, end);
  if (options.includes("--help") || options.includes("-h")) {
    return { kind: "help", text: usageText(spec) };
  }
  const positionals = spec.positionals ?? "none";
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: spec.options,
      strict: true,
      allowPositionals: positionals !== "none",
      tokens: true,
    });
  } catch (err) {
    const code = (err as { code?: string }).code ?? "";
    if (!code.startsWith("ERR_PARSE_ARGS_")) throw err;
    return {
      kind: "error",
      message: describeParseError(err as Error),
      text: usageText(spec, true),
    };
  }
  const given = new Set(
    parsed.tokens.flatMap((t) => t.kind === "option" ? [t.name] : []),
  );
  const values = { ...parsed.values } as Record<string, unknown>;
  for (const name of spec.paths ?? []) {
    const v = values[name];
    if (!given.has(name)) continue;
    if (typeof v === "string") values[name] = callerPath(v, base);
    else if (Array.isArray(v)) {
      values[name] = v.map((p) => callerPath(String(p), base));
    }
  }
  return {
    kind: "ok",
    values: values as CliValues<O>,
    positionals: positionals === "paths"
      ? parsed.positionals.map((p) => callerPath(p, base))
      : parsed.positionals,
  };
}

/**
 * Prints `message` and the usage line of `spec` on stderr and exits 2: for a
 * script's own checks of its arguments (a missing `--card`, a bad `--type`).
 *
 * @example
 * ```ts ignore
 * if (!values.card) usageError(SPEC, "--card is required");
 * ```
 */
export function usageError<O extends ParseArgsOptionsConfig>(
  spec: CliSpec<O>,
  message: string,
): never {
  console.error(`${spec.task}: ${message}\n${usageText(spec, true)}`);
  Deno.exit(2);
}

/**
 * Parses `Deno.args` by `spec`: prints the usage and exits 0 on `--help`,
 * exits 2 with a one-line error and the usage on a wrong option, else
 * returns the values (typed paths resolved against the caller's directory).
 *
 * @example
 * ```ts ignore
 * const { values } = parseCli({
 *   task: "certs",
 *   usage: "[--out DIR] [--force]",
 *   options: { out: { type: "string", default: "certs" }, force: { type: "boolean", default: false } },
 *   paths: ["out"],
 * });
 * ```
 */
export function parseCli<O extends ParseArgsOptionsConfig>(
  spec: CliSpec<O>,
  args: string[] = Deno.args,
): { values: CliValues<O>; positionals: string[] } {
  const r = parseCliArgs(spec, args);
  if (r.kind === "help") {
    console.log(r.text);
    Deno.exit(0);
  }
  if (r.kind === "error") usageError(spec, r.message);
  return { values: r.values, positionals: r.positionals };
}
