/**
 * Injectable timers, so that a scheduled job (the retention purges) can be
 * driven by a test without waiting: the job asks for its next run through
 * `Timers`, and a test's {@linkcode fakeTimers} fires it on demand and
 * tells which delay was asked for.
 *
 * @module
 */

/** What a scheduled job uses to wait. */
export interface Timers {
  /** Returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real timers. */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) =>
    clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Timers a test fires by hand. */
export interface FakeTimers extends Timers {
  /** Delays asked for and not yet fired or cleared, ms. */
  pending(): number[];
  /** Fires every pending timer (each once). */
  fire(): void;
}

/**
 * Timers that never fire by themselves.
 *
 * @example
 * ```ts
 * const timers = fakeTimers();
 * let ran = 0;
 * timers.setTimeout(() => ran++, 3600_000);
 * timers.pending(); // [3600000]
 * timers.fire();
 * ```
 */
export function fakeTimers(): FakeTimers {
  let next = 1;
  const waiting = new Map<number, { fn: () => void; ms: number }>();
  return {
    setTimeout(fn, ms) {
      const id = next++;
      waiting.set(id, { fn, ms });
      return id;
    },
    clearTimeout(handle) {
      waiting.delete(handle as number);
    },
    pending: () => [...waiting.values()].map((w) => w.ms),
    fire() {
      const due = [...waiting];
      waiting.clear();
      for (const [, w] of due) w.fn();
    },
  };
}

/** A job run at start and then every interval, one pass at a time. */
export interface PeriodicJob<T> {
  /** One pass now (after any pass in progress). */
  runOnce(): Promise<T>;
  /** Runs a pass now and schedules the next ones. */
  start(): void;
  /** Stops scheduling and waits for a pass in progress. */
  stop(): Promise<void>;
  /** Resolves after the next scheduled pass has finished (tests). */
  nextPass(): Promise<T>;
}

/**
 * Runs `pass` at start and then `intervalMs` after each pass ends. A pass
 * that throws is reported to `onError` and the schedule goes on.
 *
 * @example
 * ```ts ignore
 * const job = periodicJob(() => purge(), { intervalMs: 3600_000, onError: log });
 * job.start();
 * ```
 */
export function periodicJob<T>(
  pass: () => Promise<T>,
  opts: {
    intervalMs: number;
    timers?: Timers;
    onError?: (err: unknown) => void;
  },
): PeriodicJob<T> {
  const timers = opts.timers ?? systemTimers;
  let timer: unknown;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;
  let waiters: ((v: T) => void)[] = [];
  const runOnce = () => {
    const job = running.then(pass);
    running = job.catch((err) => opts.onError?.(err));
    return job;
  };
  const scheduled = async () => {
    try {
      const v = await runOnce();
      const w = waiters;
      waiters = [];
      w.forEach((f) => f(v));
    } catch { /* reported by runOnce */ }
    schedule();
  };
  const schedule = () => {
    if (stopped) return;
    timer = timers.setTimeout(() => {
      scheduled();
    }, opts.intervalMs);
  };
  return {
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      scheduled();
    },
    async stop() {
      stopped = true;
      timers.clearTimeout(timer);
      await running;
    },
    nextPass: () => new Promise<T>((resolve) => waiters.push(resolve)),
  };
}
