/**
 * JSON-lines logger. Each line carries time, level, service and message, plus
 * the fields given (a request id in request scope).
 *
 * @module
 */

/** Log levels in increasing severity. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const ORDER: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
};

/** A structured logger. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger;
}

/** What a log line keeps of an error: never its message (it may hold query parameters or row contents). */
export interface SafeError {
  /** The error's class, e.g. `PostgresError`, `DomainError`. */
  class: string;
  /** A domain code (`DomainError`) or a system code (`ECONNREFUSED`). */
  code?: string;
  /** The database's SQLSTATE, when a database refused the statement. */
  sqlstate?: string;
  /** Where it was thrown: the first stack frames, file and line only. */
  at?: string[];
  /** The same, for the error's cause. */
  cause?: SafeError;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * The loggable description of an error: its class, codes and stack frames,
 * never its message or its values.
 *
 * @example
 * ```ts
 * import { safeError } from "./logger.ts";
 * safeError(new TypeError("row 正子 failed")); // { class: "TypeError", at: [...] }
 * ```
 */
export function safeError(err: unknown, depth = 0): SafeError {
  if (!(err instanceof Error)) return { class: typeof err };
  const e = err as Error & { code?: unknown; cause?: unknown };
  const out: SafeError = { class: e.constructor?.name || e.name };
  if (typeof e.code === "string") {
    if (SQLSTATE.test(e.code)) out.sqlstate = e.code;
    else if (/^[A-Z][A-Z0-9_]{1,63}$/.test(e.code)) out.code = e.code;
  }
  const at = (e.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l))
    .slice(0, 5).map((l) => l.trim().replace(/^at /, ""))
    .map((l) => l.replace(/^.*?\((.*)\)$/, "$1"));
  if (at.length) out.at = at;
  if (e.cause !== undefined && depth < 3) {
    out.cause = safeError(e.cause, depth + 1);
  }
  return out;
}

function safeFields(
  fields: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!fields) return fields;
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(fields)) {
    if (v instanceof Error) (out ??= { ...fields })[k] = safeError(v);
  }
  return out ?? fields;
}

/** Options of {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Service name written on every line. */
  service: string;
  /** Lowest level written (default: LOG_LEVEL or "info"). */
  level?: LogLevel;
  /** Where lines go (default: stdout). Tests pass an array's push. */
  write?: (line: string) => void;
  /** Fields on every line. */
  fields?: Record<string, unknown>;
}

/** LOG_LEVEL, when it may be read. */
function envLevel(): LogLevel | undefined {
  try {
    return Deno.env.get("LOG_LEVEL") as LogLevel | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates a JSON-lines logger. The level is settled here, once: a child
 * shares its parent's level and writer and only adds fields, so a child per
 * request costs one object, not a read of the environment.
 *
 * @example
 * ```ts
 * const log = createLogger({ service: "registry" });
 * log.info("listening", { port: 8101 });
 * ```
 */
export function createLogger(opts: LoggerOptions): Logger {
  const min = ORDER[opts.level ?? envLevel() ?? "info"] ?? ORDER.info;
  return loggerOf(
    opts.service,
    min,
    opts.write ?? ((line: string) => console.log(line)),
    opts.fields ?? {},
  );
}

function loggerOf(
  service: string,
  min: number,
  write: (line: string) => void,
  base: Record<string, unknown>,
): Logger {
  const emit = (
    level: LogLevel,
    msg: string,
    fields?: Record<string, unknown>,
  ) => {
    if (ORDER[level] < min) return;
    write(
      JSON.stringify({
        time: new Date().toISOString(),
        level,
        service,
        msg,
        ...base,
        ...safeFields(fields),
      }),
    );
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => loggerOf(service, min, write, { ...base, ...fields }),
  };
}

/** A logger that writes nothing (tests, benches): it does not even format a line. */
export function silentLogger(): Logger {
  return loggerOf("test", Infinity, () => {}, {});
}
