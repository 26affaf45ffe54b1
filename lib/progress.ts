/**
 * A small terminal progress bar for long batch jobs (seeding, media export
 * and import). It writes to stderr, redraws at most every 100 ms, and shows
 * count/total, percentage, rate and ETA:
 *
 * ```
 * seed 401005 [##########----------] 485,000/970,000  50.0%  61,200/s  ETA 0:08
 * ```
 *
 * When stderr is not a terminal it stays silent until {@linkcode Progress.done},
 * which prints one summary line.
 *
 * @module
 */

/** Where the bar is drawn. */
export interface ProgressSink {
  writeSync(bytes: Uint8Array): number;
  isTerminal(): boolean;
}

/** Options of {@linkcode createProgress}. */
export interface ProgressOptions {
  /** Text before the bar, e.g. "seed 401005". */
  label: string;
  /** Expected final count (0 or less: unknown, no bar nor ETA). */
  total: number;
  /** Unit shown after the rate, e.g. "rows"; default none. */
  unit?: string;
  /** Default: Deno.stderr. */
  sink?: ProgressSink;
  /** Minimum milliseconds between redraws; default 100. */
  intervalMs?: number;
  /** Clock in milliseconds; default performance.now. */
  now?: () => number;
  /** Bar width in characters; default 24. */
  width?: number;
}

/** A running progress display. */
export interface Progress {
  /** Sets the count (redraws if due). */
  update(count: number): void;
  /** Adds to the count (redraws if due). */
  add(delta: number): void;
  /** Current count. */
  readonly count: number;
  /** Draws the final state and ends the line; idempotent. */
  done(message?: string): void;
}

/**
 * Formats an integer with thousands separators.
 *
 * @example
 * ```ts
 * formatCount(970000); // "970,000"
 * ```
 */
export function formatCount(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ",";
    out += s[i];
  }
  return n < 0 ? "-" + out : out;
}

/**
 * Formats seconds as m:ss (or h:mm:ss).
 *
 * @example
 * ```ts
 * formatDuration(75.4); // "1:15"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return (h > 0 ? `${h}:` : "") + `${mm}:${String(r).padStart(2, "0")}`;
}

/**
 * Starts a progress display.
 *
 * @example
 * ```ts
 * const progress = createProgress({ label: "seed 401005", total: 970_000, unit: "residents" });
 * progress.update(485_000);
 * progress.done();
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const sink = options.sink ?? Deno.stderr;
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? 100;
  const width = options.width ?? 24;
  const total = options.total;
  const unit = options.unit ? ` ${options.unit}` : "";
  const tty = sink.isTerminal();
  const encoder = new TextEncoder();
  const started = now();
  let count = 0;
  let lastDraw = -Infinity;
  let finished = false;

  const write = (text: string) => sink.writeSync(encoder.encode(text));
  const line = (): string => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? count / elapsed : 0;
    const parts = [options.label];
    if (total > 0) {
      const frac = Math.min(1, Math.max(0, count / total));
      const filled = Math.round(frac * width);
      parts.push(`[${"#".repeat(filled)}${"-".repeat(width - filled)}]`);
      parts.push(
        `${formatCount(count)}/${formatCount(total)}`,
        `${(frac * 100).toFixed(1).padStart(5)}%`,
      );
    } else {
      parts.push(formatCount(count));
    }
    parts.push(`${formatCount(rate)}${unit}/s`);
    if (total > 0 && !finished) {
      parts.push(
        `ETA ${rate > 0 ? formatDuration((total - count) / rate) : "?"}`,
      );
    }
    return parts.join("  ");
  };
  const draw = (force: boolean) => {
    if (!tty || finished) return;
    const t = now();
    if (!force && t - lastDraw < interval) return;
    lastDraw = t;
    write(`\r${line()}\x1b[K`);
  };

  return {
    update(n) {
      count = n;
      draw(false);
    },
    add(delta) {
      count += delta;
      draw(false);
    },
    get count() {
      return count;
    },
    done(message) {
      if (finished) return;
      finished = true;
      const elapsed = (now() - started) / 1000;
      const summary = `${line()}  in ${elapsed.toFixed(1)} s${
        message ? `  ${message}` : ""
      }`;
      write(tty ? `\r${summary}\x1b[K\n` : `${summary}\n`);
    },
  };
}
