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

/**
 * Creates a JSON-lines logger.
 *
 * @example
 * ```ts
 * const log = createLogger({ service: "registry" });
 * log.info("listening", { port: 8101 });
 * ```
 */
export function createLogger(opts: LoggerOptions): Logger {
  const envLevel = (() => {
    try {
      return Deno.env.get("LOG_LEVEL") as LogLevel | undefined;
    } catch {
      return undefined;
    }
  })();
  const min = ORDER[opts.level ?? envLevel ?? "info"] ?? ORDER.info;
  const write = opts.write ?? ((line: string) => console.log(line));
  const base = opts.fields ?? {};
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
        service: opts.service,
        msg,
        ...base,
        ...fields,
      }),
    );
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) =>
      createLogger({
        ...opts,
        level: opts.level ?? envLevel,
        fields: { ...base, ...fields },
      }),
  };
}

/** A logger that writes nothing (tests). */
export function silentLogger(): Logger {
  return createLogger({ service: "test", write: () => {} });
}
